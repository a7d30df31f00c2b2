/**
 * Drop reasons: each stage declares its reasons once, as an ordered table of
 * `name: description`; the table yields numeric codes (0 is always `none`, meaning "not
 * dropped"), the names and descriptions by code, and sizes the stage's `Uint32Array` counters.
 * Codes are dense, so a counter increment is one typed-array store.
 */
export interface DropReasonTable<K extends string> {
  /** Code by name; `code.none` is 0. */
  readonly code: { readonly [N in K | 'none']: number };
  /** Name by code. */
  readonly names: readonly (K | 'none')[];
  /** Description by code. */
  readonly descriptions: readonly string[];
  /** Number of codes, including `none`. */
  readonly size: number;
}

export function defineDropReasons<const T extends Record<string, string>>(reasons: T): DropReasonTable<Extract<keyof T, string>> {
  const names: string[] = ['none'];
  const descriptions: string[] = ['not dropped'];
  const code: Record<string, number> = { none: 0 };
  for (const [name, description] of Object.entries(reasons)) {
    if (name === 'none') throw new Error('drop reason "none" is reserved for code 0');
    code[name] = names.length;
    names.push(name);
    descriptions.push(description);
  }
  return Object.freeze({
    code: Object.freeze(code),
    names: Object.freeze(names),
    descriptions: Object.freeze(descriptions),
    size: names.length,
  }) as unknown as DropReasonTable<Extract<keyof T, string>>;
}

/** Per-reason counters for one stage. */
export class DropCounters<K extends string> {
  readonly counts: Uint32Array;
  constructor(readonly table: DropReasonTable<K>) {
    this.counts = new Uint32Array(table.size);
  }
  /** Counts one drop; code 0 (`none`) is ignored so callers can pass any parse result. */
  add(code: number): void {
    if (code !== 0) this.counts[code]!++;
  }
  get(name: K): number {
    return this.counts[this.table.code[name]]!;
  }
  total(): number {
    let t = 0;
    for (let i = 1; i < this.counts.length; i++) t += this.counts[i]!;
    return t;
  }
  /** Non-zero counters by name, for reports and traces (not for the hot path). */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let i = 1; i < this.counts.length; i++) if (this.counts[i]) out[this.table.names[i]!] = this.counts[i]!;
    return out;
  }
}

/**
 * One stage's reason table made of its own reasons followed by the tables of the parts it
 * calls (the session table's, the translator's), each part's names prefixed (`nat.poolExhausted`),
 * so a drop is counted once, under its precise reason, in the stage that dropped. A part's code
 * `c` becomes `offsets[part] + c`.
 */
export function composeDropReasons<const T extends Record<string, string>>(
  own: T,
  parts: Readonly<Record<string, DropReasonTable<string>>>,
): { table: DropReasonTable<string>; offsets: Readonly<Record<string, number>>; own: DropReasonTable<Extract<keyof T, string>> } {
  const merged: Record<string, string> = { ...own };
  const offsets: Record<string, number> = {};
  let next = Object.keys(own).length + 1;
  for (const [prefix, part] of Object.entries(parts)) {
    // Code c of the part lands at offset + c; its code 0 (`none`) is never used as a drop.
    offsets[prefix] = next - 1;
    for (let c = 1; c < part.size; c++) merged[prefix + '.' + part.names[c]] = part.descriptions[c]!;
    next += part.size - 1;
  }
  const table = defineDropReasons(merged);
  return { table, offsets: Object.freeze(offsets), own: table as unknown as DropReasonTable<Extract<keyof T, string>> };
}

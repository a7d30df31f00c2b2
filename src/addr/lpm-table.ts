import { AddressFamilyMismatchError } from './address-config-error.js';
import { Ipv4Prefix } from './ipv4-prefix.js';
import { Ipv6Prefix } from './ipv6-prefix.js';

/** Children per trie node: the trie consumes the address 8 bits (one byte) per level, so an
 * IPv6 lookup walks at most 16 levels; with 4-bit strides the walk was the translator's largest
 * cost (bench/xlat profile). */
const STRIDE = 8;
const FANOUT = 1 << STRIDE;
const INITIAL_NODES = 8;
/** Value meaning "no prefix matched". */
export const LPM_NONE = -1;

interface StoredPrefix {
  readonly bytes: Uint8Array;
  readonly length: number;
  value: number;
}

/**
 * Longest-prefix-match table for one address family (32 or 128 bits) whose values are small
 * non-negative integers, typically an index into the caller's array of entries.
 *
 * The table is a multibit trie with a stride of 8 bits stored in typed arrays (struct of arrays
 * by `node * 256 + byte`). A prefix whose length ends inside a byte is expanded over the
 * 2^(8 - r) slots it covers (controlled prefix expansion); each slot remembers the length of the
 * prefix that set it so a longer prefix always wins a slot, whatever the insertion order.
 * Lookup walks at most 4 levels for IPv4 and 16 for IPv6, reads bytes at an offset and
 * allocates nothing. Insertion is configuration-time work; removal rebuilds the trie from the
 * stored prefixes, which keeps expansion bookkeeping trivially right.
 */
export class LpmTable {
  readonly addressBits: 32 | 128;
  private readonly levels: number;
  private child: Int32Array;
  private value: Int32Array;
  private setBy: Uint8Array;
  private nodeCount = 1;
  /** Value of the /0 prefix, which has no slot of its own. */
  private rootValue = LPM_NONE;
  private readonly stored = new Map<string, StoredPrefix>();

  constructor(addressBits: 32 | 128) {
    if (addressBits !== 32 && addressBits !== 128) throw new RangeError('address width must be 32 or 128 bits');
    this.addressBits = addressBits;
    this.levels = addressBits / STRIDE;
    this.child = new Int32Array(INITIAL_NODES * FANOUT);
    this.value = new Int32Array(INITIAL_NODES * FANOUT).fill(LPM_NONE);
    this.setBy = new Uint8Array(INITIAL_NODES * FANOUT);
  }

  /** Number of prefixes stored. */
  get size(): number {
    return this.stored.size;
  }

  /** Trie nodes in use, for memory figures. */
  get nodes(): number {
    return this.nodeCount;
  }

  /**
   * Stores `value` for the prefix of `length` bits read from `prefix` at `off` (bits beyond
   * `length` are ignored). Returns the value it replaced, or LPM_NONE.
   */
  insert(prefix: Uint8Array, off: number, length: number, value: number): number {
    this.checkLength(length);
    if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) throw new RangeError('LPM value must be an integer from 0 to 2^31-1, got ' + value);
    const bytes = this.copyPrefix(prefix, off, length);
    const key = keyOf(bytes, length);
    const old = this.stored.get(key);
    if (old !== undefined) {
      const previous = old.value;
      old.value = value;
      this.place(bytes, length, value);
      return previous;
    }
    this.stored.set(key, { bytes, length, value });
    this.place(bytes, length, value);
    return LPM_NONE;
  }

  /** Removes the exact prefix; returns whether it was present. */
  remove(prefix: Uint8Array, off: number, length: number): boolean {
    this.checkLength(length);
    const key = keyOf(this.copyPrefix(prefix, off, length), length);
    if (!this.stored.delete(key)) return false;
    this.rebuild();
    return true;
  }

  /** The value stored for exactly this prefix, or LPM_NONE. */
  get(prefix: Uint8Array, off: number, length: number): number {
    this.checkLength(length);
    return this.stored.get(keyOf(this.copyPrefix(prefix, off, length), length))?.value ?? LPM_NONE;
  }

  clear(): void {
    this.stored.clear();
    this.rebuild();
  }

  /** Stores `value` for an `Ipv4Prefix` (32-bit table) or `Ipv6Prefix` (128-bit table). */
  insertPrefix(prefix: Ipv4Prefix | Ipv6Prefix, value: number, path = ''): number {
    this.checkFamily(prefix, path);
    return this.insert(prefix.bytes, 0, prefix.length, value);
  }

  removePrefix(prefix: Ipv4Prefix | Ipv6Prefix, path = ''): boolean {
    this.checkFamily(prefix, path);
    return this.remove(prefix.bytes, 0, prefix.length);
  }

  /** Value of the longest stored prefix containing the address at `b[off]`, or LPM_NONE. */
  lookup(b: Uint8Array, off: number): number {
    const child = this.child;
    const value = this.value;
    const n = this.levels;
    let best = this.rootValue;
    let node = 0;
    for (let i = 0; i < n; i++) {
      const slot = (node << 8) | b[off + i]!;
      const v = value[slot]!;
      if (v !== LPM_NONE) best = v;
      node = child[slot]!;
      if (node === 0) break;
    }
    return best;
  }

  /** `lookup` for an IPv4 address held as an unsigned 32-bit number (32-bit tables only). */
  lookupIpv4(addr: number): number {
    const child = this.child;
    const value = this.value;
    let best = this.rootValue;
    let node = 0;
    for (let shift = 24; shift >= 0; shift -= 8) {
      const slot = (node << 8) | ((addr >>> shift) & 255);
      const v = value[slot]!;
      if (v !== LPM_NONE) best = v;
      node = child[slot]!;
      if (node === 0) break;
    }
    return best;
  }

  /** Stored prefixes and values, in no particular order (configuration and tests). */
  entries(): { bytes: Uint8Array; length: number; value: number }[] {
    return [...this.stored.values()].map((s) => ({ bytes: s.bytes.slice(), length: s.length, value: s.value }));
  }

  private place(bytes: Uint8Array, length: number, value: number): void {
    if (length === 0) {
      this.rootValue = value;
      return;
    }
    // The prefix's last bit falls in byte `depth`; its first `r` bits are fixed by the prefix.
    const depth = (length - 1) >>> 3;
    const r = length - 8 * depth;
    let node = 0;
    for (let i = 0; i < depth; i++) {
      const slot = (node << 8) | bytes[i]!;
      let next = this.child[slot]!;
      if (next === 0) {
        next = this.newNode();
        this.child[slot] = next;
      }
      node = next;
    }
    const span = 1 << (8 - r);
    const first = bytes[depth]! & ~(span - 1) & 255;
    for (let k = 0; k < span; k++) {
      const slot = (node << 8) | (first + k);
      const by = this.setBy[slot]!;
      // Same length means the same prefix (distinct prefixes of one length cover disjoint slots).
      if (by <= length) {
        this.value[slot] = value;
        this.setBy[slot] = length;
      }
    }
  }

  private newNode(): number {
    if ((this.nodeCount + 1) * FANOUT > this.child.length) {
      const cap = this.child.length * 2;
      const child = new Int32Array(cap);
      child.set(this.child);
      const value = new Int32Array(cap).fill(LPM_NONE);
      value.set(this.value);
      const setBy = new Uint8Array(cap);
      setBy.set(this.setBy);
      this.child = child;
      this.value = value;
      this.setBy = setBy;
    }
    return this.nodeCount++;
  }

  private rebuild(): void {
    this.child = new Int32Array(INITIAL_NODES * FANOUT);
    this.value = new Int32Array(INITIAL_NODES * FANOUT).fill(LPM_NONE);
    this.setBy = new Uint8Array(INITIAL_NODES * FANOUT);
    this.nodeCount = 1;
    this.rootValue = LPM_NONE;
    for (const s of this.stored.values()) this.place(s.bytes, s.length, s.value);
  }

  private checkLength(length: number): void {
    if (!Number.isInteger(length) || length < 0 || length > this.addressBits) {
      throw new RangeError('prefix length must be an integer from 0 to ' + this.addressBits + ', got ' + length);
    }
  }

  private checkFamily(prefix: Ipv4Prefix | Ipv6Prefix, path: string): void {
    const is4 = prefix instanceof Ipv4Prefix;
    if (is4 !== (this.addressBits === 32)) throw new AddressFamilyMismatchError(prefix.toString(), this.addressBits === 32 ? 'IPv4' : 'IPv6', path);
  }

  /** The prefix's bytes with bits beyond `length` cleared, so equal prefixes share one key. */
  private copyPrefix(prefix: Uint8Array, off: number, length: number): Uint8Array {
    const out = new Uint8Array(this.addressBits / 8);
    for (let i = 0; i < out.length; i++) {
      const bits = length - 8 * i;
      out[i] = bits >= 8 ? prefix[off + i]! : bits <= 0 ? 0 : prefix[off + i]! & (0xff << (8 - bits));
    }
    return out;
  }
}

function keyOf(bytes: Uint8Array, length: number): string {
  let s = length + '/';
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

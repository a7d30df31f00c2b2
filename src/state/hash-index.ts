/**
 * Open-addressing hash index from a key to an entry id, for tables that keep their entries as
 * struct-of-arrays indexed by id. The index stores only the id and the key's hash per slot
 * (8 bytes); the key itself lives in the table's own arrays, so a subclass supplies
 * `keyEquals(id)`, comparing entry `id` with the probe key it staged before calling `lookup`.
 *
 * Each slot is a pair of int32 in one array, the id then the hash, so a probe costs one cache
 * miss, not one per array. Linear probing over a power-of-two slot array, sized at construction for the table's entry
 * limit at a load factor of at most 1/2, so memory is fixed and bounded by configuration.
 * Deletion shifts later members of the cluster back (Knuth 6.4 algorithm R) instead of leaving
 * tombstones, so probe lengths do not degrade under churn.
 */
export abstract class HashIndex {
  /**
   * Two int32 per slot: entry id + 1 (0: empty), then the key's hash. The hash is kept signed: a
   * hash is any 32-bit value, and its signed form stays a small integer in V8, where an unsigned
   * one of 2^31 or more is a heap number that allocates each time it crosses a call boundary.
   */
  private readonly slots: Int32Array;
  private readonly mask: number;
  /** Most entries the index accepts. */
  readonly capacity: number;
  size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 0x40000000) throw new RangeError('hash index capacity must be an integer in 1..2^30, got ' + capacity);
    let n = 2;
    while (n < capacity * 2) n *= 2;
    this.slots = new Int32Array(n * 2);
    this.mask = n - 1;
    this.capacity = capacity;
  }

  /** True when entry `id` holds the key staged by the subclass for the current lookup. */
  protected abstract keyEquals(id: number): boolean;

  /**
   * Id of the entry whose key equals the staged key, or -1. `hash` is the staged key's hash,
   * signed or unsigned (the same 32 bits either way); pass the signed form (`| 0`) on hot paths.
   */
  lookup(hash: number): number {
    const s = this.slots;
    const mask = this.mask;
    const h = hash | 0;
    let i = h & mask;
    for (;;) {
      const v = s[i << 1]!;
      if (v === 0) return -1;
      if (s[(i << 1) + 1] === h && this.keyEquals(v - 1)) return v - 1;
      i = (i + 1) & mask;
    }
  }

  /** Adds entry `id` under `hash`. The caller has checked the key is absent. False when full. */
  insert(hash: number, id: number): boolean {
    if (this.size >= this.capacity) return false;
    const s = this.slots;
    const mask = this.mask;
    let i = hash & mask;
    while (s[i << 1] !== 0) i = (i + 1) & mask;
    s[i << 1] = id + 1;
    s[(i << 1) + 1] = hash;
    this.size++;
    return true;
  }

  /** Removes entry `id`, stored under `hash`. False when it is not in the index. */
  remove(hash: number, id: number): boolean {
    const s = this.slots;
    const mask = this.mask;
    let i = hash & mask;
    for (;;) {
      const v = s[i << 1]!;
      if (v === 0) return false;
      if (v === id + 1) break;
      i = (i + 1) & mask;
    }
    // Algorithm R: pull back every later member of the cluster whose home slot is not in the
    // cyclic range (hole, j], so each stays reachable from its home slot.
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const v = s[j << 1]!;
      if (v === 0) break;
      const hj = s[(j << 1) + 1]!;
      const home = hj & mask;
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (stays) continue;
      s[hole << 1] = v;
      s[(hole << 1) + 1] = hj;
      hole = j;
    }
    s[hole << 1] = 0;
    s[(hole << 1) + 1] = 0;
    this.size--;
    return true;
  }

  /** Empties the index. */
  clear(): void {
    this.slots.fill(0);
    this.size = 0;
  }

  /** Bytes held by the index's arrays. */
  get byteLength(): number {
    return this.slots.byteLength;
  }
}

/**
 * Open-addressing hash index from a key to an entry id, for tables that keep their entries as
 * struct-of-arrays indexed by id. The index stores only the id and the key's hash per slot
 * (8 bytes); the key itself lives in the table's own arrays, so a subclass supplies
 * `keyEquals(id)`, comparing entry `id` with the probe key it staged before calling `lookup`.
 *
 * Linear probing over a power-of-two slot array, sized at construction for the table's entry
 * limit at a load factor of at most 1/2, so memory is fixed and bounded by configuration.
 * Deletion shifts later members of the cluster back (Knuth 6.4 algorithm R) instead of leaving
 * tombstones, so probe lengths do not degrade under churn.
 */
export abstract class HashIndex {
  /** Entry id + 1 per slot; 0 is empty. */
  private readonly slotIds: Int32Array;
  /** The hashes as int32: a hash is any 32-bit value, and its signed form stays a small integer
   * in V8, where an unsigned one of 2^31 or more is a heap number that allocates each time it
   * crosses a call boundary. */
  private readonly slotHashes: Int32Array;
  private readonly mask: number;
  /** Most entries the index accepts. */
  readonly capacity: number;
  size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 0x40000000) throw new RangeError('hash index capacity must be an integer in 1..2^30, got ' + capacity);
    let slots = 2;
    while (slots < capacity * 2) slots *= 2;
    this.slotIds = new Int32Array(slots);
    this.slotHashes = new Int32Array(slots);
    this.mask = slots - 1;
    this.capacity = capacity;
  }

  /** True when entry `id` holds the key staged by the subclass for the current lookup. */
  protected abstract keyEquals(id: number): boolean;

  /**
   * Id of the entry whose key equals the staged key, or -1. `hash` is the staged key's hash,
   * signed or unsigned (the same 32 bits either way); pass the signed form (`| 0`) on hot paths.
   */
  lookup(hash: number): number {
    const ids = this.slotIds;
    const hashes = this.slotHashes;
    const mask = this.mask;
    const h = hash | 0;
    let i = h & mask;
    for (;;) {
      const v = ids[i]!;
      if (v === 0) return -1;
      if (hashes[i] === h && this.keyEquals(v - 1)) return v - 1;
      i = (i + 1) & mask;
    }
  }

  /** Adds entry `id` under `hash`. The caller has checked the key is absent. False when full. */
  insert(hash: number, id: number): boolean {
    if (this.size >= this.capacity) return false;
    const ids = this.slotIds;
    const mask = this.mask;
    let i = hash & mask;
    while (ids[i] !== 0) i = (i + 1) & mask;
    ids[i] = id + 1;
    this.slotHashes[i] = hash;
    this.size++;
    return true;
  }

  /** Removes entry `id`, stored under `hash`. False when it is not in the index. */
  remove(hash: number, id: number): boolean {
    const ids = this.slotIds;
    const hashes = this.slotHashes;
    const mask = this.mask;
    let i = hash & mask;
    for (;;) {
      const v = ids[i]!;
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
      const v = ids[j]!;
      if (v === 0) break;
      const home = hashes[j]! & mask;
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (stays) continue;
      ids[hole] = v;
      hashes[hole] = hashes[j]!;
      hole = j;
    }
    ids[hole] = 0;
    hashes[hole] = 0;
    this.size--;
    return true;
  }

  /** Empties the index. */
  clear(): void {
    this.slotIds.fill(0);
    this.slotHashes.fill(0);
    this.size = 0;
  }

  /** Bytes held by the index's arrays. */
  get byteLength(): number {
    return this.slotIds.byteLength + this.slotHashes.byteLength;
  }
}

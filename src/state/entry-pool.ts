/**
 * Hands out entry ids 0..capacity-1 for struct-of-arrays tables: a free stack in an Int32Array,
 * so allocation and release are O(1) and allocate nothing. Released ids are reused last-in
 * first-out, which keeps the working set of a churning table in cache.
 */
export class EntryPool {
  private readonly free: Int32Array;
  private top: number;
  /** Per id: 1 while allocated. Lets tables and tests tell live ids from free ones. */
  readonly live: Uint8Array;
  readonly capacity: number;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 0x40000000) throw new RangeError('entry pool capacity must be an integer in 1..2^30, got ' + capacity);
    this.capacity = capacity;
    this.free = new Int32Array(capacity);
    // Lowest ids on top of the stack, so a fresh table fills from id 0 upward.
    for (let i = 0; i < capacity; i++) this.free[i] = capacity - 1 - i;
    this.top = capacity;
    this.live = new Uint8Array(capacity);
  }

  /** Ids in use. */
  get size(): number {
    return this.capacity - this.top;
  }

  /** A free id, or -1 when every id is in use. */
  allocate(): number {
    if (this.top === 0) return -1;
    const id = this.free[--this.top]!;
    this.live[id] = 1;
    return id;
  }

  /** Returns `id` to the pool. Releasing a free id is a programmer error. */
  release(id: number): void {
    if (this.live[id] !== 1) throw new Error('entry ' + id + ' released while free');
    this.live[id] = 0;
    this.free[this.top++] = id;
  }
}

import { EntryPool } from './entry-pool.js';
import { finishHash, hashWord } from './flow-hash.js';
import { HashIndex } from './hash-index.js';

/**
 * Connections per key of two u32 words (tenant, or tenant + inside host address), for the
 * per-tenant and per-host caps. A key is present while its count is above zero, so the table
 * needs at most one slot per live connection; memory is fixed at construction. Keys are int32
 * words and hashes stay below 2^31 (small integers to V8: nothing boxed per call).
 */
export class ConnCountTable extends HashIndex {
  private readonly keyA: Int32Array;
  private readonly keyB: Int32Array;
  private readonly counts: Uint32Array;
  private readonly pool: EntryPool;
  private probeA = 0;
  private probeB = 0;

  constructor(capacity: number, private readonly seed: number) {
    super(capacity);
    this.keyA = new Int32Array(capacity);
    this.keyB = new Int32Array(capacity);
    this.counts = new Uint32Array(capacity);
    this.pool = new EntryPool(capacity);
  }

  protected keyEquals(id: number): boolean {
    return this.keyA[id] === this.probeA && this.keyB[id] === this.probeB;
  }

  private stage(a: number, b: number): number {
    this.probeA = a | 0;
    this.probeB = b | 0;
    return finishHash(hashWord(hashWord(this.seed, a), b)) >>> 1;
  }

  /** Connections counted under (a, b). */
  count(a: number, b: number): number {
    const id = this.lookup(this.stage(a, b));
    return id < 0 ? 0 : this.counts[id]!;
  }

  /** True when (a, b) has no slot and none is free: `increment` would fail. */
  wouldOverflow(a: number, b: number): boolean {
    return this.pool.size >= this.pool.capacity && this.lookup(this.stage(a, b)) < 0;
  }

  /** Counts one more connection under (a, b); false when a new key finds the table full. */
  increment(a: number, b: number): boolean {
    const h = this.stage(a, b);
    let id = this.lookup(h);
    if (id < 0) {
      id = this.pool.allocate();
      if (id < 0) return false;
      this.keyA[id] = this.probeA;
      this.keyB[id] = this.probeB;
      this.counts[id] = 0;
      this.insert(h, id);
    }
    this.counts[id]!++;
    return true;
  }

  /** Counts one connection fewer under (a, b); the key goes when its count reaches zero. */
  decrement(a: number, b: number): void {
    const h = this.stage(a, b);
    const id = this.lookup(h);
    if (id < 0) return;
    if (--this.counts[id]! === 0) {
      this.remove(h, id);
      this.pool.release(id);
    }
  }

  /** Bytes held by the table's arrays. */
  override get byteLength(): number {
    return super.byteLength + this.keyA.byteLength + this.keyB.byteLength + this.counts.byteLength + this.pool.live.byteLength + this.pool.capacity * 4;
  }
}

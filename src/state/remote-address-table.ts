import { EntryPool } from './entry-pool.js';
import { finishHash, hashWord } from './flow-hash.js';
import { HashIndex } from './hash-index.js';

class RemoteAddressIndex extends HashIndex {
  probeBib = 0;
  probeAddr = 0;
  constructor(capacity: number, private readonly t: RemoteAddressTable) {
    super(capacity);
  }
  protected keyEquals(id: number): boolean {
    return this.t.bib[id] === this.probeBib && this.t.addr[id] === this.probeAddr;
  }
}

/**
 * Address-dependent filtering state (RFC 4787 §5 and REQ-8, RFC 6146 §3.5.1): per BIB entry, the
 * remote addresses Z it has at least one session with, counted, so "may (Z, any port) reach
 * this mapping?" is one lookup. Only built when the table filters by address.
 */
export class RemoteAddressTable {
  readonly capacity: number;
  private readonly pool: EntryPool;
  private readonly index: RemoteAddressIndex;
  readonly bib: Int32Array;
  readonly addr: Int32Array;
  readonly refs: Uint32Array;
  private readonly seed: number;

  constructor(capacity: number, seed: number) {
    this.capacity = capacity;
    this.pool = new EntryPool(capacity);
    this.bib = new Int32Array(capacity);
    this.addr = new Int32Array(capacity);
    this.refs = new Uint32Array(capacity);
    this.index = new RemoteAddressIndex(capacity, this);
    this.seed = seed | 0;
  }

  get size(): number {
    return this.pool.size;
  }

  private hash(bib: number, addr: number): number {
    return finishHash(hashWord(hashWord(this.seed, bib), addr)) | 0;
  }

  find(bib: number, addr: number): number {
    this.index.probeBib = bib;
    this.index.probeAddr = addr | 0;
    return this.index.lookup(this.hash(bib, addr));
  }

  /** Counts one more session of `bib` with `addr`; false when the table is full. */
  retain(bib: number, addr: number): boolean {
    const id = this.find(bib, addr);
    if (id >= 0) {
      this.refs[id]!++;
      return true;
    }
    const n = this.pool.allocate();
    if (n < 0) return false;
    this.bib[n] = bib;
    this.addr[n] = addr;
    this.refs[n] = 1;
    this.index.insert(this.hash(bib, addr), n);
    return true;
  }

  /** Counts one session fewer; the pair goes with its last session. */
  release(bib: number, addr: number): void {
    const id = this.find(bib, addr);
    if (id < 0) return;
    if (--this.refs[id]! === 0) {
      this.index.remove(this.hash(bib, addr), id);
      this.pool.release(id);
    }
  }

  get byteLength(): number {
    return this.bib.byteLength + this.addr.byteLength + this.refs.byteLength + this.index.byteLength + this.capacity * 5;
  }
}

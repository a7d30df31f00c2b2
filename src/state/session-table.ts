import { EntryPool } from './entry-pool.js';
import { finishHash, hashWord } from './flow-hash.js';
import { HashIndex } from './hash-index.js';

/** Words of a session's record. */
const W = 4;
const BIB = 0;
const REMOTE_ADDR = 1;
/** Remote port (low 16 bits), owner index (high 16). */
const PORT_OWNER = 2;
const ENTRY_NUMBER = 3;

/** Index of sessions by (BIB entry, remote address Z, remote port z). */
class SessionIndex extends HashIndex {
  probeBib = 0;
  probeAddr = 0;
  probePort = 0;
  constructor(capacity: number, private readonly rec: Int32Array) {
    super(capacity);
  }
  protected keyEquals(id: number): boolean {
    const r = this.rec;
    const o = id * W;
    return r[o + BIB] === this.probeBib && r[o + REMOTE_ADDR] === this.probeAddr && (r[o + PORT_OWNER]! & 0xffff) === this.probePort;
  }
}

/**
 * Sessions (RFC 6146 §3.2; RFC 4787's filtering state): each hangs off a BIB entry and adds the
 * remote endpoint (Z,z). Both directions find a session the same way: the packet's BIB entry
 * (by inside or by outside key), then (bib, Z, z) here, so one index serves both and a session
 * costs 16 index bytes, not 32. Storage by id: a 16-byte record (BIB id, Z, z with the owner
 * index, entry number of FIGURE 4B), interleaved so a lookup, a refresh or an expiry touches one
 * cache line, and the TCP state (the application context, seed 002) beside it.
 */
export class SessionTable {
  readonly capacity: number;
  private readonly pool: EntryPool;
  private readonly index: SessionIndex;
  private readonly rec: Int32Array;
  /** `TcpState` for TCP sessions; 0 for UDP and ICMP. */
  readonly tcpState: Uint8Array;
  private readonly seed: number;

  constructor(capacity: number, seed: number) {
    this.capacity = capacity;
    this.pool = new EntryPool(capacity);
    this.rec = new Int32Array(capacity * W);
    this.tcpState = new Uint8Array(capacity);
    this.index = new SessionIndex(capacity, this.rec);
    this.seed = seed | 0;
  }

  get size(): number {
    return this.pool.size;
  }

  isLive(id: number): boolean {
    return id >= 0 && id < this.capacity && this.pool.live[id] === 1;
  }

  bibOf(id: number): number {
    return this.rec[id * W + BIB]!;
  }

  /** Remote address Z as an int32 bit pattern. */
  remoteAddrOf(id: number): number {
    return this.rec[id * W + REMOTE_ADDR]!;
  }

  remotePortOf(id: number): number {
    return this.rec[id * W + PORT_OWNER]! & 0xffff;
  }

  /** Owner as an index into the table's `OwnerIds`. */
  ownerOf(id: number): number {
    return this.rec[id * W + PORT_OWNER]! >>> 16;
  }

  setOwner(id: number, owner: number): void {
    const o = id * W + PORT_OWNER;
    this.rec[o] = (this.rec[o]! & 0xffff) | (owner << 16);
  }

  /** Entry number as an int32 bit pattern (`>>> 0` for the number). */
  entryNumberOf(id: number): number {
    return this.rec[id * W + ENTRY_NUMBER]!;
  }

  /** True while `id` is live and numbered `n` (freed ids read 0, never a session's number). */
  isLiveEntry(id: number, n: number): boolean {
    const e = n | 0;
    return e !== 0 && id >= 0 && id < this.capacity && this.rec[id * W + ENTRY_NUMBER] === e;
  }

  setEntryNumber(id: number, n: number): void {
    this.rec[id * W + ENTRY_NUMBER] = n;
  }

  hash(bib: number, addr: number, port: number): number {
    return finishHash(hashWord(hashWord(hashWord(this.seed, bib), addr), port)) | 0;
  }

  find(bib: number, addr: number, port: number): number {
    const ix = this.index;
    ix.probeBib = bib;
    ix.probeAddr = addr | 0;
    ix.probePort = port;
    return ix.lookup(this.hash(bib, addr, port));
  }

  /** Adds a session; the caller checked the key is absent. -1 when full. */
  add(bib: number, addr: number, port: number, tcpState: number, owner: number, entryNumber: number): number {
    const id = this.pool.allocate();
    if (id < 0) return -1;
    const o = id * W;
    const r = this.rec;
    r[o + BIB] = bib;
    r[o + REMOTE_ADDR] = addr;
    r[o + PORT_OWNER] = port | (owner << 16);
    r[o + ENTRY_NUMBER] = entryNumber;
    this.tcpState[id] = tcpState;
    this.index.insert(this.hash(bib, addr, port), id);
    return id;
  }

  remove(id: number): void {
    this.index.remove(this.hash(this.bibOf(id), this.remoteAddrOf(id), this.remotePortOf(id)), id);
    // A freed id's entry number reads as 0, which no session has: `isLive` by number alone.
    this.rec[id * W + ENTRY_NUMBER] = 0;
    this.pool.release(id);
  }

  get byteLength(): number {
    return this.rec.byteLength + this.tcpState.byteLength + this.index.byteLength + this.capacity * 5;
  }
}

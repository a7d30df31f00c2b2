import { EntryPool } from './entry-pool.js';
import { finishHash, hashWord } from './flow-hash.js';
import { HashIndex } from './hash-index.js';

/** Index of sessions by (BIB entry, remote address Z, remote port z). */
class SessionIndex extends HashIndex {
  probeBib = 0;
  probeAddr = 0;
  probePort = 0;
  constructor(capacity: number, private readonly t: SessionTable) {
    super(capacity);
  }
  protected keyEquals(id: number): boolean {
    const t = this.t;
    return t.bib[id] === this.probeBib && t.remoteAddr[id] === this.probeAddr && t.remotePort[id] === this.probePort;
  }
}

/**
 * Sessions (RFC 6146 §3.2; RFC 4787's filtering state): each hangs off a BIB entry and adds the
 * remote endpoint (Z,z). Both directions find a session the same way: the packet's BIB entry
 * (by inside or by outside key), then (bib, Z, z) here, so one index serves both and a session
 * costs 16 index bytes, not 32. Struct of arrays by id: the BIB id, Z, z, the TCP state (the
 * application context of FIGURE 4B, seed 002), the owner (an `OwnerIds` index) and the entry number.
 */
export class SessionTable {
  readonly capacity: number;
  private readonly pool: EntryPool;
  private readonly index: SessionIndex;
  readonly bib: Int32Array;
  /** Remote address Z as an int32 bit pattern (see `NaptTable`). */
  readonly remoteAddr: Int32Array;
  readonly remotePort: Uint16Array;
  /** `TcpState` for TCP sessions; 0 for UDP and ICMP. */
  readonly tcpState: Uint8Array;
  /** Owner as an index into the table's `OwnerIds`. */
  readonly owner: Uint16Array;
  readonly entryNumber: Uint32Array;
  private readonly seed: number;

  constructor(capacity: number, seed: number) {
    this.capacity = capacity;
    this.pool = new EntryPool(capacity);
    this.bib = new Int32Array(capacity);
    this.remoteAddr = new Int32Array(capacity);
    this.remotePort = new Uint16Array(capacity);
    this.tcpState = new Uint8Array(capacity);
    this.owner = new Uint16Array(capacity);
    this.entryNumber = new Uint32Array(capacity);
    this.index = new SessionIndex(capacity, this);
    this.seed = seed | 0;
  }

  get size(): number {
    return this.pool.size;
  }

  isLive(id: number): boolean {
    return id >= 0 && id < this.capacity && this.pool.live[id] === 1;
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
    this.bib[id] = bib;
    this.remoteAddr[id] = addr;
    this.remotePort[id] = port;
    this.tcpState[id] = tcpState;
    this.owner[id] = owner;
    this.entryNumber[id] = entryNumber;
    this.index.insert(this.hash(bib, addr, port), id);
    return id;
  }

  remove(id: number): void {
    this.index.remove(this.hash(this.bib[id]!, this.remoteAddr[id]!, this.remotePort[id]!), id);
    this.pool.release(id);
  }

  get byteLength(): number {
    return this.bib.byteLength + this.remoteAddr.byteLength + this.remotePort.byteLength + this.tcpState.byteLength
      + this.owner.byteLength + this.entryNumber.byteLength + this.index.byteLength + this.capacity * 5;
  }
}

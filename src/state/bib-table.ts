import { EntryPool } from './entry-pool.js';
import { finishHash, hashWord } from './flow-hash.js';
import { HashIndex } from './hash-index.js';
import type { HostTable } from './host-table.js';

/** `BibTable` flag bits. */
export const BibFlag = {
  /** From configuration (RFC 6146 §3.5.1): never expires, never replicated. */
  static: 1,
} as const;

/** Words of an entry's hot record: what a lookup, a change record and an expiry read. */
const W = 4;
const HOST = 0;
/** Inside port (low 16 bits), outside port (high 16). */
const PORTS = 1;
const OUTSIDE_ADDR = 2;
/** Protocol index (bits 0-7), flags (8-15), owner index (16-31). */
const META = 3;

/** Inside index: (inside host, protocol, inside port) → BIB id. The host entry stands for
 * (tenant, inside address), so the key is three small numbers held in the entry's own record. */
class BibInsideIndex extends HashIndex {
  probeHost = 0;
  probeProto = 0;
  probePort = 0;
  constructor(capacity: number, private readonly rec: Int32Array) {
    super(capacity);
  }
  protected keyEquals(id: number): boolean {
    const r = this.rec;
    const o = id * W;
    return r[o + HOST] === this.probeHost && (r[o + PORTS]! & 0xffff) === this.probePort && (r[o + META]! & 0xff) === this.probeProto;
  }
}

/** Outside index: (tenant, protocol, T, t) → BIB id. */
class BibOutsideIndex extends HashIndex {
  probeTenant = 0;
  probeProto = 0;
  probeAddr = 0;
  probePort = 0;
  constructor(capacity: number, private readonly rec: Int32Array, private readonly hosts: HostTable) {
    super(capacity);
  }
  protected keyEquals(id: number): boolean {
    const r = this.rec;
    const o = id * W;
    return (r[o + PORTS]! >>> 16) === this.probePort && r[o + OUTSIDE_ADDR] === this.probeAddr && (r[o + META]! & 0xff) === this.probeProto
      && this.hosts.tenant[r[o + HOST]!] === this.probeTenant;
  }
}

/**
 * Binding Information Base (RFC 6146 §3.1; RFC 4787's "mapping"): one entry per inside transport
 * address and protocol, binding (X,x) to the pool transport address (T,t), the same for every
 * remote endpoint (endpoint-independent mapping, RFC 4787 REQ-1, RFC 5382 REQ-1). Indexed from
 * the inside (outbound packets) and from the outside (inbound ones). The inside address is the
 * host's (`HostTable`), stored once per host.
 *
 * Storage is by entry id: a 16-byte record of what lookups, change records and expiry read
 * (host, ports, T, protocol, flags, owner), interleaved so one cache line serves them at
 * millions of entries, plus the entry number (FIGURE 4B, seed 002) and the session count beside
 * it. A dynamic entry lives while it has sessions (RFC 6146 §3.5.1).
 */
export class BibTable {
  readonly capacity: number;
  private readonly pool: EntryPool;
  private readonly insideIndex: BibInsideIndex;
  private readonly outsideIndex: BibOutsideIndex;
  private readonly rec: Int32Array;
  readonly entryNumber: Uint32Array;
  readonly sessionCount: Uint32Array;
  private readonly seed: number;

  constructor(capacity: number, private readonly hosts: HostTable, seed: number) {
    this.capacity = capacity;
    this.pool = new EntryPool(capacity);
    this.rec = new Int32Array(capacity * W);
    this.entryNumber = new Uint32Array(capacity);
    this.sessionCount = new Uint32Array(capacity);
    this.insideIndex = new BibInsideIndex(capacity, this.rec);
    this.outsideIndex = new BibOutsideIndex(capacity, this.rec, hosts);
    this.seed = seed | 0;
  }

  get size(): number {
    return this.pool.size;
  }

  isLive(id: number): boolean {
    return id >= 0 && id < this.capacity && this.pool.live[id] === 1;
  }

  hostOf(id: number): number {
    return this.rec[id * W + HOST]!;
  }

  insidePortOf(id: number): number {
    return this.rec[id * W + PORTS]! & 0xffff;
  }

  /** Pool address T as an int32 bit pattern. */
  outsideAddrOf(id: number): number {
    return this.rec[id * W + OUTSIDE_ADDR]!;
  }

  outsidePortOf(id: number): number {
    return this.rec[id * W + PORTS]! >>> 16;
  }

  /** Protocol index (`naptProtocolIndex`). */
  protoOf(id: number): number {
    return this.rec[id * W + META]! & 0xff;
  }

  flagsOf(id: number): number {
    return (this.rec[id * W + META]! >>> 8) & 0xff;
  }

  /** Owner as an index into the table's `OwnerIds`. */
  ownerOf(id: number): number {
    return this.rec[id * W + META]! >>> 16;
  }

  setOwner(id: number, owner: number): void {
    const o = id * W + META;
    this.rec[o] = (this.rec[o]! & 0xffff) | (owner << 16);
  }

  insideHash(host: number, pi: number, port: number): number {
    return finishHash(hashWord(hashWord(this.seed ^ 0x5bd1e995, host), (pi << 16) | port)) | 0;
  }

  outsideHash(tenant: number, pi: number, addr: number, port: number): number {
    return finishHash(hashWord(hashWord(hashWord(this.seed, tenant), addr), (pi << 16) | port)) | 0;
  }

  /** Entry of inside host `host` (a `HostTable` id), protocol index `pi` and port; -1 if none. */
  findInside(host: number, pi: number, port: number): number {
    const ix = this.insideIndex;
    ix.probeHost = host;
    ix.probeProto = pi;
    ix.probePort = port;
    return ix.lookup(this.insideHash(host, pi, port));
  }

  findOutside(tenant: number, pi: number, addr: number, port: number): number {
    const ix = this.outsideIndex;
    ix.probeTenant = tenant | 0;
    ix.probeProto = pi;
    ix.probeAddr = addr | 0;
    ix.probePort = port;
    return ix.lookup(this.outsideHash(tenant, pi, addr, port));
  }

  /** Adds an entry; the caller checked both keys are absent. -1 when full. */
  add(host: number, pi: number, insidePort: number, outsideAddr: number, outsidePort: number, flags: number, owner: number, entryNumber: number): number {
    const id = this.pool.allocate();
    if (id < 0) return -1;
    const o = id * W;
    const r = this.rec;
    r[o + HOST] = host;
    r[o + PORTS] = insidePort | (outsidePort << 16);
    r[o + OUTSIDE_ADDR] = outsideAddr;
    r[o + META] = pi | (flags << 8) | (owner << 16);
    this.entryNumber[id] = entryNumber;
    this.sessionCount[id] = 0;
    this.insideIndex.insert(this.insideHash(host, pi, insidePort), id);
    this.outsideIndex.insert(this.outsideHash(this.hosts.tenant[host]!, pi, outsideAddr, outsidePort), id);
    return id;
  }

  remove(id: number): void {
    const h = this.hostOf(id);
    const pi = this.protoOf(id);
    this.insideIndex.remove(this.insideHash(h, pi, this.insidePortOf(id)), id);
    this.outsideIndex.remove(this.outsideHash(this.hosts.tenant[h]!, pi, this.outsideAddrOf(id), this.outsidePortOf(id)), id);
    this.pool.release(id);
  }

  get byteLength(): number {
    return this.rec.byteLength + this.entryNumber.byteLength + this.sessionCount.byteLength
      + this.insideIndex.byteLength + this.outsideIndex.byteLength + this.capacity * 5;
  }
}

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

/** Inside index: (tenant, inside address, protocol, inside port) → BIB id. */
class BibInsideIndex extends HashIndex {
  probeTenant = 0;
  probeAddr: Uint32Array = new Uint32Array(4);
  probeOff = 0;
  probeProto = 0;
  probePort = 0;
  constructor(capacity: number, private readonly rec: Int32Array, private readonly hosts: HostTable) {
    super(capacity);
  }
  protected keyEquals(id: number): boolean {
    const r = this.rec;
    const o = id * W;
    if ((r[o + PORTS]! & 0xffff) !== this.probePort || (r[o + META]! & 0xff) !== this.probeProto) return false;
    const h = r[o + HOST]!;
    const a = this.hosts.addr;
    const p = this.probeAddr;
    const po = this.probeOff;
    const i = h << 2;
    return a[i + 3] === p[po + 3] && a[i + 2] === p[po + 2] && a[i] === p[po] && a[i + 1] === p[po + 1] && this.hosts.tenant[h] === this.probeTenant;
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
    this.insideIndex = new BibInsideIndex(capacity, this.rec, hosts);
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

  /** Inside-key hash from the host key's hash (`HostTable.hash`). */
  insideHash(hostHash: number, pi: number, port: number): number {
    return finishHash(hashWord(hostHash, (pi << 16) | port)) | 0;
  }

  outsideHash(tenant: number, pi: number, addr: number, port: number): number {
    return finishHash(hashWord(hashWord(hashWord(this.seed, tenant), addr), (pi << 16) | port)) | 0;
  }

  /** Entry for inside (tenant, addr, pi, port), whose host-key hash is `hostHash`; -1 if none. */
  findInside(hostHash: number, tenant: number, addr: Uint32Array, off: number, pi: number, port: number): number {
    const ix = this.insideIndex;
    ix.probeTenant = tenant | 0;
    ix.probeAddr = addr;
    ix.probeOff = off;
    ix.probeProto = pi;
    ix.probePort = port;
    return ix.lookup(this.insideHash(hostHash, pi, port));
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
  add(host: number, hostHash: number, pi: number, insidePort: number, outsideAddr: number, outsidePort: number, flags: number, owner: number, entryNumber: number): number {
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
    this.insideIndex.insert(this.insideHash(hostHash, pi, insidePort), id);
    this.outsideIndex.insert(this.outsideHash(this.hosts.tenant[host]!, pi, outsideAddr, outsidePort), id);
    return id;
  }

  remove(id: number): void {
    const h = this.hostOf(id);
    const tenant = this.hosts.tenant[h]!;
    const pi = this.protoOf(id);
    const hostHash = this.hosts.hash(tenant, this.hosts.addr, h << 2);
    this.insideIndex.remove(this.insideHash(hostHash, pi, this.insidePortOf(id)), id);
    this.outsideIndex.remove(this.outsideHash(tenant, pi, this.outsideAddrOf(id), this.outsidePortOf(id)), id);
    this.pool.release(id);
  }

  get byteLength(): number {
    return this.rec.byteLength + this.entryNumber.byteLength + this.sessionCount.byteLength
      + this.insideIndex.byteLength + this.outsideIndex.byteLength + this.capacity * 5;
  }
}

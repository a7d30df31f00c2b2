import { EntryPool } from './entry-pool.js';
import { finishHash, hashWord } from './flow-hash.js';
import { HashIndex } from './hash-index.js';
import type { HostTable } from './host-table.js';

/** `BibTable.flags` bits. */
export const BibFlag = {
  /** From configuration (RFC 6146 §3.5.1): never expires, never replicated. */
  static: 1,
} as const;

/** Inside index: (tenant, inside address, protocol, inside port) → BIB id. */
class BibInsideIndex extends HashIndex {
  probeTenant = 0;
  probeAddr: Uint32Array = new Uint32Array(4);
  probeOff = 0;
  probeProto = 0;
  probePort = 0;
  constructor(capacity: number, private readonly bib: BibTable, private readonly hosts: HostTable) {
    super(capacity);
  }
  protected keyEquals(id: number): boolean {
    const b = this.bib;
    if (b.insidePort[id] !== this.probePort || b.proto[id] !== this.probeProto) return false;
    const h = b.host[id]!;
    const a = this.hosts.addr;
    const p = this.probeAddr;
    const o = this.probeOff;
    const i = h << 2;
    return a[i + 3] === p[o + 3] && a[i + 2] === p[o + 2] && a[i] === p[o] && a[i + 1] === p[o + 1] && this.hosts.tenant[h] === this.probeTenant;
  }
}

/** Outside index: (tenant, protocol, T, t) → BIB id. */
class BibOutsideIndex extends HashIndex {
  probeTenant = 0;
  probeProto = 0;
  probeAddr = 0;
  probePort = 0;
  constructor(capacity: number, private readonly bib: BibTable, private readonly hosts: HostTable) {
    super(capacity);
  }
  protected keyEquals(id: number): boolean {
    const b = this.bib;
    return b.outsidePort[id] === this.probePort && b.outsideAddr[id] === this.probeAddr && b.proto[id] === this.probeProto
      && this.hosts.tenant[b.host[id]!] === this.probeTenant;
  }
}

/**
 * Binding Information Base (RFC 6146 §3.1; RFC 4787's "mapping"): one entry per inside transport
 * address and protocol, binding (X,x) to the pool transport address (T,t), the same for every
 * remote endpoint (endpoint-independent mapping, RFC 4787 REQ-1, RFC 5382 REQ-1). Struct of
 * arrays by entry id, indexed from the inside (outbound packets) and from the outside (inbound
 * ones). The inside address is the host's (`HostTable`), stored once per host.
 *
 * Also what replication needs of FIGURE 4B (seed 002): the owner (an `OwnerIds` index) and the entry number.
 * Sessions count per entry: a dynamic entry lives while it has sessions (RFC 6146 §3.5.1).
 */
export class BibTable {
  readonly capacity: number;
  private readonly pool: EntryPool;
  private readonly insideIndex: BibInsideIndex;
  private readonly outsideIndex: BibOutsideIndex;
  readonly host: Int32Array;
  readonly insidePort: Uint16Array;
  /** Pool address T as an int32 bit pattern. */
  readonly outsideAddr: Int32Array;
  readonly outsidePort: Uint16Array;
  /** Protocol index (`naptProtocolIndex`). */
  readonly proto: Uint8Array;
  readonly flags: Uint8Array;
  /** Owner as an index into the table's `OwnerIds`. */
  readonly owner: Uint16Array;
  readonly entryNumber: Uint32Array;
  readonly sessionCount: Uint32Array;
  private readonly seed: number;

  constructor(capacity: number, private readonly hosts: HostTable, seed: number) {
    this.capacity = capacity;
    this.pool = new EntryPool(capacity);
    this.host = new Int32Array(capacity);
    this.insidePort = new Uint16Array(capacity);
    this.outsideAddr = new Int32Array(capacity);
    this.outsidePort = new Uint16Array(capacity);
    this.proto = new Uint8Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.owner = new Uint16Array(capacity);
    this.entryNumber = new Uint32Array(capacity);
    this.sessionCount = new Uint32Array(capacity);
    this.insideIndex = new BibInsideIndex(capacity, this, hosts);
    this.outsideIndex = new BibOutsideIndex(capacity, this, hosts);
    this.seed = seed | 0;
  }

  get size(): number {
    return this.pool.size;
  }

  isLive(id: number): boolean {
    return id >= 0 && id < this.capacity && this.pool.live[id] === 1;
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
    this.host[id] = host;
    this.insidePort[id] = insidePort;
    this.outsideAddr[id] = outsideAddr;
    this.outsidePort[id] = outsidePort;
    this.proto[id] = pi;
    this.flags[id] = flags;
    this.owner[id] = owner;
    this.entryNumber[id] = entryNumber;
    this.sessionCount[id] = 0;
    this.insideIndex.insert(this.insideHash(hostHash, pi, insidePort), id);
    this.outsideIndex.insert(this.outsideHash(this.hosts.tenant[host]!, pi, outsideAddr, outsidePort), id);
    return id;
  }

  remove(id: number): void {
    const h = this.host[id]!;
    const hostHash = this.hosts.hash(this.hosts.tenant[h]!, this.hosts.addr, h << 2);
    this.insideIndex.remove(this.insideHash(hostHash, this.proto[id]!, this.insidePort[id]!), id);
    this.outsideIndex.remove(this.outsideHash(this.hosts.tenant[h]!, this.proto[id]!, this.outsideAddr[id]!, this.outsidePort[id]!), id);
    this.pool.release(id);
  }

  get byteLength(): number {
    return this.host.byteLength + this.insidePort.byteLength + this.outsideAddr.byteLength + this.outsidePort.byteLength
      + this.proto.byteLength + this.flags.byteLength + this.owner.byteLength + this.entryNumber.byteLength
      + this.sessionCount.byteLength + this.insideIndex.byteLength + this.outsideIndex.byteLength + this.capacity * 5;
  }
}

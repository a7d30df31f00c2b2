import { EntryPool } from './entry-pool.js';
import { finishHash, hashWord } from './flow-hash.js';
import { HashIndex } from './hash-index.js';

/** Index of hosts by (tenant, inside address). */
class HostIndex extends HashIndex {
  probeTenant = 0;
  probeAddr: Uint32Array = new Uint32Array(4);
  probeOff = 0;
  constructor(capacity: number, private readonly tenants: Int32Array, private readonly addrs: Uint32Array) {
    super(capacity);
  }
  protected keyEquals(id: number): boolean {
    const a = this.addrs;
    const p = this.probeAddr;
    const o = this.probeOff;
    const i = id << 2;
    return a[i + 3] === p[o + 3] && a[i + 2] === p[o + 2] && a[i] === p[o] && a[i + 1] === p[o + 1] && this.tenants[id] === this.probeTenant;
  }
}

/**
 * Inside hosts of the NAPT table: one entry per (tenant, inside address) that has a BIB entry.
 * Holds what is per host rather than per mapping: the address itself (BIB entries refer to it,
 * so the 16-byte address is stored once per host, not once per mapping), the paired pool
 * address (RFC 4787 REQ-2: every mapping of the host uses the same T while it has any), and the
 * counts behind the per-host session cap (RFC 6888 REQ-4/REQ-5). An entry lives while the host
 * has BIB entries.
 */
export class HostTable {
  readonly capacity: number;
  private readonly pool: EntryPool;
  private readonly index: HostIndex;
  /** Inside address, 4 words per host. */
  readonly addr: Uint32Array;
  /** Tenant ID as an int32 bit pattern. */
  readonly tenant: Int32Array;
  readonly bibCount: Uint32Array;
  readonly sessionCount: Uint32Array;
  /** Index into the pool's addresses of the host's paired address; -1 until it has one. */
  readonly pairedAddress: Int32Array;
  private readonly seed: number;

  constructor(capacity: number, seed: number) {
    this.capacity = capacity;
    this.pool = new EntryPool(capacity);
    this.addr = new Uint32Array(capacity * 4);
    this.tenant = new Int32Array(capacity);
    this.bibCount = new Uint32Array(capacity);
    this.sessionCount = new Uint32Array(capacity);
    this.pairedAddress = new Int32Array(capacity).fill(-1);
    this.index = new HostIndex(capacity, this.tenant, this.addr);
    this.seed = seed | 0;
  }

  get size(): number {
    return this.pool.size;
  }

  /** Hash of a host key; BIB and host indexes both start from it. */
  hash(tenant: number, addr: Uint32Array, off: number): number {
    let h = hashWord(this.seed, tenant);
    h = hashWord(h, addr[off]!);
    h = hashWord(h, addr[off + 1]!);
    h = hashWord(h, addr[off + 2]!);
    h = hashWord(h, addr[off + 3]!);
    return finishHash(h) | 0;
  }

  /** Host (tenant, addr[off..off+3]) whose key hashes to `hash` (`this.hash`), or -1. */
  find(hash: number, tenant: number, addr: Uint32Array, off: number): number {
    const ix = this.index;
    ix.probeTenant = tenant | 0;
    ix.probeAddr = addr;
    ix.probeOff = off;
    return ix.lookup(hash);
  }

  /** The host's id, adding it when absent; -1 when the table is full. */
  findOrAdd(hash: number, tenant: number, addr: Uint32Array, off: number): number {
    const found = this.find(hash, tenant, addr, off);
    if (found >= 0) return found;
    const id = this.pool.allocate();
    if (id < 0) return -1;
    const i = id << 2;
    this.addr[i] = addr[off]!;
    this.addr[i + 1] = addr[off + 1]!;
    this.addr[i + 2] = addr[off + 2]!;
    this.addr[i + 3] = addr[off + 3]!;
    this.tenant[id] = tenant;
    this.bibCount[id] = 0;
    this.sessionCount[id] = 0;
    this.pairedAddress[id] = -1;
    this.index.insert(hash, id);
    return id;
  }

  /** Removes host `id` (its last BIB entry went). */
  remove(id: number): void {
    this.index.remove(this.hash(this.tenant[id]!, this.addr, id << 2), id);
    this.pool.release(id);
  }

  isLive(id: number): boolean {
    return this.pool.live[id] === 1;
  }

  get byteLength(): number {
    return this.addr.byteLength + this.tenant.byteLength + this.bibCount.byteLength + this.sessionCount.byteLength
      + this.pairedAddress.byteLength + this.index.byteLength + this.capacity * 5;
  }
}

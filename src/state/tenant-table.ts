import { EntryPool } from './entry-pool.js';
import { finishHash, hashWord } from './flow-hash.js';
import { HashIndex } from './hash-index.js';

class TenantIndex extends HashIndex {
  probe = 0;
  constructor(capacity: number, private readonly ids: Int32Array) {
    super(capacity);
  }
  protected keyEquals(id: number): boolean {
    return this.ids[id] === this.probe;
  }
}

/**
 * Per-tenant session counts behind the tenant session cap (RFC 6888 REQ-5: limits on state per
 * subscriber, here per tenant): tenant ID → count, the entry going with the tenant's last
 * session.
 */
export class TenantTable {
  readonly capacity: number;
  private readonly pool: EntryPool;
  private readonly index: TenantIndex;
  /** Tenant ID as an int32 bit pattern. */
  readonly tenant: Int32Array;
  readonly sessionCount: Uint32Array;
  private readonly seed: number;
  /** The last tenant found and its id: packets come in runs of one tenant. */
  private lastTenant = 0;
  private lastId = -1;

  constructor(capacity: number, seed: number) {
    this.capacity = capacity;
    this.pool = new EntryPool(capacity);
    this.tenant = new Int32Array(capacity);
    this.sessionCount = new Uint32Array(capacity);
    this.index = new TenantIndex(capacity, this.tenant);
    this.seed = seed | 0;
  }

  get size(): number {
    return this.pool.size;
  }

  find(tenant: number): number {
    const t = tenant | 0;
    if (t === this.lastTenant && this.lastId >= 0) return this.lastId;
    this.index.probe = t;
    const id = this.index.lookup(finishHash(hashWord(this.seed, t)) | 0);
    if (id >= 0) {
      this.lastTenant = t;
      this.lastId = id;
    }
    return id;
  }

  /** Sessions of `tenant` (0 when it has none). */
  sessionsOf(tenant: number): number {
    const id = this.find(tenant);
    return id < 0 ? 0 : this.sessionCount[id]!;
  }

  /** Counts a session for `tenant`; false when the table is full. */
  retain(tenant: number): boolean {
    let id = this.find(tenant);
    if (id < 0) {
      id = this.pool.allocate();
      if (id < 0) return false;
      this.tenant[id] = tenant;
      this.sessionCount[id] = 0;
      this.index.insert(finishHash(hashWord(this.seed, tenant)) | 0, id);
    }
    this.sessionCount[id]!++;
    return true;
  }

  release(tenant: number): void {
    const id = this.find(tenant);
    if (id < 0) return;
    if (--this.sessionCount[id]! === 0) {
      this.index.remove(finishHash(hashWord(this.seed, tenant)) | 0, id);
      this.pool.release(id);
      if (id === this.lastId) this.lastId = -1;
    }
  }

  get byteLength(): number {
    return this.tenant.byteLength + this.sessionCount.byteLength + this.index.byteLength + this.capacity * 5;
  }
}

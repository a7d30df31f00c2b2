import type { Clock } from '../state/clock.js';
import { EntryPool } from '../state/entry-pool.js';
import { finishHash, hashWord } from '../state/flow-hash.js';
import { HashIndex } from '../state/hash-index.js';
import { ETHERNET_ADDR_LEN } from '../wire/ethernet.js';

/** Settings of a `NeighborTable`; every field has a default. */
export interface NeighborTableOptions {
  /** IP → MAC entries, over all interfaces (default 4096). */
  capacity?: number;
  /** MAC → tunnel peer entries (default 4096). */
  peerCapacity?: number;
  /** A resolved entry is trusted this long after its last confirmation; used after that, it is
   * re-confirmed by a unicast solicitation (RFC 4861 §7.3.1 REACHABLE_TIME, 30 s). */
  reachableMs?: number;
  /** An entry not confirmed for this long is removed by `age` (default 120 s). */
  expireMs?: number;
  /** At most one solicitation per entry per this interval (RFC 4861 §10 RETRANS_TIMER, 1 s). */
  retransMs?: number;
  /** An entry whose solicitations went unanswered this long is removed (RFC 4861 §7.3.3:
   * MAX_MULTICAST_SOLICIT × RETRANS_TIMER, 3 s). */
  incompleteMs?: number;
  /** A MAC → peer entry not seen for this long is removed (default 300 s, the usual bridge FDB age). */
  peerExpireMs?: number;
  /** Entries `age` looks at per call, so a large table is swept in slices. */
  ageBudget?: number;
  /** Hash seed. */
  seed?: number;
}

/** Neighbor entry state. */
export const NeighborState = {
  Free: 0,
  /** A solicitation went out, no answer yet. */
  Incomplete: 1,
  /** The MAC address is known. */
  Resolved: 2,
} as const;

/** What the route stage should send for a next hop (`NeighborTable.resolve4/6`). */
export const NeighborAction = {
  /** Resolved and fresh: use the MAC. */
  Use: 0,
  /** Resolved but not confirmed lately: use the MAC and send a unicast solicitation to it. */
  UseAndProbe: 1,
  /** Not resolved: send a broadcast ARP request / multicast Neighbor Solicitation, drop the packet. */
  Solicit: 2,
  /** Not resolved, and a solicitation went out less than `retransMs` ago: drop the packet. */
  Wait: 3,
  /** Not resolved and the table is full: drop the packet. */
  Full: 4,
} as const;

/** Key words: interface, family, four address words (IPv4: the address in the last). */
const KEY_WORDS = 6;
/** Peer key words: interface, MAC high 16 bits, MAC low 32 bits. */
const PEER_KEY_WORDS = 3;

class NeighborIndex extends HashIndex {
  readonly probe = new Int32Array(KEY_WORDS);
  constructor(capacity: number, private readonly keys: Int32Array) {
    super(capacity);
  }
  protected keyEquals(id: number): boolean {
    const k = this.keys;
    const p = this.probe;
    const base = id * KEY_WORDS;
    return k[base + 5] === p[5] && k[base] === p[0] && k[base + 1] === p[1] && k[base + 2] === p[2] && k[base + 3] === p[3] && k[base + 4] === p[4];
  }
}

class PeerIndex extends HashIndex {
  readonly probe = new Int32Array(PEER_KEY_WORDS);
  constructor(capacity: number, private readonly keys: Int32Array) {
    super(capacity);
  }
  protected keyEquals(id: number): boolean {
    const k = this.keys;
    const p = this.probe;
    const base = id * PEER_KEY_WORDS;
    return k[base + 2] === p[2] && k[base + 1] === p[1] && k[base] === p[0];
  }
}

/** One neighbor entry, for the API and tests (allocates). */
export interface NeighborView {
  iface: number;
  family: 4 | 6;
  /** IPv4: the address as an unsigned number; IPv6: 16 bytes. */
  address: number | Uint8Array;
  state: 'incomplete' | 'resolved';
  mac: Uint8Array | null;
  confirmedAt: number;
}

/**
 * The gateway's neighbor cache per interface (ARP, RFC 826; NDP, RFC 4861 §7.3), and the tunnel
 * forwarding table that says behind which remote tunnel endpoint a MAC address lives (the VTEP
 * learning of RFC 7348 §4). Struct-of-arrays by entry id with typed-array hash indexes, a fixed
 * capacity and a clock injected, so nothing on the packet path allocates and memory is bounded:
 * a full table refuses new entries (counted) until `age` frees some.
 *
 * Simplified NUD: an entry is Incomplete while solicited, Resolved once a reply or a solicitation
 * from the neighbor gave its MAC; a Resolved entry older than `reachableMs` is still used but
 * re-confirmed by a unicast probe (the STALE → PROBE path of RFC 4861 §7.3.2 without DELAY), and
 * removed if nothing confirms it for `expireMs`.
 */
export class NeighborTable {
  readonly capacity: number;
  readonly peerCapacity: number;
  readonly reachableMs: number;
  readonly expireMs: number;
  readonly retransMs: number;
  readonly incompleteMs: number;
  readonly peerExpireMs: number;
  private readonly ageBudget: number;
  private readonly seed: number;

  private readonly keys: Int32Array;
  readonly state: Uint8Array;
  /** MAC of each entry, `ETHERNET_ADDR_LEN` bytes from `id * 6`. */
  readonly macs: Uint8Array;
  readonly confirmedAt: Float64Array;
  readonly solicitedAt: Float64Array;
  private readonly createdAt: Float64Array;
  private readonly hashes: Int32Array;
  private readonly index: NeighborIndex;
  private readonly pool: EntryPool;
  private hand = 0;

  private readonly peerKeys: Int32Array;
  private readonly peers: Int32Array;
  private readonly peerSeenAt: Float64Array;
  private readonly peerHashes: Int32Array;
  private readonly peerIndex: PeerIndex;
  private readonly peerPool: EntryPool;
  private peerHand = 0;

  /** Entries created, MACs changed, entries refused for want of room, entries aged out. */
  created = 0;
  changed = 0;
  full = 0;
  expired = 0;
  /** MAC → peer entries created, moved to another peer, refused, aged out. */
  peersLearned = 0;
  peersMoved = 0;
  peersFull = 0;
  peersExpired = 0;

  constructor(readonly clock: Clock, opts: NeighborTableOptions = {}) {
    this.capacity = positive(opts.capacity ?? 4096, 'capacity');
    this.peerCapacity = positive(opts.peerCapacity ?? 4096, 'peerCapacity');
    this.reachableMs = opts.reachableMs ?? 30_000;
    this.expireMs = opts.expireMs ?? 120_000;
    this.retransMs = opts.retransMs ?? 1_000;
    this.incompleteMs = opts.incompleteMs ?? 3_000;
    this.peerExpireMs = opts.peerExpireMs ?? 300_000;
    this.ageBudget = positive(opts.ageBudget ?? 1024, 'ageBudget');
    this.seed = (opts.seed ?? 0x6e656967) | 0;
    const n = this.capacity;
    this.keys = new Int32Array(n * KEY_WORDS);
    this.state = new Uint8Array(n);
    this.macs = new Uint8Array(n * ETHERNET_ADDR_LEN);
    this.confirmedAt = new Float64Array(n);
    this.solicitedAt = new Float64Array(n);
    this.createdAt = new Float64Array(n);
    this.hashes = new Int32Array(n);
    this.index = new NeighborIndex(n, this.keys);
    this.pool = new EntryPool(n);
    const p = this.peerCapacity;
    this.peerKeys = new Int32Array(p * PEER_KEY_WORDS);
    this.peers = new Int32Array(p);
    this.peerSeenAt = new Float64Array(p);
    this.peerHashes = new Int32Array(p);
    this.peerIndex = new PeerIndex(p, this.peerKeys);
    this.peerPool = new EntryPool(p);
  }

  /** Entries in use (incomplete and resolved). */
  get size(): number {
    return this.pool.size;
  }

  get peerCount(): number {
    return this.peerPool.size;
  }

  /** Entry id for IPv4 `addr` (int32 or unsigned) on `iface`, or -1. */
  find4(iface: number, addr: number): number {
    return this.index.lookup(this.stage4(iface, addr));
  }

  /** Entry id for the IPv6 address at `b[off]` on `iface`, or -1. */
  find6(iface: number, b: Uint8Array, off: number): number {
    return this.index.lookup(this.stage6(iface, b, off));
  }

  /**
   * Records what an ARP packet (RFC 826 "merge"), a Neighbor Solicitation with a source
   * link-layer address (RFC 4861 §7.2.3) or an advertisement told: `iface`'s neighbor `addr`
   * has `mac`. Updates an existing entry; creates one only when `create` (the gateway was the
   * target). Returns the entry id, or -1 (absent and not created, or the table is full).
   */
  confirm4(iface: number, addr: number, mac: Uint8Array, macOff: number, create: boolean): number {
    return this.confirm(this.stage4(iface, addr), mac, macOff, create);
  }

  confirm6(iface: number, b: Uint8Array, off: number, mac: Uint8Array, macOff: number, create: boolean): number {
    return this.confirm(this.stage6(iface, b, off), mac, macOff, create);
  }

  /**
   * Neighbor Advertisement for an entry (RFC 4861 §7.2.5): only an existing entry changes. With
   * `override` or while incomplete the MAC is taken; `solicited` confirms reachability. Returns
   * the entry id or -1 (no entry: the advertisement is silently discarded).
   */
  advertise6(iface: number, b: Uint8Array, off: number, mac: Uint8Array, macOff: number, solicited: boolean, override: boolean): number {
    const id = this.index.lookup(this.stage6(iface, b, off));
    if (id < 0) return -1;
    const wasResolved = this.state[id] === NeighborState.Resolved;
    if (!wasResolved || override) this.setMac(id, mac, macOff, wasResolved);
    if (solicited || !wasResolved) this.confirmedAt[id] = this.clock.now();
    this.state[id] = NeighborState.Resolved;
    return id;
  }

  /**
   * What to do to reach IPv4 next hop `addr` on `iface` (a `NeighborAction`); on Use and
   * UseAndProbe `lastId` is the entry, whose MAC is at `macs[lastId * 6]`. Marks the
   * solicitation as sent when it asks for one, creating an Incomplete entry for a new next hop.
   */
  resolve4(iface: number, addr: number): number {
    return this.resolve(this.stage4(iface, addr));
  }

  resolve6(iface: number, b: Uint8Array, off: number): number {
    return this.resolve(this.stage6(iface, b, off));
  }

  /** Entry of the last `resolve4/6`, or -1. */
  lastId = -1;

  /** Offset of entry `id`'s MAC in `macs`. */
  macOff(id: number): number {
    return id * ETHERNET_ADDR_LEN;
  }

  /** Removes the entry for `addr` on `iface`; returns whether there was one. */
  forget4(iface: number, addr: number): boolean {
    const h = this.stage4(iface, addr);
    const id = this.index.lookup(h);
    if (id < 0) return false;
    this.removeEntry(id);
    return true;
  }

  /**
   * Learns that `mac` (at `b[off]`, a frame's source address) on `iface` lives behind tunnel
   * endpoint `peer`. Group addresses are not learned. Returns false when the table is full.
   */
  learnPeer(iface: number, b: Uint8Array, off: number, peer: number): boolean {
    if ((b[off]! & 1) !== 0) return true;
    const h = this.stagePeer(iface, b, off);
    const now = this.clock.now();
    let id = this.peerIndex.lookup(h);
    if (id >= 0) {
      if (this.peers[id] !== peer) {
        this.peers[id] = peer;
        this.peersMoved++;
      }
      this.peerSeenAt[id] = now;
      return true;
    }
    id = this.peerPool.allocate();
    if (id < 0) {
      this.peersFull++;
      return false;
    }
    const k = this.peerKeys;
    const p = this.peerIndex.probe;
    const base = id * PEER_KEY_WORDS;
    k[base] = p[0]!;
    k[base + 1] = p[1]!;
    k[base + 2] = p[2]!;
    this.peers[id] = peer;
    this.peerSeenAt[id] = now;
    this.peerHashes[id] = h;
    this.peerIndex.insert(h, id);
    this.peersLearned++;
    return true;
  }

  /** Tunnel peer behind `mac` (at `b[off]`) on `iface`, or -1 (unknown: flood). */
  peerOf(iface: number, b: Uint8Array, off: number): number {
    const id = this.peerIndex.lookup(this.stagePeer(iface, b, off));
    return id < 0 ? -1 : this.peers[id]!;
  }

  /**
   * Removes entries whose time ran out: Incomplete ones unanswered for `incompleteMs`, Resolved
   * ones unconfirmed for `expireMs`, peers unseen for `peerExpireMs`. Looks at `ageBudget`
   * entries of each table per call, resuming where the last call stopped. Returns how many went.
   */
  age(): number {
    const now = this.clock.now();
    let removed = 0;
    const n = this.capacity;
    const live = this.pool.live;
    for (let k = 0, budget = Math.min(this.ageBudget, n); k < budget; k++) {
      const id = this.hand;
      this.hand = id + 1 === n ? 0 : id + 1;
      if (live[id] !== 1) continue;
      const dead = this.state[id] === NeighborState.Incomplete
        ? now - this.createdAt[id]! >= this.incompleteMs
        : now - this.confirmedAt[id]! >= this.expireMs;
      if (dead) {
        this.removeEntry(id);
        this.expired++;
        removed++;
      }
    }
    const p = this.peerCapacity;
    const plive = this.peerPool.live;
    for (let k = 0, budget = Math.min(this.ageBudget, p); k < budget; k++) {
      const id = this.peerHand;
      this.peerHand = id + 1 === p ? 0 : id + 1;
      if (plive[id] !== 1 || now - this.peerSeenAt[id]! < this.peerExpireMs) continue;
      this.peerIndex.remove(this.peerHashes[id]!, id);
      this.peerPool.release(id);
      this.peersExpired++;
      removed++;
    }
    return removed;
  }

  /** Empties both tables. */
  clear(): void {
    for (let id = 0; id < this.capacity; id++) if (this.pool.live[id] === 1) this.removeEntry(id);
    for (let id = 0; id < this.peerCapacity; id++) {
      if (this.peerPool.live[id] !== 1) continue;
      this.peerIndex.remove(this.peerHashes[id]!, id);
      this.peerPool.release(id);
    }
  }

  /** Every entry, for the API and tests (allocates). */
  entries(): NeighborView[] {
    const out: NeighborView[] = [];
    for (let id = 0; id < this.capacity; id++) {
      if (this.pool.live[id] !== 1) continue;
      const base = id * KEY_WORDS;
      const family = this.keys[base + 1] === 4 ? 4 : 6;
      let address: number | Uint8Array;
      if (family === 4) address = this.keys[base + 5]! >>> 0;
      else {
        const a = new Uint8Array(16);
        for (let w = 0; w < 4; w++) {
          const v = this.keys[base + 2 + w]!;
          a[w * 4] = v >>> 24; a[w * 4 + 1] = v >>> 16; a[w * 4 + 2] = v >>> 8; a[w * 4 + 3] = v;
        }
        address = a;
      }
      const resolved = this.state[id] === NeighborState.Resolved;
      out.push({
        iface: this.keys[base]!, family, address, state: resolved ? 'resolved' : 'incomplete',
        mac: resolved ? this.macs.slice(id * ETHERNET_ADDR_LEN, id * ETHERNET_ADDR_LEN + ETHERNET_ADDR_LEN) : null,
        confirmedAt: this.confirmedAt[id]!,
      });
    }
    return out;
  }

  private confirm(h: number, mac: Uint8Array, macOff: number, create: boolean): number {
    let id = this.index.lookup(h);
    if (id < 0) {
      if (!create) return -1;
      id = this.add(h);
      if (id < 0) return -1;
      this.setMac(id, mac, macOff, false);
    } else this.setMac(id, mac, macOff, this.state[id] === NeighborState.Resolved);
    this.state[id] = NeighborState.Resolved;
    this.confirmedAt[id] = this.clock.now();
    return id;
  }

  private resolve(h: number): number {
    const now = this.clock.now();
    let id = this.index.lookup(h);
    this.lastId = id;
    if (id >= 0 && this.state[id] === NeighborState.Resolved) {
      if (now - this.confirmedAt[id]! < this.reachableMs || now - this.solicitedAt[id]! < this.retransMs) return NeighborAction.Use;
      this.solicitedAt[id] = now;
      return NeighborAction.UseAndProbe;
    }
    if (id < 0) {
      id = this.add(h);
      this.lastId = id;
      if (id < 0) return NeighborAction.Full;
      this.state[id] = NeighborState.Incomplete;
      this.solicitedAt[id] = now;
      return NeighborAction.Solicit;
    }
    if (now - this.solicitedAt[id]! < this.retransMs) return NeighborAction.Wait;
    this.solicitedAt[id] = now;
    return NeighborAction.Solicit;
  }

  /** A new entry with the staged key (state Incomplete, no MAC), or -1 when full. */
  private add(h: number): number {
    const id = this.pool.allocate();
    if (id < 0) {
      this.full++;
      return -1;
    }
    const k = this.keys;
    const p = this.index.probe;
    const base = id * KEY_WORDS;
    for (let i = 0; i < KEY_WORDS; i++) k[base + i] = p[i]!;
    this.hashes[id] = h;
    this.state[id] = NeighborState.Incomplete;
    const now = this.clock.now();
    this.createdAt[id] = now;
    this.confirmedAt[id] = now;
    // Never solicited: a solicitation may go at once.
    this.solicitedAt[id] = -Infinity;
    this.index.insert(h, id);
    this.created++;
    return id;
  }

  private setMac(id: number, mac: Uint8Array, macOff: number, wasResolved: boolean): void {
    const m = this.macs;
    const base = id * ETHERNET_ADDR_LEN;
    let same = true;
    for (let i = 0; i < ETHERNET_ADDR_LEN; i++) {
      if (m[base + i] !== mac[macOff + i]) {
        same = false;
        m[base + i] = mac[macOff + i]!;
      }
    }
    if (wasResolved && !same) this.changed++;
  }

  private removeEntry(id: number): void {
    this.index.remove(this.hashes[id]!, id);
    this.state[id] = NeighborState.Free;
    this.pool.release(id);
  }

  private stage4(iface: number, addr: number): number {
    const p = this.index.probe;
    p[0] = iface;
    p[1] = 4;
    p[2] = 0;
    p[3] = 0;
    p[4] = 0;
    p[5] = addr | 0;
    return this.hashProbe(p);
  }

  private stage6(iface: number, b: Uint8Array, off: number): number {
    const p = this.index.probe;
    p[0] = iface;
    p[1] = 6;
    for (let w = 0; w < 4; w++) {
      const o = off + w * 4;
      p[2 + w] = (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
    }
    return this.hashProbe(p);
  }

  private hashProbe(p: Int32Array): number {
    let h = this.seed;
    for (let i = 0; i < KEY_WORDS; i++) h = hashWord(h, p[i]!);
    return finishHash(h);
  }

  private stagePeer(iface: number, b: Uint8Array, off: number): number {
    const p = this.peerIndex.probe;
    p[0] = iface;
    p[1] = (b[off]! << 8) | b[off + 1]!;
    p[2] = (b[off + 2]! << 24) | (b[off + 3]! << 16) | (b[off + 4]! << 8) | b[off + 5]!;
    let h = this.seed ^ 0x5bd1e995;
    h = hashWord(h, p[0]!);
    h = hashWord(h, p[1]!);
    h = hashWord(h, p[2]!);
    return finishHash(h);
  }
}

function positive(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 1) throw new RangeError('neighbor table ' + name + ' must be a positive integer, got ' + v);
  return v;
}

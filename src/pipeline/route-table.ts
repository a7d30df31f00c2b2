import { LPM_NONE, LpmTable } from '../addr/lpm-table.js';
import { IPV6_ADDR_LEN } from '../wire/ipv6.js';
import type { InterfaceTable } from './interface-table.js';

/** How a route reaches its destinations. */
export const RouteKind = {
  /** The prefix of an interface address: the destination itself is the next hop. */
  Connected: 1,
  /** Through a router on a connected prefix (`via`). */
  Via: 2,
  /** Straight out of an interface: the destination is on-link there (or the link is TUN). */
  Direct: 3,
  /** One of the gateway's own addresses: nothing is forwarded to it. */
  Local: 4,
} as const;
export type RouteKind = (typeof RouteKind)[keyof typeof RouteKind];

export const ROUTE_KIND_NAMES: readonly string[] = Object.freeze(['', 'connected', 'via', 'direct', 'local']);

/** Result of `RouteTable.addStatic*` for a route the table refuses (a configuration error). */
export const RouteRefusal = {
  none: 0,
  /** `via` is on no connected prefix of the tenant's interfaces. */
  viaNotConnected: 1,
  /** The interface named belongs to another tenant. */
  foreignInterface: 2,
  /** The same prefix is configured twice. */
  duplicate: 3,
} as const;

/** One route, for the API and tests (allocates). */
export interface RouteView {
  family: 4 | 6;
  /** `a.b.c.d/len` or `x::/len` bytes + length. */
  prefix: Uint8Array;
  length: number;
  kind: string;
  iface: number;
  /** The next hop for `via` routes (4 or 16 bytes), else null. */
  via: Uint8Array | null;
}

/**
 * One tenant's routing table: longest-prefix match for IPv4 and IPv6 (`LpmTable`) onto route
 * entries that name the egress interface and how to find the next hop. Built from the tenant's
 * interfaces (a connected route per address prefix and a local /32 or /128 per address, RFC 1812
 * §5.2.4.3's "directly connected" and "local delivery" cases) and its static routes; the data
 * path only looks up. A route on a next hop (`via`) takes the interface whose connected prefix
 * holds the next hop, resolved once, here.
 */
export class RouteTable {
  readonly v4 = new LpmTable(32);
  readonly v6 = new LpmTable(128);
  /** Per route id. */
  kind = new Uint8Array(16);
  iface = new Int32Array(16);
  /** IPv4 next hop of Via routes (int32). */
  via4 = new Int32Array(16);
  /** IPv6 next hop of Via routes, 16 bytes per route. */
  via6 = new Uint8Array(16 * IPV6_ADDR_LEN);
  private count = 0;
  private readonly connected4 = new LpmTable(32);
  private readonly connected6 = new LpmTable(128);
  private readonly scratch = new Uint8Array(IPV6_ADDR_LEN);

  constructor(readonly tenant: number, readonly interfaces: InterfaceTable) {
    const t = interfaces;
    for (let i = 0; i < t.count; i++) {
      if (t.tenant[i] !== tenant) continue;
      for (let k = t.v4Start[i]!; k < t.v4Start[i + 1]!; k++) {
        const a = t.v4Addr[k]!;
        const len = t.v4Len[k]!;
        const mask = len === 0 ? 0 : -1 << (32 - len);
        const id = this.add(RouteKind.Connected, i);
        this.v4Bytes(a & mask);
        // An address's prefix configured on two interfaces: the first keeps it.
        if (this.v4.get(this.scratch, 0, len) === LPM_NONE) {
          this.v4.insert(this.scratch, 0, len, id);
          this.connected4.insert(this.scratch, 0, len, id);
        }
        const local = this.add(RouteKind.Local, i);
        this.v4Bytes(a);
        this.v4.insert(this.scratch, 0, 32, local);
      }
      for (let k = t.v6Start[i]!; k < t.v6Start[i + 1]!; k++) {
        const len = t.v6Len[k]!;
        const id = this.add(RouteKind.Connected, i);
        if (this.v6.get(t.v6Addr, k * IPV6_ADDR_LEN, len) === LPM_NONE) {
          this.v6.insert(t.v6Addr, k * IPV6_ADDR_LEN, len, id);
          this.connected6.insert(t.v6Addr, k * IPV6_ADDR_LEN, len, id);
        }
        const local = this.add(RouteKind.Local, i);
        this.v6.insert(t.v6Addr, k * IPV6_ADDR_LEN, 128, local);
      }
    }
  }

  /** Routes stored (connected, local and static). */
  get size(): number {
    return this.count;
  }

  /** Route id for IPv4 destination `addr` (int32, or unsigned), or -1. */
  lookup4(addr: number): number {
    // As int32: an unsigned address of 2^31 or more is a heap number in V8, allocated each time
    // it crosses a call that is not inlined.
    return this.v4.lookupIpv4(addr | 0);
  }

  /** Route id for the IPv6 destination at `b[off]`, or -1. */
  lookup6(b: Uint8Array, off: number): number {
    return this.v6.lookup(b, off);
  }

  /**
   * Adds a static IPv4 route to `prefix/length` (unsigned address): through next hop `via`
   * (unsigned, or -1 for none) and/or out of interface `iface` (-1: the one whose connected
   * prefix holds `via`). Returns a `RouteRefusal` code, 0 when added.
   */
  addStatic4(address: number, length: number, via: number, iface: number): number {
    let out = iface;
    if (via !== -1) {
      const c = this.connected4.lookupIpv4(via >>> 0);
      if (c === LPM_NONE) {
        if (iface === -1) return RouteRefusal.viaNotConnected;
      } else if (iface === -1) out = this.iface[c]!;
    }
    if (this.interfaces.tenant[out] !== this.tenant) return RouteRefusal.foreignInterface;
    this.v4Bytes(address);
    if (this.v4.get(this.scratch, 0, length) !== LPM_NONE && this.kind[this.v4.get(this.scratch, 0, length)] !== RouteKind.Connected) return RouteRefusal.duplicate;
    const id = this.add(via === -1 ? RouteKind.Direct : RouteKind.Via, out);
    this.via4[id] = via | 0;
    this.v4Bytes(address);
    this.v4.insert(this.scratch, 0, length, id);
    return RouteRefusal.none;
  }

  /** `addStatic4` for IPv6: `via` 16 bytes or null. */
  addStatic6(prefix: Uint8Array, length: number, via: Uint8Array | null, iface: number): number {
    let out = iface;
    if (via !== null) {
      const c = this.connected6.lookup(via, 0);
      if (c === LPM_NONE) {
        if (iface === -1) return RouteRefusal.viaNotConnected;
      } else if (iface === -1) out = this.iface[c]!;
    }
    if (this.interfaces.tenant[out] !== this.tenant) return RouteRefusal.foreignInterface;
    const existing = this.v6.get(prefix, 0, length);
    if (existing !== LPM_NONE && this.kind[existing] !== RouteKind.Connected) return RouteRefusal.duplicate;
    const id = this.add(via === null ? RouteKind.Direct : RouteKind.Via, out);
    if (via !== null) this.via6.set(via, id * IPV6_ADDR_LEN);
    this.v6.insert(prefix, 0, length, id);
    return RouteRefusal.none;
  }

  /** Every route reachable by lookup, for the API and tests (allocates). */
  routes(): RouteView[] {
    const out: RouteView[] = [];
    for (const e of this.v4.entries()) out.push(this.view(4, e.bytes, e.length, e.value));
    for (const e of this.v6.entries()) out.push(this.view(6, e.bytes, e.length, e.value));
    return out;
  }

  private view(family: 4 | 6, prefix: Uint8Array, length: number, id: number): RouteView {
    let via: Uint8Array | null = null;
    if (this.kind[id] === RouteKind.Via) {
      if (family === 6) via = this.via6.slice(id * IPV6_ADDR_LEN, id * IPV6_ADDR_LEN + IPV6_ADDR_LEN);
      else {
        const v = this.via4[id]!;
        via = Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
      }
    }
    return { family, prefix, length, kind: ROUTE_KIND_NAMES[this.kind[id]!]!, iface: this.iface[id]!, via };
  }

  private add(kind: RouteKind, iface: number): number {
    const id = this.count;
    if (id === this.kind.length) {
      const n = id * 2;
      this.kind = grow(this.kind, new Uint8Array(n));
      this.iface = grow(this.iface, new Int32Array(n));
      this.via4 = grow(this.via4, new Int32Array(n));
      this.via6 = grow(this.via6, new Uint8Array(n * IPV6_ADDR_LEN));
    }
    this.kind[id] = kind;
    this.iface[id] = iface;
    this.count = id + 1;
    return id;
  }

  private v4Bytes(a: number): void {
    const s = this.scratch;
    s[0] = a >>> 24;
    s[1] = (a >>> 16) & 255;
    s[2] = (a >>> 8) & 255;
    s[3] = a & 255;
  }
}

function grow<T extends Uint8Array | Int32Array>(old: T, next: T): T {
  next.set(old);
  return next;
}

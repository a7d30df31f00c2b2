import { ETHERNET_ADDR_LEN } from '../wire/ethernet.js';
import { IPV6_ADDR_LEN } from '../wire/ipv6.js';
import { LinkKind } from './link-kind.js';

/** An IPv4 address of the gateway on an interface, with the length of its connected prefix. */
export interface InterfaceAddress4 {
  /** Unsigned 32-bit address. */
  readonly address: number;
  readonly length: number;
}

/** An IPv6 address of the gateway on an interface, with the length of its connected prefix. */
export interface InterfaceAddress6 {
  /** 16 bytes. */
  readonly address: Uint8Array;
  readonly length: number;
}

/**
 * One interface as the tables take it (parsed and checked by the caller, which names config
 * fields in its errors).
 */
export interface InterfaceDefinition {
  readonly name: string;
  /** Index of the tenant (into the gateway's tenant list). */
  readonly tenant: number;
  /** Index of the port that carries the interface. */
  readonly port: number;
  /** Tunnel segment on that port; -1 for TUN. */
  readonly vni: number;
  /** `LinkKind.Ethernet` (tunnels: ARP/NDP, MAC headers) or `LinkKind.Ip` (TUN: bare IP). */
  readonly linkKind: LinkKind;
  /** The gateway's MAC on an Ethernet interface (6 bytes); null on IP links. */
  readonly mac: Uint8Array | null;
  readonly ipv4: readonly InterfaceAddress4[];
  readonly ipv6: readonly InterfaceAddress6[];
}

/**
 * The gateway's interfaces, numbered globally across tenants: for each, its tenant, port, VNI,
 * framing, MAC and addresses, in typed arrays the data path reads without allocating. Every
 * Ethernet interface also has an IPv6 link-local address derived from its MAC (modified EUI-64,
 * RFC 4291 §2.5.1 and appendix A), which it answers Neighbor Solicitations for and sends its
 * own from (RFC 4861 §7.2.2 wants an address of the interface).
 */
export class InterfaceTable {
  readonly count: number;
  readonly names: readonly string[];
  readonly tenant: Int32Array;
  readonly port: Int32Array;
  readonly vni: Int32Array;
  readonly link: Uint8Array;
  /** 6 bytes per interface (zero on IP links). */
  readonly macs: Uint8Array;
  /** IPv4 addresses of interface i: indexes `v4Start[i]` to `v4Start[i + 1]` of `v4Addr`/`v4Len`
   * (addresses as int32). */
  readonly v4Start: Int32Array;
  readonly v4Addr: Int32Array;
  readonly v4Len: Uint8Array;
  /** IPv6 addresses of interface i: indexes `v6Start[i]` to `v6Start[i + 1]`; address k is
   * `v6Addr[16k, 16k + 16)`. */
  readonly v6Start: Int32Array;
  readonly v6Addr: Uint8Array;
  readonly v6Len: Uint8Array;
  /** Link-local address of each interface, 16 bytes each (zero on IP links). */
  readonly linkLocal: Uint8Array;
  readonly definitions: readonly InterfaceDefinition[];

  constructor(defs: readonly InterfaceDefinition[]) {
    const n = defs.length;
    this.count = n;
    this.definitions = defs;
    this.names = defs.map((d) => d.name);
    this.tenant = Int32Array.from(defs, (d) => d.tenant);
    this.port = Int32Array.from(defs, (d) => d.port);
    this.vni = Int32Array.from(defs, (d) => d.vni);
    this.link = Uint8Array.from(defs, (d) => d.linkKind);
    this.macs = new Uint8Array(n * ETHERNET_ADDR_LEN);
    this.linkLocal = new Uint8Array(n * IPV6_ADDR_LEN);
    let n4 = 0;
    let n6 = 0;
    for (const d of defs) {
      n4 += d.ipv4.length;
      n6 += d.ipv6.length;
    }
    this.v4Start = new Int32Array(n + 1);
    this.v4Addr = new Int32Array(n4);
    this.v4Len = new Uint8Array(n4);
    this.v6Start = new Int32Array(n + 1);
    this.v6Addr = new Uint8Array(n6 * IPV6_ADDR_LEN);
    this.v6Len = new Uint8Array(n6);
    let k4 = 0;
    let k6 = 0;
    defs.forEach((d, i) => {
      if (d.linkKind === LinkKind.Ethernet) {
        if (d.mac === null || d.mac.length !== ETHERNET_ADDR_LEN) throw new RangeError('interface ' + d.name + ' is Ethernet and needs a 6-byte MAC');
        if ((d.mac[0]! & 1) !== 0) throw new RangeError('interface ' + d.name + ': the MAC must be unicast');
        this.macs.set(d.mac, i * ETHERNET_ADDR_LEN);
        const ll = i * IPV6_ADDR_LEN;
        this.linkLocal[ll] = 0xfe;
        this.linkLocal[ll + 1] = 0x80;
        this.linkLocal[ll + 8] = d.mac[0]! ^ 0x02;
        this.linkLocal[ll + 9] = d.mac[1]!;
        this.linkLocal[ll + 10] = d.mac[2]!;
        this.linkLocal[ll + 11] = 0xff;
        this.linkLocal[ll + 12] = 0xfe;
        this.linkLocal[ll + 13] = d.mac[3]!;
        this.linkLocal[ll + 14] = d.mac[4]!;
        this.linkLocal[ll + 15] = d.mac[5]!;
      }
      this.v4Start[i] = k4;
      for (const a of d.ipv4) {
        this.v4Addr[k4] = a.address | 0;
        this.v4Len[k4] = a.length;
        k4++;
      }
      this.v6Start[i] = k6;
      for (const a of d.ipv6) {
        this.v6Addr.set(a.address, k6 * IPV6_ADDR_LEN);
        this.v6Len[k6] = a.length;
        k6++;
      }
    });
    this.v4Start[n] = k4;
    this.v6Start[n] = k6;
  }

  /** Offset of interface `iface`'s MAC in `macs`. */
  macOff(iface: number): number {
    return iface * ETHERNET_ADDR_LEN;
  }

  /** Offset of interface `iface`'s link-local address in `linkLocal`. */
  linkLocalOff(iface: number): number {
    return iface * IPV6_ADDR_LEN;
  }

  /** True when IPv4 `addr` (int32 or unsigned) is one of `iface`'s addresses. */
  isOwn4(iface: number, addr: number): boolean {
    const a = addr | 0;
    const v = this.v4Addr;
    for (let k = this.v4Start[iface]!, end = this.v4Start[iface + 1]!; k < end; k++) if (v[k] === a) return true;
    return false;
  }

  /** True when the IPv6 address at `b[off]` is one of `iface`'s addresses or its link-local one. */
  isOwn6(iface: number, b: Uint8Array, off: number): boolean {
    if (this.link[iface] === LinkKind.Ethernet && equal16(this.linkLocal, iface * IPV6_ADDR_LEN, b, off)) return true;
    const v = this.v6Addr;
    for (let k = this.v6Start[iface]!, end = this.v6Start[iface + 1]!; k < end; k++) if (equal16(v, k * IPV6_ADDR_LEN, b, off)) return true;
    return false;
  }

  /**
   * The IPv4 address `iface` speaks from to `dst` (an ARP request's sender): the one whose
   * connected prefix holds `dst`, else the first, else 0 (an ARP probe's unspecified sender,
   * RFC 5227 §2.1.1). As int32.
   */
  source4(iface: number, dst: number): number {
    const start = this.v4Start[iface]!;
    const end = this.v4Start[iface + 1]!;
    for (let k = start; k < end; k++) {
      const len = this.v4Len[k]!;
      const mask = len === 0 ? 0 : (-1 << (32 - len));
      if (((this.v4Addr[k]! ^ dst) & mask) === 0) return this.v4Addr[k]!;
    }
    return start < end ? this.v4Addr[start]! : 0;
  }
}

function equal16(a: Uint8Array, ao: number, b: Uint8Array, bo: number): boolean {
  for (let i = 0; i < IPV6_ADDR_LEN; i++) if (a[ao + i] !== b[bo + i]) return false;
  return true;
}

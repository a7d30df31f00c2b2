import { Ipv4Prefix } from '../addr/ipv4-prefix.js';
import { Ipv6Prefix } from '../addr/ipv6-prefix.js';
import { LPM_NONE, LpmTable } from '../addr/lpm-table.js';
import type { AddressMapper } from './address-mapper.js';
import type { Eamt } from './eamt.js';
import { Rfc6052Prefix } from './rfc6052.js';

/**
 * EAM hairpinning (RFC 7757 §4.2), named as Jool's `eam-hairpin-mode`:
 * - 'off': no special handling.
 * - 'simple' (§4.2.1): the hairpin happens outside the translator (the IPv4 packet is routed
 *   back to it); every IPv4→IPv6 translation applies the hairpin rules below.
 * - 'intrinsic' (§4.2.2): the translator recognises a hairpin itself (see `isIntrinsicHairpin`)
 *   and translates the IPv4 result straight back with HAIRPIN set in the packet context.
 */
export type EamHairpinMode = 'off' | 'simple' | 'intrinsic';

export interface SiitAddressMapperConfig {
  /** RFC 6052 prefix (pool6), or null for an EAMT-only translator. */
  readonly pool6: Ipv6Prefix | null;
  readonly eamt: Eamt;
  /** Default 'intrinsic', as Jool: with no HAIRPIN context bit it maps exactly like 'off'. */
  readonly hairpinning?: EamHairpinMode;
  /**
   * RFC 6052 §3.1 forbids translating the Well-Known Prefix 64:ff9b::/96 with a non-global
   * IPv4 address embedded; such addresses are untranslatable unless this is true (labs that
   * use documentation addresses under the WKP).
   */
  readonly allowNonGlobalWithWkp?: boolean;
  /** Configuration path for error messages. */
  readonly path?: string;
}

/**
 * Packet context bits the translator sets (`mapper.context = ...`) before mapping the addresses
 * of a packet, because the hairpinning rules of RFC 7757 §4.2 depend on where an address sits.
 * 0 (the default) is an ordinary outer header.
 */
export const MAP_CTX_ICMP_ERROR = 1;
/** The header being mapped is the one quoted inside an ICMP error. */
export const MAP_CTX_INNER = 2;
/** ICMPv4 error whose outer source equals the quoted packet's destination. */
export const MAP_CTX_SRC_IS_INNER_DST = 4;
/** IPv4→IPv6 of a packet the translator just produced and recognised as an intrinsic hairpin. */
export const MAP_CTX_HAIRPIN = 8;

/** How the last call mapped its address (`lastMethod`). */
export const MAPPED_NONE = 0;
export const MAPPED_EAMT = 1;
export const MAPPED_RFC6052 = 2;

const WKP = Ipv6Prefix.parse('64:ff9b::/96');

/**
 * IPv4 ranges that are not global (RFC 6890 special-purpose registry entries marked
 * "Global: False", plus multicast and the limited broadcast address); under the Well-Known
 * Prefix they make an address untranslatable (RFC 6052 §3.1).
 */
const NON_GLOBAL_IPV4 = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12',
  '192.0.0.0/24', '192.0.2.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24',
  '203.0.113.0/24', '240.0.0.0/4', '255.255.255.255/32',
];

/**
 * Stateless SIIT address mapping (RFC 7915 §6): the Explicit Address Mapping Table first, then
 * the RFC 6052 prefix (RFC 7757 §3.2: an address an EAM covers is translated by the EAM, every
 * other one by RFC 6052). An address that neither maps is untranslatable and the call returns
 * false without writing; the translator then drops the packet, or for the source of an ICMPv6
 * error falls back to the RFC 6791 pool (RFC 7915 §5.2).
 *
 * The four AddressMapper calls allocate nothing; they read `context` (set per packet by the
 * translator) and record how they mapped in `lastMethod`.
 */
export class SiitAddressMapper implements AddressMapper {
  readonly pool6: Rfc6052Prefix | null;
  readonly eamt: Eamt;
  readonly hairpinning: EamHairpinMode;
  /** MAP_CTX_* bits of the packet being translated. */
  context = 0;
  /** MAPPED_* of the last call. */
  lastMethod = MAPPED_NONE;
  private readonly nonGlobal: LpmTable | null;

  constructor(config: SiitAddressMapperConfig) {
    const path = config.path ?? '';
    this.pool6 = config.pool6 === null ? null : new Rfc6052Prefix(config.pool6, path === '' ? 'pool6' : path + '.pool6');
    this.eamt = config.eamt;
    this.hairpinning = config.hairpinning ?? 'intrinsic';
    if (this.hairpinning !== 'off' && this.hairpinning !== 'simple' && this.hairpinning !== 'intrinsic') {
      throw new RangeError('hairpinning must be off, simple or intrinsic, got ' + String(this.hairpinning));
    }
    if (config.pool6 !== null && config.pool6.equals(WKP) && config.allowNonGlobalWithWkp !== true) {
      const t = new LpmTable(32);
      for (const p of NON_GLOBAL_IPV4) t.insertPrefix(Ipv4Prefix.parse(p), 0);
      this.nonGlobal = t;
    } else {
      this.nonGlobal = null;
    }
  }

  source6to4(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean {
    return this.map6to4(src, srcOff, dst, dstOff);
  }

  destination6to4(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean {
    return this.map6to4(src, srcOff, dst, dstOff);
  }

  /**
   * RFC 7757 §4.2: when a packet hairpins, its IPv4 source is the EAM of an IPv6 node that
   * addressed the peer through pool6; the peer must see that source through pool6 too, or its
   * reply would bypass the translator and reach a sender that does not know the address. So
   * the EAMT is skipped for the source of an outer header (of an ICMP error only when the error
   * comes from the quoted packet's destination), as Jool does.
   */
  source4to6(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean {
    const ctx = this.context;
    const skipEam = this.isHairpin(ctx) && (ctx & MAP_CTX_INNER) === 0
      && ((ctx & MAP_CTX_ICMP_ERROR) === 0 || (ctx & MAP_CTX_SRC_IS_INNER_DST) !== 0);
    return this.map4to6(src, srcOff, dst, dstOff, skipEam);
  }

  /** The quoted packet of a hairpinned ICMP error mirrors the rule of `source4to6` (RFC 7757 §4.2). */
  destination4to6(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean {
    const ctx = this.context;
    const skipEam = this.isHairpin(ctx) && (ctx & MAP_CTX_INNER) !== 0;
    return this.map4to6(src, srcOff, dst, dstOff, skipEam);
  }

  /**
   * RFC 7757 §4.2.2, after the IPv6→IPv4 translation of a packet: whether the IPv4 result must
   * be translated straight back, with MAP_CTX_HAIRPIN set (intrinsic mode only). Ask it with the
   * destination of an outer header that is not an ICMP error, and with the source of the header
   * quoted in an ICMPv6 error (Jool's two condition sets): `v4` is the address just written and
   * `method` the `lastMethod` read right after writing it. A hairpin is an address that came
   * from pool6 and lands in an EAM.
   */
  isIntrinsicHairpin(v4: Uint8Array, v4Off: number, method: number): boolean {
    return this.hairpinning === 'intrinsic' && method === MAPPED_RFC6052 && this.eamt.contains4(v4, v4Off);
  }

  private isHairpin(ctx: number): boolean {
    return this.hairpinning === 'simple' || (this.hairpinning === 'intrinsic' && (ctx & MAP_CTX_HAIRPIN) !== 0);
  }

  private map6to4(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean {
    if (this.eamt.translate6to4(src, srcOff, dst, dstOff)) {
      this.lastMethod = MAPPED_EAMT;
      return true;
    }
    const pool6 = this.pool6;
    if (pool6 !== null) {
      const v4 = pool6.extractIpv4(src, srcOff);
      if (v4 >= 0 && (this.nonGlobal === null || this.nonGlobal.lookupIpv4(v4) === LPM_NONE)) {
        dst[dstOff] = v4 >>> 24;
        dst[dstOff + 1] = (v4 >>> 16) & 0xff;
        dst[dstOff + 2] = (v4 >>> 8) & 0xff;
        dst[dstOff + 3] = v4 & 0xff;
        this.lastMethod = MAPPED_RFC6052;
        return true;
      }
    }
    this.lastMethod = MAPPED_NONE;
    return false;
  }

  private map4to6(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number, skipEam: boolean): boolean {
    if (!skipEam && this.eamt.translate4to6(src, srcOff, dst, dstOff)) {
      this.lastMethod = MAPPED_EAMT;
      return true;
    }
    const pool6 = this.pool6;
    if (pool6 !== null && (this.nonGlobal === null || this.nonGlobal.lookup(src, srcOff) === LPM_NONE)) {
      pool6.embed(src, srcOff, dst, dstOff);
      this.lastMethod = MAPPED_RFC6052;
      return true;
    }
    this.lastMethod = MAPPED_NONE;
    return false;
  }
}

import { DEFAULT_MTU_PLATEAUS } from './mtu.js';
import { TranslatorConfigError } from './translator-config-error.js';

/**
 * Settings of one stateless RFC 7915 translator. Plain data (addresses as bytes, MTUs as
 * numbers) so the control layer can build it from validated YAML and tests can write it out.
 * `Translator` checks it once at construction and throws `TranslatorConfigError` naming the
 * field.
 */
export interface TranslatorConfig {
  /** RFC 7915 §4.1 (Traffic Class) and §5.1 (Type of Service): "an implementation of a
   * translator SHOULD support an administratively configurable option to ignore the IPv4 TOS
   * and always set the IPv6 traffic class (TC) to zero" (and the same for IPv6→IPv4). When true
   * the translated TOS/Traffic Class is zero; when false it is copied. */
  resetTrafficClass: boolean;
  /** RFC 7915 §4.1 and §6: the smallest MTU of the IPv6 side ("the minimum IPv6 MTU in the
   * network"). IPv4 packets without DF that would not fit are cut into IPv6 fragments of at most
   * this size; Packet Too Big MTUs are never advertised below it. At least 1280 (RFC 8200 §5). */
  lowestIpv6Mtu: number;
  /** MTU of the outgoing IPv4 link (RFC 7915 §5.1: an IPv6 packet whose translation exceeds it is
   * answered with Packet Too Big; §5.2 "MTU_of_IPv4_nexthop"). 68..65535. */
  ipv4LinkMtu: number;
  /** MTU of the outgoing IPv6 link (RFC 7915 §4.1: an IPv4 packet with DF set whose translation
   * exceeds it is answered with Fragmentation Needed; §4.2 "MTU_of_IPv6_nexthop"). ≥ 1280. */
  ipv6LinkMtu: number;
  /** RFC 7915 §4.5: an IPv4 UDP datagram with checksum zero. 'drop' drops (and counts) it;
   * 'compute' computes the checksum when the datagram is whole (a zero-checksum fragment is
   * dropped either way, since a stateless translator cannot sum the whole datagram). */
  udpZeroChecksum: 'drop' | 'compute';
  /** RFC 1191 §7 plateau table, used when an ICMPv4 Fragmentation Needed carries no MTU
   * (RFC 7915 §4.2). */
  mtuPlateaus: number[];
  /** RFC 6791: IPv4 addresses (4 bytes each, at least one) used as the source of ICMPv4 errors
   * whose IPv6 source has no IPv4 translation (RFC 7915 §5.2, last paragraphs), and of ICMPv4
   * errors the translator itself originates (§4.4) when `ipv4SourceForErrors` is null. */
  pool6791: Uint8Array;
  /** Source address (4 bytes) of ICMPv4 errors the translator originates (Time Exceeded,
   * Fragmentation Needed, Host Unreachable); null: the first address of `pool6791`. */
  ipv4SourceForErrors: Uint8Array | null;
  /** Source address (16 bytes) of ICMPv6 errors the translator originates (RFC 7915 §5.4); null:
   * the translator sends none toward IPv6 (it still drops and counts). */
  ipv6SourceForErrors: Uint8Array | null;
  /** RFC 7915 §4.1/§5.1: "the translator is a router": decrement TTL/Hop Limit and answer
   * Time Exceeded when it runs out. False only for a translator embedded in a host (RFC 6535). */
  decrementTtl: boolean;
  /** Send the ICMP errors of RFC 7915 §4.4/§5.4 (and Time Exceeded, Packet Too Big). When false
   * the translator drops silently, still counting. */
  generateIcmpErrors: boolean;
  /** Key of the translator's keyed hashes: the IPv4 Identification generator that numbers IPv4
   * packets made from unfragmented IPv6 packets (RFC 7915 §5.1, RFC 7739 §5.3) and the RFC 6791
   * pool pick (RFC 6791 §5). Any 32-bit value; vary it per node so neither is predictable across
   * the fabric. */
  hashSeed: number;
}

/** Defaults: a router on Ethernet links (1500) with a 1280-byte IPv6 minimum, TOS copied, UDP
 * zero checksums dropped, and the RFC 6791 pool the RFC's examples use absent: the caller must
 * set `pool6791` to something routable; 192.0.0.8 (the IPv4 dummy address of RFC 7600) stands in. */
export function defaultTranslatorConfig(): TranslatorConfig {
  return {
    resetTrafficClass: false,
    lowestIpv6Mtu: 1280,
    ipv4LinkMtu: 1500,
    ipv6LinkMtu: 1500,
    udpZeroChecksum: 'drop',
    mtuPlateaus: DEFAULT_MTU_PLATEAUS.slice(),
    pool6791: Uint8Array.of(192, 0, 0, 8),
    ipv4SourceForErrors: null,
    ipv6SourceForErrors: null,
    decrementTtl: true,
    generateIcmpErrors: true,
    hashSeed: 0,
  };
}

/**
 * Throws `TranslatorConfigError` for the first field out of range. `path` prefixes field names
 * in the error (e.g. 'tenants[2].xlat').
 */
export function checkTranslatorConfig(config: TranslatorConfig, path = ''): void {
  const at = (field: string): string => (path === '' ? field : path + '.' + field);
  const bool = (field: keyof TranslatorConfig): void => {
    if (typeof config[field] !== 'boolean') throw new TranslatorConfigError(at(field), 'expected true or false');
  };
  const int = (field: keyof TranslatorConfig, min: number, max: number, why: string): void => {
    const v = config[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new TranslatorConfigError(at(field), 'expected an integer from ' + min + ' to ' + max + ' (' + why + '), got ' + String(v));
    }
  };
  bool('resetTrafficClass');
  bool('decrementTtl');
  bool('generateIcmpErrors');
  int('lowestIpv6Mtu', 1280, 65535, 'RFC 8200 §5 minimum link MTU');
  int('ipv6LinkMtu', 1280, 65535, 'RFC 8200 §5 minimum link MTU');
  int('ipv4LinkMtu', 68, 65535, 'RFC 791 minimum MTU');
  int('hashSeed', 0, 0xffffffff, '32-bit key');
  if (config.udpZeroChecksum !== 'drop' && config.udpZeroChecksum !== 'compute') {
    throw new TranslatorConfigError(at('udpZeroChecksum'), "expected 'drop' or 'compute'");
  }
  const plateaus = config.mtuPlateaus;
  if (!Array.isArray(plateaus) || plateaus.length === 0) throw new TranslatorConfigError(at('mtuPlateaus'), 'expected a non-empty list of MTUs');
  for (let i = 0; i < plateaus.length; i++) {
    const v = plateaus[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 68 || v > 65535) {
      throw new TranslatorConfigError(at('mtuPlateaus[' + i + ']'), 'expected an integer from 68 to 65535, got ' + String(v));
    }
  }
  const pool = config.pool6791;
  if (!(pool instanceof Uint8Array) || pool.length === 0 || pool.length % 4 !== 0) {
    throw new TranslatorConfigError(at('pool6791'), 'expected one or more IPv4 addresses, 4 bytes each');
  }
  const seen = new Set<number>();
  for (let o = 0; o < pool.length; o += 4) {
    const a = ((pool[o]! << 24) | (pool[o + 1]! << 16) | (pool[o + 2]! << 8) | pool[o + 3]!) >>> 0;
    if (seen.has(a)) throw new TranslatorConfigError(at('pool6791'), 'address ' + pool.subarray(o, o + 4).join('.') + ' listed twice');
    seen.add(a);
  }
  const v4 = config.ipv4SourceForErrors;
  if (v4 !== null && !(v4 instanceof Uint8Array && v4.length === 4)) {
    throw new TranslatorConfigError(at('ipv4SourceForErrors'), 'expected null or an IPv4 address (4 bytes)');
  }
  const v6 = config.ipv6SourceForErrors;
  if (v6 !== null && !(v6 instanceof Uint8Array && v6.length === 16)) {
    throw new TranslatorConfigError(at('ipv6SourceForErrors'), 'expected null or an IPv6 address (16 bytes)');
  }
}

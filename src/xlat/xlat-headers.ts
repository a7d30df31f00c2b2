/**
 * The fixed headers the translator writes (RFC 7915 §4.1, §5.1). Straight stores into the
 * output, no view: these run once per translated packet.
 */
import { IpProtocol } from '../wire/ip-protocol.js';
import { adjustAddresses } from './address-sums.js';

/** 40-byte IPv6 header: traffic class `tc`, flow label 0 (RFC 7915 §4.1 "Flow Label: 0 (all
 * zero bits)"), addresses from `addr` (source at 0, destination at 16). */
export function writeIpv6Header(b: Uint8Array, o: number, tc: number, payLen: number, nh: number, hop: number, addr: Uint8Array): void {
  b[o] = 0x60 | (tc >>> 4);
  b[o + 1] = (tc << 4) & 0xf0;
  b[o + 2] = 0;
  b[o + 3] = 0;
  b[o + 4] = payLen >>> 8;
  b[o + 5] = payLen & 0xff;
  b[o + 6] = nh;
  b[o + 7] = hop;
  for (let i = 0; i < 32; i++) b[o + 8 + i] = addr[i]!;
}

/** 20-byte IPv4 header without options (RFC 7915 §5.1 "Internet Header Length: 5 (no IPv4
 * options)"), addresses from `addr` (source at 0, destination at 4), checksum computed. */
export function writeIpv4Header(
  b: Uint8Array, o: number, tos: number, total: number, ident: number, flagsFrag: number, ttl: number, proto: number,
  addr: Uint8Array,
): void {
  b[o] = 0x45;
  b[o + 1] = tos;
  b[o + 2] = total >>> 8;
  b[o + 3] = total & 0xff;
  b[o + 4] = ident >>> 8;
  b[o + 5] = ident & 0xff;
  b[o + 6] = flagsFrag >>> 8;
  b[o + 7] = flagsFrag & 0xff;
  b[o + 8] = ttl;
  b[o + 9] = proto;
  let sum = 0x4500 + tos + total + ident + flagsFrag + ((ttl << 8) | proto);
  for (let i = 0; i < 8; i += 2) {
    const hi = addr[i]!;
    const lo = addr[i + 1]!;
    b[o + 12 + i] = hi;
    b[o + 13 + i] = lo;
    sum += (hi << 8) | lo;
  }
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  const ck = ~sum & 0xffff;
  b[o + 10] = ck >>> 8;
  b[o + 11] = ck & 0xff;
}

/** The 8-byte ICMP/ICMPv6 header of a translated message: type, code, checksum zeroed for the
 * caller to fill, and the 32-bit rest of header (pointer, MTU or unused). */
export function writeIcmpHeader(b: Uint8Array, m: number, type: number, code: number, rest: number): void {
  b[m] = type;
  b[m + 1] = code;
  b[m + 2] = 0;
  b[m + 3] = 0;
  b[m + 4] = rest >>> 24;
  b[m + 5] = (rest >>> 16) & 0xff;
  b[m + 6] = (rest >>> 8) & 0xff;
  b[m + 7] = rest & 0xff;
}

/**
 * The TCP or UDP checksum of a packet quoted in an ICMP error, at `b[qp…]` with `avail` bytes
 * present, follows the quoted addresses (RFC 7915 §4.3/§5.3: the inner packet is "translated
 * just like a normal IP packet"): `oldSum`/`newSum` are the unfolded sums of the addresses
 * before and after. A truncated quote without the checksum field, and a UDP "no checksum"
 * zero, are left alone (`adjustAddresses` never yields zero).
 */
export function adjustQuotedTransportChecksum(b: Uint8Array, qp: number, proto: number, avail: number, oldSum: number, newSum: number): void {
  const rel = proto === IpProtocol.Tcp ? 16 : 6;
  if (avail < rel + 2) return;
  const old = (b[qp + rel]! << 8) | b[qp + rel + 1]!;
  if (proto === IpProtocol.Udp && old === 0) return;
  const ck = adjustAddresses(old, oldSum, newSum);
  b[qp + rel] = ck >>> 8;
  b[qp + rel + 1] = ck & 0xff;
}

import { IPV4_MIN_MTU } from '../wire/ipv4.js';

/**
 * MTU arithmetic for translated path MTU signals: RFC 7915 §4.2 (ICMPv4 Fragmentation Needed →
 * ICMPv6 Packet Too Big) and §5.2 (Packet Too Big → Fragmentation Needed).
 *
 * The 20 in both formulas is the difference between the IPv6 header (40 bytes) and an IPv4
 * header without options (20 bytes): a packet of N bytes on one side is N ± 20 on the other.
 */

/** Size difference between an IPv6 header and an option-less IPv4 header. */
export const IPV6_IPV4_HEADER_DELTA = 20;

/**
 * RFC 1191 §7, Table 7-1: the MTU plateaus, largest first, used to guess a path MTU when an
 * IPv4 router answers Fragmentation Needed with a zero Next-Hop MTU (a router from before
 * RFC 1191).
 */
export const DEFAULT_MTU_PLATEAUS: readonly number[] = Object.freeze([65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68]);

/**
 * RFC 7915 §4.2, Destination Unreachable Code 4 (Fragmentation Needed and DF was Set) → ICMPv6
 * Packet Too Big: the MTU field of the Packet Too Big message.
 *
 *   minimum(advertised MTU + 20, MTU_of_IPv6_nexthop, MTU_of_IPv4_nexthop + 20)
 *
 * When the IPv4 router left the MTU field zero (it does not implement RFC 1191), the greatest
 * plateau strictly less than the Total Length of the quoted IPv4 header stands in for the
 * advertised MTU (RFC 7915 §4.2, RFC 1191 §5 and §7). The result is then raised to
 * `lowestIpv6Mtu` (RFC 7915 §6, item 1: "if the MTU value of ICMPv4 Packet Too Big (PTB)
 * messages is less than 1280, change it to 1280"), because many IPv6 hosts ignore a Packet Too
 * Big below the IPv6 minimum link MTU.
 *
 * @param advertisedMtu Next-Hop MTU field (RFC 1191 §4) of the ICMPv4 message, 0..65535.
 * @param ipv4NextHopMtu MTU of the translator's IPv4 link toward the original destination,
 *   i.e. the link the ICMPv4 error arrived on ("MTU_of_IPv4_nexthop"). Pass `Infinity` when
 *   unknown.
 * @param ipv6NextHopMtu MTU of the translator's IPv6 link toward the original sender, i.e. the
 *   link the Packet Too Big leaves on ("MTU_of_IPv6_nexthop"). Pass `Infinity` when unknown.
 * @param innerTotalLength Total Length field of the IPv4 header quoted in the error: the size
 *   of the packet that did not fit, not of the (possibly truncated) quote.
 * @param plateaus Plateau table (`DEFAULT_MTU_PLATEAUS` or the configured one), any order.
 * @param lowestIpv6Mtu Floor of the result, normally 1280 (RFC 8200 §5).
 */
export function mtuForPacketTooBig(
  advertisedMtu: number,
  ipv4NextHopMtu: number,
  ipv6NextHopMtu: number,
  innerTotalLength: number,
  plateaus: ArrayLike<number>,
  lowestIpv6Mtu: number,
): number {
  let packetMtu = advertisedMtu;
  if (packetMtu === 0) {
    // RFC 7915 §4.2: "Use the greatest plateau value that is less than the returned Total
    // Length field." With none below it the guess stays 0 and the floor decides.
    for (let i = 0; i < plateaus.length; i++) {
      const p = plateaus[i]!;
      if (p < innerTotalLength && p > packetMtu) packetMtu = p;
    }
  }
  let mtu = packetMtu + IPV6_IPV4_HEADER_DELTA;
  if (ipv6NextHopMtu < mtu) mtu = ipv6NextHopMtu;
  if (ipv4NextHopMtu + IPV6_IPV4_HEADER_DELTA < mtu) mtu = ipv4NextHopMtu + IPV6_IPV4_HEADER_DELTA;
  return mtu < lowestIpv6Mtu ? lowestIpv6Mtu : mtu;
}

/**
 * RFC 7915 §5.2, Packet Too Big → ICMPv4 Destination Unreachable Code 4: the Next-Hop MTU
 * field of the Fragmentation Needed message.
 *
 *   minimum(advertised MTU - 20, MTU_of_IPv4_nexthop, MTU_of_IPv6_nexthop - 20)
 *
 * The field is 16 bits (RFC 1191 §4), so a larger figure (an IPv6 jumbo path) is cut to
 * 65535; a figure below the 68 bytes every IPv4 link carries (RFC 791) can only come from a
 * bogus Packet Too Big and is raised to 68 so the sender never gets a zero or negative MTU,
 * which RFC 1191 §5 would read as "router does not know" (RFC 8200 §5 lets IPv6 hosts ignore
 * MTUs below 1280 anyway).
 *
 * @param advertisedMtu MTU field of the ICMPv6 Packet Too Big (32 bits, RFC 4443 §3.2).
 * @param ipv4NextHopMtu MTU of the translator's IPv4 link toward the original sender, i.e. the
 *   link the Fragmentation Needed leaves on ("MTU_of_IPv4_nexthop"). Pass `Infinity` when
 *   unknown.
 * @param ipv6NextHopMtu MTU of the translator's IPv6 link toward the original destination,
 *   i.e. the link the Packet Too Big arrived on ("MTU_of_IPv6_nexthop"). Pass `Infinity` when
 *   unknown.
 */
export function mtuForFragmentationNeeded(advertisedMtu: number, ipv4NextHopMtu: number, ipv6NextHopMtu: number): number {
  let mtu = advertisedMtu - IPV6_IPV4_HEADER_DELTA;
  if (ipv4NextHopMtu < mtu) mtu = ipv4NextHopMtu;
  if (ipv6NextHopMtu - IPV6_IPV4_HEADER_DELTA < mtu) mtu = ipv6NextHopMtu - IPV6_IPV4_HEADER_DELTA;
  if (mtu > 0xffff) return 0xffff;
  return mtu < IPV4_MIN_MTU ? IPV4_MIN_MTU : mtu;
}

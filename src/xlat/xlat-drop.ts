import { defineDropReasons } from '../wire/drop-reasons.js';

/**
 * Why the RFC 7915 translator dropped a packet. `Translator.translate*` returns one of these
 * codes (0 = translated) and counts it. A drop may still have produced an ICMP error toward the
 * sender (RFC 7915 §4.4/§5.4, Time Exceeded, Packet Too Big). Append new reasons at the end.
 */
export const XlatDrop = defineDropReasons({
  // IPv4 header (RFC 791, RFC 1812 §5.2.2)
  ipv4Truncated: 'IPv4: buffer shorter than the header or than the total length',
  ipv4BadVersion: 'IPv4: version field is not 4',
  ipv4BadHeaderLength: 'IPv4: IHL below 5 or total length below the header length',
  ipv4BadChecksum: 'IPv4: header checksum does not verify',
  ipv4BadFragment: 'IPv4: reserved flag set, fragment past 65535, or non-final fragment not a multiple of 8',
  ipv4BadOption: 'IPv4: malformed option list',
  ipv4SourceRoute: 'IPv4: unexpired source route option (RFC 7915 §4.1)',
  ipv4UnsupportedProtocol: 'IPv4: protocol an IPv6 receiver would read as an extension header or ICMPv6',
  // IPv6 header and extension headers (RFC 8200)
  ipv6Truncated: 'IPv6: buffer shorter than the header or than the payload length',
  ipv6BadVersion: 'IPv6: version field is not 6',
  ipv6BadPayloadLength: 'IPv6: payload length zero (jumbogram) or shorter than the extension headers',
  ipv6BadExtensionHeader: 'IPv6: extension header chain malformed or running past the packet',
  ipv6TwoFragmentHeaders: 'IPv6: more than one Fragment header (a fragment of a fragment)',
  ipv6BadFragment: 'IPv6: non-final fragment not a multiple of 8, or fragment past what IPv4 can carry',
  ipv6RoutingHeader: 'IPv6: Routing header with Segments Left non-zero (RFC 7915 §5.1)',
  ipv6UnsupportedNextHeader: 'IPv6: upper layer with no IPv4 meaning (Mobility, HIP, Shim6, ...)',
  // Forwarding (RFC 7915 §4.1/§5.1)
  ttlExpired: 'TTL or hop limit ran out (Time Exceeded sent)',
  untranslatableSource: 'source address has no translation',
  untranslatableDestination: 'destination address has no translation',
  packetTooBig: 'translated packet exceeds the outgoing link MTU and may not be fragmented (Fragmentation Needed / Packet Too Big sent)',
  // Transport (RFC 7915 §4.5/§5.5)
  transportTruncated: 'first fragment or whole packet too short for its TCP/UDP/ICMP header',
  udpZeroChecksum: 'IPv4 UDP datagram with checksum zero that is not computed (RFC 7915 §4.5)',
  fragmentedIcmp: 'fragmented ICMP message: its checksum cannot be translated statelessly',
  // ICMP (RFC 7915 §4.2/§4.3/§5.2/§5.3)
  icmpBadChecksum: 'ICMP checksum does not verify',
  icmpUntranslatableType: 'ICMP type/code the RFC says to drop (single-hop, obsolete or unknown)',
  icmpUntranslatablePointer: 'Parameter Problem pointer with no counterpart (RFC 7915 Figures 3 and 6)',
  icmpErrorAboutIcmpError: 'ICMP error quoting an ICMP error',
  icmpInnerBad: 'ICMP error quoting a packet too short or malformed to translate',
  icmpInnerUntranslatable: 'ICMP error quoting a packet whose addresses have no translation',
  // Output
  outputFull: 'output buffer or packet slots exhausted',
  ipv6HeaderAfterFragment: 'IPv6: extension header after the Fragment header (RFC 7915 §5.1)',
  ipv4IllegalAddress: 'IPv4: source or destination in 0/8, 127/8, 224/4 or 240/4 (RFC 7915 §4.1, RFC 1812 §5.3.7)',
  ipv6IllegalAddress: 'IPv6: source or destination unspecified, loopback or multicast (RFC 7915 §5.1, RFC 4291 §2.5)',
});
export type XlatDropName = Exclude<(typeof XlatDrop.names)[number], 'none'>;

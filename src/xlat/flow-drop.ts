import { defineDropReasons } from '../wire/drop-reasons.js';

/**
 * Why a packet has no flow tuple a NAPT stage can match (`extractFlowTuple`), or why an endpoint
 * rewrite was refused (`rewriteSource` / `rewriteDestination`). 0 = extracted / rewritten.
 * Append new reasons at the end.
 */
export const FlowDrop = defineDropReasons({
  // IP headers (RFC 791, RFC 8200)
  ipTruncated: 'buffer shorter than the IP header, or than the packet length the header claims',
  ipBadVersion: 'IP version field is neither 4 nor 6',
  ipv4BadHeaderLength: 'IPv4: IHL below 5, or total length below the header length',
  ipv6BadPayloadLength: 'IPv6: payload length zero behind a Hop-by-Hop header (jumbogram, RFC 2675)',
  ipv6BadExtensionHeader: 'IPv6: extension header chain malformed, too long or running past the packet',
  badFragment: 'IPv6: fragment fields inconsistent (RFC 8200 §4.5)',
  // Transport
  unsupportedProtocol: 'upper layer is not TCP, UDP, ICMP or ICMPv6: no ports or identifier to translate',
  fragmentNoPorts: 'non-first fragment: its transport header, and so its ports, travel in the first one',
  transportTruncated: 'TCP header under 20 bytes or with a data offset past the packet, UDP or ICMP header under 8 bytes',
  // ICMP (RFC 5508, RFC 6146 §3.4/§3.5)
  icmpUnsupportedType: 'ICMP type that is neither Echo/Echo Reply nor an error a NAT forwards (Redirect, NDP, MLD, Timestamp, ...)',
  icmpSourceQuench: 'ICMPv4 Source Quench: deprecated, never forwarded (RFC 6633)',
  icmpErrorAboutIcmpError: 'ICMP error quoting an ICMP error, which no node may send (RFC 1122 §3.2.2, RFC 4443 §2.4 (e))',
  icmpInnerWrongFamily: 'ICMP error quoting a packet of the other IP version',
  icmpInnerTruncated: 'ICMP error quote too short for the quoted IP header, its extension headers, or the ports (4 bytes) / Echo identifier (6 bytes)',
  icmpInnerBadHeader: 'ICMP error quoting an IPv4 header with IHL below 5, or a malformed IPv6 extension header chain',
  icmpInnerFragment: 'ICMP error quoting a non-first fragment: no ports to match the flow by',
  icmpInnerUnsupportedProtocol: 'ICMP error quoting a packet that is not TCP, UDP or ICMP(v6) of its family',
  icmpInnerUnsupportedType: 'ICMP error quoting an ICMP informational message other than Echo/Echo Reply',
  // Rewrite (napt-rewrite.ts)
  rewriteIpv6Address: 'rewrite given an address for an IPv6 packet: NAT64 addresses are the translator\'s to write',
  rewriteTupleMismatch: 'rewrite given a tuple that does not describe the packet (IP version or offsets outside it)',
});
export type FlowDropName = Exclude<(typeof FlowDrop.names)[number], 'none'>;

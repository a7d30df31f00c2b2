/**
 * What a frame handed to the pipeline starts with. Ports translate their own notion (a pcap link
 * type, a tunnel's inner payload type) into one of these, so stages never see port details.
 */
export const LinkKind = {
  /** Ethernet II, possibly with 802.1Q / 802.1ad tags. */
  Ethernet: 1,
  /** A bare IP packet of either family; the version nibble tells which. */
  Ip: 2,
  /** A bare IP packet that the port guarantees is IPv4 (pcap LINKTYPE_IPV4). */
  Ipv4: 3,
  /** A bare IP packet that the port guarantees is IPv6 (pcap LINKTYPE_IPV6). */
  Ipv6: 4,
} as const;
export type LinkKind = (typeof LinkKind)[keyof typeof LinkKind];

/** Output framing for a given input framing: a family-specific raw link cannot carry the other
 * family, so translated packets leave a raw IPv4/IPv6 link as bare IP of either family. */
export function outputLinkKind(input: LinkKind): LinkKind {
  return input === LinkKind.Ethernet ? LinkKind.Ethernet : LinkKind.Ip;
}

import { LinkKind } from '../pipeline/link-kind.js';

/**
 * pcap/pcapng link-layer header types (the tcpdump.org LINKTYPE_ registry) that the pipeline
 * understands. Old captures of raw IP carry the platform DLT value instead of LINKTYPE_RAW:
 * 12 (DLT_RAW on most systems) or 14 (DLT_RAW on OpenBSD).
 */
export const PcapLinkType = {
  Ethernet: 1,
  RawDlt12: 12,
  RawDlt14: 14,
  Raw: 101,
  Ipv4: 228,
  Ipv6: 229,
} as const;

/** The pipeline framing of a pcap link type, or -1 when the pipeline cannot classify it. */
export function linkKindOfPcap(linkType: number): LinkKind | -1 {
  switch (linkType) {
    case PcapLinkType.Ethernet: return LinkKind.Ethernet;
    case PcapLinkType.Raw:
    case PcapLinkType.RawDlt12:
    case PcapLinkType.RawDlt14: return LinkKind.Ip;
    case PcapLinkType.Ipv4: return LinkKind.Ipv4;
    case PcapLinkType.Ipv6: return LinkKind.Ipv6;
    default: return -1;
  }
}

/** The pcap link type to write frames of `kind` under. */
export function pcapLinkTypeOf(kind: LinkKind): number {
  switch (kind) {
    case LinkKind.Ethernet: return PcapLinkType.Ethernet;
    case LinkKind.Ipv4: return PcapLinkType.Ipv4;
    case LinkKind.Ipv6: return PcapLinkType.Ipv6;
    default: return PcapLinkType.Raw;
  }
}

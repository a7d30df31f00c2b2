/**
 * The transport protocols a NAPT session table keys on, and their dense index into the table's
 * per-protocol arrays (port bitmaps, BIB keys). RFC 6146 §3 keeps one BIB and one session table
 * per protocol (TCP, UDP, ICMP query); a single table with the protocol in the key is the same
 * thing. ICMP queries use key 1 for ICMPv4 and ICMPv6 alike (RFC 6146 §3.5.3: the ICMPv6 and
 * ICMPv4 identifiers of one query share one mapping).
 */
export const NaptProtocol = {
  icmp: 1,
  tcp: 6,
  udp: 17,
} as const;

export const NAPT_PROTOCOL_COUNT = 3;

/** Protocol number by dense index. */
export const NAPT_PROTOCOL_BY_INDEX: readonly number[] = [NaptProtocol.tcp, NaptProtocol.udp, NaptProtocol.icmp];

/** Dense index of `proto` (TCP 0, UDP 1, ICMP query 2), or -1 for a protocol the table does not map. */
export function naptProtocolIndex(proto: number): number {
  return proto === 6 ? 0 : proto === 17 ? 1 : proto === 1 ? 2 : -1;
}

export const NAPT_TCP = 0;
export const NAPT_UDP = 1;
export const NAPT_ICMP = 2;

/** Name for dumps and the CLI. */
export function naptProtocolName(proto: number): string {
  return proto === 6 ? 'tcp' : proto === 17 ? 'udp' : proto === 1 ? 'icmp' : 'proto-' + proto;
}

/**
 * ICMPv4 (RFC 792, RFC 1191, RFC 4884).
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Rest of header (identifier/sequence, pointer, MTU...)  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
export const ICMPV4_HEADER_LEN = 8;
export const ICMPV4_OFF_TYPE = 0;
export const ICMPV4_OFF_CODE = 1;
export const ICMPV4_OFF_CHECKSUM = 2;
/** Echo: identifier and sequence number. */
export const ICMPV4_OFF_IDENT = 4;
export const ICMPV4_OFF_SEQ = 6;
/** Parameter Problem: pointer (RFC 792). */
export const ICMPV4_OFF_POINTER = 4;
/** RFC 4884 length of the original datagram, in 32-bit words. */
export const ICMPV4_OFF_RFC4884_LENGTH = 5;
/** Fragmentation Needed: next-hop MTU (RFC 1191 §4). */
export const ICMPV4_OFF_NEXT_HOP_MTU = 6;

export const Icmpv4Type = {
  EchoReply: 0,
  DestUnreachable: 3,
  SourceQuench: 4,
  Redirect: 5,
  AlternateHostAddress: 6,
  EchoRequest: 8,
  RouterAdvertisement: 9,
  RouterSolicitation: 10,
  TimeExceeded: 11,
  ParameterProblem: 12,
  Timestamp: 13,
  TimestampReply: 14,
  InfoRequest: 15,
  InfoReply: 16,
  AddressMaskRequest: 17,
  AddressMaskReply: 18,
} as const;

/** Destination Unreachable codes (RFC 792, RFC 1122, RFC 1812). */
export const Icmpv4UnreachCode = {
  Net: 0,
  Host: 1,
  Protocol: 2,
  Port: 3,
  FragNeeded: 4,
  SourceRouteFailed: 5,
  NetUnknown: 6,
  HostUnknown: 7,
  SourceHostIsolated: 8,
  NetProhibited: 9,
  HostProhibited: 10,
  NetTos: 11,
  HostTos: 12,
  AdminProhibited: 13,
  HostPrecedenceViolation: 14,
  PrecedenceCutoff: 15,
} as const;

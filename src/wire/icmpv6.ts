/**
 * ICMPv6 (RFC 4443) and NDP (RFC 4861).
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Message body (identifier/sequence, MTU, pointer)     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
export const ICMPV6_HEADER_LEN = 8;
export const ICMPV6_OFF_TYPE = 0;
export const ICMPV6_OFF_CODE = 1;
export const ICMPV6_OFF_CHECKSUM = 2;
export const ICMPV6_OFF_IDENT = 4;
export const ICMPV6_OFF_SEQ = 6;
/** Packet Too Big: MTU; Parameter Problem: pointer (both 32 bits at offset 4). */
export const ICMPV6_OFF_MTU = 4;
export const ICMPV6_OFF_POINTER = 4;
/** RFC 4884 length of the original datagram, in 64-bit words (Dest Unreachable, Time Exceeded). */
export const ICMPV6_OFF_RFC4884_LENGTH = 4;
/** Largest ICMPv6 error message: it must fit the IPv6 minimum MTU (RFC 4443 §2.4 (c)). */
export const ICMPV6_ERROR_MAX_LEN = 1280 - 40;

export const Icmpv6Type = {
  DestUnreachable: 1,
  PacketTooBig: 2,
  TimeExceeded: 3,
  ParameterProblem: 4,
  EchoRequest: 128,
  EchoReply: 129,
  MldQuery: 130,
  MldReport: 131,
  MldDone: 132,
  RouterSolicitation: 133,
  RouterAdvertisement: 134,
  NeighborSolicitation: 135,
  NeighborAdvertisement: 136,
  Redirect: 137,
  Mldv2Report: 143,
} as const;

/** Destination Unreachable codes (RFC 4443 §3.1). */
export const Icmpv6UnreachCode = {
  NoRoute: 0,
  AdminProhibited: 1,
  BeyondScope: 2,
  Address: 3,
  Port: 4,
  SourcePolicy: 5,
  RejectRoute: 6,
} as const;

/** Parameter Problem codes (RFC 4443 §3.4). */
export const Icmpv6ParamProblemCode = {
  ErroneousHeader: 0,
  UnrecognizedNextHeader: 1,
  UnrecognizedOption: 2,
} as const;

import { EMPTY_BYTES, readU16, readU32, writeU16, writeU32 } from './byte-order.js';
import { adjustChecksum, adjustChecksum16, internetChecksum, verifyChecksum } from './checksum.js';
import { WireDrop } from './wire-drop.js';

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

/** Time Exceeded codes (RFC 4443 §3.3). */
export const Icmpv6TimeExceededCode = {
  HopLimit: 0,
  FragReassembly: 1,
} as const;

/** RFC 4884 §4: the ICMPv6 length attribute counts 64-bit words. */
export const ICMPV6_RFC4884_UNIT = 8;

/** Error messages have types 0-127, informational ones 128-255 (RFC 4443 §2.1). */
export function isIcmpv6Error(type: number): boolean {
  return type < 128;
}

/** Types whose fifth byte is the RFC 4884 length of the original datagram (RFC 4884 §4). */
function hasRfc4884Length(type: number): boolean {
  return type === Icmpv6Type.DestUnreachable || type === Icmpv6Type.TimeExceeded;
}

/** Bits of the `flags` argument of `parseIcmpv6` and `parseNdp`. */
export const Icmpv6ParseFlag = {
  /** Do not verify the checksum (the message is quoted in another error, or already verified). */
  skipChecksum: 1,
} as const;

/**
 * Zero-copy view of an ICMPv6 message, bound to a buffer and reused. `off` is the absolute offset
 * of the message in `buf`, `len` its length (the upper-layer length of RFC 8200 §8.1). Which
 * accessors mean something depends on the type (see `Icmpv6Repr`); NS/NA have `NdpPacket`.
 *
 * Setters named `set*` write the field only; `update*` also adjust the checksum in place by
 * RFC 1624 eqn. 3, as NAT rewrites need.
 */
export class Icmpv6Packet {
  buf: Uint8Array = EMPTY_BYTES;
  off = 0;
  len = 0;

  bind(buf: Uint8Array, off: number, len: number): this {
    this.buf = buf;
    this.off = off;
    this.len = len;
    return this;
  }

  /**
   * Validates the length: at least the 8-byte header, and for the types that carry one, an
   * RFC 4884 length that fits the message. Once it returns 0 the header and the quoted packet
   * (`quotedOff`, `quotedLen`) lie in the bound length.
   */
  check(): number {
    if (this.len < ICMPV6_HEADER_LEN) return WireDrop.code.truncated;
    if (hasRfc4884Length(this.type()) && this.rfc4884Len() * ICMPV6_RFC4884_UNIT > this.len - ICMPV6_HEADER_LEN) {
      return WireDrop.code.badLength;
    }
    return WireDrop.code.none;
  }

  type(): number {
    return this.buf[this.off + ICMPV6_OFF_TYPE]!;
  }

  code(): number {
    return this.buf[this.off + ICMPV6_OFF_CODE]!;
  }

  checksum(): number {
    return readU16(this.buf, this.off + ICMPV6_OFF_CHECKSUM);
  }

  /** Echo identifier; NAT treats it as the port of the flow (RFC 6146 §3.5.3). */
  ident(): number {
    return readU16(this.buf, this.off + ICMPV6_OFF_IDENT);
  }

  seq(): number {
    return readU16(this.buf, this.off + ICMPV6_OFF_SEQ);
  }

  /** Packet Too Big: MTU of the next-hop link (RFC 4443 §3.2). */
  mtu(): number {
    return readU32(this.buf, this.off + ICMPV6_OFF_MTU);
  }

  /** Parameter Problem: byte offset of the problem in the quoted packet (RFC 4443 §3.4). */
  pointer(): number {
    return readU32(this.buf, this.off + ICMPV6_OFF_POINTER);
  }

  /** RFC 4884 length of the original datagram field, in 64-bit words; 0 when not given. */
  rfc4884Len(): number {
    return this.buf[this.off + ICMPV6_OFF_RFC4884_LENGTH]!;
  }

  /** Bytes 4-7 as one number, for types whose message body this view does not name. */
  rest(): number {
    return readU32(this.buf, this.off + 4);
  }

  /** What follows the 8-byte header: echo data, or the quoted packet and any extension. */
  payloadOff(): number {
    return this.off + ICMPV6_HEADER_LEN;
  }

  payloadLen(): number {
    return this.len - ICMPV6_HEADER_LEN;
  }

  /** Error messages: absolute offset of the quoted packet (its IPv6 header). */
  quotedOff(): number {
    return this.off + ICMPV6_HEADER_LEN;
  }

  /** Error messages: length of the quoted packet, without any RFC 4884 extension structure. */
  quotedLen(): number {
    const l = hasRfc4884Length(this.type()) ? this.rfc4884Len() : 0;
    return l === 0 ? this.len - ICMPV6_HEADER_LEN : l * ICMPV6_RFC4884_UNIT;
  }

  setType(v: number): void {
    this.buf[this.off + ICMPV6_OFF_TYPE] = v;
  }

  setCode(v: number): void {
    this.buf[this.off + ICMPV6_OFF_CODE] = v;
  }

  setChecksum(v: number): void {
    writeU16(this.buf, this.off + ICMPV6_OFF_CHECKSUM, v);
  }

  setIdent(v: number): void {
    writeU16(this.buf, this.off + ICMPV6_OFF_IDENT, v);
  }

  setSeq(v: number): void {
    writeU16(this.buf, this.off + ICMPV6_OFF_SEQ, v);
  }

  setMtu(v: number): void {
    writeU32(this.buf, this.off + ICMPV6_OFF_MTU, v);
  }

  setPointer(v: number): void {
    writeU32(this.buf, this.off + ICMPV6_OFF_POINTER, v);
  }

  setRfc4884Len(words: number): void {
    this.buf[this.off + ICMPV6_OFF_RFC4884_LENGTH] = words;
  }

  setRest(v: number): void {
    writeU32(this.buf, this.off + 4, v);
  }

  /** True when the checksum over the message and `pseudoSum` (the IP view's
   * `pseudoHeaderSum` with next header 58 and the message length) verifies (RFC 4443 §2.3). */
  verifyChecksum(pseudoSum: number): boolean {
    return verifyChecksum(this.buf, this.off, this.len, pseudoSum);
  }

  fillChecksum(pseudoSum: number): void {
    this.setChecksum(0);
    this.setChecksum(internetChecksum(this.buf, this.off, this.len, pseudoSum));
  }

  /** Echo identifier rewrite of NAT64 with the checksum kept right. */
  updateIdent(v: number): void {
    const old = this.ident();
    this.setIdent(v);
    this.setChecksum(adjustChecksum16(this.checksum(), old, v & 0xffff));
  }

  /** Folds a change of covered data (the pseudo-header, or a rewrite inside the quoted packet)
   * into the checksum; `oldSum`/`newSum` are the unfolded sums of that data before and after. */
  adjustChecksum(oldSum: number, newSum: number): void {
    this.setChecksum(adjustChecksum(this.checksum(), oldSum, newSum));
  }
}

/**
 * An ICMPv6 header as a value. Reused: parse overwrites every field. Which fields carry meaning
 * depends on `type`: `ident`/`seq` for Echo Request/Reply, `rfc4884Len` for Destination
 * Unreachable and Time Exceeded, `mtu` for Packet Too Big, `pointer` for Parameter Problem, and
 * the raw `rest` (bytes 4-7) for every other type (NS/NA bodies are `NdpRepr`'s); the others are
 * 0. The checksum is not part of the value: parse verifies it and emit computes it.
 */
export class Icmpv6Repr {
  type = 0;
  code = 0;
  ident = 0;
  seq = 0;
  mtu = 0;
  pointer = 0;
  /** RFC 4884 length of the original datagram field, in 64-bit words. */
  rfc4884Len = 0;
  rest = 0;
  /** Bytes after the 8-byte header. */
  payloadLen = 0;
}

/** Header plus payload: the message length `emitIcmpv6` covers. */
export function icmpv6ReprLen(repr: Icmpv6Repr): number {
  return ICMPV6_HEADER_LEN + repr.payloadLen;
}

/**
 * Parses and validates a message: length (`check`) and checksum. `pseudoSum` is the IP view's
 * `pseudoHeaderSum` for next header 58 and the message length; `flags` takes `Icmpv6ParseFlag`
 * bits.
 */
export function parseIcmpv6(view: Icmpv6Packet, out: Icmpv6Repr, pseudoSum: number, flags = 0): number {
  const drop = view.check();
  if (drop !== 0) return drop;
  if ((flags & Icmpv6ParseFlag.skipChecksum) === 0 && !view.verifyChecksum(pseudoSum)) return WireDrop.code.badChecksum;
  const t = view.type();
  out.type = t;
  out.code = view.code();
  out.ident = 0; out.seq = 0; out.mtu = 0; out.pointer = 0; out.rfc4884Len = 0; out.rest = 0;
  out.payloadLen = view.payloadLen();
  switch (t) {
    case Icmpv6Type.EchoRequest:
    case Icmpv6Type.EchoReply:
      out.ident = view.ident();
      out.seq = view.seq();
      break;
    case Icmpv6Type.DestUnreachable:
    case Icmpv6Type.TimeExceeded:
      out.rfc4884Len = view.rfc4884Len();
      break;
    case Icmpv6Type.PacketTooBig:
      out.mtu = view.mtu();
      break;
    case Icmpv6Type.ParameterProblem:
      out.pointer = view.pointer();
      break;
    default:
      out.rest = view.rest();
  }
  return WireDrop.code.none;
}

/**
 * Writes every header byte (unused ones zero, RFC 4443) and the checksum over header and payload;
 * the payload must already be in place after the header. Afterwards `view.len` is the message
 * length. Throws RangeError (a caller bug) when the view is shorter than `icmpv6ReprLen(repr)`.
 */
export function emitIcmpv6(repr: Icmpv6Repr, view: Icmpv6Packet, pseudoSum: number): void {
  const total = ICMPV6_HEADER_LEN + repr.payloadLen;
  if (view.len < total) throw new RangeError('ICMPv6 message does not fit the view');
  view.len = total;
  view.setType(repr.type);
  view.setCode(repr.code);
  view.setRest(0);
  switch (repr.type) {
    case Icmpv6Type.EchoRequest:
    case Icmpv6Type.EchoReply:
      view.setIdent(repr.ident);
      view.setSeq(repr.seq);
      break;
    case Icmpv6Type.DestUnreachable:
    case Icmpv6Type.TimeExceeded:
      view.setRfc4884Len(repr.rfc4884Len);
      break;
    case Icmpv6Type.PacketTooBig:
      view.setMtu(repr.mtu);
      break;
    case Icmpv6Type.ParameterProblem:
      view.setPointer(repr.pointer);
      break;
    default:
      view.setRest(repr.rest);
  }
  view.fillChecksum(pseudoSum);
}

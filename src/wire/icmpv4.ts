import { EMPTY_BYTES, readU16, readU32, writeU16, writeU32 } from './byte-order.js';
import { adjustChecksum, adjustChecksum16, internetChecksum, verifyChecksum } from './checksum.js';
import { WireDrop } from './wire-drop.js';

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

/** Time Exceeded codes (RFC 792). */
export const Icmpv4TimeExceededCode = {
  TtlExceeded: 0,
  FragReassembly: 1,
} as const;

/** Parameter Problem codes (RFC 792, RFC 1108). */
export const Icmpv4ParamProblemCode = {
  Pointer: 0,
  MissingOption: 1,
  BadLength: 2,
} as const;

/** RFC 4884 §4: the ICMPv4 length attribute counts 32-bit words. */
export const ICMPV4_RFC4884_UNIT = 4;

/**
 * Error messages (RFC 1122 §3.2.2): they quote the datagram that caused them, must never be
 * answered with another error, and NAT matches them to a flow by the quoted header.
 */
export function isIcmpv4Error(type: number): boolean {
  return type === Icmpv4Type.DestUnreachable || type === Icmpv4Type.SourceQuench ||
    type === Icmpv4Type.Redirect || type === Icmpv4Type.TimeExceeded || type === Icmpv4Type.ParameterProblem;
}

/** Types whose sixth byte is the RFC 4884 length of the original datagram (RFC 4884 §4). */
function hasRfc4884Length(type: number): boolean {
  return type === Icmpv4Type.DestUnreachable || type === Icmpv4Type.TimeExceeded || type === Icmpv4Type.ParameterProblem;
}

/** Bits of the `flags` argument of `parseIcmpv4`. */
export const Icmpv4ParseFlag = {
  /** Do not verify the checksum (the message is quoted in another error, or already verified). */
  skipChecksum: 1,
} as const;

/**
 * Zero-copy view of an ICMPv4 message, bound to a buffer and reused. `off` is the absolute offset
 * of the message in `buf`, `len` its length (the IP payload length). Which accessors mean
 * something depends on the type (see `Icmpv4Repr`).
 *
 * Setters named `set*` write the field only; `update*` also adjust the checksum in place by
 * RFC 1624 eqn. 3, as NAT rewrites need.
 */
export class Icmpv4Packet {
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
   * RFC 4884 length that fits the message. Once it returns 0 the header and the quoted datagram
   * (`quotedOff`, `quotedLen`) lie in the bound length.
   */
  check(): number {
    if (this.len < ICMPV4_HEADER_LEN) return WireDrop.code.truncated;
    if (hasRfc4884Length(this.type()) && this.rfc4884Len() * ICMPV4_RFC4884_UNIT > this.len - ICMPV4_HEADER_LEN) {
      return WireDrop.code.badLength;
    }
    return WireDrop.code.none;
  }

  type(): number {
    return this.buf[this.off + ICMPV4_OFF_TYPE]!;
  }

  code(): number {
    return this.buf[this.off + ICMPV4_OFF_CODE]!;
  }

  checksum(): number {
    return readU16(this.buf, this.off + ICMPV4_OFF_CHECKSUM);
  }

  /** Echo identifier; NAT treats it as the port of the flow (RFC 5508 §3). */
  ident(): number {
    return readU16(this.buf, this.off + ICMPV4_OFF_IDENT);
  }

  seq(): number {
    return readU16(this.buf, this.off + ICMPV4_OFF_SEQ);
  }

  /** Parameter Problem: byte offset of the problem in the quoted datagram. */
  pointer(): number {
    return this.buf[this.off + ICMPV4_OFF_POINTER]!;
  }

  /** Fragmentation Needed: MTU of the next-hop link (RFC 1191 §4). */
  nextHopMtu(): number {
    return readU16(this.buf, this.off + ICMPV4_OFF_NEXT_HOP_MTU);
  }

  /** RFC 4884 length of the original datagram field, in 32-bit words; 0 when not given. */
  rfc4884Len(): number {
    return this.buf[this.off + ICMPV4_OFF_RFC4884_LENGTH]!;
  }

  /** Bytes 4-7 as one number, for types whose rest of header this view does not name. */
  rest(): number {
    return readU32(this.buf, this.off + 4);
  }

  /** What follows the header: echo data, or the quoted datagram and any extension structure. */
  payloadOff(): number {
    return this.off + ICMPV4_HEADER_LEN;
  }

  payloadLen(): number {
    return this.len - ICMPV4_HEADER_LEN;
  }

  /** Error messages: absolute offset of the quoted datagram (its IPv4 header). */
  quotedOff(): number {
    return this.off + ICMPV4_HEADER_LEN;
  }

  /** Error messages: length of the quoted datagram, without any RFC 4884 extension structure. */
  quotedLen(): number {
    const l = hasRfc4884Length(this.type()) ? this.rfc4884Len() : 0;
    return l === 0 ? this.len - ICMPV4_HEADER_LEN : l * ICMPV4_RFC4884_UNIT;
  }

  setType(v: number): void {
    this.buf[this.off + ICMPV4_OFF_TYPE] = v;
  }

  setCode(v: number): void {
    this.buf[this.off + ICMPV4_OFF_CODE] = v;
  }

  setChecksum(v: number): void {
    writeU16(this.buf, this.off + ICMPV4_OFF_CHECKSUM, v);
  }

  setIdent(v: number): void {
    writeU16(this.buf, this.off + ICMPV4_OFF_IDENT, v);
  }

  setSeq(v: number): void {
    writeU16(this.buf, this.off + ICMPV4_OFF_SEQ, v);
  }

  setPointer(v: number): void {
    this.buf[this.off + ICMPV4_OFF_POINTER] = v;
  }

  setNextHopMtu(v: number): void {
    writeU16(this.buf, this.off + ICMPV4_OFF_NEXT_HOP_MTU, v);
  }

  setRfc4884Len(words: number): void {
    this.buf[this.off + ICMPV4_OFF_RFC4884_LENGTH] = words;
  }

  setRest(v: number): void {
    writeU32(this.buf, this.off + 4, v);
  }

  /** True when the checksum over the whole message verifies (RFC 792: no pseudo-header). */
  verifyChecksum(): boolean {
    return verifyChecksum(this.buf, this.off, this.len, 0);
  }

  fillChecksum(): void {
    this.setChecksum(0);
    this.setChecksum(internetChecksum(this.buf, this.off, this.len, 0));
  }

  /** Echo identifier rewrite of NAT (RFC 5508 §3) with the checksum kept right. */
  updateIdent(v: number): void {
    const old = this.ident();
    this.setIdent(v);
    this.setChecksum(adjustChecksum16(this.checksum(), old, v & 0xffff));
  }

  /** Folds a change of covered bytes (a NAT rewrite inside the quoted datagram) into the
   * checksum; `oldSum`/`newSum` are the unfolded sums of those bytes before and after, summed
   * from an even distance to the message start. */
  adjustChecksum(oldSum: number, newSum: number): void {
    this.setChecksum(adjustChecksum(this.checksum(), oldSum, newSum));
  }
}

/**
 * An ICMPv4 header as a value. Reused: parse overwrites every field. Which fields carry meaning
 * depends on `type`: `ident`/`seq` for Echo and Echo Reply, `nextHopMtu` and `rfc4884Len` for
 * Destination Unreachable, `rfc4884Len` for Time Exceeded, `pointer` and `rfc4884Len` for
 * Parameter Problem, and the raw `rest` (bytes 4-7) for every other type; the others are 0. The
 * checksum is not part of the value: parse verifies it and emit computes it.
 */
export class Icmpv4Repr {
  type = 0;
  code = 0;
  ident = 0;
  seq = 0;
  pointer = 0;
  nextHopMtu = 0;
  /** RFC 4884 length of the original datagram field, in 32-bit words. */
  rfc4884Len = 0;
  rest = 0;
  /** Bytes after the 8-byte header. */
  payloadLen = 0;
}

/** Header plus payload: the message length `emitIcmpv4` covers. */
export function icmpv4ReprLen(repr: Icmpv4Repr): number {
  return ICMPV4_HEADER_LEN + repr.payloadLen;
}

/** Parses and validates a message: length (`check`) and checksum. `flags` takes
 * `Icmpv4ParseFlag` bits. */
export function parseIcmpv4(view: Icmpv4Packet, out: Icmpv4Repr, flags = 0): number {
  const drop = view.check();
  if (drop !== 0) return drop;
  if ((flags & Icmpv4ParseFlag.skipChecksum) === 0 && !view.verifyChecksum()) return WireDrop.code.badChecksum;
  const t = view.type();
  out.type = t;
  out.code = view.code();
  out.ident = 0; out.seq = 0; out.pointer = 0; out.nextHopMtu = 0; out.rfc4884Len = 0; out.rest = 0;
  out.payloadLen = view.payloadLen();
  switch (t) {
    case Icmpv4Type.EchoRequest:
    case Icmpv4Type.EchoReply:
      out.ident = view.ident();
      out.seq = view.seq();
      break;
    case Icmpv4Type.DestUnreachable:
      out.rfc4884Len = view.rfc4884Len();
      out.nextHopMtu = view.nextHopMtu();
      break;
    case Icmpv4Type.TimeExceeded:
      out.rfc4884Len = view.rfc4884Len();
      break;
    case Icmpv4Type.ParameterProblem:
      out.pointer = view.pointer();
      out.rfc4884Len = view.rfc4884Len();
      break;
    default:
      out.rest = view.rest();
  }
  return WireDrop.code.none;
}

/**
 * Writes every header byte (unused ones zero, RFC 792) and the checksum over header and payload;
 * the payload must already be in place after the header. Afterwards `view.len` is the message
 * length. Throws RangeError (a caller bug) when the view is shorter than `icmpv4ReprLen(repr)`.
 */
export function emitIcmpv4(repr: Icmpv4Repr, view: Icmpv4Packet): void {
  const total = ICMPV4_HEADER_LEN + repr.payloadLen;
  if (view.len < total) throw new RangeError('ICMPv4 message does not fit the view');
  view.len = total;
  view.setType(repr.type);
  view.setCode(repr.code);
  view.setRest(0);
  switch (repr.type) {
    case Icmpv4Type.EchoRequest:
    case Icmpv4Type.EchoReply:
      view.setIdent(repr.ident);
      view.setSeq(repr.seq);
      break;
    case Icmpv4Type.DestUnreachable:
      view.setRfc4884Len(repr.rfc4884Len);
      view.setNextHopMtu(repr.nextHopMtu);
      break;
    case Icmpv4Type.TimeExceeded:
      view.setRfc4884Len(repr.rfc4884Len);
      break;
    case Icmpv4Type.ParameterProblem:
      view.setPointer(repr.pointer);
      view.setRfc4884Len(repr.rfc4884Len);
      break;
    default:
      view.setRest(repr.rest);
  }
  view.fillChecksum();
}

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

const EMPTY = new Uint8Array(0);

/**
 * View of an ICMPv4 message in `buf[off, off+len)`, where `len` is the IP payload length. Bind
 * and reuse; after `check()` returns 0 no accessor reads outside the view.
 */
export class Icmpv4Packet {
  buf: Uint8Array = EMPTY;
  off = 0;
  len = 0;

  bind(buf: Uint8Array, off = 0, len = buf.length - off): this {
    this.buf = buf;
    this.off = off;
    this.len = len;
    return this;
  }

  /** 0, or why the bytes are not an ICMPv4 message this layer reads: shorter than the 8-byte
   * header, or an RFC 4884 length beyond the message. */
  check(): number {
    if (this.len < ICMPV4_HEADER_LEN) return WireDrop.code.truncated;
    if (hasRfc4884Length(this.type) && this.rfc4884Length * ICMPV4_RFC4884_UNIT > this.len - ICMPV4_HEADER_LEN) {
      return WireDrop.code.badLength;
    }
    return WireDrop.code.none;
  }

  get type(): number {
    return this.buf[this.off + ICMPV4_OFF_TYPE]!;
  }
  set type(v: number) {
    this.buf[this.off + ICMPV4_OFF_TYPE] = v;
  }
  get code(): number {
    return this.buf[this.off + ICMPV4_OFF_CODE]!;
  }
  set code(v: number) {
    this.buf[this.off + ICMPV4_OFF_CODE] = v;
  }
  get checksum(): number {
    return this.u16(ICMPV4_OFF_CHECKSUM);
  }
  set checksum(v: number) {
    this.setU16(ICMPV4_OFF_CHECKSUM, v);
  }
  /** Echo identifier; NAT treats it as the port of the flow (RFC 5508 §3). */
  get ident(): number {
    return this.u16(ICMPV4_OFF_IDENT);
  }
  set ident(v: number) {
    this.setU16(ICMPV4_OFF_IDENT, v);
  }
  get seq(): number {
    return this.u16(ICMPV4_OFF_SEQ);
  }
  set seq(v: number) {
    this.setU16(ICMPV4_OFF_SEQ, v);
  }
  /** Parameter Problem: byte offset of the problem in the quoted datagram. */
  get pointer(): number {
    return this.buf[this.off + ICMPV4_OFF_POINTER]!;
  }
  set pointer(v: number) {
    this.buf[this.off + ICMPV4_OFF_POINTER] = v;
  }
  /** Fragmentation Needed: MTU of the next-hop link (RFC 1191 §4). */
  get nextHopMtu(): number {
    return this.u16(ICMPV4_OFF_NEXT_HOP_MTU);
  }
  set nextHopMtu(v: number) {
    this.setU16(ICMPV4_OFF_NEXT_HOP_MTU, v);
  }
  /** RFC 4884 length of the original datagram field, in 32-bit words; 0 when not given. */
  get rfc4884Length(): number {
    return this.buf[this.off + ICMPV4_OFF_RFC4884_LENGTH]!;
  }
  set rfc4884Length(v: number) {
    this.buf[this.off + ICMPV4_OFF_RFC4884_LENGTH] = v;
  }
  /** Bytes 4-7 as one number, for types whose rest of header this view does not name. */
  get rest(): number {
    const b = this.buf, o = this.off + 4;
    return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  }
  set rest(v: number) {
    const b = this.buf, o = this.off + 4;
    b[o] = v >>> 24; b[o + 1] = v >>> 16; b[o + 2] = v >>> 8; b[o + 3] = v;
  }
  /** Absolute offset and length of what follows the header (echo data, quoted datagram). */
  get payloadOffset(): number {
    return this.off + ICMPV4_HEADER_LEN;
  }
  get payloadLength(): number {
    return this.len - ICMPV4_HEADER_LEN;
  }
  /** Error messages: absolute offset of the quoted datagram (its IPv4 header). */
  get quotedOffset(): number {
    return this.off + ICMPV4_HEADER_LEN;
  }
  /** Error messages: length of the quoted datagram, without any RFC 4884 extension structure. */
  get quotedLength(): number {
    const l = hasRfc4884Length(this.type) ? this.rfc4884Length : 0;
    return l === 0 ? this.len - ICMPV4_HEADER_LEN : l * ICMPV4_RFC4884_UNIT;
  }

  /** True when the checksum over the whole message verifies (RFC 792: no pseudo-header). */
  verifyChecksum(): boolean {
    return verifyChecksum(this.buf, this.off, this.len, 0);
  }

  fillChecksum(): void {
    this.checksum = 0;
    this.checksum = internetChecksum(this.buf, this.off, this.len, 0);
  }

  /** Sets the echo identifier keeping the checksum right (RFC 1624), as NAT does (RFC 5508). */
  setIdentWithChecksumUpdate(ident: number): void {
    const old = this.ident;
    this.ident = ident;
    this.checksum = adjustChecksum16(this.checksum, old, ident & 0xffff);
  }

  /** Folds a change of covered bytes (e.g. a NAT rewrite inside the quoted datagram) into the
   * checksum; `oldSum`/`newSum` are the unfolded sums of those bytes before and after, taken at
   * even distances from the message start. */
  updateChecksum(oldSum: number, newSum: number): void {
    this.checksum = adjustChecksum(this.checksum, oldSum, newSum);
  }

  private u16(at: number): number {
    const b = this.buf, o = this.off + at;
    return (b[o]! << 8) | b[o + 1]!;
  }
  private setU16(at: number, v: number): void {
    const b = this.buf, o = this.off + at;
    b[o] = v >>> 8; b[o + 1] = v;
  }
}

/**
 * An ICMPv4 header as values. Which fields carry meaning depends on `type`: `ident`/`seq` for
 * echo and echo reply, `nextHopMtu` and `rfc4884Length` for Destination Unreachable,
 * `rfc4884Length` for Time Exceeded, `pointer` and `rfc4884Length` for Parameter Problem, and
 * the raw `rest` (bytes 4-7) for every other type. The payload stays in the buffer.
 */
export class Icmpv4Repr {
  type = 0;
  code = 0;
  ident = 0;
  seq = 0;
  pointer = 0;
  nextHopMtu = 0;
  rfc4884Length = 0;
  rest = 0;
  payloadLength = 0;

  clear(): void {
    this.type = 0; this.code = 0; this.ident = 0; this.seq = 0; this.pointer = 0;
    this.nextHopMtu = 0; this.rfc4884Length = 0; this.rest = 0; this.payloadLength = 0;
  }
}

/**
 * Parses `view` into `out`; returns 0 or a `WireDrop` code. `verify` false skips the checksum,
 * for messages quoted inside another ICMP error (usually cut short).
 */
export function parseIcmpv4(view: Icmpv4Packet, out: Icmpv4Repr, verify = true): number {
  const drop = view.check();
  if (drop !== 0) return drop;
  if (verify && !view.verifyChecksum()) return WireDrop.code.badChecksum;
  out.clear();
  const t = view.type;
  out.type = t;
  out.code = view.code;
  out.payloadLength = view.payloadLength;
  switch (t) {
    case Icmpv4Type.EchoRequest:
    case Icmpv4Type.EchoReply:
      out.ident = view.ident;
      out.seq = view.seq;
      break;
    case Icmpv4Type.DestUnreachable:
      out.rfc4884Length = view.rfc4884Length;
      out.nextHopMtu = view.nextHopMtu;
      break;
    case Icmpv4Type.TimeExceeded:
      out.rfc4884Length = view.rfc4884Length;
      break;
    case Icmpv4Type.ParameterProblem:
      out.pointer = view.pointer;
      out.rfc4884Length = view.rfc4884Length;
      break;
    default:
      out.rest = view.rest;
  }
  return WireDrop.code.none;
}

/** Length on the wire of the message `repr` describes. */
export function icmpv4Length(repr: Icmpv4Repr): number {
  return ICMPV4_HEADER_LEN + repr.payloadLength;
}

/**
 * Writes the header `repr` describes (unused bytes zero, RFC 792) and the checksum over it and
 * the payload, which must already be in place after the header. Afterwards `view.len` is the
 * message length. Throws RangeError (a caller bug) when the view is too short.
 */
export function emitIcmpv4(repr: Icmpv4Repr, view: Icmpv4Packet): void {
  const total = ICMPV4_HEADER_LEN + repr.payloadLength;
  if (view.len < total) throw new RangeError('ICMPv4 message does not fit the view');
  view.len = total;
  view.type = repr.type;
  view.code = repr.code;
  view.rest = 0;
  switch (repr.type) {
    case Icmpv4Type.EchoRequest:
    case Icmpv4Type.EchoReply:
      view.ident = repr.ident;
      view.seq = repr.seq;
      break;
    case Icmpv4Type.DestUnreachable:
      view.rfc4884Length = repr.rfc4884Length;
      view.nextHopMtu = repr.nextHopMtu;
      break;
    case Icmpv4Type.TimeExceeded:
      view.rfc4884Length = repr.rfc4884Length;
      break;
    case Icmpv4Type.ParameterProblem:
      view.pointer = repr.pointer;
      view.rfc4884Length = repr.rfc4884Length;
      break;
    default:
      view.rest = repr.rest;
  }
  view.fillChecksum();
}

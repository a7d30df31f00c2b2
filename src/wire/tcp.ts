import { adjustChecksum, adjustChecksum16, internetChecksum, verifyChecksum } from './checksum.js';
import { emitTcpOptions, parseTcpOptions, TcpOptionsRepr, tcpOptionsLength } from './tcp-options.js';
import { WireDrop } from './wire-drop.js';

/**
 * TCP (RFC 9293 §3.1).
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
export const TCP_HEADER_LEN = 20;
export const TCP_MAX_HEADER_LEN = 60;
export const TCP_OFF_SRC_PORT = 0;
export const TCP_OFF_DST_PORT = 2;
export const TCP_OFF_SEQ = 4;
export const TCP_OFF_ACK = 8;
export const TCP_OFF_DATA_OFF = 12;
export const TCP_OFF_FLAGS = 13;
export const TCP_OFF_WINDOW = 14;
export const TCP_OFF_CHECKSUM = 16;
export const TCP_OFF_URGENT = 18;
export const TcpFlag = { Fin: 0x01, Syn: 0x02, Rst: 0x04, Psh: 0x08, Ack: 0x10, Urg: 0x20, Ece: 0x40, Cwr: 0x80 } as const;

/** Mask of the 4 reserved bits in the data-offset byte (RFC 9293 §3.1); RFC 9293 says to ignore
 * them on receipt, so they are carried through, not rejected (AccECN uses one). */
export const TCP_RESERVED_MASK = 0x0f;

const EMPTY = new Uint8Array(0);

/**
 * View of a TCP segment in `buf[off, off+len)`, where `len` is the IP payload length (the
 * segment has no length field of its own). Bind and reuse; after `check()` returns 0 no
 * accessor reads outside the view.
 */
export class TcpPacket {
  buf: Uint8Array = EMPTY;
  off = 0;
  len = 0;

  bind(buf: Uint8Array, off = 0, len = buf.length - off): this {
    this.buf = buf;
    this.off = off;
    this.len = len;
    return this;
  }

  /** 0, or why the bytes are not a TCP segment: the data offset must cover the fixed header and
   * fit the buffer (RFC 9293 §3.1). Options are checked by `parseTcp`. */
  check(): number {
    if (this.len < TCP_HEADER_LEN) return WireDrop.code.truncated;
    const hl = this.headerLength;
    if (hl < TCP_HEADER_LEN || hl > this.len) return WireDrop.code.badHeaderLength;
    return WireDrop.code.none;
  }

  get srcPort(): number {
    const b = this.buf, o = this.off + TCP_OFF_SRC_PORT;
    return (b[o]! << 8) | b[o + 1]!;
  }
  set srcPort(v: number) {
    const b = this.buf, o = this.off + TCP_OFF_SRC_PORT;
    b[o] = v >>> 8; b[o + 1] = v;
  }
  get dstPort(): number {
    const b = this.buf, o = this.off + TCP_OFF_DST_PORT;
    return (b[o]! << 8) | b[o + 1]!;
  }
  set dstPort(v: number) {
    const b = this.buf, o = this.off + TCP_OFF_DST_PORT;
    b[o] = v >>> 8; b[o + 1] = v;
  }
  get seq(): number {
    return readU32(this.buf, this.off + TCP_OFF_SEQ);
  }
  set seq(v: number) {
    writeU32(this.buf, this.off + TCP_OFF_SEQ, v);
  }
  get ack(): number {
    return readU32(this.buf, this.off + TCP_OFF_ACK);
  }
  set ack(v: number) {
    writeU32(this.buf, this.off + TCP_OFF_ACK, v);
  }
  /** Data offset in 32-bit words. */
  get dataOffset(): number {
    return this.buf[this.off + TCP_OFF_DATA_OFF]! >>> 4;
  }
  set dataOffset(v: number) {
    const o = this.off + TCP_OFF_DATA_OFF;
    this.buf[o] = ((v & 0x0f) << 4) | (this.buf[o]! & TCP_RESERVED_MASK);
  }
  /** Header length in bytes, options included. */
  get headerLength(): number {
    return (this.buf[this.off + TCP_OFF_DATA_OFF]! >>> 4) * 4;
  }
  get reserved(): number {
    return this.buf[this.off + TCP_OFF_DATA_OFF]! & TCP_RESERVED_MASK;
  }
  set reserved(v: number) {
    const o = this.off + TCP_OFF_DATA_OFF;
    this.buf[o] = (this.buf[o]! & 0xf0) | (v & TCP_RESERVED_MASK);
  }
  /** The 8 control bits, CWR..FIN (`TcpFlag`). */
  get flags(): number {
    return this.buf[this.off + TCP_OFF_FLAGS]!;
  }
  set flags(v: number) {
    this.buf[this.off + TCP_OFF_FLAGS] = v;
  }
  get window(): number {
    const b = this.buf, o = this.off + TCP_OFF_WINDOW;
    return (b[o]! << 8) | b[o + 1]!;
  }
  set window(v: number) {
    const b = this.buf, o = this.off + TCP_OFF_WINDOW;
    b[o] = v >>> 8; b[o + 1] = v;
  }
  get checksum(): number {
    const b = this.buf, o = this.off + TCP_OFF_CHECKSUM;
    return (b[o]! << 8) | b[o + 1]!;
  }
  set checksum(v: number) {
    const b = this.buf, o = this.off + TCP_OFF_CHECKSUM;
    b[o] = v >>> 8; b[o + 1] = v;
  }
  get urgent(): number {
    const b = this.buf, o = this.off + TCP_OFF_URGENT;
    return (b[o]! << 8) | b[o + 1]!;
  }
  set urgent(v: number) {
    const b = this.buf, o = this.off + TCP_OFF_URGENT;
    b[o] = v >>> 8; b[o + 1] = v;
  }
  /** Absolute offset and length of the options area. */
  get optionsOffset(): number {
    return this.off + TCP_HEADER_LEN;
  }
  get optionsLength(): number {
    return this.headerLength - TCP_HEADER_LEN;
  }
  /** Absolute offset and length of the payload. */
  get payloadOffset(): number {
    return this.off + this.headerLength;
  }
  get payloadLength(): number {
    return this.len - this.headerLength;
  }

  /** True when the checksum over the segment and the pseudo-header sum (`pseudoHeaderSum4/6`
   * with the segment length) verifies (RFC 9293 §3.1). */
  verifyChecksum(pseudoSum: number): boolean {
    return verifyChecksum(this.buf, this.off, this.len, pseudoSum);
  }

  /** Computes and stores the checksum over the whole view. */
  fillChecksum(pseudoSum: number): void {
    this.checksum = 0;
    this.checksum = internetChecksum(this.buf, this.off, this.len, pseudoSum);
  }

  /** Sets the source port keeping the checksum right (RFC 1624), as NAT rewrites do. */
  setSrcPortWithChecksumUpdate(port: number): void {
    const old = this.srcPort;
    this.srcPort = port;
    this.checksum = adjustChecksum16(this.checksum, old, port & 0xffff);
  }

  setDstPortWithChecksumUpdate(port: number): void {
    const old = this.dstPort;
    this.dstPort = port;
    this.checksum = adjustChecksum16(this.checksum, old, port & 0xffff);
  }

  /** Folds a change of covered data outside the header (the pseudo-header when NAT rewrites
   * addresses or NAT64 swaps the IP version) into the checksum; `oldSum`/`newSum` are the
   * unfolded sums of that data before and after. */
  updateChecksum(oldSum: number, newSum: number): void {
    this.checksum = adjustChecksum(this.checksum, oldSum, newSum);
  }
}

function readU32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24; b[o + 1] = v >>> 16; b[o + 2] = v >>> 8; b[o + 3] = v;
}

/** A TCP header as values; options decoded into `options`. The payload stays in the buffer. */
export class TcpRepr {
  srcPort = 0;
  dstPort = 0;
  seq = 0;
  ack = 0;
  reserved = 0;
  flags = 0;
  window = 0;
  urgent = 0;
  readonly options = new TcpOptionsRepr();
  payloadLength = 0;
}

/**
 * Parses `view` into `out`; returns 0 or a `WireDrop` code. `pseudoSum` is the pseudo-header
 * sum (`pseudoHeaderSum4/6` with the segment length). `verify` false skips the checksum, for
 * segments quoted in ICMP errors or already verified by hardware.
 */
export function parseTcp(view: TcpPacket, out: TcpRepr, pseudoSum: number, verify = true): number {
  const drop = view.check();
  if (drop !== 0) return drop;
  if (verify && !view.verifyChecksum(pseudoSum)) return WireDrop.code.badChecksum;
  const optDrop = parseTcpOptions(view.buf, view.optionsOffset, view.optionsLength, out.options);
  if (optDrop !== 0) return optDrop;
  out.srcPort = view.srcPort;
  out.dstPort = view.dstPort;
  out.seq = view.seq;
  out.ack = view.ack;
  out.reserved = view.reserved;
  out.flags = view.flags;
  out.window = view.window;
  out.urgent = view.urgent;
  out.payloadLength = view.payloadLength;
  return WireDrop.code.none;
}

/** Header length (options and padding included) of the segment `repr` describes. */
export function tcpHeaderLength(repr: TcpRepr): number {
  return TCP_HEADER_LEN + tcpOptionsLength(repr.options);
}

/**
 * Writes the header `repr` describes into `view`, options and padding included, and the
 * checksum over it and the payload, which must already be in place after the header (at
 * `tcpHeaderLength(repr)`). Afterwards `view.len` is the segment length. Throws RangeError (a
 * caller bug) when the view is too short or the options do not fit.
 */
export function emitTcp(repr: TcpRepr, view: TcpPacket, pseudoSum: number): void {
  const hl = tcpHeaderLength(repr);
  const total = hl + repr.payloadLength;
  if (hl > TCP_MAX_HEADER_LEN) throw new RangeError('TCP options exceed the 40-byte option space');
  if (view.len < total) throw new RangeError('TCP segment does not fit the view');
  view.len = total;
  view.srcPort = repr.srcPort;
  view.dstPort = repr.dstPort;
  view.seq = repr.seq;
  view.ack = repr.ack;
  view.buf[view.off + TCP_OFF_DATA_OFF] = ((hl >>> 2) << 4) | (repr.reserved & TCP_RESERVED_MASK);
  view.flags = repr.flags;
  view.window = repr.window;
  view.urgent = repr.urgent;
  emitTcpOptions(repr.options, view.buf, view.off + TCP_HEADER_LEN);
  view.fillChecksum(pseudoSum);
}

import { EMPTY_BYTES, readU16, readU32, writeU16, writeU32 } from './byte-order.js';
import { adjustChecksum, adjustChecksum16, internetChecksum, verifyChecksum } from './checksum.js';
import { emitTcpOptions, parseTcpOptions, TcpOptionsRepr, tcpOptionsReprLen } from './tcp-options.js';
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

/** Mask of the 4 reserved bits in the data-offset byte (RFC 9293 §3.1). Receivers ignore them,
 * so they are carried through rather than rejected (AccECN defines one). */
export const TCP_RESERVED_MASK = 0x0f;

/** Bits of the `flags` argument of `parseTcp`. */
export const TcpParseFlag = {
  /** Do not verify the checksum (the caller already did, or will recompute it). */
  skipChecksum: 1,
} as const;

/**
 * Zero-copy view of a TCP segment, bound to a buffer and reused. `off` is the absolute offset of
 * the header in `buf`, `len` the segment length (the IP payload length: TCP has no length field).
 *
 * Setters named `set*` write the field only; `update*` also adjust the checksum in place by
 * RFC 1624 eqn. 3, as NAT rewrites need.
 */
export class TcpPacket {
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
   * Validates the data offset: it must cover the fixed header and fit the segment (RFC 9293
   * §3.1). Once it returns 0 the header, options included, lies in the bound length. The options
   * themselves are checked by `parseTcp`.
   */
  check(): number {
    if (this.len < TCP_HEADER_LEN) return WireDrop.code.truncated;
    const hl = this.headerLen();
    if (hl < TCP_HEADER_LEN || hl > this.len) return WireDrop.code.badHeaderLength;
    return WireDrop.code.none;
  }

  srcPort(): number {
    return readU16(this.buf, this.off + TCP_OFF_SRC_PORT);
  }

  dstPort(): number {
    return readU16(this.buf, this.off + TCP_OFF_DST_PORT);
  }

  seq(): number {
    return readU32(this.buf, this.off + TCP_OFF_SEQ);
  }

  ack(): number {
    return readU32(this.buf, this.off + TCP_OFF_ACK);
  }

  /** Data offset in 32-bit words. */
  dataOffset(): number {
    return this.buf[this.off + TCP_OFF_DATA_OFF]! >>> 4;
  }

  /** Header length in bytes, options included. */
  headerLen(): number {
    return (this.buf[this.off + TCP_OFF_DATA_OFF]! >>> 4) << 2;
  }

  reserved(): number {
    return this.buf[this.off + TCP_OFF_DATA_OFF]! & TCP_RESERVED_MASK;
  }

  /** The 8 control bits, CWR..FIN (`TcpFlag`). */
  flags(): number {
    return this.buf[this.off + TCP_OFF_FLAGS]!;
  }

  window(): number {
    return readU16(this.buf, this.off + TCP_OFF_WINDOW);
  }

  checksum(): number {
    return readU16(this.buf, this.off + TCP_OFF_CHECKSUM);
  }

  urgent(): number {
    return readU16(this.buf, this.off + TCP_OFF_URGENT);
  }

  optionsOff(): number {
    return this.off + TCP_HEADER_LEN;
  }

  optionsLen(): number {
    return this.headerLen() - TCP_HEADER_LEN;
  }

  payloadOff(): number {
    return this.off + this.headerLen();
  }

  payloadLen(): number {
    return this.len - this.headerLen();
  }

  setSrcPort(v: number): void {
    writeU16(this.buf, this.off + TCP_OFF_SRC_PORT, v);
  }

  setDstPort(v: number): void {
    writeU16(this.buf, this.off + TCP_OFF_DST_PORT, v);
  }

  setSeq(v: number): void {
    writeU32(this.buf, this.off + TCP_OFF_SEQ, v);
  }

  setAck(v: number): void {
    writeU32(this.buf, this.off + TCP_OFF_ACK, v);
  }

  /** Header length in bytes (a multiple of 4, 20..60) and the reserved bits, one byte on the wire. */
  setHeaderLenAndReserved(headerLen: number, reserved: number): void {
    this.buf[this.off + TCP_OFF_DATA_OFF] = (((headerLen >>> 2) & 0x0f) << 4) | (reserved & TCP_RESERVED_MASK);
  }

  setFlags(v: number): void {
    this.buf[this.off + TCP_OFF_FLAGS] = v;
  }

  setWindow(v: number): void {
    writeU16(this.buf, this.off + TCP_OFF_WINDOW, v);
  }

  setChecksum(v: number): void {
    writeU16(this.buf, this.off + TCP_OFF_CHECKSUM, v);
  }

  setUrgent(v: number): void {
    writeU16(this.buf, this.off + TCP_OFF_URGENT, v);
  }

  /** True when the checksum over the segment and `pseudoSum` (the IP view's `pseudoHeaderSum`
   * with the segment length) verifies (RFC 9293 §3.1). */
  verifyChecksum(pseudoSum: number): boolean {
    return verifyChecksum(this.buf, this.off, this.len, pseudoSum);
  }

  /** Computes the checksum over the whole segment (payload in place) and stores it. */
  fillChecksum(pseudoSum: number): void {
    this.setChecksum(0);
    this.setChecksum(internetChecksum(this.buf, this.off, this.len, pseudoSum));
  }

  updateSrcPort(v: number): void {
    const old = this.srcPort();
    this.setSrcPort(v);
    this.setChecksum(adjustChecksum16(this.checksum(), old, v & 0xffff));
  }

  updateDstPort(v: number): void {
    const old = this.dstPort();
    this.setDstPort(v);
    this.setChecksum(adjustChecksum16(this.checksum(), old, v & 0xffff));
  }

  /** Folds a change of covered data outside the header (the pseudo-header when NAT rewrites
   * addresses or NAT64 swaps the IP version) into the checksum; `oldSum`/`newSum` are the
   * unfolded sums of that data before and after. */
  adjustChecksum(oldSum: number, newSum: number): void {
    this.setChecksum(adjustChecksum(this.checksum(), oldSum, newSum));
  }
}

/** A TCP header as a value, options decoded into `options`. Reused: parse overwrites every
 * field. The checksum is not part of the value: parse verifies it and emit computes it. */
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
  payloadLen = 0;
}

/** Header length (options and padding included) `emitTcp` writes. */
export function tcpReprHeaderLen(repr: TcpRepr): number {
  return TCP_HEADER_LEN + tcpOptionsReprLen(repr.options);
}

/** Header plus payload: the segment length `emitTcp` covers. */
export function tcpReprTotalLen(repr: TcpRepr): number {
  return tcpReprHeaderLen(repr) + repr.payloadLen;
}

/**
 * Parses and validates a segment: data offset (`check`), checksum, options. `pseudoSum` is the
 * IP view's `pseudoHeaderSum` for the segment length; `flags` takes `TcpParseFlag` bits.
 */
export function parseTcp(view: TcpPacket, out: TcpRepr, pseudoSum: number, flags = 0): number {
  const drop = view.check();
  if (drop !== 0) return drop;
  if ((flags & TcpParseFlag.skipChecksum) === 0 && !view.verifyChecksum(pseudoSum)) return WireDrop.code.badChecksum;
  const optDrop = parseTcpOptions(view.buf, view.optionsOff(), view.optionsLen(), out.options);
  if (optDrop !== 0) return optDrop;
  out.srcPort = view.srcPort();
  out.dstPort = view.dstPort();
  out.seq = view.seq();
  out.ack = view.ack();
  out.reserved = view.reserved();
  out.flags = view.flags();
  out.window = view.window();
  out.urgent = view.urgent();
  out.payloadLen = view.payloadLen();
  return WireDrop.code.none;
}

/**
 * Writes every header byte (options and EOL padding included) and the checksum over header and
 * payload; the payload must already be in place at `tcpReprHeaderLen(repr)`. Afterwards
 * `view.len` is the segment length. Throws RangeError (a caller bug) when the view is too short
 * or the options do not fit the 40-byte option space.
 */
export function emitTcp(repr: TcpRepr, view: TcpPacket, pseudoSum: number): void {
  const hl = tcpReprHeaderLen(repr);
  const total = hl + repr.payloadLen;
  if (hl > TCP_MAX_HEADER_LEN) throw new RangeError('TCP options exceed the 40-byte option space');
  if (view.len < total) throw new RangeError('TCP segment does not fit the view');
  view.len = total;
  view.setSrcPort(repr.srcPort);
  view.setDstPort(repr.dstPort);
  view.setSeq(repr.seq);
  view.setAck(repr.ack);
  view.setHeaderLenAndReserved(hl, repr.reserved);
  view.setFlags(repr.flags);
  view.setWindow(repr.window);
  view.setUrgent(repr.urgent);
  emitTcpOptions(repr.options, view.buf, view.off + TCP_HEADER_LEN);
  view.fillChecksum(pseudoSum);
}

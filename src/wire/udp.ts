import { adjustChecksum, adjustChecksum16, finishChecksum, sumWords, verifyChecksum } from './checksum.js';
import { WireDrop } from './wire-drop.js';

/**
 * UDP (RFC 768).
 *  0      7 8     15 16    23 24    31
 * +--------+--------+--------+--------+
 * |     Source      |   Destination   |
 * |      Port       |      Port       |
 * +--------+--------+--------+--------+
 * |     Length      |    Checksum     |
 * +--------+--------+--------+--------+
 */
export const UDP_HEADER_LEN = 8;
export const UDP_OFF_SRC_PORT = 0;
export const UDP_OFF_DST_PORT = 2;
export const UDP_OFF_LENGTH = 4;
export const UDP_OFF_CHECKSUM = 6;
/** Checksum field value meaning "no checksum computed" over IPv4 (RFC 768); invalid over IPv6
 * (RFC 8200 §8.1). A computed checksum of zero is sent as 0xffff instead. */
export const UDP_CHECKSUM_NONE = 0;

const EMPTY = new Uint8Array(0);

/**
 * View of a UDP datagram in `buf[off, off+len)`, where `len` is what the IP layer carries (it
 * may exceed the UDP length field: trailing bytes are not part of the datagram). Bind and reuse;
 * after `check()` returns 0 no accessor reads outside the view.
 */
export class UdpPacket {
  buf: Uint8Array = EMPTY;
  off = 0;
  len = 0;

  bind(buf: Uint8Array, off = 0, len = buf.length - off): this {
    this.buf = buf;
    this.off = off;
    this.len = len;
    return this;
  }

  /** 0, or why the bytes are not a UDP datagram: the length field must cover the header and fit
   * the buffer (RFC 768). */
  check(): number {
    if (this.len < UDP_HEADER_LEN) return WireDrop.code.truncated;
    const l = this.datagramLength;
    if (l < UDP_HEADER_LEN) return WireDrop.code.badLength;
    if (l > this.len) return WireDrop.code.truncated;
    return WireDrop.code.none;
  }

  get srcPort(): number {
    const b = this.buf, o = this.off + UDP_OFF_SRC_PORT;
    return (b[o]! << 8) | b[o + 1]!;
  }
  set srcPort(v: number) {
    const b = this.buf, o = this.off + UDP_OFF_SRC_PORT;
    b[o] = v >>> 8; b[o + 1] = v;
  }
  get dstPort(): number {
    const b = this.buf, o = this.off + UDP_OFF_DST_PORT;
    return (b[o]! << 8) | b[o + 1]!;
  }
  set dstPort(v: number) {
    const b = this.buf, o = this.off + UDP_OFF_DST_PORT;
    b[o] = v >>> 8; b[o + 1] = v;
  }
  /** The Length field: header plus payload, in bytes. */
  get datagramLength(): number {
    const b = this.buf, o = this.off + UDP_OFF_LENGTH;
    return (b[o]! << 8) | b[o + 1]!;
  }
  set datagramLength(v: number) {
    const b = this.buf, o = this.off + UDP_OFF_LENGTH;
    b[o] = v >>> 8; b[o + 1] = v;
  }
  get checksum(): number {
    const b = this.buf, o = this.off + UDP_OFF_CHECKSUM;
    return (b[o]! << 8) | b[o + 1]!;
  }
  set checksum(v: number) {
    const b = this.buf, o = this.off + UDP_OFF_CHECKSUM;
    b[o] = v >>> 8; b[o + 1] = v;
  }
  /** Absolute offset of the payload in `buf`. */
  get payloadOffset(): number {
    return this.off + UDP_HEADER_LEN;
  }
  /** Payload length according to the Length field. */
  get payloadLength(): number {
    return this.datagramLength - UDP_HEADER_LEN;
  }

  /** True when the checksum over the datagram and the pseudo-header sum (`pseudoHeaderSum4/6`
   * with the UDP length) verifies. A zero field is not special here: see `parseUdp`. */
  verifyChecksum(pseudoSum: number): boolean {
    return verifyChecksum(this.buf, this.off, this.datagramLength, pseudoSum);
  }

  /** Computes and stores the checksum over the datagram (payload already in place). */
  fillChecksum(pseudoSum: number): void {
    this.checksum = 0;
    const c = finishChecksum(sumWords(this.buf, this.off, this.datagramLength, pseudoSum));
    // RFC 768: a computed zero is transmitted as all ones, zero meaning "none".
    this.checksum = c === 0 ? 0xffff : c;
  }

  /**
   * Sets the source port keeping the checksum right (RFC 1624), as NAT rewrites do. A datagram
   * sent without checksum over IPv4 keeps having none.
   */
  setSrcPortWithChecksumUpdate(port: number): void {
    const old = this.srcPort;
    this.srcPort = port;
    this.adjustWord(old, port & 0xffff);
  }

  setDstPortWithChecksumUpdate(port: number): void {
    const old = this.dstPort;
    this.dstPort = port;
    this.adjustWord(old, port & 0xffff);
  }

  /**
   * Folds a change of covered data outside the header (the pseudo-header when NAT rewrites
   * addresses, or NAT64 swaps an IPv4 pseudo-header for an IPv6 one) into the checksum:
   * `oldSum`/`newSum` are unfolded sums of the data before and after. Leaves an absent (zero)
   * checksum absent; a translator to IPv6 must compute a full one instead (RFC 7915 §4.5).
   */
  updateChecksum(oldSum: number, newSum: number): void {
    const c = this.checksum;
    if (c === UDP_CHECKSUM_NONE) return;
    const n = adjustChecksum(c, oldSum, newSum);
    this.checksum = n === 0 ? 0xffff : n;
  }

  private adjustWord(oldWord: number, newWord: number): void {
    const c = this.checksum;
    if (c === UDP_CHECKSUM_NONE) return;
    const n = adjustChecksum16(c, oldWord, newWord);
    this.checksum = n === 0 ? 0xffff : n;
  }
}

/** A UDP header as values. The payload stays in the buffer. */
export class UdpRepr {
  srcPort = 0;
  dstPort = 0;
  payloadLength = 0;
}

/**
 * Parses `view` into `out`; returns 0 or a `WireDrop` code. `pseudoSum` is the pseudo-header sum
 * (`pseudoHeaderSum4/6` with the UDP length). A zero checksum means "none" over IPv4 (RFC 768)
 * and is invalid over IPv6 (RFC 8200 §8.1). `verify` false skips the checksum, for datagrams
 * quoted in ICMP errors, which are usually cut short.
 */
export function parseUdp(view: UdpPacket, out: UdpRepr, pseudoSum: number, ipv6: boolean, verify = true): number {
  const drop = view.check();
  if (drop !== 0) return drop;
  if (verify) {
    const c = view.checksum;
    if (c === UDP_CHECKSUM_NONE) {
      if (ipv6) return WireDrop.code.badChecksum;
    } else if (!view.verifyChecksum(pseudoSum)) {
      return WireDrop.code.badChecksum;
    }
  }
  out.srcPort = view.srcPort;
  out.dstPort = view.dstPort;
  out.payloadLength = view.payloadLength;
  return WireDrop.code.none;
}

/** Length on the wire of the datagram `repr` describes. */
export function udpLength(repr: UdpRepr): number {
  return UDP_HEADER_LEN + repr.payloadLength;
}

/**
 * Writes the header `repr` describes into `view` and the checksum over it and the payload,
 * which must already be in place after the header. Throws RangeError (a caller bug) when the
 * view is shorter than the datagram.
 */
export function emitUdp(repr: UdpRepr, view: UdpPacket, pseudoSum: number): void {
  const total = UDP_HEADER_LEN + repr.payloadLength;
  if (view.len < total || total > 0xffff) throw new RangeError('UDP datagram does not fit the view');
  view.srcPort = repr.srcPort;
  view.dstPort = repr.dstPort;
  view.datagramLength = total;
  view.fillChecksum(pseudoSum);
}

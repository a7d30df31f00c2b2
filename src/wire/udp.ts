import { EMPTY_BYTES, readU16, writeU16 } from './byte-order.js';
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

/** Bits of the `flags` argument of `UdpPacket.check` and `parseUdp`. */
export const UdpParseFlag = {
  /** Do not verify the checksum (the caller already did, or the datagram is quoted). */
  skipChecksum: 1,
  /**
   * The datagram is the one quoted in an ICMP error (RFC 792, RFC 4443 §2.4 (c)): it is cut short,
   * so a Length beyond the buffer is expected rather than `truncated`. Implies `skipChecksum`.
   */
  quoted: 2,
  /** Carried over IPv6, where a zero checksum is invalid (RFC 8200 §8.1) instead of "none". */
  ipv6: 4,
} as const;

/**
 * Zero-copy view of a UDP datagram, bound to a buffer and reused. `off` is the absolute offset of
 * the header in `buf`, `len` the bytes the IP layer carries (may exceed the Length field: the
 * bytes after it are not part of the datagram).
 *
 * Setters named `set*` write the field only; `update*` also adjust the checksum in place by
 * RFC 1624 eqn. 3, as NAT rewrites need. A datagram sent without checksum over IPv4 keeps none.
 */
export class UdpPacket {
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
   * Validates the Length field: it must cover the header and, unless `UdpParseFlag.quoted` was
   * given, fit the buffer (RFC 768). Once it returns 0 the header lies in the bound length.
   */
  check(flags = 0): number {
    if (this.len < UDP_HEADER_LEN) return WireDrop.code.truncated;
    const l = this.datagramLen();
    if (l < UDP_HEADER_LEN) return WireDrop.code.badLength;
    if (l > this.len && (flags & UdpParseFlag.quoted) === 0) return WireDrop.code.truncated;
    return WireDrop.code.none;
  }

  srcPort(): number {
    return readU16(this.buf, this.off + UDP_OFF_SRC_PORT);
  }

  dstPort(): number {
    return readU16(this.buf, this.off + UDP_OFF_DST_PORT);
  }

  /** The Length field: header plus payload, in bytes. */
  datagramLen(): number {
    return readU16(this.buf, this.off + UDP_OFF_LENGTH);
  }

  checksum(): number {
    return readU16(this.buf, this.off + UDP_OFF_CHECKSUM);
  }

  payloadOff(): number {
    return this.off + UDP_HEADER_LEN;
  }

  /** Payload length according to the Length field. */
  payloadLen(): number {
    return this.datagramLen() - UDP_HEADER_LEN;
  }

  setSrcPort(v: number): void {
    writeU16(this.buf, this.off + UDP_OFF_SRC_PORT, v);
  }

  setDstPort(v: number): void {
    writeU16(this.buf, this.off + UDP_OFF_DST_PORT, v);
  }

  setDatagramLen(v: number): void {
    writeU16(this.buf, this.off + UDP_OFF_LENGTH, v);
  }

  setChecksum(v: number): void {
    writeU16(this.buf, this.off + UDP_OFF_CHECKSUM, v);
  }

  /** True when the checksum over the datagram and `pseudoSum` (the IP view's
   * `pseudoHeaderSum` with the UDP length) verifies. A zero field is not special here. */
  verifyChecksum(pseudoSum: number): boolean {
    return verifyChecksum(this.buf, this.off, this.datagramLen(), pseudoSum);
  }

  /** Computes the checksum over the datagram (payload in place) and stores it. */
  fillChecksum(pseudoSum: number): void {
    this.setChecksum(0);
    const c = finishChecksum(sumWords(this.buf, this.off, this.datagramLen(), pseudoSum));
    // RFC 768: a computed zero is transmitted as all ones, zero meaning "none".
    this.setChecksum(c === 0 ? 0xffff : c);
  }

  updateSrcPort(v: number): void {
    const old = this.srcPort();
    this.setSrcPort(v);
    this.adjust16(old, v & 0xffff);
  }

  updateDstPort(v: number): void {
    const old = this.dstPort();
    this.setDstPort(v);
    this.adjust16(old, v & 0xffff);
  }

  /**
   * Folds a change of covered data outside the header into the checksum: the pseudo-header
   * when NAT rewrites addresses, or when NAT64 swaps an IPv4 pseudo-header for an IPv6 one.
   * `oldSum`/`newSum` are unfolded sums of that data before and after. An absent (zero) checksum
   * stays absent; a translator to IPv6 computes a full one instead (RFC 7915 §4.5).
   */
  adjustChecksum(oldSum: number, newSum: number): void {
    const c = this.checksum();
    if (c === UDP_CHECKSUM_NONE) return;
    const n = adjustChecksum(c, oldSum, newSum);
    this.setChecksum(n === 0 ? 0xffff : n);
  }

  private adjust16(oldWord: number, newWord: number): void {
    const c = this.checksum();
    if (c === UDP_CHECKSUM_NONE) return;
    const n = adjustChecksum16(c, oldWord, newWord);
    this.setChecksum(n === 0 ? 0xffff : n);
  }
}

/** A UDP header as a value. Reused: parse overwrites every field. The checksum is not part of
 * the value: parse verifies it and emit computes it. The payload stays in the buffer. */
export class UdpRepr {
  srcPort = 0;
  dstPort = 0;
  payloadLen = 0;
}

/** Header plus payload: the Length `emitUdp` writes. */
export function udpReprLen(repr: UdpRepr): number {
  return UDP_HEADER_LEN + repr.payloadLen;
}

/**
 * Parses and validates a datagram: Length (`check`) and checksum. `pseudoSum` is the IP view's
 * `pseudoHeaderSum` for the UDP length; `flags` takes `UdpParseFlag` bits. A zero checksum means
 * "none" over IPv4 (RFC 768) and is `badChecksum` with `UdpParseFlag.ipv6` (RFC 8200 §8.1).
 */
export function parseUdp(view: UdpPacket, out: UdpRepr, pseudoSum: number, flags = 0): number {
  const drop = view.check(flags);
  if (drop !== 0) return drop;
  if ((flags & (UdpParseFlag.skipChecksum | UdpParseFlag.quoted)) === 0) {
    if (view.checksum() === UDP_CHECKSUM_NONE) {
      if ((flags & UdpParseFlag.ipv6) !== 0) return WireDrop.code.badChecksum;
    } else if (!view.verifyChecksum(pseudoSum)) {
      return WireDrop.code.badChecksum;
    }
  }
  out.srcPort = view.srcPort();
  out.dstPort = view.dstPort();
  out.payloadLen = view.payloadLen();
  return WireDrop.code.none;
}

/**
 * Writes every header byte and the checksum over header and payload; the payload must already be
 * in place after the header. Throws RangeError (a caller bug) when the view is shorter than
 * `udpReprLen(repr)`.
 */
export function emitUdp(repr: UdpRepr, view: UdpPacket, pseudoSum: number): void {
  const total = UDP_HEADER_LEN + repr.payloadLen;
  if (view.len < total || total > 0xffff) throw new RangeError('UDP datagram does not fit the view');
  view.setSrcPort(repr.srcPort);
  view.setDstPort(repr.dstPort);
  view.setDatagramLen(total);
  view.fillChecksum(pseudoSum);
}

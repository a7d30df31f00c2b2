import { EMPTY_BYTES } from './byte-order.js';
import { WireDrop } from './wire-drop.js';

/**
 * VXLAN (RFC 7348 §5), carried in UDP to port 4789, an Ethernet frame after it.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |R|R|R|R|I|R|R|R|            Reserved                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                VXLAN Network Identifier (VNI) |   Reserved    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
export const VXLAN_HEADER_LEN = 8;
export const VXLAN_OFF_FLAGS = 0;
export const VXLAN_OFF_VNI = 4;
/** The I flag: the VNI is valid. The only flag RFC 7348 defines. */
export const VXLAN_FLAG_I = 0x08;
export const VXLAN_VNI_MAX = 0xffffff;
/** IANA-assigned UDP destination port (RFC 7348 §5). */
export const VXLAN_UDP_PORT = 4789;

/**
 * Zero-copy view of a VXLAN header and the frame after it, bound to a buffer and reused. `off` is
 * the absolute offset of the header in `buf`, `len` the UDP payload length.
 */
export class VxlanPacket {
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
   * Validates length and the I flag, which RFC 7348 §5 requires set; the reserved bits are
   * ignored on receipt, as it also requires. Once it returns 0 the header lies in the bound length.
   */
  check(): number {
    if (this.len < VXLAN_HEADER_LEN) return WireDrop.code.truncated;
    if ((this.flags() & VXLAN_FLAG_I) === 0) return WireDrop.code.badFlags;
    return WireDrop.code.none;
  }

  flags(): number {
    return this.buf[this.off + VXLAN_OFF_FLAGS]!;
  }

  vni(): number {
    const b = this.buf, p = this.off + VXLAN_OFF_VNI;
    return (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
  }

  /** The inner Ethernet frame. */
  payloadOff(): number {
    return this.off + VXLAN_HEADER_LEN;
  }

  payloadLen(): number {
    return this.len - VXLAN_HEADER_LEN;
  }

  /** Writes the flags byte and zeroes the 24 reserved bits after it. */
  setFlags(v: number): void {
    const b = this.buf, p = this.off + VXLAN_OFF_FLAGS;
    b[p] = v; b[p + 1] = 0; b[p + 2] = 0; b[p + 3] = 0;
  }

  /** Writes the VNI and zeroes the reserved byte after it. */
  setVni(v: number): void {
    const b = this.buf, p = this.off + VXLAN_OFF_VNI;
    b[p] = v >>> 16; b[p + 1] = v >>> 8; b[p + 2] = v; b[p + 3] = 0;
  }
}

/** A VXLAN header as a value. Reused: parse overwrites every field. The frame stays in the buffer. */
export class VxlanRepr {
  vni = 0;
  /** Length of the inner frame. */
  payloadLen = 0;
}

/** Header plus inner frame: the UDP payload length `emitVxlan` covers. */
export function vxlanReprLen(repr: VxlanRepr): number {
  return VXLAN_HEADER_LEN + repr.payloadLen;
}

export function parseVxlan(view: VxlanPacket, out: VxlanRepr): number {
  const drop = view.check();
  if (drop !== 0) return drop;
  out.vni = view.vni();
  out.payloadLen = view.payloadLen();
  return WireDrop.code.none;
}

/**
 * Writes every header byte: the I flag, the VNI, reserved fields zero (RFC 7348 §5). Afterwards
 * `view.len` is `vxlanReprLen(repr)`. Throws RangeError (a caller bug) when the view is shorter
 * than that or the VNI does not fit 24 bits.
 */
export function emitVxlan(repr: VxlanRepr, view: VxlanPacket): void {
  const total = VXLAN_HEADER_LEN + repr.payloadLen;
  if (view.len < total) throw new RangeError('VXLAN packet does not fit the view');
  if (repr.vni < 0 || repr.vni > VXLAN_VNI_MAX) throw new RangeError('VXLAN VNI is 24 bits');
  view.len = total;
  view.setFlags(VXLAN_FLAG_I);
  view.setVni(repr.vni);
}

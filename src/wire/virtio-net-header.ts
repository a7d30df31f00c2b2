import { EMPTY_BYTES } from './byte-order.js';
import { WireDrop } from './wire-drop.js';

/**
 * The virtio-net header (`struct virtio_net_hdr`, virtio 1.0 §5.1.6) that a Linux TUN device
 * opened with IFF_VNET_HDR puts before every packet read and expects before every packet written.
 * It carries the offload metadata: whether the transport checksum is still to be completed
 * (NEEDS_CSUM, with where it starts and where the field sits) and whether the packet is a GSO
 * super-segment (type and segment size) that stands for many wire packets.
 *
 *  0               1               2               3
 *  0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 * +---------------+---------------+-------------------------------+
 * |     flags     |   gso_type    |        hdr_len (le16)         |
 * +---------------+---------------+-------------------------------+
 * |        gso_size (le16)        |       csum_start (le16)       |
 * +-------------------------------+-------------------------------+
 * |       csum_offset (le16)      |
 * +-------------------------------+
 *
 * Byte order: the 16-bit fields are little-endian, the one little-endian header natmesh reads,
 * so this file has its own accessors rather than the network-order ones of byte-order.ts.
 * Virtio 1.0 fixes little-endian; the Linux tun driver follows the legacy virtio rule (the host's
 * native order, `virtio_legacy_is_little_endian()`) unless TUNSETVNETLE was issued
 * (`tun_is_little_endian`: TUN_VNET_LE flag, or legacy). On x86 the two agree; the TUN port sets
 * TUNSETVNETLE anyway so a big-endian host (s390x, ppc64) speaks the same header.
 *
 * All offsets are from the start of the packet after this header. With a TUN device (no
 * Ethernet header) that is the IP header, so `csumStart` is the transport header's offset.
 */
export const VIRTIO_NET_HDR_LEN = 10;
export const VIRTIO_NET_HDR_OFF_FLAGS = 0;
export const VIRTIO_NET_HDR_OFF_GSO_TYPE = 1;
export const VIRTIO_NET_HDR_OFF_HDR_LEN = 2;
export const VIRTIO_NET_HDR_OFF_GSO_SIZE = 4;
export const VIRTIO_NET_HDR_OFF_CSUM_START = 6;
export const VIRTIO_NET_HDR_OFF_CSUM_OFFSET = 8;

/** `flags` bits (virtio 1.0 §5.1.6, linux/virtio_net.h). */
export const VirtioNetFlag = {
  /** The transport checksum is partial: the field at csumStart + csumOffset holds the folded
   * pseudo-header sum, and the sum of everything from csumStart to the end must be folded into
   * it (the receiver, or the device, completes it). */
  NeedsCsum: 1,
  /** The sender verified the checksum (the kernel's CHECKSUM_UNNECESSARY). */
  DataValid: 2,
  /** csum fields carry receive-segment-coalescing counts (VIRTIO_NET_F_RSC_EXT). A TUN device
   * never sets it; natmesh refuses it rather than misread the checksum fields. */
  RscInfo: 4,
} as const;
/** The flags this codec accepts. */
export const VIRTIO_NET_KNOWN_FLAGS = VirtioNetFlag.NeedsCsum | VirtioNetFlag.DataValid;

/** `gso_type` values: the low 7 bits name the segmentation, the top bit is a modifier. */
export const VirtioGsoType = {
  None: 0,
  /** TCP over IPv4 (TSO). */
  TcpV4: 1,
  /** Legacy UDP fragmentation offload (UFO): one datagram cut into IP fragments. */
  Udp: 3,
  /** TCP over IPv6. */
  TcpV6: 4,
  /** UDP segmentation (USO, Linux 6.2+ TUN_F_USO4/6): many datagrams of gso_size payload each. */
  UdpL4: 5,
  /** Modifier: the TCP segments carry ECN (CWR on the first, RFC 3168 §6.1.2). */
  Ecn: 0x80,
} as const;
export const VIRTIO_GSO_TYPE_MASK = 0x7f;

/**
 * Zero-copy view of a virtio-net header, bound to a buffer and reused. `off` is the absolute
 * offset of the header in `buf`, `len` the bytes from there to the end of the packet.
 */
export class VirtioNetHeader {
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
   * Validates the fields the header alone can be judged on: length, flag bits, a known GSO type
   * (the ECN modifier only on TCP) and a non-zero segment size for GSO. Whether csumStart and
   * hdrLen fit the packet after it is for the GSO helpers, which know the packet. Once it returns
   * 0 the header lies in the bound length.
   */
  check(): number {
    if (this.len < VIRTIO_NET_HDR_LEN) return WireDrop.code.truncated;
    if ((this.flags() & ~VIRTIO_NET_KNOWN_FLAGS) !== 0) return WireDrop.code.badFlags;
    const gso = this.gsoType();
    const kind = gso & VIRTIO_GSO_TYPE_MASK;
    if (kind !== VirtioGsoType.None && kind !== VirtioGsoType.TcpV4 && kind !== VirtioGsoType.Udp &&
      kind !== VirtioGsoType.TcpV6 && kind !== VirtioGsoType.UdpL4) return WireDrop.code.badType;
    if ((gso & VirtioGsoType.Ecn) !== 0 && kind !== VirtioGsoType.TcpV4 && kind !== VirtioGsoType.TcpV6) {
      return WireDrop.code.badType;
    }
    if (kind !== VirtioGsoType.None && this.gsoSize() === 0) return WireDrop.code.badLength;
    return WireDrop.code.none;
  }

  flags(): number {
    return this.buf[this.off + VIRTIO_NET_HDR_OFF_FLAGS]!;
  }

  /** The whole `gso_type` byte, ECN modifier included. */
  gsoType(): number {
    return this.buf[this.off + VIRTIO_NET_HDR_OFF_GSO_TYPE]!;
  }

  /** `gso_type` without the ECN modifier. */
  gsoKind(): number {
    return this.gsoType() & VIRTIO_GSO_TYPE_MASK;
  }

  /** Bytes of headers at the front (a hint for the receiver's linear buffer). Linux fills it with
   * the skb's linear length, which can exceed the headers; trust the packet, not this. */
  hdrLen(): number {
    return readLe16(this.buf, this.off + VIRTIO_NET_HDR_OFF_HDR_LEN);
  }

  /** Payload bytes per segment (the MSS for TCP) when `gsoKind()` is not None. */
  gsoSize(): number {
    return readLe16(this.buf, this.off + VIRTIO_NET_HDR_OFF_GSO_SIZE);
  }

  csumStart(): number {
    return readLe16(this.buf, this.off + VIRTIO_NET_HDR_OFF_CSUM_START);
  }

  /** Offset of the checksum field from csumStart: 16 for TCP, 6 for UDP. */
  csumOffset(): number {
    return readLe16(this.buf, this.off + VIRTIO_NET_HDR_OFF_CSUM_OFFSET);
  }

  needsChecksum(): boolean {
    return (this.flags() & VirtioNetFlag.NeedsCsum) !== 0;
  }

  isGso(): boolean {
    return this.gsoKind() !== VirtioGsoType.None;
  }

  /** The packet after the header. */
  payloadOff(): number {
    return this.off + VIRTIO_NET_HDR_LEN;
  }

  payloadLen(): number {
    return this.len - VIRTIO_NET_HDR_LEN;
  }

  setFlags(v: number): void {
    this.buf[this.off + VIRTIO_NET_HDR_OFF_FLAGS] = v;
  }

  setGsoType(v: number): void {
    this.buf[this.off + VIRTIO_NET_HDR_OFF_GSO_TYPE] = v;
  }

  setHdrLen(v: number): void {
    writeLe16(this.buf, this.off + VIRTIO_NET_HDR_OFF_HDR_LEN, v);
  }

  setGsoSize(v: number): void {
    writeLe16(this.buf, this.off + VIRTIO_NET_HDR_OFF_GSO_SIZE, v);
  }

  setCsumStart(v: number): void {
    writeLe16(this.buf, this.off + VIRTIO_NET_HDR_OFF_CSUM_START, v);
  }

  setCsumOffset(v: number): void {
    writeLe16(this.buf, this.off + VIRTIO_NET_HDR_OFF_CSUM_OFFSET, v);
  }

  /** Writes the all-zero header: a plain packet, checksum complete, no segmentation. */
  clear(): void {
    const b = this.buf, p = this.off;
    for (let i = 0; i < VIRTIO_NET_HDR_LEN; i++) b[p + i] = 0;
  }
}

/** A virtio-net header as a value. Reused: parse overwrites every field. */
export class VirtioNetHeaderRepr {
  flags = 0;
  /** Whole `gso_type` byte, ECN modifier included. */
  gsoType = 0;
  hdrLen = 0;
  gsoSize = 0;
  csumStart = 0;
  csumOffset = 0;
}

export function parseVirtioNetHeader(view: VirtioNetHeader, out: VirtioNetHeaderRepr): number {
  const drop = view.check();
  if (drop !== 0) return drop;
  out.flags = view.flags();
  out.gsoType = view.gsoType();
  out.hdrLen = view.hdrLen();
  out.gsoSize = view.gsoSize();
  out.csumStart = view.csumStart();
  out.csumOffset = view.csumOffset();
  return WireDrop.code.none;
}

/**
 * Writes all ten header bytes. Throws RangeError (a caller bug) when the view is shorter than
 * the header or a field does not fit its width.
 */
export function emitVirtioNetHeader(repr: VirtioNetHeaderRepr, view: VirtioNetHeader): void {
  if (view.len < VIRTIO_NET_HDR_LEN) throw new RangeError('virtio-net header does not fit the view');
  if (!fitsU8(repr.flags) || !fitsU8(repr.gsoType) || !fitsU16(repr.hdrLen) || !fitsU16(repr.gsoSize) ||
    !fitsU16(repr.csumStart) || !fitsU16(repr.csumOffset)) {
    throw new RangeError('virtio-net header field out of range');
  }
  view.setFlags(repr.flags);
  view.setGsoType(repr.gsoType);
  view.setHdrLen(repr.hdrLen);
  view.setGsoSize(repr.gsoSize);
  view.setCsumStart(repr.csumStart);
  view.setCsumOffset(repr.csumOffset);
}

function fitsU8(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= 0xff;
}

function fitsU16(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= 0xffff;
}

function readLe16(buf: Uint8Array, off: number): number {
  return buf[off]! | (buf[off + 1]! << 8);
}

function writeLe16(buf: Uint8Array, off: number, v: number): void {
  buf[off] = v;
  buf[off + 1] = v >>> 8;
}

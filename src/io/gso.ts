import type { FrameBatch } from '../pipeline/frame-batch.js';
import { readU16, readU32, writeU16, writeU32 } from '../wire/byte-order.js';
import { finishChecksum, foldSum, pseudoHeaderSum4, pseudoHeaderSum6, sumWords } from '../wire/checksum.js';
import { IpProtocol } from '../wire/ip-protocol.js';
import {
  IPV4_FLAG_MF, IPV4_FRAG_OFFSET_MASK, IPV4_HEADER_LEN, IPV4_OFF_CHECKSUM, IPV4_OFF_DST, IPV4_OFF_FLAGS_FRAG,
  IPV4_OFF_IDENT, IPV4_OFF_PROTOCOL, IPV4_OFF_SRC, IPV4_OFF_TOTAL_LEN,
} from '../wire/ipv4.js';
import { IPV6_HEADER_LEN, IPV6_OFF_DST, IPV6_OFF_NEXT_HEADER, IPV6_OFF_PAYLOAD_LEN, IPV6_OFF_SRC } from '../wire/ipv6.js';
import { Ipv6ExtChain } from '../wire/ipv6-extension-headers.js';
import { TCP_HEADER_LEN, TCP_OFF_CHECKSUM, TCP_OFF_DATA_OFF, TCP_OFF_FLAGS, TCP_OFF_SEQ, TcpFlag } from '../wire/tcp.js';
import { UDP_HEADER_LEN, UDP_OFF_CHECKSUM, UDP_OFF_LENGTH } from '../wire/udp.js';
import { VirtioGsoType, VirtioNetFlag, type VirtioNetHeader } from '../wire/virtio-net-header.js';
import { GsoDrop } from './gso-drop.js';

/**
 * What the TUN port does around the translator for packets that carry virtio-net offload
 * metadata (src/wire/virtio-net-header.ts): a partial transport checksum (NEEDS_CSUM) and/or a
 * GSO super-segment of up to 64 KB standing for many TCP or UDP segments.
 *
 * - `retargetVirtioHeader`: after the translator rewrote the IP header (IPv6 → IPv4 shrinks it
 *   by 20 bytes or more, IPv4 → IPv6 grows it), make the header describe the new packet: GSO type
 *   TCPV6 ↔ TCPV4, csum_start and hdr_len moved by the header size difference, csum_offset kept,
 *   the segment size cut to the output MTU for TCP, and the partial checksum recomputed over the
 *   new pseudo-header (the translator's RFC 1624 update assumes a complete checksum).
 * - `segmentSuperPacket`: software segmentation when the output has no offload (a tunnel port,
 *   a TUN device without TSO): MSS-sized packets with their own IP length, IPv4 Identification,
 *   TCP sequence number and flags, and complete checksums, as Linux's tcp_gso_segment cuts them.
 * - `completeChecksum`: finish a NEEDS_CSUM packet's checksum in software (skb_checksum_help).
 *
 * Offsets in the virtio-net header count from the first byte of the IP packet (a TUN device has
 * no link header). All helpers work in place or into a caller's `FrameBatch`, allocate nothing,
 * and return 0 or a `GsoDrop` code.
 */

/** Linux's default (GSO_LEGACY_MAX_SIZE): a super-segment never exceeds it, headers included. */
export const GSO_MAX_PACKET_LEN = 65536;

/** Where the transport header of a packet starts, as `locateTransport` found it. Reused. */
export class TransportLocation {
  /** 4 or 6. */
  family = 0;
  /** Transport protocol (after any IPv6 extension headers). */
  protocol = 0;
  /** Offset of the transport header from the start of the IP packet. */
  l4Off = 0;
}

const chain = new Ipv6ExtChain();
const where = new TransportLocation();

/**
 * Finds the transport header of the IP packet `pkt[off, off+len)`: IPv4 header length, or the
 * IPv6 extension header chain walked. The IP length field must cover exactly `len` (a TUN read
 * returns one whole packet) and the packet must not be a fragment: offloads only exist for whole
 * transport segments.
 */
export function locateTransport(pkt: Uint8Array, off: number, len: number, out: TransportLocation): number {
  if (len < 1) return GsoDrop.code.badIpLength;
  const version = pkt[off]! >>> 4;
  if (version === 4) {
    if (len < IPV4_HEADER_LEN) return GsoDrop.code.badIpLength;
    const ihl = (pkt[off]! & 0x0f) << 2;
    if (ihl < IPV4_HEADER_LEN || ihl > len) return GsoDrop.code.badIpLength;
    if (readU16(pkt, off + IPV4_OFF_TOTAL_LEN) !== len) return GsoDrop.code.badIpLength;
    if ((readU16(pkt, off + IPV4_OFF_FLAGS_FRAG) & (IPV4_FLAG_MF | IPV4_FRAG_OFFSET_MASK)) !== 0) return GsoDrop.code.fragment;
    out.family = 4;
    out.protocol = pkt[off + IPV4_OFF_PROTOCOL]!;
    out.l4Off = ihl;
    return 0;
  }
  if (version === 6) {
    if (len < IPV6_HEADER_LEN) return GsoDrop.code.badIpLength;
    if (readU16(pkt, off + IPV6_OFF_PAYLOAD_LEN) + IPV6_HEADER_LEN !== len) return GsoDrop.code.badIpLength;
    if (chain.walk(pkt, off + IPV6_HEADER_LEN, off + len, pkt[off + IPV6_OFF_NEXT_HEADER]!, off + IPV6_OFF_NEXT_HEADER) !== 0) {
      return GsoDrop.code.badIpLength;
    }
    if (chain.fragHeaderOff >= 0) return GsoDrop.code.fragment;
    out.family = 6;
    out.protocol = chain.upperProtocol;
    out.l4Off = chain.upperOff - off;
    return 0;
  }
  return GsoDrop.code.badIpVersion;
}

/** Length of the transport header at `pkt[l4, ...)` for TCP (data offset) or UDP, or 0 when it
 * does not fit `end` or is not one of the two. */
function transportHeaderLen(pkt: Uint8Array, l4: number, end: number, protocol: number): number {
  if (protocol === IpProtocol.Udp) return l4 + UDP_HEADER_LEN <= end ? UDP_HEADER_LEN : 0;
  if (protocol !== IpProtocol.Tcp || l4 + TCP_HEADER_LEN > end) return 0;
  const thl = (pkt[l4 + TCP_OFF_DATA_OFF]! >>> 4) << 2;
  return thl >= TCP_HEADER_LEN && l4 + thl <= end ? thl : 0;
}

/** Unfolded pseudo-header sum (RFC 793 §3.1 / RFC 8200 §8.1) of the packet at `off` for an
 * upper-layer length `l4Len`. */
function pseudoSum(pkt: Uint8Array, off: number, family: number, protocol: number, l4Len: number): number {
  return family === 4
    ? pseudoHeaderSum4(pkt, off + IPV4_OFF_SRC, off + IPV4_OFF_DST, protocol, l4Len)
    : pseudoHeaderSum6(pkt, off + IPV6_OFF_SRC, off + IPV6_OFF_DST, protocol, l4Len);
}

/**
 * Makes the virtio-net header `hdr` describe the translated IP packet `pkt[off, off+len)`, whose
 * header may differ in size and family from the one the kernel described:
 * - csum_start becomes the new transport offset and hdr_len moves by the same amount (at least
 *   the headers, at most the packet); csum_offset (16 TCP, 6 UDP) is relative and stays;
 * - a TCP GSO type follows the family (TCPV6 ↔ TCPV4), keeping the ECN modifier; USO (UDP_L4)
 *   is family-neutral; legacy UFO is refused;
 * - with `mtu` > 0, a TCP segment size is cut so headers plus one segment fit it: IPv4 → IPv6
 *   adds 20 bytes per segment and 1460-byte segments of a 1500-byte IPv4 path would not fit a
 *   1500-byte IPv6 one. UDP segment sizes are datagram boundaries and cannot shrink:
 *   `segmentTooBig`, for the caller to answer with ICMP as for any too-big packet;
 * - the partial checksum field is recomputed over the new pseudo-header (addresses, protocol,
 *   transport length), the value Linux leaves there, whatever the translator made of it.
 * A GSO header without NEEDS_CSUM gets it (the kernel wants partial checksums with GSO).
 * Returns 0 or a `GsoDrop` code; on a code `hdr` may be half-updated and the packet is dropped.
 */
export function retargetVirtioHeader(hdr: VirtioNetHeader, pkt: Uint8Array, off: number, len: number, mtu = 0): number {
  const gso = hdr.gsoType();
  const kind = gso & 0x7f;
  const partial = hdr.needsChecksum();
  if (kind === VirtioGsoType.None && !partial) return 0;
  if (kind === VirtioGsoType.Udp) return GsoDrop.code.unsupportedGsoType;
  const drop = locateTransport(pkt, off, len, where);
  if (drop !== 0) return drop;
  const l4 = where.l4Off;
  const thl = transportHeaderLen(pkt, off + l4, off + len, where.protocol);
  if (kind !== VirtioGsoType.None) {
    const tcp = kind === VirtioGsoType.TcpV4 || kind === VirtioGsoType.TcpV6;
    if (!tcp && kind !== VirtioGsoType.UdpL4) return GsoDrop.code.unsupportedGsoType;
    if (where.protocol !== (tcp ? IpProtocol.Tcp : IpProtocol.Udp)) return GsoDrop.code.transportMismatch;
    if (thl === 0) return GsoDrop.code.badTransportHeader;
    if (tcp) hdr.setGsoType((where.family === 4 ? VirtioGsoType.TcpV4 : VirtioGsoType.TcpV6) | (gso & VirtioGsoType.Ecn));
    let size = hdr.gsoSize();
    if (size === 0) return GsoDrop.code.badGsoSize;
    if (mtu > 0 && l4 + thl + size > mtu) {
      if (!tcp) return GsoDrop.code.segmentTooBig;
      size = mtu - l4 - thl;
      if (size <= 0) return GsoDrop.code.badGsoSize;
      hdr.setGsoSize(size);
    }
    // The kernel reports the skb's linear length, which may run into the payload; keep that
    // much (moved with the header) but never less than the headers or more than the packet.
    const oldL4 = partial ? hdr.csumStart() : l4;
    let hl = hdr.hdrLen() + l4 - oldL4;
    if (hl < l4 + thl) hl = l4 + thl;
    if (hl > len) hl = len;
    hdr.setHdrLen(hl);
    if (!partial) {
      hdr.setFlags(hdr.flags() | VirtioNetFlag.NeedsCsum);
      hdr.setCsumOffset(tcp ? TCP_OFF_CHECKSUM : UDP_OFF_CHECKSUM);
    }
  }
  hdr.setCsumStart(l4);
  const field = l4 + hdr.csumOffset();
  if (field + 2 > len) return GsoDrop.code.badChecksumOffset;
  // Linux stores ~csum_tcpudp_magic(...) / ~csum_ipv6_magic(...): the folded pseudo-header sum,
  // not complemented. Only TCP and UDP carry a pseudo-header; any other protocol keeps its value.
  if (where.protocol === IpProtocol.Tcp || where.protocol === IpProtocol.Udp) {
    writeU16(pkt, off + field, foldSum(pseudoSum(pkt, off, where.family, where.protocol, len - l4)));
  }
  return 0;
}

/**
 * Completes the partial checksum of a non-GSO NEEDS_CSUM packet in place, as Linux's
 * skb_checksum_help does: the field holds the pseudo-header sum, so the ones' complement sum
 * from csum_start to the end of the packet, complemented, is the checksum (0 is sent as 0xffff,
 * which for UDP means "computed", RFC 768). Clears NEEDS_CSUM. A packet without NEEDS_CSUM is
 * left alone. Returns 0 or a `GsoDrop` code.
 */
export function completeChecksum(hdr: VirtioNetHeader, pkt: Uint8Array, off: number, len: number): number {
  if (!hdr.needsChecksum()) return 0;
  if (hdr.isGso()) return GsoDrop.code.needsSegmentation;
  const start = hdr.csumStart();
  const field = start + hdr.csumOffset();
  if (start >= len || field + 2 > len) return GsoDrop.code.badChecksumOffset;
  const c = finishChecksum(sumWords(pkt, off + start, len - start, 0));
  writeU16(pkt, off + field, c === 0 ? 0xffff : c);
  hdr.setFlags(hdr.flags() & ~VirtioNetFlag.NeedsCsum);
  return 0;
}

/**
 * Cuts the GSO super-segment `pkt[off, off+len)` described by `hdr` into wire-sized packets and
 * appends them to `out`, each preceded by `headroom` zero bytes (10 makes each frame a plain
 * virtio-net packet for a TUN write; a tunnel port fills its own encapsulation there). Every
 * segment gets:
 * - the headers copied (IPv4 options and IPv6 extension headers included), IPv4 Total Length or
 *   IPv6 Payload Length for its size, IPv4 Identification incremented per segment from the
 *   super-segment's (as Linux does unless FIXEDID) and a fresh IPv4 header checksum;
 * - TCP: sequence number advanced by the payload before it; FIN and PSH only on the last
 *   segment, CWR only on the first (RFC 3168 §6.1.2: CWR marks one segment); other flags kept;
 * - UDP (USO): its own Length;
 * - a complete transport checksum (the payload is summed while it is copied: one pass).
 * The output is all or nothing: when `out` lacks frames or bytes nothing is appended and
 * `noRoom` is returned. Returns 0 or a `GsoDrop` code.
 */
export function segmentSuperPacket(hdr: VirtioNetHeader, pkt: Uint8Array, off: number, len: number, out: FrameBatch, headroom = 0): number {
  const kind = hdr.gsoKind();
  if (kind === VirtioGsoType.None) return GsoDrop.code.notGso;
  const tcp = kind === VirtioGsoType.TcpV4 || kind === VirtioGsoType.TcpV6;
  if (!tcp && kind !== VirtioGsoType.UdpL4) return GsoDrop.code.unsupportedGsoType;
  const drop = locateTransport(pkt, off, len, where);
  if (drop !== 0) return drop;
  const family = where.family;
  const protocol = where.protocol;
  if (tcp ? protocol !== IpProtocol.Tcp || (kind === VirtioGsoType.TcpV4) !== (family === 4) : protocol !== IpProtocol.Udp) {
    return GsoDrop.code.transportMismatch;
  }
  const l4 = where.l4Off;
  const thl = transportHeaderLen(pkt, off + l4, off + len, protocol);
  if (thl === 0) return GsoDrop.code.badTransportHeader;
  const mss = hdr.gsoSize();
  if (mss === 0) return GsoDrop.code.badGsoSize;
  const headersLen = l4 + thl;
  const payloadLen = len - headersLen;
  const segments = payloadLen <= mss ? 1 : Math.ceil(payloadLen / mss);
  if (out.offsets.length - out.count < segments ||
    out.bytes.length - out.used < segments * (headroom + headersLen) + payloadLen) {
    return GsoDrop.code.noRoom;
  }

  const ident = family === 4 ? readU16(pkt, off + IPV4_OFF_IDENT) : 0;
  const seq = tcp ? readU32(pkt, off + l4 + TCP_OFF_SEQ) : 0;
  const flags = tcp ? pkt[off + l4 + TCP_OFF_FLAGS]! : 0;
  const dst = out.bytes;
  let payloadOff = off + headersLen;
  for (let i = 0; i < segments; i++) {
    const chunk = i === segments - 1 ? payloadLen - i * mss : mss;
    const frame = out.used;
    for (let k = 0; k < headroom; k++) dst[frame + k] = 0;
    const ip = frame + headroom;
    for (let k = 0; k < headersLen; k++) dst[ip + k] = pkt[off + k]!;
    const segLen = headersLen + chunk;
    const payloadSum = copyAndSum(dst, ip + headersLen, pkt, payloadOff, chunk);
    payloadOff += chunk;

    if (family === 4) {
      writeU16(dst, ip + IPV4_OFF_TOTAL_LEN, segLen);
      writeU16(dst, ip + IPV4_OFF_IDENT, ident + i);
      writeU16(dst, ip + IPV4_OFF_CHECKSUM, 0);
      writeU16(dst, ip + IPV4_OFF_CHECKSUM, finishChecksum(sumWords(dst, ip, l4, 0)));
    } else {
      writeU16(dst, ip + IPV6_OFF_PAYLOAD_LEN, segLen - IPV6_HEADER_LEN);
    }
    const th = ip + l4;
    if (tcp) {
      writeU32(dst, th + TCP_OFF_SEQ, seq + i * mss);
      let f = flags;
      if (i > 0) f &= ~TcpFlag.Cwr;
      if (i < segments - 1) f &= ~(TcpFlag.Fin | TcpFlag.Psh);
      dst[th + TCP_OFF_FLAGS] = f;
      writeU16(dst, th + TCP_OFF_CHECKSUM, 0);
    } else {
      writeU16(dst, th + UDP_OFF_LENGTH, thl + chunk);
      writeU16(dst, th + UDP_OFF_CHECKSUM, 0);
    }
    const sum = pseudoSum(dst, ip, family, protocol, thl + chunk) + sumWords(dst, th, thl, 0) + payloadSum;
    const c = finishChecksum(sum);
    // RFC 768: a computed UDP checksum of zero is sent as all ones; for TCP both mean the same.
    writeU16(dst, th + (tcp ? TCP_OFF_CHECKSUM : UDP_OFF_CHECKSUM), c === 0 && !tcp ? 0xffff : c);
    out.push(headroom + segLen, 0);
  }
  return 0;
}

/**
 * Copies `src[srcOff, srcOff+n)` to `dst[dstOff, ...)` and returns the unfolded sum of its
 * 16-bit big-endian words (an odd last byte padded with zero, RFC 1071 §4.1). One pass over the
 * payload instead of a copy and then a checksum, and no subarray per segment.
 */
function copyAndSum(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number, n: number): number {
  let sum = 0;
  let i = 0;
  const end8 = n & ~7;
  for (; i < end8; i += 8) {
    const s = srcOff + i, d = dstOff + i;
    const b0 = src[s]!, b1 = src[s + 1]!, b2 = src[s + 2]!, b3 = src[s + 3]!;
    const b4 = src[s + 4]!, b5 = src[s + 5]!, b6 = src[s + 6]!, b7 = src[s + 7]!;
    dst[d] = b0; dst[d + 1] = b1; dst[d + 2] = b2; dst[d + 3] = b3;
    dst[d + 4] = b4; dst[d + 5] = b5; dst[d + 6] = b6; dst[d + 7] = b7;
    sum += ((b0 << 8) | b1) + ((b2 << 8) | b3) + ((b4 << 8) | b5) + ((b6 << 8) | b7);
  }
  for (; i + 1 < n; i += 2) {
    const b0 = src[srcOff + i]!, b1 = src[srcOff + i + 1]!;
    dst[dstOff + i] = b0; dst[dstOff + i + 1] = b1;
    sum += (b0 << 8) | b1;
  }
  if (i < n) {
    const b0 = src[srcOff + i]!;
    dst[dstOff + i] = b0;
    sum += b0 << 8;
  }
  return sum;
}

/**
 * Writes into `hdr` the virtio-net header of the super-segment `pkt[off, off+len)` whose
 * segments carry `gsoSize` payload bytes each, as the pipeline leaves it (`XlatOutput.gsoSizes`):
 * NEEDS_CSUM, the GSO type of its family and transport (TCPV4, TCPV6, UDP_L4), headers length,
 * csum_start/csum_offset, and the partial checksum field rewritten from the packet's own
 * pseudo-header. That last step is what makes NAT safe: the translator and the NAPT port
 * rewrite adjust checksums incrementally (RFC 1624), which is right for a complete checksum and
 * wrong for a partial one, and ports are not in the pseudo-header anyway (the kernel sums them
 * with the data when it cuts the segments). `gsoSize` 0 writes the all-zero header of an
 * ordinary packet. Returns 0 or a `GsoDrop` code.
 */
export function describeSuperSegment(hdr: VirtioNetHeader, pkt: Uint8Array, off: number, len: number, gsoSize: number): number {
  hdr.clear();
  if (gsoSize === 0) return 0;
  const drop = locateTransport(pkt, off, len, where);
  if (drop !== 0) return drop;
  const tcp = where.protocol === IpProtocol.Tcp;
  if (!tcp && where.protocol !== IpProtocol.Udp) return GsoDrop.code.transportMismatch;
  hdr.setFlags(VirtioNetFlag.NeedsCsum);
  hdr.setGsoType(tcp ? (where.family === 4 ? VirtioGsoType.TcpV4 : VirtioGsoType.TcpV6) : VirtioGsoType.UdpL4);
  hdr.setGsoSize(gsoSize);
  hdr.setCsumOffset(tcp ? TCP_OFF_CHECKSUM : UDP_OFF_CHECKSUM);
  return retargetVirtioHeader(hdr, pkt, off, len, 0);
}

import { readU16, writeU16 } from '../wire/byte-order.js';
import { foldSum, internetChecksum, pseudoHeaderSum4, pseudoHeaderSum6, sumWords } from '../wire/checksum.js';
import { IpProtocol } from '../wire/ip-protocol.js';
import { IPV4_HEADER_LEN, IPV4_OFF_CHECKSUM, IPV4_OFF_DST, IPV4_OFF_FLAGS_FRAG, IPV4_OFF_SRC, IPV4_OFF_TOTAL_LEN } from '../wire/ipv4.js';
import { IPV6_HEADER_LEN, IPV6_OFF_DST, IPV6_OFF_PAYLOAD_LEN, IPV6_OFF_SRC } from '../wire/ipv6.js';
import { UDP_HEADER_LEN, UDP_OFF_CHECKSUM, UDP_OFF_LENGTH } from '../wire/udp.js';
import { VIRTIO_NET_HDR_LEN, VirtioNetHeader } from '../wire/virtio-net-header.js';
import { copyBytes } from '../xlat/byte-copy.js';
import { describeSuperSegment } from './gso.js';

/**
 * Most datagrams one coalesced write carries: Linux's UDP_MAX_SEGMENTS, the most a UDP_SEGMENT
 * send may carry (64 for years, more in recent kernels; the lower value holds everywhere).
 */
export const TUN_COALESCE_MAX_DATAGRAMS = 64;

/** IPv4 Flags/Fragment Offset: MF and the offset (a fragment is never coalesced). */
const IPV4_FRAGMENT_BITS = 0x3fff;

/**
 * The packets a TUN port writes, queued between two flushes, each with its virtio-net header in
 * front, so a write is one `writeSync` of one contiguous range. Consecutive UDP datagrams of one
 * flow are coalesced into one USO super-segment (virtio GSO UDP_L4, Linux 6.2+): one write and
 * one pass through the kernel's IP stack stand for up to 64 datagrams, which the kernel cuts
 * again where it must (at the receiving socket, or a device without USO) into datagrams equal
 * to the ones queued, IPv4 Identification aside (numbered up from the first's). That is what
 * a flood of small datagrams needs: each write to a TUN device carries the kernel's whole
 * forwarding of the packet, several times the translator's own work per packet.
 *
 * A datagram joins the previous one only when nothing but its payload and IPv4 Identification
 * differ: same family, addresses, ports, TOS or Traffic Class and Flow Label, TTL or Hop Limit,
 * DF; no IPv4 options, IPv6 extension headers or fragments; the same payload size as the first
 * (the last may be shorter, and closes the run). Both checksums are verified first: the kernel
 * computes fresh ones for the segments, so a datagram damaged on the way in must not be
 * coalesced into one that looks whole. An IPv4 datagram without a checksum (0) is written as
 * it is, for the same reason.
 *
 * Entries are recorded in typed arrays like a `FrameBatch`: `offsets` (of the virtio-net
 * header), `lengths` (header included), `datagrams` (1, or how many a coalesced entry carries)
 * and `ipBytes` (of the datagrams as queued). `finish(i)` completes entry i's headers before it
 * is written. Allocates nothing per packet.
 */
export class TunWriteQueue {
  readonly bytes: Uint8Array;
  count = 0;
  used = 0;
  readonly offsets: Int32Array;
  readonly lengths: Int32Array;
  readonly datagrams: Int32Array;
  readonly ipBytes: Float64Array;
  /** Segment size of each entry: the super-segment's (`gsoSize`) or the coalesced datagrams'
   * payload size; 0 for an ordinary packet. */
  readonly segmentSizes: Int32Array;
  /** Datagrams queued into an entry that already held one. */
  coalesced = 0;
  private readonly hdr = new VirtioNetHeader();
  /** The last entry is a UDP datagram (or run) later datagrams of its flow may join. */
  private open = false;
  /** Its first datagram's checksum has been verified. */
  private openVerified = false;
  /** Transport header offset from the IP header of the open entry (20 or 40). */
  private openL4 = 0;

  /** `bytes`: the queue's room (a window of the port's arena, so the copy in is native). */
  constructor(bytes: Uint8Array, maxEntries = 64) {
    if (!(maxEntries > 0)) throw new RangeError('TunWriteQueue needs a positive entry count');
    this.bytes = bytes;
    this.offsets = new Int32Array(maxEntries);
    this.lengths = new Int32Array(maxEntries);
    this.datagrams = new Int32Array(maxEntries);
    this.ipBytes = new Float64Array(maxEntries);
    this.segmentSizes = new Int32Array(maxEntries);
  }

  reset(): void {
    this.count = 0;
    this.used = 0;
    this.open = false;
  }

  /** Whether a packet of `len` bytes needs a flush first (no entry or no room left). Coalescing
   * needs less, so this is the bound for any packet. */
  full(len: number): boolean {
    return this.count === this.offsets.length || this.used + VIRTIO_NET_HDR_LEN + len > this.bytes.length;
  }

  /**
   * Queues the IP packet `buf[off, off+len)`: an ordinary packet (`gsoSize` 0), joined to the
   * previous entry when it can be, or a super-segment of `gsoSize`-byte segments described by
   * its own header. The caller checked `full(len)`. Returns 0 or the `GsoDrop` code of a
   * super-segment that cannot be described (nothing is queued then).
   */
  push(buf: Uint8Array, off: number, len: number, gsoSize: number): number {
    if (gsoSize === 0 && this.open && this.join(buf, off, len)) return 0;
    const i = this.count;
    const o = this.used;
    const ip = o + VIRTIO_NET_HDR_LEN;
    copyBytes(buf, off, this.bytes, ip, len);
    const hdr = this.hdr.bind(this.bytes, o, VIRTIO_NET_HDR_LEN + len);
    if (gsoSize > 0) {
      const code = describeSuperSegment(hdr, this.bytes, ip, len, gsoSize);
      if (code !== 0) return code;
    } else hdr.clear();
    this.offsets[i] = o;
    this.lengths[i] = VIRTIO_NET_HDR_LEN + len;
    this.datagrams[i] = 1;
    this.ipBytes[i] = len;
    this.segmentSizes[i] = gsoSize;
    this.count = i + 1;
    this.used = o + VIRTIO_NET_HDR_LEN + len;
    this.open = gsoSize === 0 && this.openable(ip, len);
    this.openVerified = false;
    return 0;
  }

  /**
   * Makes entry `i` ready to write: a coalesced entry gets its IP and UDP lengths, its IPv4
   * header checksum and its virtio-net header (USO, partial checksum over the new
   * pseudo-header). Returns 0 or a `GsoDrop` code (the entry is not to be written).
   */
  finish(i: number): number {
    if (this.datagrams[i]! < 2) return 0;
    const b = this.bytes;
    const o = this.offsets[i]!;
    const ip = o + VIRTIO_NET_HDR_LEN;
    const len = this.lengths[i]! - VIRTIO_NET_HDR_LEN;
    let l4: number;
    if (b[ip]! >>> 4 === 4) {
      l4 = IPV4_HEADER_LEN;
      writeU16(b, ip + IPV4_OFF_TOTAL_LEN, len);
      writeU16(b, ip + IPV4_OFF_CHECKSUM, 0);
      writeU16(b, ip + IPV4_OFF_CHECKSUM, internetChecksum(b, ip, IPV4_HEADER_LEN));
    } else {
      l4 = IPV6_HEADER_LEN;
      writeU16(b, ip + IPV6_OFF_PAYLOAD_LEN, len - IPV6_HEADER_LEN);
    }
    writeU16(b, ip + l4 + UDP_OFF_LENGTH, len - l4);
    const hdr = this.hdr.bind(b, o, VIRTIO_NET_HDR_LEN + len);
    return describeSuperSegment(hdr, b, ip, len, this.segmentSizes[i]!);
  }

  /** Whether the datagram just queued at `ip` can start a run: plain IPv4 or IPv6 UDP (no
   * options, extension headers or fragments), lengths consistent, a payload, a checksum. */
  private openable(ip: number, len: number): boolean {
    const b = this.bytes;
    let l4: number;
    if (b[ip] === 0x45) {
      if (b[ip + 9] !== IpProtocol.Udp || readU16(b, ip + IPV4_OFF_TOTAL_LEN) !== len) return false;
      if ((readU16(b, ip + IPV4_OFF_FLAGS_FRAG) & IPV4_FRAGMENT_BITS) !== 0) return false;
      l4 = IPV4_HEADER_LEN;
    } else if (b[ip]! >>> 4 === 6) {
      if (b[ip + 6] !== IpProtocol.Udp || readU16(b, ip + IPV6_OFF_PAYLOAD_LEN) !== len - IPV6_HEADER_LEN) return false;
      l4 = IPV6_HEADER_LEN;
    } else return false;
    const payload = len - l4 - UDP_HEADER_LEN;
    if (payload <= 0 || readU16(b, ip + l4 + UDP_OFF_LENGTH) !== len - l4) return false;
    if (readU16(b, ip + l4 + UDP_OFF_CHECKSUM) === 0) return false;
    this.openL4 = l4;
    return true;
  }

  /** Appends the payload of the datagram `buf[off, off+len)` to the open entry when it belongs
   * to the run (see the class comment); false leaves everything as it was. */
  private join(buf: Uint8Array, off: number, len: number): boolean {
    const i = this.count - 1;
    const b = this.bytes;
    const ip = this.offsets[i]! + VIRTIO_NET_HDR_LEN;
    const l4 = this.openL4;
    const seg = this.segmentSizes[i]! > 0 ? this.segmentSizes[i]! : this.lengths[i]! - VIRTIO_NET_HDR_LEN - l4 - UDP_HEADER_LEN;
    const payload = len - l4 - UDP_HEADER_LEN;
    if (payload <= 0 || payload > seg || this.datagrams[i]! >= TUN_COALESCE_MAX_DATAGRAMS) return false;
    const size = this.lengths[i]! - VIRTIO_NET_HDR_LEN;
    // IPv4 Total Length and IPv6 Payload Length are 16 bits; the queue must hold the payload.
    if (size - (l4 === IPV6_HEADER_LEN ? IPV6_HEADER_LEN : 0) + payload > 0xffff || this.used + payload > b.length) return false;
    if (l4 === IPV4_HEADER_LEN) {
      // Version/IHL and TOS; the reserved bit and DF (MF and the offset must be 0); TTL and
      // protocol; addresses and ports.
      if (buf[off] !== 0x45 || buf[off + 1] !== b[ip + 1]) return false;
      if ((readU16(buf, off + IPV4_OFF_FLAGS_FRAG) & IPV4_FRAGMENT_BITS) !== 0 || (buf[off + 6]! & 0xc0) !== (b[ip + 6]! & 0xc0)) return false;
      if (readU16(buf, off + IPV4_OFF_TOTAL_LEN) !== len) return false;
      if (!sameBytes(buf, off + 8, b, ip + 8, 2) || !sameBytes(buf, off + 12, b, ip + 12, 12)) return false;
    } else {
      // Version, Traffic Class, Flow Label; Next Header, Hop Limit; addresses and ports.
      if (!sameBytes(buf, off, b, ip, 4) || !sameBytes(buf, off + 6, b, ip + 6, 38)) return false;
      if (readU16(buf, off + IPV6_OFF_PAYLOAD_LEN) !== len - IPV6_HEADER_LEN) return false;
    }
    if (readU16(buf, off + l4 + UDP_OFF_LENGTH) !== len - l4) return false;
    if (!udpChecksumValid(buf, off, len, l4)) return false;
    if (!this.openVerified) {
      if (!udpChecksumValid(b, ip, size, l4)) {
        this.open = false;
        return false;
      }
      this.openVerified = true;
    }
    copyBytes(buf, off + l4 + UDP_HEADER_LEN, b, this.used, payload);
    this.used += payload;
    this.lengths[i] = this.lengths[i]! + payload;
    this.datagrams[i] = this.datagrams[i]! + 1;
    this.ipBytes[i] = this.ipBytes[i]! + len;
    this.segmentSizes[i] = seg;
    this.coalesced++;
    // A short datagram ends the run: only the last segment may be shorter.
    if (payload < seg || this.datagrams[i] === TUN_COALESCE_MAX_DATAGRAMS) this.open = false;
    return true;
  }
}

/** RFC 768 / RFC 8200 §8.1: the UDP datagram at `ip + l4` with its pseudo-header sums to
 * 0xffff. A zero IPv4 checksum (none) is not valid here: it cannot be kept through a write the
 * kernel checksums. */
function udpChecksumValid(buf: Uint8Array, ip: number, len: number, l4: number): boolean {
  const udpLen = len - l4;
  if (readU16(buf, ip + l4 + UDP_OFF_CHECKSUM) === 0) return false;
  const pseudo = l4 === IPV4_HEADER_LEN
    ? pseudoHeaderSum4(buf, ip + IPV4_OFF_SRC, ip + IPV4_OFF_DST, IpProtocol.Udp, udpLen)
    : pseudoHeaderSum6(buf, ip + IPV6_OFF_SRC, ip + IPV6_OFF_DST, IpProtocol.Udp, udpLen);
  return foldSum(sumWords(buf, ip + l4, udpLen, pseudo)) === 0xffff;
}

function sameBytes(a: Uint8Array, ao: number, b: Uint8Array, bo: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (a[ao + k] !== b[bo + k]) return false;
  return true;
}

import { FrameBatch } from '../pipeline/frame-batch.js';
import { LinkKind } from '../pipeline/link-kind.js';
import { IpProtocol } from '../wire/ip-protocol.js';
import { VIRTIO_NET_HDR_LEN, VirtioGsoType, VirtioNetHeader } from '../wire/virtio-net-header.js';
import { GsoDrop } from './gso-drop.js';
import { locateTransport, segmentSuperPacket, TransportLocation } from './gso.js';

/**
 * Cuts a frame carrying a GSO super-segment (a TUN device with offloads handed natmesh one TCP
 * or UDP packet of up to 64 KB standing for many) into wire-sized frames for a port that has no
 * offload: a VXLAN or Geneve tunnel, an in-memory link. The IP packet after the frame's
 * `l2Len`-byte link header is cut with `segmentSuperPacket` (complete checksums, per-segment IP
 * lengths, TCP sequence numbers and flags as Linux cuts them) and every segment gets a copy of
 * the link header. One per port; the segments land in its own preallocated batch.
 */
export class SuperFrameSegmenter {
  readonly out: FrameBatch;
  private readonly hdrBytes = new Uint8Array(VIRTIO_NET_HDR_LEN);
  private readonly hdr = new VirtioNetHeader();
  private readonly where = new TransportLocation();

  /** `maxFrames`: most segments one super-segment may cut into (default 1024). */
  constructor(maxFrames = 1024, capacityBytes = 65536 + maxFrames * 160) {
    this.out = new FrameBatch(LinkKind.Ethernet, capacityBytes, maxFrames);
  }

  /**
   * Cuts `buf[off, off+len)`, a `l2Len`-byte link header then a super-segment of `gsoSize`-byte
   * segments, into `out` (emptied first). Returns 0 or a `GsoDrop` code.
   */
  segment(buf: Uint8Array, off: number, len: number, l2Len: number, gsoSize: number): number {
    const out = this.out;
    out.reset();
    const ip = off + l2Len;
    const ipLen = len - l2Len;
    const w = this.where;
    const rc = locateTransport(buf, ip, ipLen, w);
    if (rc !== 0) return rc;
    let type: number;
    if (w.protocol === IpProtocol.Tcp) type = w.family === 4 ? VirtioGsoType.TcpV4 : VirtioGsoType.TcpV6;
    else if (w.protocol === IpProtocol.Udp) type = VirtioGsoType.UdpL4;
    else return GsoDrop.code.transportMismatch;
    const h = this.hdr.bind(this.hdrBytes, 0, VIRTIO_NET_HDR_LEN);
    h.clear();
    h.setGsoType(type);
    h.setGsoSize(gsoSize);
    const drop = segmentSuperPacket(h, buf, ip, ipLen, out, l2Len);
    if (drop !== 0) return drop;
    const b = out.bytes;
    for (let i = 0; i < out.count; i++) {
      const fo = out.offsets[i]!;
      for (let k = 0; k < l2Len; k++) b[fo + k] = buf[off + k]!;
    }
    return 0;
  }
}

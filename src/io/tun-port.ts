import { FrameBatch } from '../pipeline/frame-batch.js';
import { LinkKind } from '../pipeline/link-kind.js';
import { composeDropReasons } from '../wire/drop-reasons.js';
import { PacketArena } from '../wire/packet-arena.js';
import { copyBytes } from '../xlat/byte-copy.js';
import { IPV6_HEADER_LEN } from '../wire/ipv6.js';
import { VIRTIO_NET_HDR_LEN, VirtioGsoType, VirtioNetHeader } from '../wire/virtio-net-header.js';
import { GsoDrop } from './gso-drop.js';
import { completeChecksum, describeSuperSegment, GSO_MAX_PACKET_LEN, retargetVirtioHeader, segmentSuperPacket } from './gso.js';
import { PortCounters, type Port, type PortBinding, type PortReceiver } from './port.js';
import { TunDevice } from './tun-device.js';
import { TunDrop } from './tun-drop.js';
import type { TunIoError } from './tun-error.js';
import { TunWriteQueue } from './tun-write-queue.js';

const reasons = composeDropReasons({
  badVnetHeader: 'virtio-net header with unknown flags or GSO type, or GSO without a segment size: the packet is not read',
  notAttached: 'packet read, or frame to send, while the port carries no interface (before attach)',
  wrongInterface: 'frame to send for an interface the port does not carry',
  notIp: 'frame to send is not an IPv4 or IPv6 packet',
  oversized: 'frame to send longer than a TUN write takes',
  closed: 'frame to send while the device is not open (before start, or after close)',
}, { gso: GsoDrop, tun: TunDrop });
export const TunPortDrop = reasons.table;
const D = reasons.own.code;
const GSO = reasons.offsets['gso']!;
const TUN = reasons.offsets['tun']!;

/** Largest IP packet the port writes: an IPv4 super-segment of 65 535 bytes grows by 20 when
 * translated to IPv6, so a little over the 64 KB a read returns. */
export const TUN_PORT_MAX_SEND_LEN = IPV6_HEADER_LEN + 0xffff;

export interface TunPortOptions {
  /** Port name (configuration `ports[].name`). */
  readonly name: string;
  /** The device: its name (opened by `start`, created if absent) or a device already open (a
   * test that moves it into a namespace first). The port owns it and closes it. */
  readonly device: string | TunDevice;
  /** Virtio-net header and offloads (default true); false: bare IP, as TAYGA reads it. */
  readonly offloads?: boolean;
  /** Told when the device fails (deleted under the port, descriptor gone); reading has stopped. */
  readonly onError?: (error: TunIoError) => void;
  /** Arena of the read and write buffers (default: the worker's, `PacketArena.shared()`, as the
   * gateway node's), so the translator's copy out of a read packet and the copy of a frame
   * behind its virtio-net header are native. */
  readonly arena?: PacketArena;
}

/** Read batches drained per wake-up before other I/O gets its turn (the watcher is
 * level-triggered: what is left wakes it again). */
const BATCHES_PER_WAKE = 16;
/** Frames of one read batch, and room for `READ_BATCH_LARGE` reads of the largest packet. */
const READ_BATCH_FRAMES = 64;
const READ_BATCH_LARGE = 4;
/** Most segments one super-segment is cut into when it must be cut in software. */
const MAX_SEGMENTS = 1024;
/** Writes queued between flushes: room for several 64 KB super-segments, and entries for every
 * packet of a full drain (`BATCHES_PER_WAKE` x `READ_BATCH_LARGE`, some producing two). A full
 * queue is written at once. */
const TX_QUEUE_BYTES = 512 * 1024;
const TX_QUEUE_ENTRIES = 128;

/**
 * A `Port` over a Linux TUN device: one interface, bare IP packets (`LinkKind.Ip`), the way TAYGA
 * and Jool's user-space peers sit on a host (routes for the NAT64 prefix and the IPv4 pool
 * point into the device).
 *
 * With offloads (the default) every packet crosses the descriptor behind a virtio-net header
 * and the kernel hands over TCP (and UDP, Linux 6.2+) super-segments of up to 64 KB standing for
 * many wire packets. Such a packet goes to the receiver whole, with its segment size
 * (`PortReceiver.receive`'s `gsoSize`), so the pipeline translates one header for dozens of
 * packets (`XlatOutput.gsoSize`); a partial checksum of an ordinary packet (NEEDS_CSUM: the
 * kernel left it for the device to finish) is completed before the receiver sees it, so only a
 * super-segment ever carries one. A frame sent with a `gsoSize` is written as a super-segment:
 * its virtio-net header is rebuilt from the packet as it is now (family, transport offset,
 * segment size) and its partial checksum rewritten from the new pseudo-header, which the
 * translator's and the NAPT rewrite's incremental updates do not keep right. Without offloads,
 * or a device that has no header, a super-segment to send is cut in software.
 *
 * With the virtio-net header, `send` queues the packet (header in front) and `flush` writes the
 * queue, one write per entry (a TUN descriptor takes one packet per write): consecutive UDP
 * datagrams of one flow leave as one USO super-segment (`TunWriteQueue`), so a flood of small
 * datagrams costs the kernel one pass through its IP stack per run instead of per datagram. A
 * write the kernel refuses is counted then, under `tun.*`; `send` has returned true. Without
 * the header every packet is written at once. Nothing on the data path throws:
 * what cannot be moved is counted under a `TunPortDrop` reason (the device's own reasons under
 * `tun.*`, malformed offload metadata under `gso.*`).
 */
export class TunPort implements Port {
  readonly name: string;
  readonly linkKind = LinkKind.Ip;
  readonly counters = new PortCounters(TunPortDrop);
  /** Super-segments read and handed to the receiver whole, and written whole. */
  rxSuperSegments = 0;
  txSuperSegments = 0;
  /** Super-segments cut in software: read while the receiver takes none, or sent to a device
   * without the virtio-net header. */
  cutSuperSegments = 0;
  private dev: TunDevice | null;
  private readonly deviceName: string;
  private readonly offloads: boolean;
  private readonly onError: ((error: TunIoError) => void) | undefined;
  private iface = -1;
  private receiver: PortReceiver | null = null;
  private closed = false;
  private rxBatch: FrameBatch | null = null;
  private readonly arena: PacketArena;
  /** Writes waiting for `flush` (a device with the virtio-net header). */
  private txQueue: TunWriteQueue | null = null;
  /** A super-segment's copy, cut for a device without the header. */
  private cutTx: Uint8Array | null = null;
  private readonly rxHdr = new VirtioNetHeader();
  private readonly cutHdrBytes = new Uint8Array(VIRTIO_NET_HDR_LEN);
  private readonly cutHdr = new VirtioNetHeader();
  private segments: FrameBatch | null = null;
  private readonly onReadable: () => void;
  private readonly onDeviceError: (error: TunIoError) => void;

  constructor(opts: TunPortOptions) {
    this.name = opts.name;
    if (typeof opts.device === 'string') {
      this.dev = null;
      this.deviceName = opts.device;
      this.offloads = opts.offloads ?? true;
    } else {
      this.dev = opts.device;
      this.deviceName = opts.device.name;
      this.offloads = opts.device.vnetHeaderLen > 0;
    }
    this.onError = opts.onError;
    this.arena = opts.arena ?? PacketArena.shared();
    this.onReadable = () => this.drain();
    this.onDeviceError = (e) => {
      this.onError?.(e);
    };
  }

  /** The device (null before `start` when it is opened by name). */
  get device(): TunDevice | null {
    return this.dev;
  }

  attach(bindings: readonly PortBinding[]): void {
    if (bindings.length > 1) throw new RangeError('TUN port ' + this.name + ' carries bare IP: one interface only, got ' + bindings.length);
    this.iface = bindings.length === 1 ? bindings[0]!.iface : -1;
  }

  /** Opens the device (when given by name) and starts reading. Throws `TunError` when the
   * device does not open. */
  start(rx: PortReceiver): void {
    if (this.receiver !== null) throw new Error('TUN port ' + this.name + ' started twice');
    if (this.closed) throw new Error('TUN port ' + this.name + ' is closed');
    const dev = this.dev ?? (this.dev = TunDevice.open({ name: this.deviceName, offload: this.offloads }));
    this.receiver = rx;
    this.rxBatch = new FrameBatch(LinkKind.Ip, READ_BATCH_LARGE * dev.maxReadLen, READ_BATCH_FRAMES, this.arena);
    if (dev.vnetHeaderLen > 0) this.txQueue = new TunWriteQueue(this.arena.alloc(TX_QUEUE_BYTES), TX_QUEUE_ENTRIES);
    dev.startReading(this.onReadable, this.onDeviceError);
  }

  /** Reads what is queued (a bounded number of batches) and hands each packet to the receiver. */
  drain(): void {
    const dev = this.dev;
    const batch = this.rxBatch;
    if (dev === null || batch === null || this.closed) return;
    for (let round = 0; round < BATCHES_PER_WAKE; round++) {
      batch.reset();
      let n: number;
      try {
        n = dev.readBatch(batch);
      } catch (e) {
        dev.stopReading();
        this.onError?.(e as TunIoError);
        return;
      }
      // A packet the kernel cut was discarded by the device: mirror its count.
      this.counters.drops.counts[TUN + TunDrop.code.truncatedRead] = dev.drops.counts[TunDrop.code.truncatedRead]!;
      if (n === 0) return;
      for (let i = 0; i < batch.count; i++) this.received(batch.bytes, batch.offsets[i]!, batch.lengths[i]!);
      if (this.closed) return;
    }
  }

  /** One packet as read (`off` at the virtio-net header when the device has one). */
  private received(buf: Uint8Array, off: number, len: number): void {
    const c = this.counters;
    c.rxPackets++;
    // IP bytes, as every port counts them: the virtio-net header is the device's framing.
    c.rxBytes += len - this.dev!.vnetHeaderLen;
    const rx = this.receiver!;
    if (this.iface < 0) return c.drops.add(D.notAttached);
    if (this.dev!.vnetHeaderLen === 0) {
      rx.receive(this, buf, off, len, this.iface, -1, 0);
      return;
    }
    const hdr = this.rxHdr.bind(buf, off, len);
    if (hdr.check() !== 0) return c.drops.add(D.badVnetHeader);
    const ip = off + VIRTIO_NET_HDR_LEN;
    const ipLen = len - VIRTIO_NET_HDR_LEN;
    if (!hdr.isGso()) {
      // An ordinary packet with a partial checksum: finished here (what the device would do),
      // so the pipeline never sees a partial checksum outside a super-segment.
      const code = completeChecksum(hdr, buf, ip, ipLen);
      if (code !== 0) return c.drops.add(GSO + code);
      rx.receive(this, buf, ip, ipLen, this.iface, -1, 0);
      return;
    }
    // Checks the header against the packet (type, family, transport, sizes) and normalises it.
    const code = retargetVirtioHeader(hdr, buf, ip, ipLen, 0);
    if (code !== 0) return c.drops.add(GSO + code);
    if ((hdr.gsoType() & VirtioGsoType.Ecn) === 0) {
      this.rxSuperSegments++;
      rx.receive(this, buf, ip, ipLen, this.iface, -1, hdr.gsoSize());
      return;
    }
    // CWR marks the first segment only (RFC 3168 §6.1.2), which a segment size alone cannot say;
    // the port asks the kernel for no TSO_ECN, so this is a kernel's choice: cut here.
    const segs = this.segmentsBatch();
    segs.reset();
    const cut = segmentSuperPacket(hdr, buf, ip, ipLen, segs, 0);
    if (cut !== 0) return c.drops.add(GSO + cut);
    this.cutSuperSegments++;
    for (let i = 0; i < segs.count; i++) rx.receive(this, segs.bytes, segs.offsets[i]!, segs.lengths[i]!, this.iface, -1, 0);
  }

  /**
   * Queues (virtio-net header) or writes (none) one IP packet; `gsoSize` > 0: a super-segment of
   * segments of that many payload bytes (`FrameBatch.gsoSizes`), described to the kernel with a
   * virtio-net header, or cut in software when the device has none. Returns false when dropped
   * (counted).
   */
  send(buf: Uint8Array, off: number, len: number, iface: number, _peer: number, gsoSize = 0): boolean {
    const c = this.counters;
    if (this.closed || this.dev === null) return refuse(c, D.closed);
    if (this.iface < 0) return refuse(c, D.notAttached);
    if (iface !== this.iface) return refuse(c, D.wrongInterface);
    if (len < 1 || ((buf[off]! >>> 4) !== 4 && (buf[off]! >>> 4) !== 6)) return refuse(c, D.notIp);
    if (len > TUN_PORT_MAX_SEND_LEN) return refuse(c, D.oversized);
    const dev = this.dev;
    if (dev.vnetHeaderLen === 0) {
      if (gsoSize === 0) return this.write(buf, off, len, len);
      return this.writeCut(buf, off, len, gsoSize);
    }
    // The header must precede the packet in one write: the queue copies the packet behind it
    // (a second iovec would be a view allocated per packet).
    const q = this.txQueue!;
    if (q.full(len)) this.writeQueue();
    const code = q.push(buf, off, len, gsoSize);
    if (code !== 0) return refuse(c, GSO + code);
    if (gsoSize > 0) this.txSuperSegments++;
    return true;
  }

  /** Writes what `send` queued. */
  flush(): void {
    this.writeQueue();
  }

  /** Datagrams that left in a write with the ones before them (USO), not one of their own. */
  get coalescedDatagrams(): number {
    return this.txQueue?.coalesced ?? 0;
  }

  /** Writes what is queued, stops reading and closes the device (a device the port created
   * disappears). */
  close(): Promise<void> {
    if (!this.closed) {
      this.writeQueue();
      this.closed = true;
      this.dev?.close();
    }
    return Promise.resolve();
  }

  private writeQueue(): void {
    const q = this.txQueue;
    if (q === null || q.count === 0) return;
    const dev = this.dev!;
    const c = this.counters;
    for (let i = 0; i < q.count; i++) {
      const code = q.finish(i);
      if (code !== 0) {
        c.drops.add(GSO + code);
        continue;
      }
      const w = dev.write(q.bytes, q.offsets[i]!, q.lengths[i]!);
      if (w !== 0) {
        c.drops.add(TUN + w);
        continue;
      }
      c.txPackets += q.datagrams[i]!;
      c.txBytes += q.ipBytes[i]!;
    }
    q.reset();
  }

  /** Cuts a super-segment for a device without the virtio-net header and writes the segments. */
  private writeCut(buf: Uint8Array, off: number, len: number, gsoSize: number): boolean {
    const c = this.counters;
    const hdr = this.cutHdr.bind(this.cutHdrBytes, 0, VIRTIO_NET_HDR_LEN);
    const segs = this.segmentsBatch();
    segs.reset();
    // describeSuperSegment rewrites the partial checksum in place: work on the port's copy.
    const tx = this.cutTx ??= this.arena.alloc(TUN_PORT_MAX_SEND_LEN);
    copyBytes(buf, off, tx, 0, len);
    let code = describeSuperSegment(hdr, tx, 0, len, gsoSize);
    if (code === 0) code = segmentSuperPacket(hdr, tx, 0, len, segs, 0);
    if (code !== 0) return refuse(c, GSO + code);
    this.cutSuperSegments++;
    let all = true;
    for (let i = 0; i < segs.count; i++) {
      const l = segs.lengths[i]!;
      if (!this.write(segs.bytes, segs.offsets[i]!, l, l)) all = false;
    }
    return all;
  }

  private write(buf: Uint8Array, off: number, len: number, ipLen: number): boolean {
    const code = this.dev!.write(buf, off, len);
    const c = this.counters;
    if (code !== 0) return refuse(c, TUN + code);
    c.txPackets++;
    c.txBytes += ipLen;
    return true;
  }

  private segmentsBatch(): FrameBatch {
    // Every segment repeats up to 120 bytes of IP and TCP headers; the payload appears once.
    return this.segments ??= new FrameBatch(LinkKind.Ip, GSO_MAX_PACKET_LEN + MAX_SEGMENTS * 128, MAX_SEGMENTS);
  }
}

function refuse(c: PortCounters, code: number): false {
  c.drops.add(code);
  return false;
}

import type { PacketArena } from '../wire/packet-arena.js';

/**
 * Where the translator writes what it sends: one preallocated byte area holding the packets of
 * one or more `translate*` calls back to back, with their offsets, lengths and kinds in typed
 * arrays. The caller owns the batch (it calls `reset` between batches); the translator only
 * appends, so one input can yield several outputs (IPv6 fragments cut to the lowest IPv6 MTU,
 * RFC 7915 §4.1, or an ICMP error it generated, §4.4/§5.4) without allocating.
 */
export const XlatOutputKind = {
  /** A translated packet: it leaves on the other family's side. */
  Translated: 0,
  /** An ICMP error the translator generated, in the family of the packet that caused it, going
   * back toward that packet's sender. */
  IcmpError: 1,
} as const;
export type XlatOutputKind = (typeof XlatOutputKind)[keyof typeof XlatOutputKind];

export class XlatOutput {
  readonly bytes: Uint8Array;
  /** Packets recorded since the last `reset`. */
  count = 0;
  /** Bytes of `bytes` in use: the next packet is written from here. */
  used = 0;
  readonly offsets: Int32Array;
  readonly lengths: Int32Array;
  readonly kinds: Uint8Array;
  /**
   * GSO (generic segmentation offload) metadata of the input the next `translate*` call reads:
   * 0 for an ordinary packet; N when the input is a super-segment, one TCP or UDP packet of up
   * to 64 KB that a TUN device with the virtio-net header handed over in place of many wire
   * packets of N payload bytes each (the virtio `gso_size`). Its transport checksum is partial:
   * the field holds the pseudo-header sum, and whoever cuts the segments completes each one.
   * The caller sets it after `reset` and before translating; `reset` clears it. With it the
   * translator translates the super-segment once, as one packet, and applies its MTU rules to
   * one segment (RFC 7915 §4.1/§5.1 hold per wire packet) instead of to the whole.
   */
  gsoSize = 0;
  /**
   * Per produced packet: its segment size when it is a super-segment (the input's, or less when
   * the translator cut TCP segments to fit the outgoing MTU), 0 for an ordinary packet. `push`
   * records the input's `gsoSize` for a translated packet (a translation or a NAT44 rewrite of
   * the super-segment is one) and 0 for a generated ICMP error; whoever forwards the packet
   * describes it to the egress with a virtio-net header or cuts it in software.
   */
  readonly gsoSizes: Uint16Array;

  /** `arena`: `bytes` is a window of it, so copies to and from the port buffers and frames of
   * the same arena are native (`copyBytes`); null: an array of its own. */
  constructor(capacityBytes = 262144, maxPackets = 128, arena: PacketArena | null = null) {
    if (!(capacityBytes > 0) || !(maxPackets > 0)) throw new RangeError('XlatOutput needs a positive capacity and packet count');
    this.bytes = arena === null ? new Uint8Array(capacityBytes) : arena.alloc(capacityBytes);
    this.offsets = new Int32Array(maxPackets);
    this.lengths = new Int32Array(maxPackets);
    this.kinds = new Uint8Array(maxPackets);
    this.gsoSizes = new Uint16Array(maxPackets);
  }

  /** Empties the batch and forgets the input's `gsoSize`. */
  reset(): void {
    this.count = 0;
    this.used = 0;
    this.gsoSize = 0;
  }

  /** Bytes free for the next packet, or 0 when every packet slot is taken. */
  room(): number {
    return this.count < this.offsets.length ? this.bytes.length - this.used : 0;
  }

  /** Packet slots left. */
  freeSlots(): number {
    return this.offsets.length - this.count;
  }

  /** Records the packet of `len` bytes the caller has written at `used`. The caller checked
   * `room()` first. */
  push(len: number, kind: number): void {
    const i = this.count;
    this.offsets[i] = this.used;
    this.lengths[i] = len;
    this.kinds[i] = kind;
    this.gsoSizes[i] = kind === XlatOutputKind.Translated ? this.gsoSize : 0;
    this.count = i + 1;
    this.used += len;
  }
}

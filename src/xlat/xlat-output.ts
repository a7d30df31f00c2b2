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

  constructor(capacityBytes = 262144, maxPackets = 128) {
    if (!(capacityBytes > 0) || !(maxPackets > 0)) throw new RangeError('XlatOutput needs a positive capacity and packet count');
    this.bytes = new Uint8Array(capacityBytes);
    this.offsets = new Int32Array(maxPackets);
    this.lengths = new Int32Array(maxPackets);
    this.kinds = new Uint8Array(maxPackets);
  }

  reset(): void {
    this.count = 0;
    this.used = 0;
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
    this.count = i + 1;
    this.used += len;
  }
}

import type { PacketArena } from '../wire/packet-arena.js';
import type { LinkKind } from './link-kind.js';

/**
 * Frames ready for the output port: one preallocated byte area with offsets, lengths and kinds in
 * typed arrays, the same shape as the translator's `XlatOutput` but holding link-layer frames.
 * The egress stage writes here; the port reads it after the pipeline returns. Frames that are
 * bare IP packets (a TUN device, a raw-IP capture) need no copy: the batch `borrow`s the
 * translator's area and its frames are the packets where they lie.
 */
export class FrameBatch {
  /** Where the frames are: the batch's own area, or the area it borrowed until `reset`. */
  bytes: Uint8Array;
  count = 0;
  used = 0;
  readonly offsets: Int32Array;
  readonly lengths: Int32Array;
  /** `XlatOutputKind` of the packet each frame carries (translated, or a generated ICMP error). */
  readonly kinds: Uint8Array;
  /** Interface each frame leaves by (the gateway's global index), -1 when the pipeline has no
   * route stage (replay: the caller's one output). */
  readonly ifaces: Int32Array;
  /** Remote tunnel endpoint each frame goes to (the port's index), -1: every allowed remote. */
  readonly peers: Int32Array;
  /** Segment size of each frame that carries a GSO super-segment (`XlatOutput.gsoSizes`), 0 for
   * an ordinary frame: the sender describes it to a TUN device or cuts it in software. */
  readonly gsoSizes: Uint16Array;
  /** Framing of every frame in the batch. */
  linkKind: LinkKind;
  private readonly own: Uint8Array;

  /** `arena`: `bytes` is a window of it, so copies between it and the translator's output or a
   * port's buffers of the same arena are native (`copyBytes`); null: an array of its own. */
  constructor(linkKind: LinkKind, capacityBytes = 262144, maxFrames = 128, arena: PacketArena | null = null) {
    if (!(capacityBytes > 0) || !(maxFrames > 0)) throw new RangeError('FrameBatch needs a positive capacity and frame count');
    this.linkKind = linkKind;
    this.own = arena === null ? new Uint8Array(capacityBytes) : arena.alloc(capacityBytes);
    this.bytes = this.own;
    this.offsets = new Int32Array(maxFrames);
    this.lengths = new Int32Array(maxFrames);
    this.kinds = new Uint8Array(maxFrames);
    this.ifaces = new Int32Array(maxFrames);
    this.peers = new Int32Array(maxFrames);
    this.gsoSizes = new Uint16Array(maxFrames);
  }

  /** Empties the batch and returns it to its own area. */
  reset(): void {
    this.count = 0;
    this.used = 0;
    this.bytes = this.own;
  }

  /**
   * Takes `bytes` (the translator's output area, of which `used` bytes are written) as the area
   * of the frames to come, recorded with `pushAt` where they already lie: packets that leave
   * without a link-layer header are not copied. Only on an empty batch; `reset` gives it back.
   * Whoever reads the frames must not write to them (they are the packets).
   */
  borrow(bytes: Uint8Array, used: number): void {
    this.bytes = bytes;
    this.used = used;
  }

  /** Whether no frame was recorded and the batch is on its own area (`borrow` may be called). */
  isEmpty(): boolean {
    return this.count === 0 && this.bytes === this.own;
  }

  /** Records the frame of `len` bytes that already lies at `off` of `bytes` (after `borrow`). The
   * caller checked that a frame slot is free (`count < offsets.length`). */
  pushAt(off: number, len: number, kind: number, iface = -1, peer = -1, gsoSize = 0): void {
    const i = this.count;
    this.offsets[i] = off;
    this.lengths[i] = len;
    this.kinds[i] = kind;
    this.ifaces[i] = iface;
    this.peers[i] = peer;
    this.gsoSizes[i] = gsoSize;
    this.count = i + 1;
  }

  /** Bytes free for the next frame, or 0 when every frame slot is taken. */
  room(): number {
    return this.count < this.offsets.length ? this.bytes.length - this.used : 0;
  }

  /** Records the frame of `len` bytes the caller wrote at `used`, after checking `room()`, leaving
   * by `iface` toward `peer`; `gsoSize` when it carries a super-segment. */
  push(len: number, kind: number, iface = -1, peer = -1, gsoSize = 0): void {
    const i = this.count;
    this.offsets[i] = this.used;
    this.lengths[i] = len;
    this.kinds[i] = kind;
    this.ifaces[i] = iface;
    this.peers[i] = peer;
    this.gsoSizes[i] = gsoSize;
    this.count = i + 1;
    this.used += len;
  }
}

import { closeSync, readSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { getSystemErrorName } from 'node:util';
import type { FrameBatch } from '../pipeline/frame-batch.js';
import { DropCounters } from '../wire/drop-reasons.js';
import { VIRTIO_NET_HDR_LEN } from '../wire/virtio-net-header.js';
import { TunDrop } from './tun-drop.js';
import { TunAddonMissingError, TunConfigError, TunIoError, TunOpenError } from './tun-error.js';

/**
 * A Linux TUN device, the way TAYGA and Jool's user-space peers sit on a host: routes for the
 * NAT64 prefix and the IPv4 pool point into the device, and natmesh reads and writes bare IP
 * packets on its file descriptor.
 *
 * Opened with IFF_TUN | IFF_NO_PI | IFF_VNET_HDR, every packet is preceded by a 10-byte
 * virtio-net header (src/wire/virtio-net-header.ts) and the device asks the kernel for checksum
 * and segmentation offloads (TUNSETOFFLOAD): the kernel then hands over TCP (and, from Linux 6.2,
 * UDP) super-segments of up to 64 KB with the checksum left partial, and accepts the same on
 * write, so one translated header stands for dozens of wire packets. When the kernel refuses the
 * offloads the device falls back, step by step, to plain packets, and `offloads` says what is on.
 *
 * Only the ioctls live in the native addon (native/tun/tun.c); reads and writes are
 * `fs.readSync` / `fs.writeSync` on the non-blocking descriptor. Node has no public way to wait
 * for a character device to become readable (net.Socket refuses the descriptor, the fs
 * threadpool either spins on EAGAIN or parks a thread in a read that close cannot wake), so the
 * addon also provides a libuv poll watcher that calls `onReadable` when packets are queued; the
 * handler drains them with `read` / `readBatch` until none is left.
 */

/** TUNSETIFF flags (linux/if_tun.h). */
export const TunIfFlag = {
  Tun: 0x0001,
  /** No 4-byte packet-information prefix: the packet (or virtio-net header) comes first. */
  NoPi: 0x1000,
  /** A `struct virtio_net_hdr` precedes every packet. */
  VnetHdr: 0x4000,
} as const;

/** TUNSETOFFLOAD flags (linux/if_tun.h): what natmesh can take from the kernel. */
export const TunOffload = {
  /** Packets may arrive with a partial transport checksum (virtio NEEDS_CSUM). */
  Csum: 0x01,
  Tso4: 0x02,
  Tso6: 0x04,
  TsoEcn: 0x08,
  Ufo: 0x10,
  /** UDP segmentation (Linux 6.2+). */
  Uso4: 0x20,
  Uso6: 0x40,
} as const;

/**
 * What `open` asks for, first to last; the kernel answers EINVAL to any flag it does not know
 * (USO before 6.2), and TSO needs CSUM. TSO_ECN is not requested: a CWR-marked burst is then
 * segmented by the kernel, so natmesh never sees the ECN modifier on a read. UFO is not
 * requested: it is IP fragmentation, which a translator must not receive as one packet.
 */
export const TUN_OFFLOAD_LADDER: readonly number[] = [
  TunOffload.Csum | TunOffload.Tso4 | TunOffload.Tso6 | TunOffload.Uso4 | TunOffload.Uso6,
  TunOffload.Csum | TunOffload.Tso4 | TunOffload.Tso6,
  TunOffload.Csum,
  0,
];

/** Largest packet a TUN read returns with offloads on: the kernel's GSO limit for the device
 * (GSO_LEGACY_MAX_SIZE, 65536 bytes including headers). Without offloads it is the MTU. */
export const TUN_MAX_PACKET_LEN = 65536;

export interface TunDeviceOptions {
  /** Interface name, at most 15 bytes; '' lets the kernel pick (tun0, tun1, ...). An existing
   * persistent TUN device of that name is attached to. */
  name: string;
  /** Virtio-net header and offloads (default true). false: bare IP packets, no offloads, as
   * TAYGA reads them. */
  offload?: boolean;
  /** Largest packet the caller expects (default `TUN_MAX_PACKET_LEN`); with offloads off, the
   * device MTU is enough. Reads reserve this much room. */
  maxPacketLen?: number;
}

/** The addon's exports (native/tun/tun.c). */
interface TunAddon {
  open(name: string, ifFlags: number): [number, string];
  features(fd: number): number;
  setVnetHeaderSize(fd: number, size: number): void;
  setVnetLittleEndian(fd: number, on: number): boolean;
  setOffload(fd: number, flags: number): number;
  watch(fd: number, callback: (status: number) => void): object;
  unwatch(handle: object): void;
}

const ADDON_PATH = process.env['NATMESH_TUN_ADDON'] ??
  fileURLToPath(new URL('../../native/tun/build/tun.node', import.meta.url));
let addon: TunAddon | undefined;

function loadAddon(): TunAddon {
  if (addon !== undefined) return addon;
  try {
    addon = createRequire(import.meta.url)(ADDON_PATH) as TunAddon;
  } catch (e) {
    throw new TunAddonMissingError(ADDON_PATH, e instanceof Error ? e.message : String(e));
  }
  return addon;
}

function errnoOf(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EUNKNOWN';
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Names of the TUN_F_* bits in `flags`, for logs and status. */
export function tunOffloadNames(flags: number): string[] {
  const names: string[] = [];
  if (flags & TunOffload.Csum) names.push('csum');
  if (flags & TunOffload.Tso4) names.push('tso4');
  if (flags & TunOffload.Tso6) names.push('tso6');
  if (flags & TunOffload.TsoEcn) names.push('tso-ecn');
  if (flags & TunOffload.Ufo) names.push('ufo');
  if (flags & TunOffload.Uso4) names.push('uso4');
  if (flags & TunOffload.Uso6) names.push('uso6');
  return names;
}

export class TunDevice {
  /** The name the kernel attached (as asked, or the one it picked). */
  readonly name: string;
  readonly fd: number;
  /** `VIRTIO_NET_HDR_LEN` when each packet is preceded by a virtio-net header, else 0. */
  readonly vnetHeaderLen: number;
  /** TUN_F_* flags the kernel accepted (0: plain packets, no partial checksums, no GSO). */
  readonly offloads: number;
  /** Room every read reserves: the virtio-net header, the largest packet and one spare byte
   * that tells a packet that fits from one the kernel cut. */
  readonly maxReadLen: number;
  /** Packets the device discarded, by reason. */
  readonly drops = new DropCounters(TunDrop);
  rxPackets = 0;
  rxBytes = 0;
  txPackets = 0;
  txBytes = 0;
  private watcher: object | undefined;
  private closed = false;

  private constructor(name: string, fd: number, vnetHeaderLen: number, offloads: number, maxPacketLen: number) {
    this.name = name;
    this.fd = fd;
    this.vnetHeaderLen = vnetHeaderLen;
    this.offloads = offloads;
    this.maxReadLen = vnetHeaderLen + maxPacketLen + 1;
  }

  /**
   * Opens (creating if needed) the device and configures it. The device exists while the
   * descriptor is open, unless made persistent elsewhere (`ip tuntap add`). It is created down
   * and without addresses; bringing it up and routing into it is the host's business (`ip`).
   * Throws `TunAddonMissingError`, `TunOpenError` or `TunConfigError`.
   */
  static open(options: TunDeviceOptions): TunDevice {
    const tun = loadAddon();
    const wantOffload = options.offload ?? true;
    const maxPacketLen = options.maxPacketLen ?? TUN_MAX_PACKET_LEN;
    if (!Number.isInteger(maxPacketLen) || maxPacketLen < 68 || maxPacketLen > TUN_MAX_PACKET_LEN) {
      throw new RangeError('maxPacketLen must be an integer from 68 to ' + TUN_MAX_PACKET_LEN);
    }
    let fd: number;
    let name: string;
    try {
      [fd, name] = tun.open(options.name, TunIfFlag.Tun | TunIfFlag.NoPi | (wantOffload ? TunIfFlag.VnetHdr : 0));
    } catch (e) {
      if (e instanceof RangeError) throw e;
      throw new TunOpenError(options.name, errnoOf(e), messageOf(e));
    }
    if (!wantOffload) return new TunDevice(name, fd, 0, 0, maxPacketLen);
    try {
      tun.setVnetHeaderSize(fd, VIRTIO_NET_HDR_LEN);
      // Little-endian is the x86 default already (legacy rule: host order); set it so the
      // header is virtio 1.0 on big-endian hosts too (see virtio-net-header.ts).
      if (!tun.setVnetLittleEndian(fd, 1)) throw Object.assign(new Error('TUNGETVNETLE reads back big-endian'), { code: 'EINVAL' });
    } catch (e) {
      closeSync(fd);
      throw new TunConfigError(name, errnoOf(e), messageOf(e));
    }
    let offloads = 0;
    for (const flags of TUN_OFFLOAD_LADDER) {
      if (tun.setOffload(fd, flags) === 0) {
        offloads = flags;
        break;
      }
    }
    return new TunDevice(name, fd, VIRTIO_NET_HDR_LEN, offloads, maxPacketLen);
  }

  /** True when the kernel may hand over GSO super-segments. (It takes them on write whenever
   * the virtio-net header is on, offloads or not.) */
  segmentationOffload(): boolean {
    return (this.offloads & (TunOffload.Tso4 | TunOffload.Tso6 | TunOffload.Uso4 | TunOffload.Uso6)) !== 0;
  }

  /**
   * Reads one packet (virtio-net header first, when on) into `buf[off, off+len)` and returns its
   * length, or 0 when no packet is queued. A packet that fills `len` may have been cut by the
   * kernel, so it is counted as `truncatedRead` and skipped; pass `len >= maxReadLen` to never
   * lose one. Throws `TunIoError` only when the descriptor itself fails.
   */
  read(buf: Uint8Array, off: number, len: number): number {
    for (;;) {
      let n: number;
      // EAGAIN ends every drain, and V8 would capture a stack for it each time (half the cost
      // of the throw); the error is discarded, so capture none.
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      try {
        n = readSync(this.fd, buf, off, len, null);
      } catch (e) {
        Error.stackTraceLimit = limit;
        const errno = errnoOf(e);
        if (errno === 'EAGAIN') return 0;
        throw new TunIoError(this.name, errno, 'read');
      }
      Error.stackTraceLimit = limit;
      // A packet longer than `len` is cut: Linux 6.x returns the bytes it copied, older kernels
      // the packet's full length. Either way the read fills `len`, and `maxReadLen` leaves one
      // byte more than any whole packet needs, so a full read can only be a cut one.
      if (n >= len) {
        this.drops.add(TunDrop.code.truncatedRead);
        continue;
      }
      this.rxPackets++;
      this.rxBytes += n;
      return n;
    }
  }

  /** Reads queued packets into `batch` until none is left or it has less than `maxReadLen`
   * room; returns how many it added (kind 0). */
  readBatch(batch: FrameBatch): number {
    let added = 0;
    while (batch.room() >= this.maxReadLen) {
      const n = this.read(batch.bytes, batch.used, this.maxReadLen);
      if (n === 0) break;
      batch.push(n, 0);
      added++;
    }
    return added;
  }

  /**
   * Writes one packet (virtio-net header first, when on). Returns 0, or the `TunDrop` code it
   * counted when the kernel refused the packet. Never throws for a bad packet.
   */
  write(buf: Uint8Array, off: number, len: number): number {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      writeSync(this.fd, buf, off, len);
    } catch (e) {
      Error.stackTraceLimit = limit;
      const errno = errnoOf(e);
      const code = errno === 'EINVAL' ? TunDrop.code.writeRejected
        : errno === 'EIO' ? TunDrop.code.deviceDown
        : errno === 'EAGAIN' || errno === 'ENOBUFS' ? TunDrop.code.queueFull
        : TunDrop.code.writeFailed;
      this.drops.add(code);
      return code;
    }
    Error.stackTraceLimit = limit;
    this.txPackets++;
    this.txBytes += len;
    return 0;
  }

  /** Writes every frame of `batch`; returns how many the kernel took. */
  writeBatch(batch: FrameBatch): number {
    let written = 0;
    for (let i = 0; i < batch.count; i++) {
      if (this.write(batch.bytes, batch.offsets[i]!, batch.lengths[i]!) === 0) written++;
    }
    return written;
  }

  /**
   * Calls `onReadable` on the event loop whenever packets are queued (level-triggered: if the
   * handler leaves some, it is called again on the next turn, after other I/O had its go).
   * `onError` gets a `TunIoError` when the descriptor fails; watching has stopped by then. The
   * watcher keeps the process alive until `stopReading` or `close`.
   */
  startReading(onReadable: () => void, onError: (err: TunIoError) => void): void {
    if (this.closed) throw new TunIoError(this.name, 'EBADF', 'watch on a closed device');
    if (this.watcher !== undefined) throw new Error('TunDevice is already being read');
    this.watcher = loadAddon().watch(this.fd, (status: number) => {
      if (status === 0) {
        onReadable();
        return;
      }
      this.stopReading();
      onError(new TunIoError(this.name, getSystemErrorName(status), 'poll'));
    });
  }

  stopReading(): void {
    if (this.watcher === undefined) return;
    loadAddon().unwatch(this.watcher);
    this.watcher = undefined;
  }

  isClosed(): boolean {
    return this.closed;
  }

  /** Stops reading and closes the descriptor; a non-persistent device disappears with it.
   * Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.stopReading();
    this.closed = true;
    closeSync(this.fd);
  }
}

import type { LinkKind } from '../pipeline/link-kind.js';
import { DropCounters, type DropReasonTable } from '../wire/drop-reasons.js';

/**
 * One tenant interface a port carries: frames of `iface` (the gateway's global interface index)
 * travel in the tunnel segment `vni`. A TUN port carries exactly one interface and no VNI (-1).
 */
export interface PortBinding {
  readonly iface: number;
  readonly vni: number;
}

/** Receives what a port read. */
export interface PortReceiver {
  /**
   * One received frame; the bytes are valid only during the call (the receiver may rewrite them
   * in place). `iface` is the tenant interface the frame belongs to (from the VNI, or the port's
   * single interface), `peer` the port's index of the remote tunnel endpoint it came from (-1
   * for TUN or none). `gsoSize` > 0: the frame is a GSO super-segment (a TUN device with
   * offloads), one TCP or UDP packet standing for segments of that many payload bytes, its
   * transport checksum partial (`XlatOutput.gsoSize`); 0 or absent for an ordinary frame.
   */
  receive(port: Port, buf: Uint8Array, off: number, len: number, iface: number, peer: number, gsoSize?: number): void;
}

/**
 * Frames and bytes a port moved, and what it dropped by named reason (one table per kind of
 * port). `rx*` count everything read from the wire, dropped or not; `tx*` what was written to it.
 * Float64: exact far beyond 2^32 packets.
 */
export class PortCounters {
  rxPackets = 0;
  rxBytes = 0;
  txPackets = 0;
  txBytes = 0;
  readonly drops: DropCounters<string>;

  constructor(reasons: DropReasonTable<string>) {
    this.drops = new DropCounters(reasons);
  }
}

/**
 * Something that moves frames between the wire and the gateway: a VXLAN or Geneve tunnel
 * endpoint over UDP, a TUN device, an in-memory link. The gateway node owns its ports: it
 * attaches the interfaces, starts them, sends what the pipeline produced, flushes once per batch
 * of received frames and closes them when it stops. Nothing on the data path throws: a frame that
 * cannot be moved is dropped and counted under a reason of the port's table.
 */
export interface Port {
  readonly name: string;
  /** Framing of what the port carries: Ethernet for tunnels, Ip for TUN. */
  readonly linkKind: LinkKind;
  readonly counters: PortCounters;
  /**
   * Tells the port which interfaces it carries (a tunnel maps each VNI to its interface; a TUN
   * port takes the one interface it is given). Called before `start` and again when the
   * configuration is reloaded; a frame for a VNI no binding names is dropped and counted.
   */
  attach(bindings: readonly PortBinding[]): void;
  /** Starts reading; resolves once the port can receive (a socket is bound, a device open). */
  start(rx: PortReceiver): void | Promise<void>;
  /**
   * Queues one frame for `iface` (tunnel: its VNI) to `peer` (-1: every allowed remote, i.e.
   * flooding for an unknown MAC or a broadcast). The bytes are copied before the call returns.
   * `gsoSize` > 0: the frame carries a GSO super-segment (`FrameBatch.gsoSizes`); a port that can
   * hand it on as such (TUN with offloads) does, the others cut it into wire-sized frames
   * (`SuperFrameSegmenter`). Returns false when the frame is dropped (counted).
   */
  send(buf: Uint8Array, off: number, len: number, iface: number, peer: number, gsoSize?: number): boolean;
  /** Pushes queued frames to the wire (called once per batch of received frames). */
  flush(): void;
  /** Flushes what is queued, waits (boundedly) for it to leave, and releases the socket or device. */
  close(): Promise<void>;
}

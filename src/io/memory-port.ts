import { LinkKind } from '../pipeline/link-kind.js';
import { defineDropReasons } from '../wire/drop-reasons.js';
import { ETHERNET_HEADER_LEN } from '../wire/ethernet.js';
import { PortCounters, type Port, type PortBinding, type PortReceiver } from './port.js';
import { SuperFrameSegmenter } from './super-frame-segmenter.js';

/** Something attached to a `MemoryNetwork`: a `MemoryPort`, or a test's simulated host. */
export interface MemoryEndpoint {
  /** A frame from endpoint `from` in segment `vni`; the bytes are valid only during the call. */
  deliver(from: number, vni: number, buf: Uint8Array, off: number, len: number): void;
}

export interface MemoryNetworkOptions {
  /** Frames the network holds between `transmit` and delivery (default 1024). */
  slots?: number;
  /** Largest frame (default 9018). */
  maxFrameLen?: number;
  /** Deliver whenever a port flushes (default true); false: only when `run` is called. */
  autoRun?: boolean;
}

/**
 * An in-memory underlay for tests: endpoints (gateway ports, simulated hosts) attached by name
 * exchange frames tagged with a VNI, as tunnel endpoints do over UDP. Frames are copied into
 * preallocated slots and delivered in the order they were sent, one at a time, by `run` (or on
 * every port flush with `autoRun`); a delivery that sends more appends to the same queue, and
 * `run` never nests, so several gateway nodes in one process with a `ManualClock` behave
 * deterministically. A full network drops (counted in `dropped`).
 */
export class MemoryNetwork {
  readonly autoRun: boolean;
  readonly maxFrameLen: number;
  private readonly names: string[] = [];
  private readonly endpoints: MemoryEndpoint[] = [];
  private readonly slotCount: number;
  private readonly bytes: Uint8Array;
  private readonly from: Int32Array;
  private readonly to: Int32Array;
  private readonly vnis: Int32Array;
  private readonly lens: Int32Array;
  private head = 0;
  private tail = 0;
  private queued = 0;
  private running = false;
  /** Frames delivered, and dropped for want of a slot or for being too long. */
  delivered = 0;
  dropped = 0;

  constructor(opts: MemoryNetworkOptions = {}) {
    this.autoRun = opts.autoRun ?? true;
    this.maxFrameLen = opts.maxFrameLen ?? 9018;
    this.slotCount = opts.slots ?? 1024;
    this.bytes = new Uint8Array(this.slotCount * this.maxFrameLen);
    this.from = new Int32Array(this.slotCount);
    this.to = new Int32Array(this.slotCount);
    this.vnis = new Int32Array(this.slotCount);
    this.lens = new Int32Array(this.slotCount);
  }

  /** Attaches `endpoint` under `name`; returns its index. */
  attach(name: string, endpoint: MemoryEndpoint): number {
    if (this.names.includes(name)) throw new Error('memory network endpoint ' + JSON.stringify(name) + ' attached twice');
    this.names.push(name);
    this.endpoints.push(endpoint);
    return this.names.length - 1;
  }

  /** Index of endpoint `name`, or -1. */
  indexOf(name: string): number {
    return this.names.indexOf(name);
  }

  nameOf(index: number): string {
    return this.names[index] ?? '';
  }

  /** Frames waiting for delivery. */
  get pending(): number {
    return this.queued;
  }

  /** Queues a copy of the frame from endpoint `from` to endpoint `to`. False when dropped. */
  transmit(from: number, to: number, vni: number, buf: Uint8Array, off: number, len: number): boolean {
    if (this.queued === this.slotCount || len > this.maxFrameLen || to < 0 || to >= this.endpoints.length) {
      this.dropped++;
      return false;
    }
    const s = this.head;
    this.head = s + 1 === this.slotCount ? 0 : s + 1;
    this.queued++;
    const o = s * this.maxFrameLen;
    const b = this.bytes;
    for (let i = 0; i < len; i++) b[o + i] = buf[off + i]!;
    this.from[s] = from;
    this.to[s] = to;
    this.vnis[s] = vni;
    this.lens[s] = len;
    return true;
  }

  /** Delivers queued frames in order, including those sent while delivering, until none is left
   * or `limit` were delivered; returns how many. A call made while delivering returns 0. */
  run(limit = Infinity): number {
    if (this.running) return 0;
    this.running = true;
    let n = 0;
    try {
      while (this.queued > 0 && n < limit) {
        const s = this.tail;
        this.tail = s + 1 === this.slotCount ? 0 : s + 1;
        n++;
        this.delivered++;
        // Delivered in place; the slot counts as queued until the receiver returns, so what it
        // transmits meanwhile cannot land on the bytes it is reading.
        try {
          this.endpoints[this.to[s]!]!.deliver(this.from[s]!, this.vnis[s]!, this.bytes, s * this.maxFrameLen, this.lens[s]!);
        } finally {
          this.queued--;
        }
      }
    } finally {
      this.running = false;
    }
    return n;
  }
}

export const MemoryDrop = defineDropReasons({
  unknownRemote: 'frame from an endpoint that is not one of the port\'s remotes',
  unknownVni: 'VNI that maps to no interface of the port',
  noBinding: 'frame to send for an interface the port does not carry',
  noRemote: 'frame to send toward a peer the port does not have, or to flood with no remotes',
  networkFull: 'the memory network had no free slot, or the frame is longer than its slots',
  closed: 'frame to send after the port was closed',
  superSegmentRefused: 'a GSO super-segment to send could not be cut into wire-sized frames',
});
const D = MemoryDrop.code;

export interface MemoryPortOptions {
  readonly name: string;
  readonly network: MemoryNetwork;
  /** This port's endpoint name on the network (default: `name`). */
  readonly address?: string;
  /** Endpoint names of the remotes; a peer is an index into this list. */
  readonly remotes: readonly string[];
  /** Ethernet (a tunnel, default) or Ip (a TUN device: one interface, VNI ignored). */
  readonly linkKind?: LinkKind;
}

/**
 * A port on a `MemoryNetwork`: a tunnel endpoint without sockets, for tests. Like
 * `UdpTunnelPort` it maps VNIs to interfaces, accepts frames only from its remotes and floods
 * to all of them for peer -1; frames go to the network at `send` and are delivered on `flush`
 * (with the network's `autoRun`) or when the test runs the network.
 */
export class MemoryPort implements Port, MemoryEndpoint {
  readonly name: string;
  readonly linkKind: LinkKind;
  readonly counters = new PortCounters(MemoryDrop);
  readonly network: MemoryNetwork;
  readonly endpoint: number;
  private readonly remoteNames: readonly string[];
  /** Network index of each remote, resolved when first needed (endpoints attach in any order). */
  private readonly remoteIndex: Int32Array;
  private ifaceByVni = new Map<number, number>();
  private vniByIface = new Int32Array(0);
  private onlyIface = -1;
  private receiver: PortReceiver | null = null;
  private closed = false;
  private segmenter: SuperFrameSegmenter | null = null;

  constructor(opts: MemoryPortOptions) {
    this.name = opts.name;
    this.network = opts.network;
    this.linkKind = opts.linkKind ?? LinkKind.Ethernet;
    this.remoteNames = opts.remotes.slice();
    this.remoteIndex = new Int32Array(this.remoteNames.length).fill(-1);
    this.endpoint = opts.network.attach(opts.address ?? opts.name, this);
  }

  attach(bindings: readonly PortBinding[]): void {
    const byVni = new Map<number, number>();
    let maxIface = -1;
    for (const b of bindings) {
      if (byVni.has(b.vni)) throw new RangeError('memory port ' + this.name + ': VNI ' + b.vni + ' is carried for two interfaces');
      byVni.set(b.vni, b.iface);
      if (b.iface > maxIface) maxIface = b.iface;
    }
    if (this.linkKind !== LinkKind.Ethernet && bindings.length > 1) throw new RangeError('memory port ' + this.name + ' carries bare IP: one interface only');
    const byIface = new Int32Array(maxIface + 1).fill(-1);
    for (const b of bindings) byIface[b.iface] = b.vni < 0 ? 0 : b.vni;
    this.ifaceByVni = byVni;
    this.vniByIface = byIface;
    this.onlyIface = bindings.length === 1 ? bindings[0]!.iface : -1;
  }

  start(rx: PortReceiver): void {
    this.receiver = rx;
    this.resolveRemotes();
  }

  deliver(from: number, vni: number, buf: Uint8Array, off: number, len: number): void {
    const c = this.counters;
    c.rxPackets++;
    c.rxBytes += len;
    if (this.closed || this.receiver === null) return;
    this.resolveRemotes();
    const r = this.remoteIndex;
    let peer = -1;
    for (let i = 0; i < r.length; i++) if (r[i] === from) { peer = i; break; }
    if (peer < 0) return c.drops.add(D.unknownRemote);
    const iface = this.linkKind === LinkKind.Ethernet ? this.ifaceByVni.get(vni) : this.onlyIface;
    if (iface === undefined || iface < 0) return c.drops.add(D.unknownVni);
    this.receiver.receive(this, buf, off, len, iface, peer);
  }

  send(buf: Uint8Array, off: number, len: number, iface: number, peer: number, gsoSize = 0): boolean {
    const c = this.counters;
    if (this.closed) return refuse(c, D.closed);
    const vni = iface >= 0 && iface < this.vniByIface.length ? this.vniByIface[iface]! : -1;
    if (vni < 0) return refuse(c, D.noBinding);
    const r = this.remoteIndex;
    if (peer >= r.length || (peer < 0 && r.length === 0)) return refuse(c, D.noRemote);
    this.resolveRemotes();
    if (gsoSize > 0) {
      const s = this.segmenter ??= new SuperFrameSegmenter();
      if (s.segment(buf, off, len, this.linkKind === LinkKind.Ethernet ? ETHERNET_HEADER_LEN : 0, gsoSize) !== 0) return refuse(c, D.superSegmentRefused);
      let any = false;
      for (let i = 0; i < s.out.count; i++) if (this.transmit(s.out.bytes, s.out.offsets[i]!, s.out.lengths[i]!, vni, peer)) any = true;
      return any;
    }
    return this.transmit(buf, off, len, vni, peer);
  }

  private transmit(buf: Uint8Array, off: number, len: number, vni: number, peer: number): boolean {
    const c = this.counters;
    const r = this.remoteIndex;
    const first = peer < 0 ? 0 : peer;
    const last = peer < 0 ? r.length - 1 : peer;
    let any = false;
    for (let p = first; p <= last; p++) {
      if (this.network.transmit(this.endpoint, r[p]!, vni, buf, off, len)) {
        c.txPackets++;
        c.txBytes += len;
        any = true;
      } else c.drops.add(D.networkFull);
    }
    return any;
  }

  flush(): void {
    if (this.network.autoRun) this.network.run();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private resolveRemotes(): void {
    const r = this.remoteIndex;
    for (let i = 0; i < r.length; i++) if (r[i]! < 0) r[i] = this.network.indexOf(this.remoteNames[i]!);
  }
}

function refuse(c: PortCounters, code: number): boolean {
  c.drops.add(code);
  return false;
}

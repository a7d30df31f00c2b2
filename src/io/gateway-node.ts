import { FlowCache } from '../pipeline/flow-cache.js';
import { HeldSynResponder } from '../pipeline/held-syn-responder.js';
import type { InterfaceTable } from '../pipeline/interface-table.js';
import { LinkKind } from '../pipeline/link-kind.js';
import { NeighborStage } from '../pipeline/neighbor-stage.js';
import { NeighborTable, type NeighborTableOptions, type NeighborView } from '../pipeline/neighbor-table.js';
import { PacketContext } from '../pipeline/packet-context.js';
import { STAGE_COUNTER_SLOTS, StageCounter, type DropCount, type Pipeline } from '../pipeline/pipeline.js';
import { RouteStage } from '../pipeline/route-stage.js';
import type { RouteTable, RouteView } from '../pipeline/route-table.js';
import { createGatewayPipeline } from '../pipeline/stateful-pipeline.js';
import type { TenantDatapath } from '../pipeline/tenant-datapath.js';
import type { TraceSink } from '../pipeline/trace-sink.js';
import { Verdict } from '../pipeline/verdict.js';
import type { Clock } from '../state/clock.js';
import { PacketArena } from '../wire/packet-arena.js';
import { XlatOutput } from '../xlat/xlat-output.js';
import { FrameBatch } from '../pipeline/frame-batch.js';
import { buildGatewayTables, type GatewayDatapathSpec, type GatewayTables } from './gateway-datapath.js';
import type { HoldableClock } from './system-clock.js';
import type { Port, PortReceiver } from './port.js';

export interface GatewayNodeOptions {
  /** Node ID (`node.id` of the configuration): default interface MACs derive from it. */
  readonly nodeId: number;
  /** The node's ports, constructed by the caller (`UdpTunnelPort`, the TUN port, `MemoryPort`),
   * not yet started; the node attaches, starts, flushes and closes them. Fixed for the node's
   * life: a reload changes interfaces, routes and tenants, not ports. */
  readonly ports: readonly Port[];
  /** Tenants, their interfaces and routes. */
  readonly datapath: GatewayDatapathSpec;
  /** The clock of the tenants' session tables too (`SystemClock` live, `ManualClock` in tests). */
  readonly clock: Clock;
  /** Period of the housekeeping timer (`tick`) in ms (default 100); 0: none, the caller calls
   * `tick` (tests with a manual clock). */
  readonly timerIntervalMs?: number;
  /** How a flush after a batch of received frames is deferred: default `setImmediate`, so every
   * datagram one poll of the event loop read leaves in one batch; null: flush after every frame. */
  readonly deferFlush?: ((flush: () => void) => void) | null;
  /** Flow-cache slots (default 65536; 0 disables it) and hash seed. */
  readonly flowCacheSlots?: number;
  readonly seed?: number;
  readonly trace?: TraceSink | null;
  readonly neighbor?: NeighborTableOptions;
  /** Told about an exception the pipeline threw (a bug; the frame is dropped and counted). */
  readonly onError?: (error: unknown) => void;
  /** Arena of the translator's output and the frames (default: the worker's,
   * `PacketArena.shared()`, which the ports use too): copies between them and the ports'
   * buffers are then native. */
  readonly arena?: PacketArena;
}

/** Packets and bytes one way. */
export interface DirectionCounters {
  packets: number;
  bytes: number;
}

export interface PortCounterView {
  name: string;
  rx: DirectionCounters;
  tx: DirectionCounters;
  /** Drops by reason name of the port's table (non-zero only). */
  drops: Record<string, number>;
}

export interface InterfaceCounterView {
  name: string;
  tenant: string;
  port: string;
  rx: DirectionCounters;
  tx: DirectionCounters;
  /** Frames the port refused to send for this interface (see the port's drops). */
  txRefused: number;
}

export interface TenantCounterView {
  name: string;
  /** Frames received on and sent from the tenant's interfaces. */
  rx: DirectionCounters;
  tx: DirectionCounters;
  /** IP packets the tenant stage placed: from the tenant's inside (IPv6 of SIIT/NAT64, NAT44
   * inside hosts) and from its outside (to the pool, SIIT's IPv4 side). */
  fromInside: DirectionCounters;
  fromOutside: DirectionCounters;
}

export interface StageCounterView {
  name: string;
  in: number;
  continued: number;
  dropped: number;
  emitted: number;
}

/** A snapshot of everything the node counts, for the API and metrics. Counters only grow,
 * across reloads too. */
export interface GatewayNodeCounters {
  ports: PortCounterView[];
  interfaces: InterfaceCounterView[];
  tenants: TenantCounterView[];
  stages: StageCounterView[];
  /** Pipeline drops by stage and reason (non-zero only). */
  drops: DropCount[];
  /** Produced packets the route stage could not send, by reason. */
  routeDrops: Record<string, number>;
  neighbor: {
    entries: number;
    peers: number;
    arpAnswered: number;
    arpLearned: number;
    nsAnswered: number;
    naLearned: number;
    solicitations: number;
    probes: number;
    tableFull: number;
  };
  flowCache: { hits: number; misses: number; hitRate: number } | null;
  heldSynErrors: number;
  /** Frames whose processing threw (bugs), dropped. */
  errors: number;
}

/** Room of the node's packet and frame batches: a 64 KB super-segment and what it can turn into
 * (the translator's and `FrameBatch`'s defaults). */
const CONTEXT_BYTES = 262144;
const CONTEXT_PACKETS = 128;
/** Held SYNs answered per tenant per drain round: the errors must fit one packet batch. */
const HELD_SYN_BATCH = 32;
const EMPTY = new Uint8Array(0);

/** Per-interface counter slots in `ifaceCounts`. */
const RX_PACKETS = 0;
const RX_BYTES = 1;
const TX_PACKETS = 2;
const TX_BYTES = 3;
const TX_REFUSED = 4;
const IFACE_SLOTS = 5;
/** Per-tenant slots in `tenantSides`: inside packets, bytes, outside packets, bytes. */
const SIDE_SLOTS = 4;

interface BuiltPipeline {
  readonly pipeline: Pipeline;
  readonly cache: FlowCache | null;
  readonly neighbor: NeighborStage;
  readonly route: RouteStage;
  /** Index of the tenant stage. */
  readonly tenantStage: number;
}

/**
 * One gateway node at run time: owns its ports, the pipeline and the tenants' datapaths. Every
 * frame a port receives runs through the pipeline (classify → neighbor → tenant → flow cache →
 * firewall → translate → route → emit) with its interface's tenant, and each frame produced is
 * handed to the port of its egress interface toward its peer; ports are flushed once per batch.
 * A housekeeping timer expires sessions and connections, answers held SYNs (RFC 5382 REQ-4:
 * Port Unreachable, routed like any packet) and ages the neighbor table.
 *
 * `reload` swaps tenants, interfaces and routes (the caller decides which session tables the
 * new tenants keep) without a gap: the next frame runs on the new pipeline; a datapath that
 * does not check out throws and the old one stays. `stop` closes the ports after what is queued
 * has left.
 */
export class GatewayNode implements PortReceiver {
  readonly nodeId: number;
  readonly ports: readonly Port[];
  readonly clock: Clock;
  readonly neighbors: NeighborTable;
  private tables: GatewayTables;
  private built: BuiltPipeline;
  /** Per tenant: packets and bytes from the inside, then from the outside. */
  private tenantSides: Float64Array;
  private readonly ctx: PacketContext;
  private readonly responder: HeldSynResponder;
  private readonly opts: GatewayNodeOptions;
  private readonly deferFlush: ((flush: () => void) => void) | null;
  private readonly flushBound: () => void;
  private readonly tickBound: () => void;
  private flushScheduled = false;
  /** The clock, when it can hold a reading for a batch (`SystemClock`). */
  private readonly holdable: HoldableClock | null;
  private clockHeld = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private started = false;
  private stopped = false;
  private seq = 0;
  /** Port of each interface, by interface index. */
  private portOf: Port[];
  private ifaceCounts: Float64Array;
  /** Counts of retired pipelines and interfaces (before reloads), so counters only grow. */
  private readonly retired = new Map<string, number>();
  private heldSynErrors = 0;
  private errors = 0;

  constructor(opts: GatewayNodeOptions) {
    this.opts = opts;
    this.nodeId = opts.nodeId;
    this.ports = opts.ports.slice();
    this.clock = opts.clock;
    const c = opts.clock as Partial<HoldableClock>;
    this.holdable = typeof c.hold === 'function' && typeof c.release === 'function' ? (opts.clock as HoldableClock) : null;
    this.neighbors = new NeighborTable(opts.clock, opts.neighbor ?? {});
    this.tables = buildGatewayTables(opts.datapath, this.ports, opts.nodeId);
    this.built = this.buildPipeline(this.tables);
    const arena = opts.arena ?? PacketArena.shared();
    this.ctx = new PacketContext(LinkKind.Ethernet, new XlatOutput(CONTEXT_BYTES, CONTEXT_PACKETS, arena), new FrameBatch(LinkKind.Ethernet, CONTEXT_BYTES, CONTEXT_PACKETS, arena));
    this.responder = new HeldSynResponder(this.ctx.packets);
    this.portOf = this.portsByInterface(this.tables.interfaces);
    this.ifaceCounts = new Float64Array(this.tables.interfaces.count * IFACE_SLOTS);
    this.tenantSides = new Float64Array(this.tables.tenants.length * SIDE_SLOTS);
    this.deferFlush = opts.deferFlush === undefined ? (f): void => void setImmediate(f) : opts.deferFlush;
    this.flushBound = () => this.flushNow();
    this.tickBound = () => this.tick();
  }

  /** Attaches the interfaces to the ports, starts them (resolves once all can receive) and the
   * housekeeping timer. Rejects with the first port's error (the others are closed). */
  async start(): Promise<void> {
    if (this.started) throw new Error('gateway node started twice');
    this.started = true;
    this.ports.forEach((p, i) => p.attach(this.tables.bindings[i]!));
    try {
      await Promise.all(this.ports.map((p) => p.start(this)));
    } catch (e) {
      this.stopped = true;
      await Promise.allSettled(this.ports.map((p) => p.close()));
      throw e;
    }
    const every = this.opts.timerIntervalMs ?? 100;
    if (every > 0) {
      this.timer = setInterval(this.tickBound, every);
      // The ports keep a running gateway alive; the timer alone must not.
      this.timer.unref();
    }
  }

  /** Stops the timer, flushes, and closes every port once what it queued has left. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.flushNow();
    await Promise.all(this.ports.map((p) => p.close()));
  }

  /**
   * Swaps in a new datapath. Tenants' session tables and firewalls are whatever the new
   * `TenantDatapath`s hold (the caller passes the old tables to keep sessions). The flow cache
   * starts empty; the neighbor table is kept when the interfaces are the same (names, ports,
   * VNIs, MACs) and emptied otherwise. Throws `GatewayConfigError` (the old datapath stays).
   */
  reload(datapath: GatewayDatapathSpec): void {
    const tables = buildGatewayTables(datapath, this.ports, this.nodeId);
    const built = this.buildPipeline(tables);
    this.ports.forEach((p, i) => p.attach(tables.bindings[i]!));
    this.retire();
    const old = this.tables;
    const oldCounts = this.ifaceCounts;
    const counts = new Float64Array(tables.interfaces.count * IFACE_SLOTS);
    // Counters of an interface that survives (same tenant name, same interface name) carry over.
    for (let i = 0; i < tables.interfaces.count; i++) {
      const j = indexOfInterface(old, tables.tenants[tables.interfaces.tenant[i]!]!.name, tables.interfaces.names[i]!);
      if (j >= 0) for (let k = 0; k < IFACE_SLOTS; k++) counts[i * IFACE_SLOTS + k] = oldCounts[j * IFACE_SLOTS + k]!;
    }
    if (!sameInterfaces(old.interfaces, tables.interfaces)) this.neighbors.clear();
    const sides = new Float64Array(tables.tenants.length * SIDE_SLOTS);
    tables.tenants.forEach((t, i) => {
      const j = old.tenants.findIndex((o) => o.name === t.name);
      if (j >= 0) for (let k = 0; k < SIDE_SLOTS; k++) sides[i * SIDE_SLOTS + k] = this.tenantSides[j * SIDE_SLOTS + k]!;
    });
    this.tenantSides = sides;
    this.tables = tables;
    this.built = built;
    this.portOf = this.portsByInterface(tables.interfaces);
    this.ifaceCounts = counts;
  }

  /** One received frame: the port contract's entry point. */
  receive(port: Port, buf: Uint8Array, off: number, len: number, iface: number, peer: number, gsoSize = 0): void {
    if (this.stopped) return;
    const t = this.tables.interfaces;
    if (iface < 0 || iface >= t.count) return;
    // One clock reading for the whole batch (released at the flush).
    if (!this.clockHeld && this.holdable !== null) {
      this.holdable.hold();
      this.clockHeld = true;
    }
    const c = this.ifaceCounts;
    c[iface * IFACE_SLOTS + RX_PACKETS]!++;
    c[iface * IFACE_SLOTS + RX_BYTES]! += len;
    const ctx = this.ctx.bind(buf, off, len, port.linkKind, ++this.seq);
    ctx.tenant = t.tenant[iface]!;
    ctx.ingressIface = iface;
    ctx.ingressPeer = peer;
    // A super-segment is translated once, as one packet (the translator reads this).
    if (gsoSize > 0) ctx.packets.gsoSize = gsoSize;
    const built = this.built;
    try {
      built.pipeline.run(ctx);
    } catch (e) {
      this.errors++;
      this.opts.onError?.(e);
      return;
    }
    // Placed by the tenant stage: a later stage dropped it, or it reached the route stage (which
    // a frame the neighbor stage consumed never does).
    if (ctx.routed || ctx.dropStage > built.tenantStage) {
      const o = ctx.tenant * SIDE_SLOTS + (ctx.fromOutside ? 2 : 0);
      const sides = this.tenantSides;
      sides[o]!++;
      sides[o + 1]! += ctx.l3Len;
    }
    this.sendFrames(ctx);
    this.scheduleFlush();
  }

  /** Housekeeping, every `timerIntervalMs`: session and connection expiry, held SYNs answered,
   * neighbor aging, then a flush. */
  tick(): void {
    if (this.stopped) return;
    if (!this.clockHeld && this.holdable !== null) {
      this.holdable.hold();
      this.clockHeld = true;
    }
    const ctx = this.ctx;
    for (const t of this.tables.tenants) {
      t.napt?.expire();
      t.conntrack?.expire();
      if (t.napt === null) continue;
      for (;;) {
        ctx.bind(EMPTY, 0, 0, LinkKind.Ip, ++this.seq);
        ctx.tenant = t.index;
        if (t.napt.drainHeldSyns(this.responder, HELD_SYN_BATCH) === 0) break;
        this.heldSynErrors += ctx.packets.count;
        this.routeOriginated(ctx);
      }
    }
    this.neighbors.age();
    this.flushNow();
  }

  /** Pushes every port's queued frames to the wire now. */
  flush(): void {
    this.flushNow();
  }

  get pipeline(): Pipeline {
    return this.built.pipeline;
  }

  get flowCache(): FlowCache | null {
    return this.built.cache;
  }

  get interfaces(): InterfaceTable {
    return this.tables.interfaces;
  }

  get tenants(): readonly TenantDatapath[] {
    return this.tables.tenants;
  }

  /** Routing table of tenant `index`. */
  routeTable(index: number): RouteTable {
    const r = this.tables.routes[index];
    if (r === undefined) throw new RangeError('no tenant at index ' + index);
    return r;
  }

  /** The neighbor cache, for the API (allocates). */
  neighborEntries(): NeighborView[] {
    return this.neighbors.entries();
  }

  /** Tenant `index`'s routes, for the API (allocates). */
  routes(index: number): RouteView[] {
    return this.routeTable(index).routes();
  }

  /** Everything counted, for the API and metrics (allocates). */
  counters(): GatewayNodeCounters {
    const t = this.tables.interfaces;
    const c = this.ifaceCounts;
    const interfaces: InterfaceCounterView[] = [];
    const sides = this.tenantSides;
    const tenants: TenantCounterView[] = this.tables.tenants.map((d, i) => ({
      name: d.name, rx: { packets: 0, bytes: 0 }, tx: { packets: 0, bytes: 0 },
      fromInside: { packets: sides[i * SIDE_SLOTS]!, bytes: sides[i * SIDE_SLOTS + 1]! },
      fromOutside: { packets: sides[i * SIDE_SLOTS + 2]!, bytes: sides[i * SIDE_SLOTS + 3]! },
    }));
    for (let i = 0; i < t.count; i++) {
      const b = i * IFACE_SLOTS;
      const view: InterfaceCounterView = {
        name: t.names[i]!, tenant: this.tables.tenants[t.tenant[i]!]!.name, port: this.ports[t.port[i]!]!.name,
        rx: { packets: c[b + RX_PACKETS]!, bytes: c[b + RX_BYTES]! },
        tx: { packets: c[b + TX_PACKETS]!, bytes: c[b + TX_BYTES]! },
        txRefused: c[b + TX_REFUSED]!,
      };
      interfaces.push(view);
      const tv = tenants[t.tenant[i]!]!;
      tv.rx.packets += view.rx.packets;
      tv.rx.bytes += view.rx.bytes;
      tv.tx.packets += view.tx.packets;
      tv.tx.bytes += view.tx.bytes;
    }
    const ports: PortCounterView[] = this.ports.map((p) => ({
      name: p.name,
      rx: { packets: p.counters.rxPackets, bytes: p.counters.rxBytes },
      tx: { packets: p.counters.txPackets, bytes: p.counters.txBytes },
      drops: p.counters.drops.snapshot(),
    }));
    const pl = this.built.pipeline;
    const stages: StageCounterView[] = pl.stages.map((s, i) => {
      const b = i * STAGE_COUNTER_SLOTS;
      const r = (slot: string): number => this.retired.get('stage:' + s.name + ':' + slot) ?? 0;
      return {
        name: s.name,
        in: pl.stageCounts[b + StageCounter.In]! + r('in'),
        continued: pl.stageCounts[b + StageCounter.Continued]! + r('continued'),
        dropped: pl.stageCounts[b + StageCounter.Dropped]! + r('dropped'),
        emitted: pl.stageCounts[b + StageCounter.Emitted]! + r('emitted'),
      };
    });
    const drops = new Map<string, DropCount>();
    for (const d of pl.dropCounts()) drops.set(d.stage + '\0' + d.reason, { ...d });
    for (const [k, v] of this.retired) {
      if (!k.startsWith('drop:')) continue;
      const [, stage, reason, description] = k.split('\0') as [string, string, string, string];
      const key = stage + '\0' + reason;
      const d = drops.get(key);
      if (d) d.count += v;
      else drops.set(key, { stage, reason, description, count: v });
    }
    const route = this.built.route;
    const routeDrops = route.packetDrops.snapshot();
    for (const [k, v] of this.retired) {
      if (!k.startsWith('route:')) continue;
      const name = k.slice(6);
      routeDrops[name] = (routeDrops[name] ?? 0) + v;
    }
    const n = this.built.neighbor;
    const cache = this.built.cache;
    return {
      ports, interfaces, tenants, stages, drops: [...drops.values()], routeDrops,
      neighbor: {
        entries: this.neighbors.size, peers: this.neighbors.peerCount,
        arpAnswered: n.arpAnswered + this.retiredCount('neighbor:arpAnswered'),
        arpLearned: n.arpLearned + this.retiredCount('neighbor:arpLearned'),
        nsAnswered: n.nsAnswered + this.retiredCount('neighbor:nsAnswered'),
        naLearned: n.naLearned + this.retiredCount('neighbor:naLearned'),
        solicitations: route.solicitations + this.retiredCount('neighbor:solicitations'),
        probes: route.probes + this.retiredCount('neighbor:probes'),
        tableFull: this.neighbors.full,
      },
      flowCache: cache === null ? null : { hits: cache.hits, misses: cache.misses, hitRate: cache.hitRate() },
      heldSynErrors: this.heldSynErrors,
      errors: this.errors,
    };
  }

  private buildPipeline(tables: GatewayTables): BuiltPipeline {
    const { pipeline, cache } = createGatewayPipeline(tables.tenants, {
      flowCacheSlots: this.opts.flowCacheSlots,
      seed: this.opts.seed,
      trace: this.opts.trace ?? null,
      links: { interfaces: tables.interfaces, neighbors: this.neighbors, routes: tables.routes },
    });
    const neighbor = pipeline.stages[pipeline.indexOf('neighbor')] as NeighborStage;
    const route = pipeline.stages[pipeline.indexOf('route')] as RouteStage;
    return { pipeline, cache, neighbor, route, tenantStage: pipeline.indexOf('tenant') };
  }

  /** Routes and frames the packets in `ctx.packets` the node originated (no input frame), with
   * the pipeline's egress stages, and sends them. */
  private routeOriginated(ctx: PacketContext): void {
    const stages = this.built.pipeline.stages;
    try {
      for (let e = this.built.pipeline.egressStart; e < stages.length; e++) if (stages[e]!.process(ctx) !== Verdict.Continue) break;
    } catch (err) {
      this.errors++;
      this.opts.onError?.(err);
      return;
    }
    this.sendFrames(ctx);
  }

  private sendFrames(ctx: PacketContext): void {
    const f = ctx.frames;
    const c = this.ifaceCounts;
    for (let i = 0; i < f.count; i++) {
      let iface = f.ifaces[i]!;
      let peer = f.peers[i]!;
      if (iface < 0) {
        // Framed without a route decision: back where the input came from.
        iface = ctx.ingressIface;
        peer = ctx.ingressPeer;
        if (iface < 0) continue;
      }
      const len = f.lengths[i]!;
      const b = iface * IFACE_SLOTS;
      if (this.portOf[iface]!.send(f.bytes, f.offsets[i]!, len, iface, peer, f.gsoSizes[i]!)) {
        c[b + TX_PACKETS]!++;
        c[b + TX_BYTES]! += len;
      } else c[b + TX_REFUSED]!++;
    }
  }

  private scheduleFlush(): void {
    if (this.deferFlush === null) {
      this.flushNow();
      return;
    }
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.deferFlush(this.flushBound);
  }

  private flushNow(): void {
    this.flushScheduled = false;
    const ports = this.ports;
    for (let i = 0; i < ports.length; i++) ports[i]!.flush();
    if (this.clockHeld) {
      this.holdable!.release();
      this.clockHeld = false;
    }
  }

  private portsByInterface(t: InterfaceTable): Port[] {
    const out: Port[] = [];
    for (let i = 0; i < t.count; i++) out.push(this.ports[t.port[i]!]!);
    return out;
  }

  private retiredCount(key: string): number {
    return this.retired.get(key) ?? 0;
  }

  /** Adds the counts of the pipeline about to be replaced to `retired`. */
  private retire(): void {
    const add = (k: string, v: number): void => {
      if (v !== 0) this.retired.set(k, (this.retired.get(k) ?? 0) + v);
    };
    const pl = this.built.pipeline;
    pl.stages.forEach((s, i) => {
      const b = i * STAGE_COUNTER_SLOTS;
      add('stage:' + s.name + ':in', pl.stageCounts[b + StageCounter.In]!);
      add('stage:' + s.name + ':continued', pl.stageCounts[b + StageCounter.Continued]!);
      add('stage:' + s.name + ':dropped', pl.stageCounts[b + StageCounter.Dropped]!);
      add('stage:' + s.name + ':emitted', pl.stageCounts[b + StageCounter.Emitted]!);
    });
    for (const d of pl.dropCounts()) add('drop:\0' + d.stage + '\0' + d.reason + '\0' + d.description, d.count);
    for (const [name, v] of Object.entries(this.built.route.packetDrops.snapshot())) add('route:' + name, v);
    const n = this.built.neighbor;
    add('neighbor:arpAnswered', n.arpAnswered);
    add('neighbor:arpLearned', n.arpLearned);
    add('neighbor:nsAnswered', n.nsAnswered);
    add('neighbor:naLearned', n.naLearned);
    add('neighbor:solicitations', this.built.route.solicitations);
    add('neighbor:probes', this.built.route.probes);
  }
}

/** Same interfaces in the same order: neighbors learned on one are valid on the other. */
function sameInterfaces(a: InterfaceTable, b: InterfaceTable): boolean {
  if (a.count !== b.count) return false;
  for (let i = 0; i < a.count; i++) {
    if (a.names[i] !== b.names[i] || a.tenant[i] !== b.tenant[i] || a.port[i] !== b.port[i] || a.vni[i] !== b.vni[i]) return false;
  }
  for (let k = 0; k < a.macs.length; k++) if (a.macs[k] !== b.macs[k]) return false;
  return true;
}

function indexOfInterface(tables: GatewayTables, tenant: string, name: string): number {
  const t = tables.interfaces;
  for (let i = 0; i < t.count; i++) if (t.names[i] === name && tables.tenants[t.tenant[i]!]!.name === tenant) return i;
  return -1;
}

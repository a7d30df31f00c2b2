import { readI32 } from '../wire/byte-order.js';
import { DropCounters } from '../wire/drop-reasons.js';
import type { Clock } from './clock.js';
import { checkConnTrackConfig, type ConnTrackConfig, type ConnTrackTimeouts } from './conntrack-config.js';
import { ConnCountTable } from './conntrack-count-table.js';
import { ConnTupleIndex, ConnTupleKeys, swapPorts } from './conntrack-tuple-index.js';
import { EntryPool } from './entry-pool.js';
import { FirewallDrop, type FirewallDropName } from './firewall-drop.js';
import {
  TCP_CONN_STATE_COUNT, TCP_CONN_STATE_NAMES, TCP_TRANSITION_IGNORE, TCP_TRANSITION_INVALID, TcpConnState,
  TcpSegmentKind, tcpFlagsValid, tcpNextState, tcpSegmentKind,
} from './tcp-conntrack-state.js';
import { TcpWindowTracker } from './tcp-window-tracker.js';
import { TimingWheel, type ExpirySink } from './timing-wheel.js';

const PROTO_ICMP = 1;
const PROTO_TCP = 6;
const PROTO_UDP = 17;

/** Per-entry flags. */
const F_ORIGIN_OUTBOUND = 0x01;
const F_SEEN_REPLY = 0x02;
/** Reply seen and (TCP) the handshake completed: no longer a candidate for early drop. */
const F_ASSURED = 0x04;
const F_PICKED_UP = 0x08;

/** RFC 792 / RFC 950 queries that carry an identifier: reply type by request type, and back. */
const ICMP_REPLY_OF_REQUEST = new Int16Array(256).fill(-1);
const ICMP_REQUEST_OF_REPLY = new Int16Array(256).fill(-1);
for (const [request, reply] of [[8, 0], [13, 14], [15, 16], [17, 18]] as const) {
  ICMP_REPLY_OF_REQUEST[request] = reply;
  ICMP_REQUEST_OF_REPLY[reply] = request;
}

/** Counters of what the tracker did (drops are in `ConnTrack.drops`). */
export interface ConnTrackStats {
  /** Connections created, picked up ones included. */
  created: number;
  /** Connections rebuilt from a mid-flow packet during the grace period. */
  pickedUp: number;
  /** RSTs of unknown connections let through during the grace period (nothing to track). */
  graceResets: number;
  /** Connections freed by their idle timer. */
  expired: number;
  /** Unassured connections evicted to make room (`earlyDrop`). */
  earlyDropped: number;
  /** Connections in TIME_WAIT or CLOSE replaced by a new SYN on the same tuple. */
  reopened: number;
}

/** One tracked connection, for dumps and the control path. */
export interface ConnTrackConnection {
  id: number;
  tenant: number;
  /** 6, 17 or 1. */
  proto: number;
  /** The original tuple: the first packet's addresses (IPv4 as u32) and ports (the identifier
   * for ICMP queries). The reply tuple is its reverse. */
  src: number;
  srcPort: number;
  dst: number;
  dstPort: number;
  /** The original direction is outbound (from the tenant's inside). False only for connections
   * picked up from an inbound packet during the grace period. */
  originOutbound: boolean;
  /** TCP state name, or UNREPLIED / REPLIED for UDP and ICMP. */
  state: string;
  seenReply: boolean;
  assured: boolean;
  pickedUp: boolean;
  /** Node that owns (created) the connection. */
  ownerNode: number;
  /** When the idle timer runs out, as the timing wheel rounds it. */
  expiresAtMs: number;
}

/**
 * Stateful IPv4 firewall of a tenant's IPv4 side: connection tracking with netfilter's TCP
 * model and a default-deny policy for the outside.
 *
 * - `outbound` packets (from the tenant's inside) may open connections; inbound packets are
 *   accepted only when they belong to a tracked connection; ICMP errors only when the packet they
 *   quote does ("related"), and they never create state.
 * - TCP: only a SYN opens; flags, state transitions and the sequence window (`TcpWindowTracker`)
 *   are checked per segment; RSTs only in window.
 * - Grace period (seed 000): for `graceMs` after the tracker starts, a packet of an unknown
 *   connection that does not open one is accepted in either direction and its connection picked
 *   up from it, so flows that were running before a restart survive it.
 * - Limits: `maxConnections` fixes memory; per-tenant and per-inside-host caps; when full, the
 *   oldest unassured connection may be evicted (`earlyDrop`).
 *
 * Entries are struct-of-arrays by id, found in O(1) from either direction through two hash
 * indexes (original tuple, reply tuple), and expire on a timing wheel: lazily on lookup and in
 * budgeted sweeps by `expire()`. Nothing on the packet path allocates or throws.
 */
export class ConnTrack {
  readonly drops = new DropCounters<FirewallDropName>(FirewallDrop);
  readonly stats: ConnTrackStats = { created: 0, pickedUp: 0, graceResets: 0, expired: 0, earlyDropped: 0, reopened: 0 };
  /** Capacity (`maxConnections`). */
  readonly capacity: number;

  private readonly config: ConnTrackConfig;
  private readonly timeouts: ConnTrackTimeouts;
  private readonly clock: Clock;
  private readonly graceEndMs: number;
  private readonly keys: ConnTupleKeys;
  private readonly originalIndex: ConnTupleIndex;
  private readonly replyIndex: ConnTupleIndex;
  private readonly pool: EntryPool;
  private readonly flags: Uint8Array;
  private readonly tcpState: Uint8Array;
  /** ICMP queries: the request type of the exchange (8 echo, 13 timestamp, ...). */
  private readonly icmpRequestType: Uint8Array;
  private readonly owner: Uint32Array;
  private readonly tcp: TcpWindowTracker;
  private readonly tcpTimeout: Float64Array;
  private readonly wheel: TimingWheel;
  private readonly sink: ExpirySink;
  private readonly tenantCounts: ConnCountTable | null;
  private readonly hostCounts: ConnCountTable | null;
  /** Unassured connections, oldest first (doubly linked by id): early-drop candidates. */
  private readonly unassuredNext: Int32Array;
  private readonly unassuredPrev: Int32Array;
  private unassuredHead = -1;
  private unassuredTail = -1;

  /** Clock reading for the packet in hand. */
  private now = 0;
  /** Direction (0 original, 1 reply) in which `find` matched. */
  private foundDir = 0;
  /** Drop code of the last failed `create`. */
  private createError = 0;

  /**
   * @param config checked by `checkConnTrackConfig` (throws `ConnTrackConfigError`)
   * @param clock the tracker's start time, which opens the grace period, is `clock.now()` now
   * @param seed hash seed (draw it from the injected RNG: crafted tuples cannot aim at one chain)
   */
  constructor(config: ConnTrackConfig, clock: Clock, seed: number) {
    checkConnTrackConfig(config);
    this.config = { ...config, timeouts: { ...config.timeouts } };
    this.timeouts = this.config.timeouts;
    this.clock = clock;
    const start = clock.now();
    this.graceEndMs = start + config.graceMs;
    const cap = config.maxConnections;
    this.capacity = cap;
    this.keys = new ConnTupleKeys(cap, seed | 0);
    this.originalIndex = new ConnTupleIndex(cap, this.keys, false);
    this.replyIndex = new ConnTupleIndex(cap, this.keys, true);
    this.pool = new EntryPool(cap);
    this.flags = new Uint8Array(cap);
    this.tcpState = new Uint8Array(cap);
    this.icmpRequestType = new Uint8Array(cap);
    this.owner = new Uint32Array(cap);
    this.tcp = new TcpWindowTracker(cap);
    const t = this.timeouts;
    this.tcpTimeout = new Float64Array(TCP_CONN_STATE_COUNT);
    this.tcpTimeout[TcpConnState.SynSent] = t.tcpSynSent;
    this.tcpTimeout[TcpConnState.SynSent2] = t.tcpSynSent;
    this.tcpTimeout[TcpConnState.SynRecv] = t.tcpSynRecv;
    this.tcpTimeout[TcpConnState.Established] = t.tcpEstablished;
    this.tcpTimeout[TcpConnState.FinWait] = t.tcpFinWait;
    this.tcpTimeout[TcpConnState.CloseWait] = t.tcpCloseWait;
    this.tcpTimeout[TcpConnState.LastAck] = t.tcpLastAck;
    this.tcpTimeout[TcpConnState.TimeWait] = t.tcpTimeWait;
    this.tcpTimeout[TcpConnState.Close] = t.tcpClose;
    this.wheel = new TimingWheel(cap, config.timerSlots, config.timerTickMs, start);
    this.sink = { expire: (id: number): void => this.expireEntry(id) };
    this.tenantCounts = config.maxConnectionsPerTenant > 0 ? new ConnCountTable(Math.min(config.maxTenants, cap), (seed ^ 0x5bd1e995) | 0) : null;
    this.hostCounts = config.maxConnectionsPerHost > 0 ? new ConnCountTable(cap, (seed ^ 0x27d4eb2f) | 0) : null;
    this.unassuredNext = new Int32Array(cap);
    this.unassuredPrev = new Int32Array(cap);
  }

  /** Connections tracked now. */
  get connectionCount(): number {
    return this.pool.size;
  }

  /** True while the grace period after start lasts. */
  inGracePeriod(): boolean {
    return this.clock.now() < this.graceEndMs;
  }

  /**
   * Decides on one IPv4 packet of `tenant`: returns 0 (accept) or a `FirewallDrop` code, which
   * is also counted. `outbound`: the packet comes from the tenant's inside. `proto`: 6, 17 or 1.
   * Addresses are IPv4 u32s, ports u16 (for ICMP queries the identifier, as both ports).
   * `buf[l4Off, l4Off+l4Len)` is the packet's L4 header and payload: TCP header (flags, seq, ack,
   * window, options) and payload; the ICMP message for queries (type at `l4Off`).
   *
   * ICMP errors (`icmpError` true): `proto` and the tuple are the QUOTED packet's, and
   * `buf[l4Off, l4Off+l4Len)` is the quoted packet's L4 header (at least 8 bytes for TCP and
   * ICMP, RFC 792): the error is accepted when the quoted packet belongs to a tracked
   * connection and travelled the opposite way.
   */
  check(
    tenant: number, outbound: boolean, proto: number, srcAddr: number, srcPort: number, dstAddr: number, dstPort: number,
    icmpError: boolean, buf: Uint8Array, l4Off: number, l4Len: number,
  ): number {
    // Words travel as int32 from here on (see ConnTupleKeys).
    const code = this.decide(tenant | 0, outbound === true, proto, srcAddr | 0, dstAddr | 0,
      ((srcPort & 0xffff) << 16) | (dstPort & 0xffff), icmpError === true, buf, l4Off, l4Len);
    if (code !== 0) this.drops.add(code);
    return code;
  }

  /**
   * Frees connections whose idle timer ran out, at most `expireBudget` per call; returns how
   * many. Call it regularly (per batch of packets); lookups also drop an expired connection
   * they meet, so a late call never lets a dead connection pass packets.
   */
  expire(): number {
    return this.wheel.advance(this.clock.now(), this.sink, this.config.expireBudget);
  }

  /** Id of the connection a packet with this tuple would match in either direction, or -1.
   * No side effects (control path, tests). */
  lookup(tenant: number, proto: number, srcAddr: number, srcPort: number, dstAddr: number, dstPort: number): number {
    const h = this.keys.stage(tenant | 0, proto & 0xff, srcAddr | 0, dstAddr | 0, ((srcPort & 0xffff) << 16) | (dstPort & 0xffff));
    let id = this.originalIndex.lookup(h);
    if (id < 0) id = this.replyIndex.lookup(h);
    if (id < 0 || this.wheel.expiresAt(id) <= this.clock.now()) return -1;
    return id;
  }

  /** TCP state of connection `id` (`TcpConnState`); `None` for other protocols or free ids. */
  tcpStateOf(id: number): number {
    return this.isLive(id) && this.keys.proto[id] === PROTO_TCP ? this.tcpState[id]! : TcpConnState.None;
  }

  /** Name of `tcpStateOf(id)`: 'SYN_SENT', 'ESTABLISHED', ... ('NONE' for non-TCP or free ids). */
  tcpStateName(id: number): string {
    return TCP_CONN_STATE_NAMES[this.tcpStateOf(id)]!;
  }

  /** Owner node ID carried by connection `id`. */
  ownerOf(id: number): number {
    return this.owner[id]!;
  }

  /** True when connection `id` has been assured (reply seen; TCP handshake completed). */
  isAssured(id: number): boolean {
    return this.isLive(id) && (this.flags[id]! & F_ASSURED) !== 0;
  }

  /** Every tracked connection (allocates: dumps and the control path only). */
  connections(): ConnTrackConnection[] {
    const out: ConnTrackConnection[] = [];
    const k = this.keys;
    for (let id = 0; id < this.capacity; id++) {
      if (!this.isLive(id)) continue;
      const fl = this.flags[id]!;
      const proto = k.proto[id]!;
      out.push({
        id,
        tenant: k.tenant[id]! >>> 0,
        proto,
        src: k.src[id]! >>> 0,
        srcPort: k.ports[id]! >>> 16,
        dst: k.dst[id]! >>> 0,
        dstPort: k.ports[id]! & 0xffff,
        originOutbound: (fl & F_ORIGIN_OUTBOUND) !== 0,
        state: proto === PROTO_TCP ? TCP_CONN_STATE_NAMES[this.tcpState[id]!]! : fl & F_SEEN_REPLY ? 'REPLIED' : 'UNREPLIED',
        seenReply: (fl & F_SEEN_REPLY) !== 0,
        assured: (fl & F_ASSURED) !== 0,
        pickedUp: (fl & F_PICKED_UP) !== 0,
        ownerNode: this.owner[id]!,
        expiresAtMs: this.wheel.expiresAt(id),
      });
    }
    return out;
  }

  /** Bytes held by the tracker's arrays: fixed at construction. */
  get byteLength(): number {
    let n = this.originalIndex.byteLength + this.replyIndex.byteLength + this.wheel.byteLength;
    n += this.keys.tenant.byteLength + this.keys.proto.byteLength + this.keys.src.byteLength + this.keys.dst.byteLength + this.keys.ports.byteLength;
    n += this.flags.byteLength + this.tcpState.byteLength + this.icmpRequestType.byteLength + this.owner.byteLength;
    n += this.unassuredNext.byteLength + this.unassuredPrev.byteLength + this.pool.live.byteLength + this.capacity * 4;
    const t = this.tcp;
    n += t.end.byteLength + t.maxEnd.byteLength + t.maxWin.byteLength + t.maxAck.byteLength + t.scale.byteLength + t.flags.byteLength + this.capacity * 12;
    if (this.tenantCounts !== null) n += this.tenantCounts.byteLength;
    if (this.hostCounts !== null) n += this.hostCounts.byteLength;
    return n;
  }

  // ---- packet path ----

  private decide(
    tenant: number, outbound: boolean, proto: number, src: number, dst: number, ports: number,
    icmpError: boolean, buf: Uint8Array, off: number, len: number,
  ): number {
    if (!(Number.isInteger(off) && Number.isInteger(len) && off >= 0 && len >= 0 && off + len <= buf.length)) return FirewallDrop.code.malformed;
    this.now = this.clock.now();
    if (icmpError) return this.checkIcmpError(tenant, outbound, proto, src, dst, ports, buf, off, len);
    if (proto === PROTO_TCP) return this.checkTcp(tenant, outbound, src, dst, ports, buf, off, len);
    if (proto === PROTO_UDP) return this.checkUdp(tenant, outbound, src, dst, ports);
    if (proto === PROTO_ICMP) return this.checkIcmpQuery(tenant, outbound, src, dst, ports, buf, off, len);
    return FirewallDrop.code.unsupportedProtocol;
  }

  private inGrace(): boolean {
    return this.now < this.graceEndMs;
  }

  private isLive(id: number): boolean {
    return id >= 0 && id < this.capacity && this.pool.live[id] === 1;
  }

  /** The connection of a packet with this tuple, in either direction (sets `foundDir`), or -1.
   * A connection whose timer ran out but has not been swept yet is freed here. */
  private find(tenant: number, proto: number, src: number, dst: number, ports: number): number {
    const h = this.keys.stage(tenant, proto, src, dst, ports);
    let id = this.originalIndex.lookup(h);
    let dir = 0;
    if (id < 0) {
      id = this.replyIndex.lookup(h);
      if (id < 0) return -1;
      dir = 1;
    }
    if (this.wheel.expiresAt(id) <= this.now) {
      this.expireEntry(id);
      return -1;
    }
    this.foundDir = dir;
    return id;
  }

  /** Whether a packet in direction `dir` of connection `id` travels outbound. */
  private isOutbound(id: number, dir: number): boolean {
    return ((this.flags[id]! & F_ORIGIN_OUTBOUND) !== 0) !== (dir === 1);
  }

  private checkTcp(tenant: number, outbound: boolean, src: number, dst: number, ports: number, buf: Uint8Array, off: number, len: number): number {
    const bad = this.tcp.load(buf, off, len);
    if (bad !== 0) return bad;
    const f = this.tcp.tcpFlags;
    if (!tcpFlagsValid(f)) return FirewallDrop.code.tcpInvalidFlags;
    const kind = tcpSegmentKind(f);
    const id = this.find(tenant, PROTO_TCP, src, dst, ports);
    if (id < 0) return this.tcpUnknown(tenant, outbound, src, dst, ports, kind);
    const dir = this.foundDir;
    if (this.isOutbound(id, dir) !== outbound) return FirewallDrop.code.directionMismatch;
    return this.tcpSegment(id, dir, kind, tenant, outbound, src, dst, ports);
  }

  /** A TCP segment of no tracked connection. */
  private tcpUnknown(tenant: number, outbound: boolean, src: number, dst: number, ports: number, kind: number): number {
    if (kind === TcpSegmentKind.Syn) {
      if (!outbound) return FirewallDrop.code.unsolicitedInbound;
      const id = this.create(tenant, PROTO_TCP, src, dst, ports, true);
      if (id < 0) return this.createError;
      this.tcp.initFromSyn(id);
      this.tcpState[id] = TcpConnState.None;
      return this.firstSegment(id, 0, kind, tenant, outbound, src, dst, ports);
    }
    // RFC 9293 §3.5: anything but a SYN belongs to a connection already open: accepted only
    // while the grace period after a restart lasts (seed 000), when it may be one of ours.
    if (!this.inGrace()) return FirewallDrop.code.unknownMidFlow;
    if (kind === TcpSegmentKind.Rst) {
      // A reset ends whatever it belonged to: let it reach the endpoint, track nothing.
      this.stats.graceResets++;
      return 0;
    }
    if (kind === TcpSegmentKind.SynAck) {
      // A handshake in flight across the restart: the opener is the SYN/ACK's destination.
      const id = this.create(tenant, PROTO_TCP, dst, src, swapPorts(ports), !outbound);
      if (id < 0) return this.createError;
      this.tcp.initLoose(id, 1);
      this.tcpState[id] = TcpConnState.SynSent;
      this.flags[id] = this.flags[id]! | F_PICKED_UP;
      this.stats.pickedUp++;
      return this.firstSegment(id, 1, kind, tenant, outbound, src, dst, ports);
    }
    // ACK or FIN+ACK: rebuilt as established (netfilter's tcp_loose pickup), then the segment
    // applies (a FIN moves it on to FIN_WAIT).
    const id = this.create(tenant, PROTO_TCP, src, dst, ports, outbound);
    if (id < 0) return this.createError;
    this.tcp.initLoose(id, 0);
    this.tcpState[id] = TcpConnState.Established;
    this.flags[id] = this.flags[id]! | F_PICKED_UP;
    this.stats.pickedUp++;
    return this.firstSegment(id, 0, kind, tenant, outbound, src, dst, ports);
  }

  /** Applies the segment that created `id`; a refusal frees it again so no entry is left
   * without a timer. */
  private firstSegment(id: number, dir: number, kind: number, tenant: number, outbound: boolean, src: number, dst: number, ports: number): number {
    const code = this.tcpSegment(id, dir, kind, tenant, outbound, src, dst, ports);
    if (code !== 0 && this.pool.live[id] === 1 && !this.wheel.isScheduled(id)) this.release(id);
    return code;
  }

  /** A segment of tracked connection `id`, in direction `dir`. */
  private tcpSegment(id: number, dir: number, kind: number, tenant: number, outbound: boolean, src: number, dst: number, ports: number): number {
    const t = this.tcp;
    const old = this.tcpState[id]!;
    let next = tcpNextState(dir, kind, old);
    if (next === TcpConnState.SynSent && old >= TcpConnState.TimeWait) {
      // RFC 9293 §3.6.1 (RFC 1122 §4.2.2.13): a new SYN may reopen a closing pair; the new
      // incarnation is a new connection with its own window.
      this.release(id);
      this.stats.reopened++;
      return this.tcpUnknown(tenant, outbound, src, dst, ports, kind);
    }
    if (next === TCP_TRANSITION_IGNORE) {
      // A SYN or SYN/ACK out of place may belong to a new incarnation the endpoints started
      // after losing the old one: pass it without moving state (its answer decides), unless it
      // is the SYN/ACK answering such a SYN, which resynchronises the connection to SYN_RECV.
      if (!t.ignoredOrResync(id, dir, kind)) return 0;
      next = TcpConnState.SynRecv;
    } else if (next === TCP_TRANSITION_INVALID) {
      return FirewallDrop.code.tcpInvalidTransition;
    }
    // An RST refusing the SYN of a new incarnation carries the refuser's seq (0 when it has no
    // connection, RFC 9293 §3.10.7.1), unrelated to the old window: its exact ACK vouches for it.
    if (!(kind === TcpSegmentKind.Rst && old >= TcpConnState.Established && t.rstAnswersLastSyn(id, dir))) {
      if (kind === TcpSegmentKind.Rst && t.rstBelowPeerAck(id, dir)) return FirewallDrop.code.tcpRstOutOfWindow;
      const w = t.inWindow(id, dir, old);
      if (w !== 0) return w;
    }
    t.noteAccepted(id, dir, kind);
    this.tcpState[id] = next;
    const fl = this.flags[id]!;
    const repliedBefore = (fl & F_SEEN_REPLY) !== 0;
    if (dir === 1) this.flags[id] = fl | F_SEEN_REPLY;
    if (kind === TcpSegmentKind.Rst && !repliedBefore) {
      // Refused (RST answering the SYN) or aborted before any answer: nothing left to track.
      this.release(id);
      return 0;
    }
    if (repliedBefore && (fl & F_ASSURED) === 0 && (old === TcpConnState.SynRecv || old === TcpConnState.Established) && next === TcpConnState.Established) {
      this.assure(id);
    }
    this.wheel.schedule(id, this.now + this.tcpTimeout[next]!);
    return 0;
  }

  private checkUdp(tenant: number, outbound: boolean, src: number, dst: number, ports: number): number {
    let id = this.find(tenant, PROTO_UDP, src, dst, ports);
    if (id >= 0) {
      const dir = this.foundDir;
      if (this.isOutbound(id, dir) !== outbound) return FirewallDrop.code.directionMismatch;
      if (dir === 1 && (this.flags[id]! & F_SEEN_REPLY) === 0) {
        this.flags[id] = this.flags[id]! | F_SEEN_REPLY;
        this.assure(id);
      }
      this.wheel.schedule(id, this.now + ((this.flags[id]! & F_ASSURED) !== 0 ? this.timeouts.udpAssured : this.timeouts.udpUnreplied));
      return 0;
    }
    if (outbound) {
      id = this.create(tenant, PROTO_UDP, src, dst, ports, true);
      if (id < 0) return this.createError;
    } else {
      // UDP has no handshake: after a restart an inbound datagram may belong to a flow opened
      // before it; only during the grace period is that benefit of the doubt given.
      if (!this.inGrace()) return FirewallDrop.code.unsolicitedInbound;
      id = this.create(tenant, PROTO_UDP, src, dst, ports, false);
      if (id < 0) return this.createError;
      this.flags[id] = this.flags[id]! | F_PICKED_UP;
      this.stats.pickedUp++;
    }
    this.wheel.schedule(id, this.now + this.timeouts.udpUnreplied);
    return 0;
  }

  private checkIcmpQuery(tenant: number, outbound: boolean, src: number, dst: number, ports: number, buf: Uint8Array, off: number, len: number): number {
    if (len < 8) return FirewallDrop.code.icmpTruncated;
    const type = buf[off]!;
    const requestOfReply = ICMP_REQUEST_OF_REPLY[type]!;
    const isRequest = ICMP_REPLY_OF_REQUEST[type]! >= 0;
    if (!isRequest && requestOfReply < 0) return FirewallDrop.code.icmpUnsupportedType;
    let id = this.find(tenant, PROTO_ICMP, src, dst, ports);
    if (id >= 0) {
      const dir = this.foundDir;
      if (this.isOutbound(id, dir) !== outbound) return FirewallDrop.code.directionMismatch;
      // The identifier pairs a reply with its request; a request arriving where the reply
      // belongs (an outside host pinging with the same identifier) is not part of the exchange.
      const request = this.icmpRequestType[id]!;
      if (type !== (dir === 0 ? request : ICMP_REPLY_OF_REQUEST[request]!)) return FirewallDrop.code.icmpQueryMismatch;
      if (dir === 1 && (this.flags[id]! & F_SEEN_REPLY) === 0) {
        this.flags[id] = this.flags[id]! | F_SEEN_REPLY;
        this.assure(id);
      }
      this.wheel.schedule(id, this.now + this.timeouts.icmp);
      return 0;
    }
    if (isRequest) {
      if (!outbound) return FirewallDrop.code.unsolicitedInbound;
      id = this.create(tenant, PROTO_ICMP, src, dst, ports, true);
      if (id < 0) return this.createError;
      this.icmpRequestType[id] = type;
    } else {
      // A reply with no outstanding request: after a restart, the request may predate it.
      if (!this.inGrace()) return FirewallDrop.code.unknownMidFlow;
      id = this.create(tenant, PROTO_ICMP, dst, src, swapPorts(ports), !outbound);
      if (id < 0) return this.createError;
      this.icmpRequestType[id] = requestOfReply;
      this.flags[id] = this.flags[id]! | F_PICKED_UP | F_SEEN_REPLY;
      this.assure(id);
      this.stats.pickedUp++;
    }
    this.wheel.schedule(id, this.now + this.timeouts.icmp);
    return 0;
  }

  /**
   * RFC 792 errors are "related": accepted only when the packet they quote belongs to a tracked
   * connection and went the other way (an error answers a packet, so it travels back toward its
   * sender: the quoted tuple, seen from the error, is reversed). They never create state or
   * refresh timers, even during the grace period.
   */
  private checkIcmpError(tenant: number, outbound: boolean, proto: number, src: number, dst: number, ports: number, buf: Uint8Array, off: number, len: number): number {
    if (proto !== PROTO_TCP && proto !== PROTO_UDP && proto !== PROTO_ICMP) return FirewallDrop.code.unsupportedProtocol;
    const id = this.find(tenant, proto, src, dst, ports);
    if (id < 0) return FirewallDrop.code.icmpErrorUnrelated;
    const dir = this.foundDir;
    if (this.isOutbound(id, dir) === outbound) return FirewallDrop.code.icmpErrorDirection;
    if (proto === PROTO_TCP) {
      if (len < 8) return FirewallDrop.code.icmpTruncated;
      if (!this.tcp.quotedSeqPlausible(id, dir, readI32(buf, off + 4))) return FirewallDrop.code.icmpErrorQuotedSeq;
    } else if (proto === PROTO_ICMP) {
      if (len < 8) return FirewallDrop.code.icmpTruncated;
      const request = this.icmpRequestType[id]!;
      if (buf[off] !== (dir === 0 ? request : ICMP_REPLY_OF_REQUEST[request]!)) return FirewallDrop.code.icmpErrorUnrelated;
    }
    return 0;
  }

  // ---- entries ----

  /** A new entry with the given original tuple, or -1 with `createError` set. Applies the
   * per-tenant and per-host caps and, when the table is full, early drop. No timer yet. */
  private create(tenant: number, proto: number, src: number, dst: number, ports: number, originOutbound: boolean): number {
    const cfg = this.config;
    const inside = originOutbound ? src : dst;
    const tc = this.tenantCounts;
    if (tc !== null) {
      if (tc.count(tenant, 0) >= cfg.maxConnectionsPerTenant) return this.refuse(FirewallDrop.code.tenantLimit);
      if (tc.wouldOverflow(tenant, 0)) return this.refuse(FirewallDrop.code.tenantTableFull);
    }
    const hc = this.hostCounts;
    if (hc !== null && hc.count(tenant, inside) >= cfg.maxConnectionsPerHost) return this.refuse(FirewallDrop.code.hostLimit);
    let id = this.pool.allocate();
    if (id < 0) {
      // netfilter's early_drop: an unassured connection (no answer, or a handshake never
      // completed; what a SYN flood fills the table with) gives way; assured ones never do.
      if (!cfg.earlyDrop || this.unassuredHead < 0) return this.refuse(FirewallDrop.code.tableFull);
      this.release(this.unassuredHead);
      this.stats.earlyDropped++;
      id = this.pool.allocate();
    }
    const k = this.keys;
    k.tenant[id] = tenant;
    k.proto[id] = proto;
    k.src[id] = src;
    k.dst[id] = dst;
    k.ports[id] = ports;
    this.flags[id] = originOutbound ? F_ORIGIN_OUTBOUND : 0;
    this.tcpState[id] = TcpConnState.None;
    this.icmpRequestType[id] = 0;
    this.owner[id] = cfg.ownerNode;
    this.originalIndex.insert(k.originalHash(id), id);
    this.replyIndex.insert(k.replyHash(id), id);
    if (tc !== null) tc.increment(tenant, 0);
    if (hc !== null) hc.increment(tenant, inside);
    // Append to the unassured list (oldest at the head).
    this.unassuredNext[id] = -1;
    this.unassuredPrev[id] = this.unassuredTail;
    if (this.unassuredTail >= 0) this.unassuredNext[this.unassuredTail] = id;
    else this.unassuredHead = id;
    this.unassuredTail = id;
    this.stats.created++;
    return id;
  }

  private refuse(code: number): number {
    this.createError = code;
    return -1;
  }

  private assure(id: number): void {
    const fl = this.flags[id]!;
    if (fl & F_ASSURED) return;
    this.flags[id] = fl | F_ASSURED;
    this.unlinkUnassured(id);
  }

  private unlinkUnassured(id: number): void {
    const p = this.unassuredPrev[id]!, n = this.unassuredNext[id]!;
    if (p >= 0) this.unassuredNext[p] = n;
    else this.unassuredHead = n;
    if (n >= 0) this.unassuredPrev[n] = p;
    else this.unassuredTail = p;
  }

  private expireEntry(id: number): void {
    this.release(id);
    this.stats.expired++;
  }

  /** Frees entry `id`: out of both indexes, off the wheel and the lists, uncounted. */
  private release(id: number): void {
    const k = this.keys;
    this.originalIndex.remove(k.originalHash(id), id);
    this.replyIndex.remove(k.replyHash(id), id);
    this.wheel.cancel(id);
    const fl = this.flags[id]!;
    if (this.tenantCounts !== null) this.tenantCounts.decrement(k.tenant[id]!, 0);
    if (this.hostCounts !== null) this.hostCounts.decrement(k.tenant[id]!, fl & F_ORIGIN_OUTBOUND ? k.src[id]! : k.dst[id]!);
    if ((fl & F_ASSURED) === 0) this.unlinkUnassured(id);
    this.flags[id] = 0;
    this.pool.release(id);
  }
}

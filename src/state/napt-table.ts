import { formatIpv4 } from '../addr/ipv4-address.js';
import { DropCounters } from '../wire/drop-reasons.js';
import { BibFlag, BibTable } from './bib-table.js';
import type { ChangeLog } from './change-log.js';
import {
  CHANGE_RECORD_VERSION, ChangeAction, ChangeFlag, ChangeKind, ChangeRecordRepr, CR_OFF_APP_CONTEXT, CR_OFF_ENTRY_NUMBER, CR_OFF_FLAGS,
  CR_OFF_INSIDE_GLOBAL_ADDR, CR_OFF_INSIDE_GLOBAL_PORT, CR_OFF_INSIDE_LOCAL_ADDR, CR_OFF_NAT_ID, CR_OFF_OUTSIDE_GLOBAL_ADDR,
  CR_OFF_OUTSIDE_LOCAL_ADDR, CR_OFF_OUTSIDE_LOCAL_PORT, CR_OFF_TENANT, CR_OFF_VERSION,
} from './change-record.js';
import type { Clock } from './clock.js';
import { HostTable } from './host-table.js';
import { OwnerIds } from './owner-ids.js';
import { checkNaptConfig, type NaptConfig } from './napt-config.js';
import { NaptDrop, type NaptDropName } from './napt-drop.js';
import { NAPT_ICMP, NAPT_PROTOCOL_BY_INDEX, NAPT_TCP, naptProtocolIndex, naptProtocolName } from './napt-protocol.js';
import { formatInsideAddress, isMappedIpv4Words, type NaptBindingView, type NaptSessionView } from './napt-session-view.js';
import { PendingSynStore, SynHold, type PendingSynSink } from './pending-syn-store.js';
import { PortBlockAllocator, PortClaim } from './port-block-allocator.js';
import { RemoteAddressTable } from './remote-address-table.js';
import { SessionTable } from './session-table.js';
import { TCP_STATE_NAMES, TcpState, TcpTimer, tcpTransition } from './tcp-state-machine.js';
import { TenantTable } from './tenant-table.js';
import { TimingWheel, type ExpirySink } from './timing-wheel.js';

/** Receives the records of a bulk dump (`NaptTable.dump`). The record object is reused: copy
 * what you keep. */
export interface ChangeSink {
  change(record: ChangeRecordRepr): void;
}

const D = NaptDrop.code;
const SYN = 0x02;
const FILTER_EIF = 0;
const FILTER_ADF = 1;
const FILTER_APDF = 2;
/** Wheel slots: one turn covers TCP_EST (2 h 4 min) at 1 s ticks; longer timers wait a turn. */
const WHEEL_SLOTS = 8192;

/**
 * Stateful NAPT: the session table of stateful NAT64 (RFC 6146: BIB + sessions per protocol)
 * and of NAT44 NAPT (RFC 4787 UDP, RFC 5382 TCP, RFC 5508 ICMP), one implementation for both.
 * The inside address is 4 words: IPv6 for NAT64, ::ffff:a.b.c.d for NAT44. The pool address T
 * and the remote address Z are IPv4; for NAT64 the caller derives Y' from Z by RFC 6052.
 *
 * Mapping is endpoint-independent (RFC 4787 REQ-1, RFC 5382 REQ-1, RFC 6146 §3.5.1): a BIB entry
 * binds (tenant, protocol, X, x) to (T, t); sessions hang off it keyed by (Z, z). Ports come
 * from this node's port blocks (`PortBlockAllocator`), with paired pooling per inside host
 * (REQ-2), parity (REQ-4) and range (REQ-3a) preservation and never overloading (REQ-3).
 * Inbound filtering is configurable (REQ-8). TCP runs RFC 6146 §3.5.2.2's state machine, with
 * unsolicited SYNs held 6 s (RFC 5382 REQ-4) in a bounded store.
 *
 * Replication (seed 002): every entry carries its owner's NAT ID and an entry number; every
 * create, state change and delete of an entry this node owns is appended to `changes` as a
 * `ChangeRecordRepr` (timer refreshes are not: a node taking entries over restarts their
 * timers). `applyChange` installs a peer's entries as replicas, which only their owner changes
 * or expires; `dump` emits the table for a bulk sync; `removeOwner` drops a lost peer's entries;
 * `takeOver` adopts them. Nothing else mutates the tables.
 *
 * Data path: numbers in, numbers out, no allocation. `outbound`/`inbound` return a session id
 * (≥ 0) or -1 with the reason in `lastDrop` (counted in `drops`). IPv4 addresses and tenant IDs
 * may be given as u32 or as their int32 bit pattern (`| 0`); the table keeps the int32 form,
 * because in V8 an unsigned value of 2^31 or more is a heap number that allocates whenever it
 * crosses a call, and callers on the hot path should pass it too. Accessors return u32. Memory
 * is fixed by the configuration: typed arrays by id, hash indexes both ways, a timing wheel.
 */
export class NaptTable {
  readonly config: NaptConfig;
  readonly natId: number;
  /** NAT IDs of the owners; entries keep an index into it. */
  private readonly owners = new OwnerIds();
  /** This node's index in `owners`. */
  private readonly self: number;
  readonly drops = new DropCounters(NaptDrop);
  /** Reason of the last refusal (a `NaptDrop` code). */
  lastDrop = 0;
  /** Pool ports and their blocks; assign blocks to nodes here. */
  readonly ports: PortBlockAllocator;
  /** Unsolicited inbound SYNs held for RFC 5382 REQ-4. */
  readonly heldSyns: PendingSynStore;
  private readonly clock: Clock;
  private readonly changes: ChangeLog;
  private readonly hosts: HostTable;
  private readonly bib: BibTable;
  private readonly sessionTable: SessionTable;
  private readonly tenants: TenantTable;
  private readonly remotes: RemoteAddressTable | null;
  private readonly wheel: TimingWheel;
  private readonly expirer: ExpirySink;
  private readonly record = new ChangeRecordRepr();
  private readonly filtering: number;
  private readonly udpMs: number;
  private readonly icmpMs: number;
  private readonly estMs: number;
  private readonly transMs: number;
  private readonly inboundRefresh: boolean;
  private readonly holdSyns: boolean;
  private readonly maxPerTenant: number;
  private readonly maxPerHost: number;
  private entryCounter = 1;
  /** Port chosen by the last successful `allocate`. */
  private allocatedPort = 0;

  constructor(config: NaptConfig, clock: Clock, changes: ChangeLog, seed: number) {
    checkNaptConfig(config);
    this.config = config;
    this.natId = config.natId >>> 0;
    this.self = this.owners.intern(this.natId);
    this.clock = clock;
    this.changes = changes;
    let s = seed | 0;
    // Each structure hashes with its own key, derived from the one seed.
    const nextSeed = (): number => (s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) | 0);
    this.ports = new PortBlockAllocator(config.pool, config.portMin, config.portMax, config.portBlockSize, this.natId, nextSeed());
    this.hosts = new HostTable(config.maxHosts, nextSeed());
    this.bib = new BibTable(config.maxBib, this.hosts, nextSeed());
    this.sessionTable = new SessionTable(config.maxSessions, nextSeed());
    this.tenants = new TenantTable(config.maxTenants, nextSeed());
    this.filtering = config.filtering === 'endpoint-independent' ? FILTER_EIF : config.filtering === 'address-dependent' ? FILTER_ADF : FILTER_APDF;
    this.remotes = this.filtering === FILTER_ADF ? new RemoteAddressTable(config.maxSessions, nextSeed()) : null;
    this.wheel = new TimingWheel(config.maxSessions, WHEEL_SLOTS, config.timerTickMs, clock.now());
    this.heldSyns = new PendingSynStore(config.heldSynSlots, config.heldSynBytes, config.tcpIncomingSynTimeoutMs, nextSeed());
    this.expirer = { expire: (id: number): void => this.expireSession(id) };
    this.udpMs = config.udpTimeoutMs;
    this.icmpMs = config.icmpTimeoutMs;
    this.estMs = config.tcpEstablishedTimeoutMs;
    this.transMs = config.tcpTransitoryTimeoutMs;
    this.inboundRefresh = config.inboundRefresh;
    this.holdSyns = config.unsolicitedSyn === 'hold';
    this.maxPerTenant = config.maxSessionsPerTenant;
    this.maxPerHost = config.maxSessionsPerHost;
    this.ports.assignBlocks(config.blockOwners.length > 0 ? config.blockOwners : [this.natId]);
    for (const e of config.staticBib) this.addStatic(e.tenant | 0, naptProtocolIndex(e.protocol), e.inside, e.insidePort, e.outside | 0, e.outsidePort);
  }

  // ---------------------------------------------------------------- data path

  /**
   * An inside → outside packet of (tenant, proto) from (X,x) = (inside[0..3], insidePort) to
   * (Z,z). Finds its session, or creates it (and the BIB entry when the host port has none) for
   * a first packet: any UDP datagram or ICMP query, a TCP SYN (RFC 6146 §3.5.1, §3.5.2.2,
   * §3.5.3). Refreshes the session (RFC 4787 REQ-6: outbound always refreshes) and runs the TCP
   * state machine. `proto`: 6, 17 or 1 (ICMP query, ports = identifier); `tcpFlags`: the TCP
   * flags byte, 0 otherwise. Returns the session id, or -1 (`lastDrop`).
   */
  outbound(tenant: number, proto: number, inside: Uint32Array, insidePort: number, remoteAddr: number, remotePort: number, tcpFlags: number): number {
    const pi = naptProtocolIndex(proto);
    if (pi < 0) return this.refuse(D.unsupportedProtocol);
    tenant |= 0;
    remoteAddr |= 0;
    remotePort = sessionRemotePort(pi, remotePort);
    const hosts = this.hosts;
    const hostHash = hosts.hash(tenant, inside, 0);
    let host = hosts.find(hostHash, tenant, inside, 0);
    let b = host >= 0 ? this.bib.findInside(host, pi, insidePort) : -1;
    if (b >= 0) {
      const s = this.sessionTable.find(b, remoteAddr, remotePort);
      if (s >= 0) {
        this.touch(s, pi, true, tcpFlags);
        return s;
      }
    }
    // RFC 6146 §3.5.2.2 CLOSED: only a SYN opens a TCP session. (The RFC lets a non-SYN
    // segment with a BIB entry through without a session if policy allows; ours does not.)
    if (pi === NAPT_TCP && (tcpFlags & SYN) === 0) return this.refuse(D.tcpNotSyn);
    // Every limit before anything is created, so a refusal leaves nothing behind.
    const limit = this.sessionLimit(tenant, host);
    if (limit !== 0) return this.refuse(limit);
    if (b < 0) {
      if (this.bib.size >= this.bib.capacity) return this.refuse(D.bibTableFull);
      if (host < 0 && hosts.size >= hosts.capacity) return this.refuse(D.hostTableFull);
      const ai = this.allocate(pi, host, hostHash, insidePort);
      if (ai < 0) return this.refuse(this.lastDrop);
      if (host < 0) host = hosts.findOrAdd(hostHash, tenant, inside, 0);
      b = this.addBib(host, pi, insidePort, this.ports.addresses[ai]! | 0, this.allocatedPort, 0, this.self, this.nextEntryNumber(), true);
    }
    const s = this.addSession(b, remoteAddr, remotePort, pi === NAPT_TCP ? TcpState.insideInit : 0, this.self, this.nextEntryNumber());
    if (pi === NAPT_TCP) {
      // V6 INIT lives TCP_TRANS. An inbound SYN held for this connection is now answered by
      // the connection itself: drop it silently (RFC 5382 REQ-4, RFC 6146 §3.5.2.2).
      this.wheel.schedule(s, this.clock.now() + this.transMs);
      if (this.heldSyns.size > 0) this.heldSyns.cancel(tenant, this.bib.outsideAddrOf(b), this.bib.outsidePortOf(b), remoteAddr, remotePort);
    } else this.wheel.schedule(s, this.clock.now() + (pi === NAPT_ICMP ? this.icmpMs : this.udpMs));
    this.emitSession(ChangeAction.add, s);
    return s;
  }

  /**
   * An outside → inside packet from (Z,z) to the pool transport address (T,t). Finds its
   * session, or creates one when the BIB entry exists and the filtering allows (RFC 4787 REQ-8,
   * RFC 6146 §3.5.1, §3.5.2.2, §3.5.3). An unsolicited TCP SYN (no BIB entry, or filtered) is
   * held for TCP_INCOMING_SYN in the held-SYN store (RFC 5382 REQ-4): give `packet[off,
   * off+len)` (the IP packet) so its Port Unreachable can quote it; `drainHeldSyns` hands it
   * back when due. Returns the session id, or -1 (`lastDrop`).
   */
  inbound(tenant: number, proto: number, outsideAddr: number, outsidePort: number, remoteAddr: number, remotePort: number, tcpFlags: number,
    packet?: Uint8Array, off = 0, len = packet === undefined ? 0 : packet.length - off): number {
    const pi = naptProtocolIndex(proto);
    if (pi < 0) return this.refuse(D.unsupportedProtocol);
    tenant |= 0;
    outsideAddr |= 0;
    remoteAddr |= 0;
    remotePort = sessionRemotePort(pi, remotePort);
    const b = this.bib.findOutside(tenant, pi, outsideAddr, outsidePort);
    if (b >= 0) {
      const s = this.sessionTable.find(b, remoteAddr, remotePort);
      if (s >= 0) {
        this.touch(s, pi, false, tcpFlags);
        return s;
      }
    }
    if (pi === NAPT_TCP) {
      if ((tcpFlags & SYN) === 0) return this.refuse(D.tcpNotSyn);
      if (b < 0 || !this.filterAllows(b, remoteAddr)) {
        if (!this.holdSyns) return this.refuse(D.unsolicitedSynRefused);
        const held = this.heldSyns.hold(tenant, outsideAddr, outsidePort, remoteAddr, remotePort, packet, off, len, this.clock.now());
        return this.refuse(held === SynHold.held ? D.unsolicitedSynHeld : held === SynHold.repeated ? D.unsolicitedSynRepeated : D.heldSynStoreFull);
      }
    } else {
      if (b < 0) return this.refuse(D.noBinding);
      if (!this.filterAllows(b, remoteAddr)) return this.refuse(D.filtered);
    }
    const limit = this.sessionLimit(tenant, this.bib.hostOf(b));
    if (limit !== 0) return this.refuse(limit);
    const s = this.addSession(b, remoteAddr, remotePort, pi === NAPT_TCP ? TcpState.outsideInit : 0, this.self, this.nextEntryNumber());
    // V4 INIT on an existing mapping the filter lets through: translated, lifetime TCP_TRANS
    // (RFC 6146 §3.5.2.2); an inside SYN then completes the (simultaneous) open.
    this.wheel.schedule(s, this.clock.now() + this.timeoutFor(pi, pi === NAPT_TCP ? TcpState.outsideInit : 0));
    this.emitSession(ChangeAction.add, s);
    return s;
  }

  /**
   * The session of an inside → outside packet, or -1: never creates, never refreshes. For ICMP
   * errors, which find their session through the quoted packet and must not change it (RFC 5508
   * REQ-6, RFC 5382 REQ-10, RFC 4787 REQ-12).
   */
  findOutbound(tenant: number, proto: number, inside: Uint32Array, insidePort: number, remoteAddr: number, remotePort: number): number {
    const pi = naptProtocolIndex(proto);
    if (pi < 0) return -1;
    const host = this.hosts.find(this.hosts.hash(tenant, inside, 0), tenant, inside, 0);
    const b = host < 0 ? -1 : this.bib.findInside(host, pi, insidePort);
    return b < 0 ? -1 : this.sessionTable.find(b, remoteAddr, sessionRemotePort(pi, remotePort));
  }

  /** The session of an outside → inside packet to (T,t) from (Z,z), or -1: never creates, never
   * refreshes (see `findOutbound`). */
  findInbound(tenant: number, proto: number, outsideAddr: number, outsidePort: number, remoteAddr: number, remotePort: number): number {
    const pi = naptProtocolIndex(proto);
    if (pi < 0) return -1;
    const b = this.bib.findOutside(tenant, pi, outsideAddr, outsidePort);
    return b < 0 ? -1 : this.sessionTable.find(b, remoteAddr, sessionRemotePort(pi, remotePort));
  }

  /**
   * What `outbound`/`inbound` do to an existing session, for a flow cache that already holds
   * its id (check `isLive` first): refresh and TCP state machine. `outbound`: the packet came
   * from the inside. Returns 0 (a `NaptDrop` code, for the caller's uniformity).
   */
  refresh(id: number, outbound: boolean, tcpFlags: number): number {
    this.touch(id, this.bib.protoOf(this.sessionTable.bibOf(id)), outbound, tcpFlags);
    return 0;
  }

  /** Expires the sessions due at the clock's time (at most `budget`); returns how many. Only
   * this node's own sessions are on the timer; replicas go when their owner says so. */
  expire(budget = Infinity): number {
    return this.wheel.advance(this.clock.now(), this.expirer, budget);
  }

  /** Hands the held SYNs whose 6 s are up to `sink` for their ICMP Port Unreachable (RFC 5382
   * REQ-4); returns how many. */
  drainHeldSyns(sink: PendingSynSink, budget = Infinity): number {
    return this.heldSyns.drain(this.clock.now(), sink, budget);
  }

  // ---------------------------------------------------------------- accessors by session id

  /** Writes the inside address X (4 words) to `out[outOff..]`. */
  insideAddr(id: number, out: Uint32Array, outOff = 0): void {
    const i = this.bib.hostOf(this.sessionTable.bibOf(id)) << 2;
    const a = this.hosts.addr;
    out[outOff] = a[i]!;
    out[outOff + 1] = a[i + 1]!;
    out[outOff + 2] = a[i + 2]!;
    out[outOff + 3] = a[i + 3]!;
  }

  insidePort(id: number): number {
    return this.bib.insidePortOf(this.sessionTable.bibOf(id));
  }

  /** Pool address T. */
  outsideAddr(id: number): number {
    return this.bib.outsideAddrOf(this.sessionTable.bibOf(id)) >>> 0;
  }

  /** Pool address T as its int32 bit pattern (`outsideAddr(id) | 0`): what hot paths should
   * read, since a u32 of 2^31 or more returned from a call that is not inlined is a heap number. */
  outsideAddrBits(id: number): number {
    return this.bib.outsideAddrOf(this.sessionTable.bibOf(id));
  }

  outsidePort(id: number): number {
    return this.bib.outsidePortOf(this.sessionTable.bibOf(id));
  }

  /** Remote address Z. */
  remoteAddr(id: number): number {
    return this.sessionTable.remoteAddrOf(id) >>> 0;
  }

  /** Remote address Z as its int32 bit pattern (see `outsideAddrBits`). */
  remoteAddrBits(id: number): number {
    return this.sessionTable.remoteAddrOf(id);
  }

  remotePort(id: number): number {
    return this.sessionTable.remotePortOf(id);
  }

  /** 6, 17 or 1. */
  proto(id: number): number {
    return NAPT_PROTOCOL_BY_INDEX[this.bib.protoOf(this.sessionTable.bibOf(id))]!;
  }

  tenant(id: number): number {
    return this.hosts.tenant[this.bib.hostOf(this.sessionTable.bibOf(id))]! >>> 0;
  }

  /** NAT ID of the node that owns the session. */
  owner(id: number): number {
    return this.owners.idOf(this.sessionTable.ownerOf(id));
  }

  entryNumber(id: number): number {
    return this.sessionTable.entryNumberOf(id) >>> 0;
  }

  /** `TcpState` of a TCP session (0 for UDP and ICMP). */
  tcpState(id: number): number {
    return this.sessionTable.tcpState[id]!;
  }

  /** BIB entry of the session. */
  bindingOf(id: number): number {
    return this.sessionTable.bibOf(id);
  }

  /** True while session `id` is the one numbered `entryNumber`: flow caches keep (id, entry
   * number) and check this, since ids are reused. */
  isLive(id: number, entryNumber: number): boolean {
    return this.sessionTable.isLiveEntry(id, entryNumber);
  }

  /** Expiry time (clock ms, rounded up to the timer tick) of an own session; -1 for a replica. */
  expiresAt(id: number): number {
    return this.wheel.isScheduled(id) ? this.wheel.expiresAt(id) : -1;
  }

  get sessionCount(): number {
    return this.sessionTable.size;
  }

  get bibCount(): number {
    return this.bib.size;
  }

  get hostCount(): number {
    return this.hosts.size;
  }

  /** Bytes held by the table's typed arrays (what its configuration costs). */
  get byteLength(): number {
    return this.hosts.byteLength + this.bib.byteLength + this.sessionTable.byteLength + this.tenants.byteLength
      + (this.remotes?.byteLength ?? 0) + this.wheel.byteLength + this.heldSyns.byteLength + this.ports.byteLength;
  }

  // ---------------------------------------------------------------- operator and replication

  /**
   * Stripes the pool's port blocks across the nodes `nodes` (NAT IDs): every node computing it
   * from the same list agrees, and each gets blocks on every address. This node then allocates
   * only from its own blocks; ports already in use stay in use. See `ports` for single blocks.
   */
  assignBlocks(nodes: ArrayLike<number>): void {
    this.ports.assignBlocks(nodes);
  }

  /** Gives block `block` (`ports.blockOf(addr, port)`) to node `node` (0: to nobody). */
  assignBlock(block: number, node: number): void {
    this.ports.assign(block, node);
  }

  /** Deletes session `id` (operator, API). Only the owner may (seed 002): false, counted as
   * `notOwner`, for a replica; false for a free id. */
  remove(id: number): boolean {
    if (!this.sessionTable.isLive(id)) return false;
    if (this.sessionTable.ownerOf(id) !== this.self) {
      this.drops.add(D.notOwner);
      return false;
    }
    this.removeSession(id, true);
    return true;
  }

  /** Deletes BIB entry `bibId` and its sessions (operator). Static and peers' entries are
   * refused (false); the sessions of other owners on it go silently, as the BIB's owner says. */
  removeBinding(bibId: number): boolean {
    if (!this.bib.isLive(bibId)) return false;
    if (this.bib.ownerOf(bibId) !== this.self) {
      this.drops.add(D.notOwner);
      return false;
    }
    this.removeSessionsOf(bibId);
    if (this.bib.isLive(bibId)) this.removeBib(bibId, true);
    return true;
  }

  /**
   * Applies a change record from a peer (or this node's own, returned by a peer's dump after a
   * restart). A peer's entries become replicas: kept with the owner's NAT ID, never expired
   * here. Records are matched by key, not by id. Returns 0, or a `NaptDrop` code (counted).
   */
  applyChange(r: ChangeRecordRepr): number {
    const pi = naptProtocolIndex(r.protocol);
    if (pi < 0 || r.natId === 0 || r.action < ChangeAction.add || r.action > ChangeAction.delete || (r.kind !== ChangeKind.bib && r.kind !== ChangeKind.session)) {
      return this.applyRefused(D.applyBadRecord);
    }
    const tenant = r.tenant | 0;
    const owner = this.owners.intern(r.natId);
    if (owner < 0) return this.applyRefused(D.applyTableFull);
    const addr = r.insideLocalAddr;
    const hostHash = this.hosts.hash(tenant, addr, 0);
    const host = this.hosts.find(hostHash, tenant, addr, 0);
    let b = host < 0 ? -1 : this.bib.findInside(host, pi, r.insideLocalPort);
    if (r.kind === ChangeKind.bib) {
      if (r.action === ChangeAction.delete) {
        if (b < 0) return this.applyRefused(D.applyUnknownEntry);
        // Entry number 0: installed from a session record, its owner not yet known for sure.
        if (this.bib.ownerOf(b) !== owner && this.bib.entryNumber[b] !== 0) return this.applyRefused(D.notOwner);
        if ((this.bib.flagsOf(b) & BibFlag.static) !== 0) return this.applyRefused(D.notOwner);
        this.removeSessionsOf(b);
        if (this.bib.isLive(b)) this.removeBib(b, false);
        return 0;
      }
      if (b >= 0) {
        if (this.bib.outsideAddrOf(b) !== (r.insideGlobalAddr | 0) || this.bib.outsidePortOf(b) !== r.insideGlobalPort) return this.applyRefused(D.applyConflict);
        if ((this.bib.flagsOf(b) & BibFlag.static) === 0) {
          this.bib.setOwner(b, owner);
          this.bib.entryNumber[b] = r.entryNumber;
        }
        return 0;
      }
      b = this.addReplicaBib(hostHash, tenant, addr, pi, r.insideLocalPort, r.insideGlobalAddr | 0, r.insideGlobalPort, owner, r.entryNumber);
      return b < 0 ? this.applyRefused(this.lastDrop) : 0;
    }
    const z = r.outsideGlobalAddr | 0;
    const zp = r.outsideGlobalPort;
    if (b < 0) {
      if (r.action === ChangeAction.delete) return this.applyRefused(D.applyUnknownEntry);
      // The session's mapping belongs to a third node whose record has not come yet: install it
      // from the session record; its owner's own record corrects owner and number later.
      b = this.addReplicaBib(hostHash, tenant, addr, pi, r.insideLocalPort, r.insideGlobalAddr | 0, r.insideGlobalPort, owner, 0);
      if (b < 0) return this.applyRefused(this.lastDrop);
    } else if (this.bib.outsideAddrOf(b) !== (r.insideGlobalAddr | 0) || this.bib.outsidePortOf(b) !== r.insideGlobalPort) {
      return this.applyRefused(D.applyConflict);
    }
    let s = this.sessionTable.find(b, z, zp);
    if (r.action === ChangeAction.delete) {
      if (s < 0) return this.applyRefused(D.applyUnknownEntry);
      if (this.sessionTable.ownerOf(s) !== owner) return this.applyRefused(D.notOwner);
      this.removeSession(s, false);
      return 0;
    }
    const state = pi === NAPT_TCP ? r.appContext & 0xff : 0;
    // Entry number 0 marks a free session slot (`isLive`); no owner numbers a session 0.
    if (state > TcpState.transitory || r.entryNumber === 0) return this.applyRefused(D.applyBadRecord);
    if (s >= 0) {
      this.sessionTable.setOwner(s, owner);
      this.sessionTable.setEntryNumber(s, r.entryNumber);
      this.sessionTable.tcpState[s] = state;
    } else {
      if (this.sessionTable.size >= this.sessionTable.capacity) return this.applyRefused(D.applyTableFull);
      if (this.tenants.find(tenant) < 0 && this.tenants.size >= this.tenants.capacity) return this.applyRefused(D.applyTableFull);
      s = this.addSession(b, z, zp, state, owner, r.entryNumber);
    }
    // Own entries run their timer here, restarted (seed 002); replicas run none.
    if (owner === this.self) this.wheel.schedule(s, this.clock.now() + this.timeoutFor(pi, state));
    else this.wheel.cancel(s);
    return 0;
  }

  /**
   * Emits the table as `add` records (bulk sync on a peer's join or restart, seed 002): BIB
   * entries first, then sessions, so a receiver applying them in order finds each session's
   * mapping. `scope` 'own' (the default) sends only this node's entries, as peers need (the
   * others come from their owners); 'all' every replicated entry. Static entries are never sent.
   * Returns the number of records.
   */
  dump(sink: ChangeSink, scope: 'own' | 'all' = 'own'): number {
    let n = 0;
    const own = scope === 'own';
    for (let b = 0; b < this.bib.capacity; b++) {
      if (!this.bib.isLive(b) || (this.bib.flagsOf(b) & BibFlag.static) !== 0 || this.bib.ownerOf(b) === 0) continue;
      if (own && this.bib.ownerOf(b) !== this.self) continue;
      this.fillBib(ChangeAction.add, b);
      sink.change(this.record);
      n++;
    }
    for (let s = 0; s < this.sessionTable.capacity; s++) {
      if (!this.sessionTable.isLive(s) || (own && this.sessionTable.ownerOf(s) !== this.self)) continue;
      this.fillSession(ChangeAction.add, s);
      sink.change(this.record);
      n++;
    }
    return n;
  }

  /**
   * A peer is gone (lost, or said it leaves; seed 002): its entries go, with the sessions that
   * hang off its mappings. This node's own sessions removed that way, and own mappings left
   * without sessions, are announced as deletes. Returns the number of entries removed. The
   * peer's port blocks stay assigned to it until the caller reassigns them (`ports`).
   */
  removeOwner(nodeId: number): number {
    nodeId >>>= 0;
    if (nodeId === this.natId || nodeId === 0) throw new RangeError('removeOwner: ' + nodeId + ' is not a peer');
    const peer = this.owners.indexOf(nodeId);
    if (peer < 0) return 0;
    let n = 0;
    const ss = this.sessionTable;
    for (let s = 0; s < ss.capacity; s++) {
      if (!ss.isLive(s)) continue;
      if (ss.ownerOf(s) === peer || this.bib.ownerOf(ss.bibOf(s)) === peer) {
        this.removeSession(s, ss.ownerOf(s) === this.self);
        n++;
      }
    }
    for (let b = 0; b < this.bib.capacity; b++) {
      if (this.bib.isLive(b) && this.bib.ownerOf(b) === peer) {
        this.removeBib(b, false);
        n++;
      }
    }
    return n;
  }

  /**
   * Adopts every entry of node `nodeId` (a backup or standby becoming active, seed 002): each
   * becomes this node's, announced with an `update` record, and each session's timer starts
   * afresh from now, its full timeout for its state (timers are not replicated). The node's
   * port blocks become this node's. Returns the number of entries adopted.
   */
  takeOver(nodeId: number): number {
    nodeId >>>= 0;
    if (nodeId === this.natId || nodeId === 0) throw new RangeError('takeOver: ' + nodeId + ' is not a peer');
    this.ports.reassign(nodeId, this.natId);
    const peer = this.owners.indexOf(nodeId);
    if (peer < 0) return 0;
    let n = 0;
    for (let b = 0; b < this.bib.capacity; b++) {
      if (this.bib.isLive(b) && this.bib.ownerOf(b) === peer) {
        this.bib.setOwner(b, this.self);
        this.emitBib(ChangeAction.update, b);
        n++;
      }
    }
    const now = this.clock.now();
    const ss = this.sessionTable;
    for (let s = 0; s < ss.capacity; s++) {
      if (ss.isLive(s) && ss.ownerOf(s) === peer) {
        ss.setOwner(s, this.self);
        this.wheel.schedule(s, now + this.timeoutFor(this.bib.protoOf(ss.bibOf(s)), ss.tcpState[s]!));
        this.emitSession(ChangeAction.update, s);
        n++;
      }
    }
    this.pruneIdleBindings();
    return n;
  }

  /** Deletes this node's dynamic mappings that have no session (after a restore from a dump
   * or a takeover); returns how many. */
  pruneIdleBindings(): number {
    let n = 0;
    for (let b = 0; b < this.bib.capacity; b++) {
      if (this.bib.isLive(b) && this.bib.ownerOf(b) === this.self && this.bib.sessionCount[b] === 0 && (this.bib.flagsOf(b) & BibFlag.static) === 0) {
        this.removeBib(b, true);
        n++;
      }
    }
    return n;
  }

  // ---------------------------------------------------------------- views (control path)

  /** The sessions (at most `limit`), for the CLI (`natmesh replay --dump-sessions`) and the API;
   * allocates. */
  sessions(limit = Infinity): NaptSessionView[] {
    const out: NaptSessionView[] = [];
    const ss = this.sessionTable;
    for (let s = 0; s < ss.capacity && out.length < limit; s++) if (ss.isLive(s)) out.push(this.sessionView(s));
    return out;
  }

  /** Session `id` as the CLI and the API show it (control path: allocates). */
  sessionView(id: number): NaptSessionView {
    const ss = this.sessionTable;
    const b = ss.bibOf(id);
    const pi = this.bib.protoOf(b);
    const words = new Uint32Array(4);
    this.insideAddr(id, words);
    return {
      id,
      entryNumber: ss.entryNumberOf(id) >>> 0,
      owner: this.owners.idOf(ss.ownerOf(id)),
      local: ss.ownerOf(id) === this.self,
      tenant: this.tenant(id),
      protocol: naptProtocolName(NAPT_PROTOCOL_BY_INDEX[pi]!),
      inside: formatInsideAddress(words),
      insidePort: this.bib.insidePortOf(b),
      outside: formatIpv4(this.bib.outsideAddrOf(b)),
      outsidePort: this.bib.outsidePortOf(b),
      remote: formatIpv4(ss.remoteAddrOf(id)),
      remotePort: ss.remotePortOf(id),
      state: pi === NAPT_TCP ? TCP_STATE_NAMES[ss.tcpState[id]!]! : null,
      expiresInMs: this.wheel.isScheduled(id) ? Math.max(0, this.wheel.expiresAt(id) - this.clock.now()) : null,
    };
  }

  /** Id of the live session with FIGURE 4B entry number `entryNumber`, or -1 (a scan: control path). */
  findByEntryNumber(entryNumber: number): number {
    const ss = this.sessionTable;
    for (let s = 0; s < ss.capacity; s++) if (ss.isLive(s) && ss.entryNumberOf(s) >>> 0 === entryNumber) return s;
    return -1;
  }

  /**
   * Live sessions by protocol and TCP state, for metrics: counted from the arrays, with no
   * object per session, so a scrape of a table of millions stays cheap. Key: protocol name, or
   * `tcp` + state name.
   */
  sessionCountsByState(): Map<string, { protocol: string; state: string | null; count: number }> {
    const out = new Map<string, { protocol: string; state: string | null; count: number }>();
    const ss = this.sessionTable;
    const tcpCounts = new Float64Array(TCP_STATE_NAMES.length);
    const protoCounts = new Float64Array(NAPT_PROTOCOL_BY_INDEX.length);
    for (let s = 0; s < ss.capacity; s++) {
      if (!ss.isLive(s)) continue;
      const pi = this.bib.protoOf(ss.bibOf(s));
      if (pi === NAPT_TCP) tcpCounts[ss.tcpState[s]!]!++;
      else protoCounts[pi]!++;
    }
    tcpCounts.forEach((n, st) => { if (n > 0) out.set('tcp ' + TCP_STATE_NAMES[st], { protocol: 'tcp', state: TCP_STATE_NAMES[st]!, count: n }); });
    protoCounts.forEach((n, pi) => {
      if (n > 0 && pi !== NAPT_TCP) {
        const name = naptProtocolName(NAPT_PROTOCOL_BY_INDEX[pi]!);
        out.set(name, { protocol: name, state: null, count: n });
      }
    });
    return out;
  }


  /** The BIB entries (at most `limit`); allocates. */
  bindings(limit = Infinity): NaptBindingView[] {
    const out: NaptBindingView[] = [];
    const words = new Uint32Array(4);
    for (let b = 0; b < this.bib.capacity && out.length < limit; b++) {
      if (!this.bib.isLive(b)) continue;
      const h = this.bib.hostOf(b);
      words.set(this.hosts.addr.subarray(h << 2, (h << 2) + 4));
      out.push({
        id: b,
        entryNumber: this.bib.entryNumber[b]!,
        owner: this.owners.idOf(this.bib.ownerOf(b)),
        local: this.bib.ownerOf(b) === this.self,
        static: (this.bib.flagsOf(b) & BibFlag.static) !== 0,
        tenant: this.hosts.tenant[h]! >>> 0,
        protocol: naptProtocolName(NAPT_PROTOCOL_BY_INDEX[this.bib.protoOf(b)]!),
        inside: formatInsideAddress(words),
        insidePort: this.bib.insidePortOf(b),
        outside: formatIpv4(this.bib.outsideAddrOf(b)),
        outsidePort: this.bib.outsidePortOf(b),
        sessions: this.bib.sessionCount[b]!,
      });
    }
    return out;
  }

  /** Drop counters by name (non-zero only). */
  dropSnapshot(): Partial<Record<NaptDropName, number>> {
    return this.drops.snapshot() as Partial<Record<NaptDropName, number>>;
  }

  // ---------------------------------------------------------------- internals

  private refuse(code: number): number {
    this.lastDrop = code;
    this.drops.add(code);
    return -1;
  }

  private applyRefused(code: number): number {
    this.drops.add(code);
    return code;
  }

  private nextEntryNumber(): number {
    const n = this.entryCounter;
    // 32 bits (FIGURE 4B), skipping 0 on wrap so 0 can mean "not numbered yet".
    this.entryCounter = (n + 1) >>> 0 || 1;
    return n;
  }

  /** 0 when one more session for `tenant` and inside host `host` (-1: new host) fits. */
  private sessionLimit(tenant: number, host: number): number {
    if (this.sessionTable.size >= this.sessionTable.capacity) return D.sessionTableFull;
    const t = this.tenants.find(tenant);
    if (t < 0) {
      if (this.tenants.size >= this.tenants.capacity) return D.tenantTableFull;
    } else if (this.tenants.sessionCount[t]! >= this.maxPerTenant) return D.tenantSessionLimit;
    if (host >= 0 && this.hosts.sessionCount[host]! >= this.maxPerHost) return D.hostSessionLimit;
    return 0;
  }

  /**
   * Picks (T,t) for a new mapping of `host` (-1: a host with none yet): T is the host's paired
   * address if it has one (RFC 4787 REQ-2), else an address chosen by the host's hash with a free
   * port in this node's blocks. Returns T's address index with the port in `allocatedPort`, or -1
   * with `lastDrop` set.
   */
  private allocate(pi: number, host: number, hostHash: number, insidePort: number): number {
    const ports = this.ports;
    if (ports.ownedBySelf === 0) {
      this.lastDrop = D.noPortBlocks;
      return -1;
    }
    const lowFirst = pi !== NAPT_ICMP && insidePort < 1024 && ports.hasLowRange;
    const paired = host >= 0 ? this.hosts.pairedAddress[host]! : -1;
    const ai = paired >= 0 ? paired : ports.pickAddress(pi, hostHash, lowFirst);
    if (ai < 0) {
      this.lastDrop = D.poolExhausted;
      return -1;
    }
    const spread = hostHash ^ Math.imul(insidePort, 0x9e3779b1);
    const port = pi === NAPT_ICMP ? ports.allocateAny(pi, ai, spread) : ports.allocate(pi, ai, lowFirst, insidePort & 1, spread);
    if (port < 0) {
      this.lastDrop = paired >= 0 ? D.pairedAddressExhausted : D.poolExhausted;
      return -1;
    }
    this.allocatedPort = port;
    return ai;
  }

  private filterAllows(b: number, remoteAddr: number): boolean {
    if (this.filtering === FILTER_EIF) return true;
    if (this.filtering === FILTER_ADF) return this.remotes!.find(b, remoteAddr) >= 0;
    return false;
  }

  private timeoutFor(pi: number, state: number): number {
    if (pi !== NAPT_TCP) return pi === NAPT_ICMP ? this.icmpMs : this.udpMs;
    return state === TcpState.established || state === TcpState.outsideFinReceived || state === TcpState.insideFinReceived ? this.estMs : this.transMs;
  }

  /** A packet on an existing session: refresh and TCP state. Replicas are left alone: only the
   * owner changes an entry or its timer (seed 002). */
  private touch(s: number, pi: number, fromInside: boolean, tcpFlags: number): void {
    if (this.sessionTable.ownerOf(s) !== this.self) return;
    if (pi === NAPT_TCP) {
      const state = this.sessionTable.tcpState[s]!;
      const result = tcpTransition(state, fromInside, tcpFlags);
      const next = result & 0xff;
      const timer = result >>> 8;
      if (timer === TcpTimer.established) this.wheel.schedule(s, this.clock.now() + this.estMs);
      else if (timer === TcpTimer.transitory) this.wheel.schedule(s, this.clock.now() + this.transMs);
      if (next !== state) {
        this.sessionTable.tcpState[s] = next;
        this.emitSession(ChangeAction.update, s);
      }
    } else if (fromInside || this.inboundRefresh) {
      this.wheel.schedule(s, this.clock.now() + (pi === NAPT_ICMP ? this.icmpMs : this.udpMs));
    }
  }

  private expireSession(s: number): void {
    // Only own sessions are ever scheduled; the check keeps a replica safe regardless.
    if (this.sessionTable.ownerOf(s) === this.self) this.removeSession(s, true);
  }

  private addStatic(tenant: number, pi: number, inside: Uint32Array, insidePort: number, outsideAddr: number, outsidePort: number): void {
    if (this.ports.claim(pi, outsideAddr, outsidePort) === PortClaim.taken) throw new RangeError('static BIB entry on a taken pool port');
    const hostHash = this.hosts.hash(tenant, inside, 0);
    const host = this.hosts.findOrAdd(hostHash, tenant, inside, 0);
    this.addBib(host, pi, insidePort, outsideAddr, outsidePort, BibFlag.static, 0, this.nextEntryNumber(), false);
  }

  /** Installs a peer's mapping; -1 with `lastDrop` when it collides or does not fit. */
  private addReplicaBib(hostHash: number, tenant: number, addr: Uint32Array, pi: number, insidePort: number, outsideAddr: number, outsidePort: number, owner: number, entryNumber: number): number {
    if (this.bib.findOutside(tenant, pi, outsideAddr, outsidePort) >= 0 || this.ports.isTaken(pi, outsideAddr, outsidePort)) {
      this.lastDrop = D.applyConflict;
      return -1;
    }
    const host = this.hosts.find(hostHash, tenant, addr, 0);
    if (this.bib.size >= this.bib.capacity || (host < 0 && this.hosts.size >= this.hosts.capacity)) {
      this.lastDrop = D.applyTableFull;
      return -1;
    }
    this.ports.claim(pi, outsideAddr, outsidePort);
    const h = host >= 0 ? host : this.hosts.findOrAdd(hostHash, tenant, addr, 0);
    return this.addBib(h, pi, insidePort, outsideAddr, outsidePort, 0, owner, entryNumber, false);
  }

  private addBib(host: number, pi: number, insidePort: number, outsideAddr: number, outsidePort: number, flags: number, owner: number, entryNumber: number, announce: boolean): number {
    const b = this.bib.add(host, pi, insidePort, outsideAddr, outsidePort, flags, owner, entryNumber);
    const hosts = this.hosts;
    hosts.bibCount[host]!++;
    // RFC 4787 REQ-2: the host's first mapping fixes its pool address for the rest.
    if (hosts.pairedAddress[host]! < 0) hosts.pairedAddress[host] = this.ports.addressIndex(outsideAddr);
    if (announce) this.emitBib(ChangeAction.add, b);
    return b;
  }

  private removeBib(b: number, announce: boolean): void {
    if (announce) this.emitBib(ChangeAction.delete, b);
    this.ports.release(this.bib.protoOf(b), this.bib.outsideAddrOf(b), this.bib.outsidePortOf(b));
    const host = this.bib.hostOf(b);
    this.bib.remove(b);
    if (--this.hosts.bibCount[host]! === 0) this.hosts.remove(host);
  }

  private addSession(b: number, remoteAddr: number, remotePort: number, state: number, owner: number, entryNumber: number): number {
    const s = this.sessionTable.add(b, remoteAddr, remotePort, state, owner, entryNumber);
    this.bib.sessionCount[b]!++;
    const host = this.bib.hostOf(b);
    this.hosts.sessionCount[host]!++;
    this.tenants.retain(this.hosts.tenant[host]!);
    this.remotes?.retain(b, remoteAddr);
    return s;
  }

  /** Removes session `s`; `announce`: emit its delete record (own sessions). A dynamic mapping
   * of this node left without sessions goes with it (RFC 6146 §3.5.1), announced. */
  private removeSession(s: number, announce: boolean): void {
    if (announce) this.emitSession(ChangeAction.delete, s);
    this.wheel.cancel(s);
    const ss = this.sessionTable;
    const b = ss.bibOf(s);
    const host = this.bib.hostOf(b);
    this.hosts.sessionCount[host]!--;
    this.tenants.release(this.hosts.tenant[host]!);
    this.remotes?.release(b, ss.remoteAddrOf(s));
    ss.remove(s);
    if (--this.bib.sessionCount[b]! === 0 && this.bib.ownerOf(b) === this.self && (this.bib.flagsOf(b) & BibFlag.static) === 0) this.removeBib(b, true);
  }

  /** Removes every session of mapping `b` (a scan: operator and replication paths only). Own
   * sessions are announced. The mapping itself may go with its last own session. */
  private removeSessionsOf(b: number): void {
    const ss = this.sessionTable;
    let left = this.bib.sessionCount[b]!;
    for (let s = 0; s < ss.capacity && left > 0; s++) {
      if (ss.isLive(s) && ss.bibOf(s) === b) {
        left--;
        this.removeSession(s, ss.ownerOf(s) === this.self);
      }
    }
  }

  private fillBib(action: number, b: number): void {
    const r = this.record;
    const h = this.bib.hostOf(b);
    const a = this.hosts.addr;
    const i = h << 2;
    r.action = action;
    r.kind = ChangeKind.bib;
    r.protocol = NAPT_PROTOCOL_BY_INDEX[this.bib.protoOf(b)]!;
    r.flags = (this.bib.flagsOf(b) & BibFlag.static) !== 0 ? ChangeFlag.static : 0;
    r.entryNumber = this.bib.entryNumber[b]!;
    r.natId = this.owners.idOf(this.bib.ownerOf(b));
    r.tenant = this.hosts.tenant[h]! >>> 0;
    r.insideLocalAddr[0] = a[i]!;
    r.insideLocalAddr[1] = a[i + 1]!;
    r.insideLocalAddr[2] = a[i + 2]!;
    r.insideLocalAddr[3] = a[i + 3]!;
    r.insideLocalPort = this.bib.insidePortOf(b);
    r.insideGlobalAddr = this.bib.outsideAddrOf(b) >>> 0;
    r.insideGlobalPort = this.bib.outsidePortOf(b);
    r.outsideGlobalAddr = 0;
    r.outsideGlobalPort = 0;
    r.outsideLocalAddr = 0;
    r.outsideLocalPort = 0;
    r.appContext = 0;
  }

  private fillSession(action: number, s: number): void {
    const ss = this.sessionTable;
    this.fillBib(action, ss.bibOf(s));
    const r = this.record;
    r.kind = ChangeKind.session;
    r.flags = 0;
    r.entryNumber = ss.entryNumberOf(s) >>> 0;
    r.natId = this.owners.idOf(ss.ownerOf(s));
    r.outsideGlobalAddr = ss.remoteAddrOf(s) >>> 0;
    r.outsideGlobalPort = ss.remotePortOf(s);
    if (isMappedIpv4Words(r.insideLocalAddr)) {
      // NAT44: the inside host sees the remote as it is.
      r.outsideLocalAddr = ss.remoteAddrOf(s) >>> 0;
      r.outsideLocalPort = ss.remotePortOf(s);
    } else r.flags = ChangeFlag.outsideLocalDerived;
    r.appContext = ss.tcpState[s]!;
  }

  private emitBib(action: number, b: number): void {
    this.writeRecord(action, ChangeKind.bib, b, -1);
  }

  private emitSession(action: number, s: number): void {
    this.writeRecord(action, ChangeKind.session, this.sessionTable.bibOf(s), s);
  }

  /**
   * Writes the record of mapping `b` (and session `s`, or -1) straight into the log's next slot,
   * a big-endian word at a time (the layout of change-record.ts; the same bytes `fillBib` /
   * `fillSession` + `emitChangeRecord` give, which the tests check).
   */
  private writeRecord(action: number, kind: number, b: number, s: number): void {
    const log = this.changes;
    const o = log.appendInPlace();
    const dv = log.data;
    const bib = this.bib;
    const h = bib.hostOf(b);
    const a = this.hosts.addr;
    const i = h << 2;
    const ss = this.sessionTable;
    const session = s >= 0;
    const nat44 = a[i] === 0 && a[i + 1] === 0 && a[i + 2] === 0xffff;
    const flags = session ? (nat44 ? 0 : ChangeFlag.outsideLocalDerived) : (bib.flagsOf(b) & BibFlag.static) !== 0 ? ChangeFlag.static : 0;
    dv.setInt32(o + CR_OFF_VERSION, (CHANGE_RECORD_VERSION << 24) | (action << 16) | (kind << 8) | NAPT_PROTOCOL_BY_INDEX[bib.protoOf(b)]!);
    // Flags, reserved byte, inside local port.
    dv.setInt32(o + CR_OFF_FLAGS, (flags << 24) | bib.insidePortOf(b));
    dv.setInt32(o + CR_OFF_ENTRY_NUMBER, session ? ss.entryNumberOf(s) : bib.entryNumber[b]! | 0);
    dv.setInt32(o + CR_OFF_NAT_ID, this.owners.ids[session ? ss.ownerOf(s) : bib.ownerOf(b)]! | 0);
    dv.setInt32(o + CR_OFF_TENANT, this.hosts.tenant[h]!);
    dv.setInt32(o + CR_OFF_INSIDE_LOCAL_ADDR, a[i]! | 0);
    dv.setInt32(o + CR_OFF_INSIDE_LOCAL_ADDR + 4, a[i + 1]! | 0);
    dv.setInt32(o + CR_OFF_INSIDE_LOCAL_ADDR + 8, a[i + 2]! | 0);
    dv.setInt32(o + CR_OFF_INSIDE_LOCAL_ADDR + 12, a[i + 3]! | 0);
    dv.setInt32(o + CR_OFF_INSIDE_GLOBAL_ADDR, bib.outsideAddrOf(b));
    if (!session) {
      // Inside global port; outside global port, address, outside local address, port,
      // reserved and application context all zero.
      dv.setInt32(o + CR_OFF_INSIDE_GLOBAL_PORT, bib.outsidePortOf(b) << 16);
      dv.setInt32(o + CR_OFF_OUTSIDE_GLOBAL_ADDR, 0);
      dv.setInt32(o + CR_OFF_OUTSIDE_LOCAL_ADDR, 0);
      dv.setInt32(o + CR_OFF_OUTSIDE_LOCAL_PORT, 0);
      dv.setInt32(o + CR_OFF_APP_CONTEXT, 0);
      return;
    }
    const z = ss.remoteAddrOf(s);
    const zp = ss.remotePortOf(s);
    dv.setInt32(o + CR_OFF_INSIDE_GLOBAL_PORT, (bib.outsidePortOf(b) << 16) | zp);
    dv.setInt32(o + CR_OFF_OUTSIDE_GLOBAL_ADDR, z);
    // NAT44: the inside host sees the remote as it is; NAT64: Y' is derived (RFC 6052).
    dv.setInt32(o + CR_OFF_OUTSIDE_LOCAL_ADDR, nat44 ? z : 0);
    dv.setInt32(o + CR_OFF_OUTSIDE_LOCAL_PORT, nat44 ? zp << 16 : 0);
    dv.setInt32(o + CR_OFF_APP_CONTEXT, ss.tcpState[s]!);
  }
}

/**
 * The remote "port" a session is keyed by. An ICMP query session is (X', Y', i1) ⇄ (T, Z, i2)
 * (RFC 6146 §3.5.3, RFC 5508 §3.1): the identifier is the only port and it changes across the
 * NAT, so the remote side has none. Keying it by whichever identifier the packet carried would
 * give the Echo Reply (i2) a session of its own, apart from its request's (i1).
 */
function sessionRemotePort(protocolIndex: number, port: number): number {
  return protocolIndex === NAPT_ICMP ? 0 : port;
}

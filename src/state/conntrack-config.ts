import { ConnTrackConfigError } from './conntrack-config-error.js';

/**
 * Idle timers of the connection tracker, in milliseconds: each accepted packet restarts its
 * connection's timer at the value for the state the packet left it in. The TCP values are
 * netfilter's, except ESTABLISHED: netfilter's 5 days would let dead connections hold the table,
 * so it is RFC 5382 REQ-5's "established connection idle-timeout" floor of 2 h 4 min (the NAT
 * in front of the firewall cannot keep a mapping longer than its own timer anyway).
 */
export interface ConnTrackTimeouts {
  /** SYN seen from the opener, nothing back yet (also SYN_SENT2 of a simultaneous open). */
  tcpSynSent: number;
  /** SYN/ACK seen, handshake not completed. */
  tcpSynRecv: number;
  tcpEstablished: number;
  /** FIN seen from one side. */
  tcpFinWait: number;
  /** The FIN was acknowledged; the other side has not closed. */
  tcpCloseWait: number;
  /** Both FINs seen; the last one not yet acknowledged. */
  tcpLastAck: number;
  /** Both FINs acknowledged: RFC 9293 §3.6 2×MSL, for late retransmissions. */
  tcpTimeWait: number;
  /** After an RST: short, so a late packet of the aborted connection still finds it. */
  tcpClose: number;
  /** UDP flow with packets in one direction only. */
  udpUnreplied: number;
  /** UDP flow with a reply seen (RFC 4787 REQ-5 asks at least 2 min of a NAT; 3 min here). */
  udpAssured: number;
  /** ICMP query exchange (echo, timestamp, ...). */
  icmp: number;
}

/**
 * Settings of one stateful IPv4 firewall (connection tracker). Plain data so the control layer
 * can build it from validated YAML. Memory is fixed by `maxConnections` (and `maxTenants`) at
 * construction.
 */
export interface ConnTrackConfig {
  /** Connections tracked at once, across tenants; the table's fixed capacity. 1..2^24. */
  maxConnections: number;
  /** Connections one tenant may hold; 0 = only `maxConnections` bounds it. */
  maxConnectionsPerTenant: number;
  /** Connections one inside host (tenant + inside IPv4 address) may hold; 0 = no cap. */
  maxConnectionsPerHost: number;
  /** Distinct tenants holding connections at once: sizes the per-tenant counters (used only
   * when `maxConnectionsPerTenant` is set). */
  maxTenants: number;
  /** When the table is full, evict the oldest connection that has not been assured (no reply
   * seen, or a TCP handshake not completed) to make room, as netfilter's early_drop does, so a
   * SYN flood cannot lock out new connections or push out established ones. */
  earlyDrop: boolean;
  /** Seed 000: "accept ongoing flows as valid for a limited period of time after reboot". For
   * this long after the tracker starts, a packet of an unknown connection that is not opening
   * one (TCP without SYN, UDP, ICMP query reply), in either direction, is accepted and its
   * connection rebuilt from it. 0 = off. */
  graceMs: number;
  /** Node that owns the connections this tracker creates: every entry carries it, so
   * replication can tell a peer's entries from its own (seed 002 peer-peer mode). */
  ownerNode: number;
  timeouts: ConnTrackTimeouts;
  /** Resolution of the expiry timers (ms per timing-wheel tick). */
  timerTickMs: number;
  /** Ticks per turn of the timing wheel. */
  timerSlots: number;
  /** Most connections one `expire()` call frees, so a burst of expiries is spread over calls. */
  expireBudget: number;
}

export function defaultConnTrackTimeouts(): ConnTrackTimeouts {
  return {
    tcpSynSent: 120_000,
    tcpSynRecv: 60_000,
    tcpEstablished: 7_440_000,
    tcpFinWait: 120_000,
    tcpCloseWait: 60_000,
    tcpLastAck: 30_000,
    tcpTimeWait: 120_000,
    tcpClose: 10_000,
    udpUnreplied: 30_000,
    udpAssured: 180_000,
    icmp: 30_000,
  };
}

/** Defaults: 64 Ki connections, no per-tenant or per-host cap, early drop on, no grace period. */
export function defaultConnTrackConfig(): ConnTrackConfig {
  return {
    maxConnections: 65_536,
    maxConnectionsPerTenant: 0,
    maxConnectionsPerHost: 0,
    maxTenants: 4096,
    earlyDrop: true,
    graceMs: 0,
    ownerNode: 0,
    timeouts: defaultConnTrackTimeouts(),
    timerTickMs: 1000,
    timerSlots: 4096,
    expireBudget: 4096,
  };
}

const MAX_CONNECTIONS = 1 << 24;
/** 30 days: longer idle timers or grace periods are configuration mistakes. */
const MAX_DURATION_MS = 30 * 24 * 3600 * 1000;

const TIMEOUT_FIELDS: readonly (keyof ConnTrackTimeouts)[] = [
  'tcpSynSent', 'tcpSynRecv', 'tcpEstablished', 'tcpFinWait', 'tcpCloseWait', 'tcpLastAck',
  'tcpTimeWait', 'tcpClose', 'udpUnreplied', 'udpAssured', 'icmp',
];

/**
 * Throws `ConnTrackConfigError` for the first field out of range. `path` prefixes field names
 * in the error (e.g. 'tenants[2].firewall').
 */
export function checkConnTrackConfig(config: ConnTrackConfig, path = ''): void {
  const at = (field: string): string => (path === '' ? field : path + '.' + field);
  if (config === null || typeof config !== 'object') throw new ConnTrackConfigError(at('(config)'), 'expected an object');
  const int = (field: string, v: unknown, min: number, max: number, why: string): void => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new ConnTrackConfigError(at(field), 'expected an integer from ' + min + ' to ' + max + ' (' + why + '), got ' + String(v));
    }
  };
  int('maxConnections', config.maxConnections, 1, MAX_CONNECTIONS, 'table capacity');
  int('maxConnectionsPerTenant', config.maxConnectionsPerTenant, 0, MAX_CONNECTIONS, '0 = no cap');
  int('maxConnectionsPerHost', config.maxConnectionsPerHost, 0, MAX_CONNECTIONS, '0 = no cap');
  int('maxTenants', config.maxTenants, 1, MAX_CONNECTIONS, 'distinct tenants with connections');
  if (typeof config.earlyDrop !== 'boolean') throw new ConnTrackConfigError(at('earlyDrop'), 'expected true or false');
  int('graceMs', config.graceMs, 0, MAX_DURATION_MS, '0 = no grace period');
  int('ownerNode', config.ownerNode, 0, 0xffffffff, '32-bit node ID');
  const t = config.timeouts;
  if (t === null || typeof t !== 'object') throw new ConnTrackConfigError(at('timeouts'), 'expected an object of timers in ms');
  for (const f of TIMEOUT_FIELDS) int('timeouts.' + f, t[f], 1, MAX_DURATION_MS, 'idle timer in ms');
  int('timerTickMs', config.timerTickMs, 1, 60_000, 'timer resolution in ms');
  int('timerSlots', config.timerSlots, 16, 1 << 20, 'timing wheel slots');
  int('expireBudget', config.expireBudget, 1, MAX_CONNECTIONS, 'connections freed per expire() call');
}

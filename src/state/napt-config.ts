import { NaptConfigError } from './napt-config-error.js';
import { naptProtocolIndex } from './napt-protocol.js';

/**
 * Inbound filtering behaviour (RFC 4787 §5 and REQ-8, RFC 5382 REQ-3, RFC 6146 §3.5.1 and
 * §3.5.2.2): which remote endpoints may reach an inside host through its mapping (T,t) when no
 * session for them exists yet.
 * - 'endpoint-independent': anyone may, while the mapping exists.
 * - 'address-dependent': only addresses Z the host has a session with (any port).
 * - 'address-and-port-dependent': only transport addresses (Z,z) it has a session with, so a
 *   packet without a session is always refused.
 */
export type NaptFiltering = 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent';

/** A BIB entry from configuration (RFC 6146 §3.5.1 "manually configured", Jool's static BIB):
 * never expires, is never replicated (every node has the configuration), and lets inbound first
 * packets in under endpoint-independent filtering. */
export interface StaticBibEntry {
  tenant: number;
  /** 6, 17 or 1 (ICMP query: the ports are identifiers). */
  protocol: number;
  /** Inside address as 4 words: IPv6 for NAT64, ::ffff:a.b.c.d (words 0, 0, 0xffff, a) for NAT44. */
  inside: Uint32Array;
  insidePort: number;
  /** Pool address T. */
  outside: number;
  outsidePort: number;
}

/**
 * Settings of one NAPT session table (stateful NAT64 and NAT44 share it). Plain data so control/
 * can build it from validated YAML; `checkNaptConfig` throws `NaptConfigError` naming the field.
 * Every capacity is fixed here: the table allocates all its memory at construction.
 */
export interface NaptConfig {
  /** This node's NAT ID (seed 002, FIGURE 4B field 466): stamped on every entry it creates; only
   * the owner modifies or expires an entry. 1..2^32-1; 0 means "no owner" (static entries). */
  natId: number;
  /** IPv4 pool addresses T (u32 each, at least one, no repeats). */
  pool: readonly number[];
  /** Pool ports handed out, inclusive. Port 0 never is. RFC 4787 REQ-3a: inside ports below 1024
   * get pool ports below 1024 only if this range has some. */
  portMin: number;
  portMax: number;
  /** Ports per block (a power of two, 4..1024): the unit assigned to a node. A node allocates only
   * from its own blocks, so nodes never hand out the same (T,t). */
  portBlockSize: number;
  /** NAT IDs the blocks are striped across at construction, so each gets blocks on every pool
   * address (paired pooling then works on every node). Empty: every block to `natId`. */
  blockOwners: readonly number[];
  maxSessions: number;
  maxBib: number;
  /** Distinct inside hosts (the paired pool address and per-host counts live per host). */
  maxHosts: number;
  maxTenants: number;
  /** Session caps (RFC 6888 REQ-4/REQ-5: limits per subscriber). */
  maxSessionsPerTenant: number;
  maxSessionsPerHost: number;
  filtering: NaptFiltering;
  /** RFC 4787 REQ-5, RFC 6146 §3.5.1: UDP_MIN 2 min, default 5 min. */
  udpTimeoutMs: number;
  /** RFC 5508 REQ-2, RFC 6146 §3.5.3: ICMP_DEFAULT 60 s, never less. */
  icmpTimeoutMs: number;
  /** RFC 5382 REQ-5, RFC 6146 §3.5.2: TCP_EST at least 2 h 4 min. */
  tcpEstablishedTimeoutMs: number;
  /** RFC 5382 REQ-5, RFC 6146 §3.5.2: TCP_TRANS at least 4 min. */
  tcpTransitoryTimeoutMs: number;
  /** RFC 5382 REQ-4, RFC 6146 §3.5.2.2: TCP_INCOMING_SYN, how long an unsolicited inbound SYN is
   * held before its Port Unreachable is due; at least 6 s. */
  tcpIncomingSynTimeoutMs: number;
  /** RFC 4787 REQ-6: inbound packets refresh UDP (and ICMP query) sessions too. Outbound always
   * do. TCP follows the state machine either way. */
  inboundRefresh: boolean;
  /** Unsolicited inbound SYNs: 'hold' (RFC 5382 REQ-4: held, then Port Unreachable) or 'drop'
   * (REQ-4a: silently, by security policy). */
  unsolicitedSyn: 'hold' | 'drop';
  /** Held-SYN store: packets held at once, and bytes kept of each (576 is enough to quote). */
  heldSynSlots: number;
  heldSynBytes: number;
  /** Timer resolution: an entry expires at the first tick at or after its time. */
  timerTickMs: number;
  staticBib: StaticBibEntry[];
}

export const UDP_MIN_TIMEOUT_MS = 2 * 60_000;
export const ICMP_MIN_TIMEOUT_MS = 60_000;
export const TCP_EST_MIN_TIMEOUT_MS = (2 * 60 + 4) * 60_000;
export const TCP_TRANS_MIN_TIMEOUT_MS = 4 * 60_000;
export const TCP_INCOMING_SYN_MIN_MS = 6_000;

/** Defaults: one node (NAT ID 1) owning every block, ports 1024..65535 in blocks of 64, the RFC
 * default timers, endpoint-independent filtering (RFC 6888 REQ-7), a table of 64 Ki sessions.
 * `pool` holds 192.0.2.1 (RFC 5737 documentation space): the caller sets its own. */
export function defaultNaptConfig(): NaptConfig {
  return {
    natId: 1,
    pool: [0xc0000201],
    portMin: 1024,
    portMax: 65535,
    portBlockSize: 64,
    blockOwners: [],
    maxSessions: 65536,
    maxBib: 65536,
    maxHosts: 16384,
    maxTenants: 1024,
    maxSessionsPerTenant: 65536,
    maxSessionsPerHost: 65536,
    filtering: 'endpoint-independent',
    udpTimeoutMs: 5 * 60_000,
    icmpTimeoutMs: ICMP_MIN_TIMEOUT_MS,
    tcpEstablishedTimeoutMs: TCP_EST_MIN_TIMEOUT_MS,
    tcpTransitoryTimeoutMs: TCP_TRANS_MIN_TIMEOUT_MS,
    tcpIncomingSynTimeoutMs: TCP_INCOMING_SYN_MIN_MS,
    inboundRefresh: true,
    unsolicitedSyn: 'hold',
    heldSynSlots: 256,
    heldSynBytes: 576,
    timerTickMs: 1000,
    staticBib: [],
  };
}

const MAX_ENTRIES = 1 << 28;
/** Most port blocks a table tracks (addresses × 65536 / portBlockSize). */
export const MAX_PORT_BLOCKS = 1 << 21;
const MAX_TIMEOUT_MS = 0x7fffffff;

/** Throws `NaptConfigError` for the first field out of range. `path` prefixes field names. */
export function checkNaptConfig(config: NaptConfig, path = ''): void {
  const at = (field: string): string => (path === '' ? field : path + '.' + field);
  const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
  const int = (field: keyof NaptConfig, min: number, max: number, why: string): void => {
    const v = config[field];
    if (!isInt(v, min, max)) throw new NaptConfigError(at(field), 'expected an integer from ' + min + ' to ' + max + ' (' + why + '), got ' + String(v));
  };
  int('natId', 1, 0xffffffff, '32-bit NAT ID; 0 is reserved for entries with no owner');
  int('portMin', 1, 65535, 'port 0 is never allocated');
  int('portMax', config.portMin, 65535, 'at least portMin');
  const bs = config.portBlockSize;
  if (!isInt(bs, 4, 1024) || (bs & (bs - 1)) !== 0) throw new NaptConfigError(at('portBlockSize'), 'expected a power of two from 4 to 1024, got ' + String(bs));
  int('maxSessions', 1, MAX_ENTRIES, 'fixed capacity');
  int('maxBib', 1, MAX_ENTRIES, 'fixed capacity');
  int('maxHosts', 1, MAX_ENTRIES, 'fixed capacity');
  int('maxTenants', 1, 1 << 20, 'fixed capacity');
  int('maxSessionsPerTenant', 1, config.maxSessions, 'at most maxSessions');
  int('maxSessionsPerHost', 1, config.maxSessions, 'at most maxSessions');
  int('udpTimeoutMs', UDP_MIN_TIMEOUT_MS, MAX_TIMEOUT_MS, 'RFC 4787 REQ-5: a UDP mapping timer MUST NOT expire in less than two minutes');
  int('icmpTimeoutMs', ICMP_MIN_TIMEOUT_MS, MAX_TIMEOUT_MS, 'RFC 5508 REQ-2: an ICMP query session timer MUST NOT expire in less than 60 seconds');
  int('tcpEstablishedTimeoutMs', TCP_EST_MIN_TIMEOUT_MS, MAX_TIMEOUT_MS, 'RFC 5382 REQ-5: established idle-timeout MUST NOT be less than 2 hours 4 minutes');
  int('tcpTransitoryTimeoutMs', TCP_TRANS_MIN_TIMEOUT_MS, MAX_TIMEOUT_MS, 'RFC 5382 REQ-5: transitory idle-timeout MUST NOT be less than 4 minutes');
  int('tcpIncomingSynTimeoutMs', TCP_INCOMING_SYN_MIN_MS, 60_000, 'RFC 5382 REQ-4: no answer to an unsolicited SYN for at least 6 seconds');
  int('heldSynSlots', 1, 1 << 20, 'fixed capacity');
  int('heldSynBytes', 68, 65535, 'bytes kept of a held SYN; 576 quotes as much as an ICMPv4 error may carry');
  int('timerTickMs', 1, 60_000, 'timer resolution');
  if (config.filtering !== 'endpoint-independent' && config.filtering !== 'address-dependent' && config.filtering !== 'address-and-port-dependent') {
    throw new NaptConfigError(at('filtering'), "expected 'endpoint-independent', 'address-dependent' or 'address-and-port-dependent'");
  }
  if (typeof config.inboundRefresh !== 'boolean') throw new NaptConfigError(at('inboundRefresh'), 'expected true or false');
  if (config.unsolicitedSyn !== 'hold' && config.unsolicitedSyn !== 'drop') throw new NaptConfigError(at('unsolicitedSyn'), "expected 'hold' or 'drop'");
  const pool = config.pool;
  if (!Array.isArray(pool) || pool.length === 0) throw new NaptConfigError(at('pool'), 'expected one or more IPv4 addresses');
  // The port bitmaps and block lists cost about 60 bytes per block: keep them under ~128 MiB.
  if (pool.length * (65536 / bs) > MAX_PORT_BLOCKS) throw new NaptConfigError(at('pool'), 'more than ' + MAX_PORT_BLOCKS + ' port blocks (' + pool.length + ' addresses of ' + (65536 / bs) + ' blocks): use fewer addresses or larger blocks');
  const seen = new Set<number>();
  for (let i = 0; i < pool.length; i++) {
    const a = pool[i];
    if (!isInt(a, 0, 0xffffffff)) throw new NaptConfigError(at('pool[' + i + ']'), 'expected an IPv4 address as a 32-bit unsigned integer, got ' + String(a));
    if (seen.has(a)) throw new NaptConfigError(at('pool[' + i + ']'), 'address listed twice');
    seen.add(a);
  }
  const owners = config.blockOwners;
  if (!Array.isArray(owners)) throw new NaptConfigError(at('blockOwners'), 'expected a list of NAT IDs');
  for (let i = 0; i < owners.length; i++) {
    if (!isInt(owners[i], 1, 0xffffffff)) throw new NaptConfigError(at('blockOwners[' + i + ']'), 'expected a NAT ID from 1 to 2^32-1, got ' + String(owners[i]));
  }
  const statics = config.staticBib;
  if (!Array.isArray(statics)) throw new NaptConfigError(at('staticBib'), 'expected a list');
  if (statics.length > config.maxBib) throw new NaptConfigError(at('staticBib'), 'more static entries than maxBib');
  const insideKeys = new Set<string>();
  const outsideKeys = new Set<string>();
  for (let i = 0; i < statics.length; i++) {
    const e = statics[i]!;
    const p = 'staticBib[' + i + ']';
    if (!isInt(e.tenant, 0, 0xffffffff)) throw new NaptConfigError(at(p + '.tenant'), 'expected a 32-bit tenant ID');
    if (naptProtocolIndex(e.protocol) < 0) throw new NaptConfigError(at(p + '.protocol'), 'expected 6 (TCP), 17 (UDP) or 1 (ICMP query), got ' + String(e.protocol));
    if (!(e.inside instanceof Uint32Array) || e.inside.length !== 4) throw new NaptConfigError(at(p + '.inside'), 'expected 4 address words (IPv6, or ::ffff:a.b.c.d for NAT44)');
    if (!isInt(e.insidePort, 0, 65535)) throw new NaptConfigError(at(p + '.insidePort'), 'expected a port from 0 to 65535');
    if (!isInt(e.outside, 0, 0xffffffff)) throw new NaptConfigError(at(p + '.outside'), 'expected an IPv4 address as a 32-bit unsigned integer');
    if (!isInt(e.outsidePort, 0, 65535)) throw new NaptConfigError(at(p + '.outsidePort'), 'expected a port from 0 to 65535');
    const ik = e.tenant + '/' + e.protocol + '/' + Array.from(e.inside).join(':') + '#' + e.insidePort;
    const ok = e.protocol + '/' + e.outside + '#' + e.outsidePort;
    if (insideKeys.has(ik)) throw new NaptConfigError(at(p), 'inside transport address mapped twice (RFC 4787 REQ-1: one mapping per inside endpoint)');
    // Pool ports are unique across tenants, so the outside key leaves the tenant out.
    if (outsideKeys.has(ok)) throw new NaptConfigError(at(p), 'pool transport address used twice (RFC 4787 REQ-3: no port overloading)');
    insideKeys.add(ik);
    outsideKeys.add(ok);
  }
}

import { Ipv4Prefix } from '../addr/ipv4-prefix.js';
import { LpmTable } from '../addr/lpm-table.js';
import type { TenantDatapath } from '../pipeline/tenant-datapath.js';
import type { Clock } from '../state/clock.js';
import { ChangeLog } from '../state/change-log.js';
import { ConnTrack } from '../state/conntrack.js';
import { checkConnTrackConfig, defaultConnTrackConfig, type ConnTrackConfig } from '../state/conntrack-config.js';
import { checkNaptConfig, defaultNaptConfig, type NaptConfig } from '../state/napt-config.js';
import { NaptTable } from '../state/napt-table.js';
import { Nat64AddressMapper } from '../xlat/nat64-address-mapper.js';
import { Rfc6052Prefix } from '../xlat/rfc6052.js';
import { parseIpv4, writeIpv4 } from '../addr/ipv4-address.js';
import { parseIpv6 } from '../addr/ipv6-address.js';
import { Ipv6Prefix } from '../addr/ipv6-prefix.js';
import { Eamt } from '../xlat/eamt.js';
import { Rfc6791Pool } from '../xlat/rfc6791-pool.js';
import { SiitAddressMapper, type SiitAddressMapperConfig } from '../xlat/siit-address-mapper.js';
import { Translator } from '../xlat/translator.js';
import { defaultTranslatorConfig, type TranslatorConfig } from '../xlat/translator-config.js';
import { AmbiguousTenantError, ConfigValidationError, UnknownTenantError, type ConfigIssue } from './config-error.js';
import type { FirewallConfig, NatConfig, NatmeshConfig, SiitConfig } from './config.js';

/** A configured tenant turned into the objects that process its packets. */
export interface TenantRuntime extends TenantDatapath {
  /** The SIIT or NAT64 translator's settings; null for NAT44 only. */
  readonly translatorConfig: TranslatorConfig | null;
  readonly siitMapper: SiitAddressMapper | null;
}

/** Most RFC 6791 pool addresses a configuration may list (the translator takes them one by one). */
export const POOL6791_MAX_ADDRESSES = 65536;

/** Translator knob names whose configuration key differs. */
const CONFIG_KEY_OF: Readonly<Record<string, string>> = {
  ipv6SourceForErrors: 'ipv6ErrorSource',
  ipv4SourceForErrors: 'ipv4ErrorSource',
};

/** A validation error raised below `control/` (addresses, EAMT, RFC 6791 pool, translator
 * config): all carry a stable `code` and the field `path`. */
function isFieldError(e: unknown): e is Error & { code: string; path: string } {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'string' && typeof (e as { path?: unknown }).path === 'string';
}

/**
 * The `TranslatorConfig` of a validated `siit` section: knobs left out keep
 * `defaultTranslatorConfig()`; addresses become bytes; pool6791 prefixes are expanded into
 * their addresses. `path` (`tenants[0].siit`) names fields in errors.
 */
export function toTranslatorConfig(siit: Partial<SiitConfig>, path = 'siit'): TranslatorConfig {
  const c = defaultTranslatorConfig();
  if (siit.resetTrafficClass !== undefined) c.resetTrafficClass = siit.resetTrafficClass;
  if (siit.lowestIpv6Mtu !== undefined) c.lowestIpv6Mtu = siit.lowestIpv6Mtu;
  if (siit.ipv4LinkMtu !== undefined) c.ipv4LinkMtu = siit.ipv4LinkMtu;
  if (siit.ipv6LinkMtu !== undefined) c.ipv6LinkMtu = siit.ipv6LinkMtu;
  if (siit.udpZeroChecksum !== undefined) c.udpZeroChecksum = siit.udpZeroChecksum;
  if (siit.mtuPlateaus !== undefined) c.mtuPlateaus = siit.mtuPlateaus.slice();
  if (siit.decrementTtl !== undefined) c.decrementTtl = siit.decrementTtl;
  if (siit.generateIcmpErrors !== undefined) c.generateIcmpErrors = siit.generateIcmpErrors;
  if (siit.ipv6ErrorSource !== undefined) c.ipv6SourceForErrors = siit.ipv6ErrorSource === null ? null : parseIpv6(siit.ipv6ErrorSource, path + '.ipv6ErrorSource');
  if (siit.ipv4ErrorSource !== undefined && siit.ipv4ErrorSource !== null) {
    const b = new Uint8Array(4);
    writeIpv4(parseIpv4(siit.ipv4ErrorSource, path + '.ipv4ErrorSource'), b, 0);
    c.ipv4SourceForErrors = b;
  }
  if (siit.pool6791 !== undefined) c.pool6791 = pool6791Bytes(siit.pool6791, path + '.pool6791');
  return c;
}

/** RFC 6791 pool prefixes as packed addresses, checked by `Rfc6791Pool` (overlaps, RFC 6791
 * §3.1 private space) first. */
function pool6791Bytes(texts: readonly string[], path: string): Uint8Array {
  const pool = Rfc6791Pool.fromConfig(texts, { path });
  if (pool.size > POOL6791_MAX_ADDRESSES) {
    throw new ConfigValidationError('', [{ path, message: 'the prefixes hold ' + pool.size + ' addresses; at most ' + POOL6791_MAX_ADDRESSES + ' can be configured' }]);
  }
  const out = new Uint8Array(pool.size * 4);
  let o = 0;
  texts.forEach((t, i) => {
    const p = Ipv4Prefix.parse(t, path + '[' + i + ']');
    const n = 2 ** (32 - p.length);
    for (let k = 0; k < n; k++, o += 4) writeIpv4((p.address + k) >>> 0, out, o);
  });
  return out;
}

/** The `SiitAddressMapper` configuration of a validated `siit` section (EAMT built here). */
export function toSiitMapperConfig(siit: SiitConfig, path = 'siit'): SiitAddressMapperConfig {
  return {
    pool6: siit.pool6 === undefined || siit.pool6 === null ? null : Ipv6Prefix.parse(siit.pool6, path + '.pool6'),
    eamt: Eamt.fromConfig(siit.eamt ?? [], path + '.eamt'),
    hairpinning: siit.hairpinning ?? 'off',
    allowNonGlobalWithWkp: siit.allowNonGlobalWithWkp ?? false,
    path,
  };
}

/** What the stateful parts of a gateway share: the clock, the change stream, a seed. */
export interface GatewayState {
  readonly clock: Clock;
  readonly changes: ChangeLog;
  readonly seed: number;
}

/** Tables a reload carries over from the tenant's previous runtime (see `reloadTenants`). */
export interface KeptState {
  readonly napt: NaptTable | null;
  readonly conntrack: ConnTrack | null;
}

/** What a reload did per tenant, for the log. */
export interface ReloadOutcome {
  tenants: TenantRuntime[];
  /** Per tenant name: which tables were kept and which were rebuilt (their state lost). */
  notes: string[];
}

/**
 * Builds the tenants of a reloaded configuration, keeping the session table and the firewall of
 * every tenant (same name and ID) whose `nat` or `firewall` section did not change, so a reload
 * that touches routes, interfaces or another tenant loses no session. A changed section gets a
 * new table (its sizes, pool or timers may differ); the notes say so. The node ID may not
 * change: every entry carries it as its owner.
 * @throws ConfigValidationError naming the field when the new configuration does not build.
 */
export function reloadTenants(previous: NatmeshConfig, old: readonly TenantRuntime[], next: NatmeshConfig, state: GatewayState, source = '<config>'): ReloadOutcome {
  if (next.node.id !== previous.node.id) {
    throw new ConfigValidationError(source, [{ path: 'node.id', message: 'cannot change from ' + previous.node.id + ' to ' + next.node.id + ' on reload (every entry carries it as its owner); restart instead' }]);
  }
  const notes: string[] = [];
  const tenants = next.tenants.map((t, i) => {
    const j = previous.tenants.findIndex((p) => p.name === t.name && p.id === t.id);
    const before = j === -1 ? undefined : previous.tenants[j];
    const was = j === -1 ? undefined : old[j];
    const sameNat = before !== undefined && JSON.stringify(before.nat) === JSON.stringify(t.nat);
    const sameFw = before !== undefined && JSON.stringify(before.firewall) === JSON.stringify(t.firewall);
    const keep: KeptState = { napt: sameNat ? was?.napt ?? null : null, conntrack: sameFw ? was?.conntrack ?? null : null };
    if (before !== undefined) {
      if (t.nat !== undefined) notes.push(t.name + ': ' + (sameNat ? 'sessions kept' : 'nat changed, new session table'));
      if (t.firewall !== undefined) notes.push(t.name + ': ' + (sameFw ? 'firewall connections kept' : 'firewall changed, new connection table'));
    } else notes.push(t.name + ': new tenant');
    return buildTenant(next, i, source, state, false, keep);
  });
  for (const p of previous.tenants) if (!next.tenants.some((t) => t.name === p.name && t.id === p.id)) notes.push(p.name + ': removed');
  return { tenants, notes };
}

/** A clock-less stand-in used only to validate configurations (nothing runs on it). */
const VALIDATION_STATE: GatewayState = { clock: { now: () => 0 }, changes: new ChangeLog(4096), seed: 1 };

/**
 * Builds tenant `index` of a validated configuration: SIIT translator, or NAT64/NAT44 session
 * table with the NAT64 translator, and the firewall. Throws `ConfigValidationError` naming the
 * field when a table or the translator refuses its settings. With `validateOnly` the session
 * table and firewall settings are checked but their (large) tables are not allocated.
 */
export function buildTenant(config: NatmeshConfig, index: number, source = '<config>', state: GatewayState = VALIDATION_STATE, validateOnly = false, keep: KeptState | null = null): TenantRuntime {
  const tenant = config.tenants[index];
  if (tenant === undefined) throw new RangeError('no tenant at index ' + index);
  let path = 'tenants[' + index + ']';
  try {
    let translatorConfig: TranslatorConfig | null = null;
    let translator: Translator | null = null;
    let siitMapper: SiitAddressMapper | null = null;
    let nat64Mapper: Nat64AddressMapper | null = null;
    let pool6: Rfc6052Prefix | null = null;
    let napt: NaptTable | null = null;
    let pool4: LpmTable | null = null;
    let nat44Inside: LpmTable | null = null;
    let nat44ErrorSource = 0;
    let conntrack: ConnTrack | null = null;
    if (tenant.siit !== undefined) {
      path = 'tenants[' + index + '].siit';
      translatorConfig = toTranslatorConfig(tenant.siit, path);
      siitMapper = new SiitAddressMapper(toSiitMapperConfig(tenant.siit, path));
      translator = new Translator(translatorConfig, siitMapper);
    }
    if (tenant.nat !== undefined) {
      const nat = tenant.nat;
      path = 'tenants[' + index + '].nat';
      const naptConfig = toNaptConfig(nat, config.node.id, tenant.id, path);
      checkNaptConfig(naptConfig, path);
      pool4 = prefixTable(nat.pool4, path + '.pool4');
      nat44ErrorSource = naptConfig.pool[0]!;
      if (nat.nat44 !== undefined) nat44Inside = prefixTable(nat.nat44.inside, path + '.nat44.inside');
      if (nat.nat64 !== undefined) {
        path = 'tenants[' + index + '].nat.nat64';
        pool6 = new Rfc6052Prefix(Ipv6Prefix.parse(nat.nat64.pool6, path + '.pool6'), path + '.pool6');
        translatorConfig = toTranslatorConfig(nat.nat64.translator ?? {}, path + '.translator');
        // Errors the translator originates toward IPv4 senders come from the pool (RFC 6146 §3.4
        // gives the NAT64 no other IPv4 address).
        const b = new Uint8Array(4);
        writeIpv4(nat44ErrorSource, b, 0);
        translatorConfig.ipv4SourceForErrors = b;
        nat64Mapper = new Nat64AddressMapper(pool6);
        translator = new Translator(translatorConfig, nat64Mapper);
      }
      path = 'tenants[' + index + '].nat';
      if (!validateOnly) napt = keep?.napt ?? new NaptTable(naptConfig, state.clock, state.changes, state.seed ^ tenant.id);
    }
    if (tenant.firewall !== undefined) {
      path = 'tenants[' + index + '].firewall';
      const ctConfig = toConnTrackConfig(tenant.firewall, config.node.id);
      checkConnTrackConfig(ctConfig, path);
      if (!validateOnly) conntrack = keep?.conntrack ?? new ConnTrack(ctConfig, state.clock, (state.seed * 31) ^ tenant.id);
    }
    return {
      index, name: tenant.name, id: tenant.id, translatorConfig, translator, siitMapper, nat64Mapper, pool6,
      napt, pool4, nat44Inside, nat44ErrorSource, conntrack,
    };
  } catch (e) {
    if (e instanceof ConfigValidationError) throw new ConfigValidationError(source, e.issues);
    if (isFieldError(e)) throw new ConfigValidationError(source, [fieldIssue(e, path)]);
    throw e;
  }
}

/** An LPM table holding `prefixes` (value: the list index). */
function prefixTable(prefixes: readonly string[], path: string): LpmTable {
  const t = new LpmTable(32);
  const b = new Uint8Array(4);
  prefixes.forEach((text, i) => {
    const p = Ipv4Prefix.parse(text, path + '[' + i + ']');
    writeIpv4(p.address, b, 0);
    t.insert(b, 0, p.length, i);
  });
  return t;
}

/** IPv4 address words as the session table keys inside hosts: IPv6, or ::ffff:a.b.c.d. */
function insideWords(text: string, path: string): Uint32Array {
  const w = new Uint32Array(4);
  if (text.includes(':')) {
    const b = parseIpv6(text, path);
    for (let i = 0; i < 4; i++) w[i] = ((b[i * 4]! << 24) | (b[i * 4 + 1]! << 16) | (b[i * 4 + 2]! << 8) | b[i * 4 + 3]!) >>> 0;
  } else {
    w[2] = 0xffff;
    w[3] = parseIpv4(text, path);
  }
  return w;
}

const PROTOCOL_NUMBER: Readonly<Record<string, number>> = { tcp: 6, udp: 17, icmp: 1 };

/** The session table settings of a validated `nat` section. */
export function toNaptConfig(nat: NatConfig, nodeId: number, tenantId: number, path = 'nat'): NaptConfig {
  const c = defaultNaptConfig();
  c.natId = nodeId;
  const pool: number[] = [];
  nat.pool4.forEach((text, i) => {
    const p = Ipv4Prefix.parse(text, path + '.pool4[' + i + ']');
    const n = 2 ** (32 - p.length);
    if (pool.length + n > POOL4_MAX_ADDRESSES) throw new ConfigValidationError('', [{ path: path + '.pool4', message: 'the prefixes hold more than ' + POOL4_MAX_ADDRESSES + ' addresses' }]);
    for (let k = 0; k < n; k++) pool.push((p.address + k) >>> 0);
  });
  c.pool = pool;
  if (nat.ports !== undefined) {
    c.portMin = nat.ports.min;
    c.portMax = nat.ports.max;
  }
  if (nat.portBlockSize !== undefined) c.portBlockSize = nat.portBlockSize;
  if (nat.filtering !== undefined) c.filtering = nat.filtering;
  if (nat.maxSessions !== undefined) {
    c.maxSessions = nat.maxSessions;
    c.maxSessionsPerTenant = nat.maxSessions;
    c.maxSessionsPerHost = Math.min(c.maxSessionsPerHost, nat.maxSessions);
  }
  c.maxBib = nat.maxBib ?? c.maxSessions;
  c.maxHosts = Math.min(c.maxHosts, c.maxBib);
  if (nat.maxSessionsPerHost !== undefined) c.maxSessionsPerHost = nat.maxSessionsPerHost;
  const t = nat.timeouts;
  if (t?.udp !== undefined) c.udpTimeoutMs = t.udp * 1000;
  if (t?.tcpEstablished !== undefined) c.tcpEstablishedTimeoutMs = t.tcpEstablished * 1000;
  if (t?.tcpTransitory !== undefined) c.tcpTransitoryTimeoutMs = t.tcpTransitory * 1000;
  if (t?.tcpIncomingSyn !== undefined) c.tcpIncomingSynTimeoutMs = t.tcpIncomingSyn * 1000;
  if (t?.icmp !== undefined) c.icmpTimeoutMs = t.icmp * 1000;
  c.staticBib = (nat.staticBib ?? []).map((e, i) => {
    const at = path + '.staticBib[' + i + ']';
    const inside = insideWords(e.insideAddress, at + '.insideAddress');
    const v4 = inside[0] === 0 && inside[1] === 0 && inside[2] === 0xffff;
    if (v4 && nat.nat44 === undefined) throw new ConfigValidationError('', [{ path: at + '.insideAddress', message: 'an IPv4 inside address needs nat44' }]);
    if (!v4 && nat.nat64 === undefined) throw new ConfigValidationError('', [{ path: at + '.insideAddress', message: 'an IPv6 inside address needs nat64' }]);
    return {
      tenant: tenantId, protocol: PROTOCOL_NUMBER[e.protocol]!, inside, insidePort: e.insidePort,
      outside: parseIpv4(e.outsideAddress, at + '.outsideAddress'), outsidePort: e.outsidePort,
    };
  });
  return c;
}

/** Most pool4 addresses one tenant may list. */
export const POOL4_MAX_ADDRESSES = 65536;

/** The connection tracker settings of a validated `firewall` section. */
export function toConnTrackConfig(fw: FirewallConfig, nodeId: number): ConnTrackConfig {
  const c = defaultConnTrackConfig();
  c.ownerNode = nodeId;
  if (fw.graceSeconds !== undefined) c.graceMs = fw.graceSeconds * 1000;
  if (fw.maxConnections !== undefined) c.maxConnections = fw.maxConnections;
  if (fw.maxConnectionsPerHost !== undefined) c.maxConnectionsPerHost = fw.maxConnectionsPerHost;
  return c;
}

function fieldIssue(e: Error & { path: string }, path: string): ConfigIssue {
  let p = e.path;
  let message = e.message;
  if (p !== '' && message.startsWith(p + ': ')) message = message.slice(p.length + 2);
  // Errors from the translator's own check name its fields, relative to the translator.
  if (p !== '' && !p.startsWith('tenants[')) p = path + '.' + (CONFIG_KEY_OF[p] ?? p);
  return { path: p === '' ? path : p, message };
}

/** What building tenant `index` refuses, or null. */
export function tenantBuildIssue(config: NatmeshConfig, index: number): ConfigIssue | null {
  try {
    buildTenant(config, index, '<config>', VALIDATION_STATE, true);
    return null;
  } catch (e) {
    if (e instanceof ConfigValidationError) return e.issues[0]!;
    throw e;
  }
}

/** Index of the tenant called `name`; with no name, the only tenant. */
export function selectTenant(config: NatmeshConfig, name: string | undefined, source = '<config>'): number {
  const names = config.tenants.map((t) => t.name);
  if (name === undefined) {
    if (names.length === 1) return 0;
    throw new AmbiguousTenantError(source, names);
  }
  const i = names.indexOf(name);
  if (i === -1) throw new UnknownTenantError(source, name, names);
  return i;
}

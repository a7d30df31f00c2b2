import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { AddressConfigError } from '../addr/address-config-error.js';
import { parseIpv4 } from '../addr/ipv4-address.js';
import { Ipv4Prefix } from '../addr/ipv4-prefix.js';
import { parseIpv6 } from '../addr/ipv6-address.js';
import { Ipv6Prefix } from '../addr/ipv6-prefix.js';
import { RFC6052_PREFIX_LENGTHS, RFC6052_U_OCTET } from '../xlat/rfc6052.js';
import { tenantBuildIssue } from './tenant-runtime.js';
import { ConfigReadError, ConfigSyntaxError, ConfigValidationError, type ConfigIssue } from './config-error.js';

/**
 * The gateway's YAML configuration (the format `natmesh replay` and the live gateway read):
 *
 * ```yaml
 * node:
 *   id: 1                       # this gateway's ID: owner tag of the state it creates
 * tenants:
 *   - name: blue
 *     id: 1
 *     siit:                     # stateless translation, RFC 7915 (see examples/siit.yaml)
 *       pool6: 2001:db8:64::/96
 *       eamt: [{ ipv4: 198.51.100.0/24, ipv6: 2001:db8:6::/120 }]
 *       ...
 * ```
 *
 * Validation is zod for shape, types and ranges, with unknown keys refused at every level (a
 * misspelt knob must not silently fall back to its default), then the address code of `addr/`
 * and `xlat/` for every address, prefix and table, so that what passes here also builds. Every
 * problem is reported with its field path. Knobs left out take the translator's defaults
 * (`defaultTranslatorConfig`), so there is one source of defaults.
 */

const U32_MAX = 0xffffffff;

/** Message for a missing or mistyped value. */
function typeError(expected: string): (issue: { input?: unknown }) => string {
  return (issue) => (issue.input === undefined ? 'required' : 'expected ' + expected + ', got ' + describeValue(issue.input));
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return 'the string "' + v + '"';
  return typeof v + ' ' + String(v);
}

function int(min: number, max: number, why = ''): z.ZodNumber {
  const range = 'expected an integer from ' + min + ' to ' + max + (why ? ' (' + why + ')' : '');
  return z.number({ error: typeError('an integer') })
    .int({ error: range })
    .min(min, { error: range })
    .max(max, { error: range });
}

const bool = z.boolean({ error: typeError('true or false') });

/** A string that `parse` (an `addr/` parser) accepts, plus an optional extra check. */
function text<T>(what: string, parse: (s: string) => T, check?: (v: T) => string | null): z.ZodType<string> {
  return z.string({ error: typeError(what) }).superRefine((s, ctx) => {
    let v: T;
    try {
      v = parse(s);
    } catch (e) {
      if (e instanceof AddressConfigError) {
        ctx.addIssue({ code: 'custom', message: e.message });
        return;
      }
      throw e;
    }
    const problem = check?.(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

const ipv4Address = text('an IPv4 address', (s) => parseIpv4(s));
const ipv6Address = text('an IPv6 address', (s) => parseIpv6(s));
const ipv4Prefix = text('an IPv4 prefix', (s) => Ipv4Prefix.parse(s));
const ipv6Prefix = text('an IPv6 prefix', (s) => Ipv6Prefix.parse(s));
/** RFC 6052 §2.2: the lengths an IPv4-embedded IPv6 prefix may have, and a zero u-octet. */
const pool6Prefix = text('an IPv6 prefix', (s) => Ipv6Prefix.parse(s), (p) => {
  if (!RFC6052_PREFIX_LENGTHS.includes(p.length)) return 'prefix length ' + p.length + ' is not one of ' + RFC6052_PREFIX_LENGTHS.join(', ') + ' (RFC 6052 §2.2)';
  if (p.bytes[RFC6052_U_OCTET] !== 0) return 'bits 64-71 of an RFC 6052 prefix must be zero (RFC 6052 §2.2)';
  return null;
});

const eamEntrySchema = z.strictObject({ ipv4: ipv4Prefix, ipv6: ipv6Prefix }, { error: typeError('a mapping with ipv4 and ipv6') });

/** One tenant's stateless translator (RFC 7915 SIIT with RFC 6052 and an RFC 7757 EAMT). */
const siitSchema = z.strictObject({
  /** RFC 6052 prefix; absent or null for an EAMT-only translator. */
  pool6: pool6Prefix.nullable().optional(),
  /** Explicit Address Mappings (RFC 7757), consulted before pool6. */
  eamt: z.array(eamEntrySchema, { error: typeError('a list') }).optional(),
  /** RFC 6791 pool: IPv4 addresses or prefixes sourcing ICMPv4 errors of untranslatable origin. */
  pool6791: z.array(ipv4Prefix, { error: typeError('a list') }).min(1, { error: 'needs at least one address or prefix' }).optional(),
  /** Source of ICMPv6 errors the translator originates (RFC 7915 §5.4); absent: none sent. */
  ipv6ErrorSource: ipv6Address.nullable().optional(),
  /** Source of ICMPv4 errors the translator originates; absent: the first pool6791 address. */
  ipv4ErrorSource: ipv4Address.nullable().optional(),
  /** RFC 7915 §4.1/§5.1: zero the Traffic Class / TOS instead of copying it. */
  resetTrafficClass: bool.optional(),
  /** RFC 7915 §4.1/§6: smallest MTU of the IPv6 side. */
  lowestIpv6Mtu: int(1280, 65535, 'RFC 8200 §5 minimum link MTU').optional(),
  ipv4LinkMtu: int(68, 65535, 'RFC 791 minimum MTU').optional(),
  ipv6LinkMtu: int(1280, 65535, 'RFC 8200 §5 minimum link MTU').optional(),
  /** RFC 7915 §4.5: IPv4 UDP with checksum zero. */
  udpZeroChecksum: z.enum(['drop', 'compute'], { error: typeError('drop or compute') }).optional(),
  /** RFC 7757 §4.2 EAM hairpinning. 'intrinsic' (§4.2.2) needs the translator to send a 6→4
   * result straight back through 4→6, which it does not do yet: refused rather than accepted
   * and silently treated as 'off'. */
  hairpinning: z.enum(['off', 'simple'], { error: typeError('off or simple (intrinsic hairpinning, RFC 7757 §4.2.2, is not supported yet)') }).optional(),
  /** RFC 6052 §3.1 forbids non-global IPv4 under 64:ff9b::/96; true allows it (labs). */
  allowNonGlobalWithWkp: bool.optional(),
  /** RFC 1191 §7 plateau table, largest first. */
  mtuPlateaus: z.array(int(68, 65535), { error: typeError('a list') }).min(1, { error: 'needs at least one MTU' }).optional(),
  /** RFC 7915 §4.1/§5.1: act as a router (decrement TTL, send Time Exceeded). */
  decrementTtl: bool.optional(),
  /** Send the ICMP errors of RFC 7915 §4.4/§5.4. */
  generateIcmpErrors: bool.optional(),
}, { error: typeError('a mapping') }).superRefine((s, ctx) => {
  if ((s.pool6 === undefined || s.pool6 === null) && (s.eamt === undefined || s.eamt.length === 0)) {
    ctx.addIssue({ code: 'custom', message: 'neither pool6 nor an eamt entry is set: no address could be translated' });
  }
  const plateaus = s.mtuPlateaus;
  if (plateaus) {
    for (let i = 1; i < plateaus.length; i++) {
      if (plateaus[i]! >= plateaus[i - 1]!) {
        ctx.addIssue({ code: 'custom', path: ['mtuPlateaus', i], message: 'plateaus must be strictly decreasing (RFC 1191 §7): ' + plateaus[i] + ' follows ' + plateaus[i - 1] });
        break;
      }
    }
  }
});

/** Translator knobs a NAT64 tenant may set (its addresses come from the session table). */
const nat64TranslatorSchema = z.strictObject({
  ipv6ErrorSource: ipv6Address.nullable().optional(),
  resetTrafficClass: bool.optional(),
  lowestIpv6Mtu: int(1280, 65535, 'RFC 8200 §5 minimum link MTU').optional(),
  ipv4LinkMtu: int(68, 65535, 'RFC 791 minimum MTU').optional(),
  ipv6LinkMtu: int(1280, 65535, 'RFC 8200 §5 minimum link MTU').optional(),
  udpZeroChecksum: z.enum(['drop', 'compute'], { error: typeError('drop or compute') }).optional(),
  decrementTtl: bool.optional(),
  generateIcmpErrors: bool.optional(),
}, { error: typeError('a mapping') });

const protocolName = z.enum(['tcp', 'udp', 'icmp'], { error: typeError('tcp, udp or icmp') });

/** A static BIB entry (RFC 6146 §3.5.1; Jool's static BIB): a server inside reachable from outside. */
const staticBibSchema = z.strictObject({
  protocol: protocolName,
  /** Inside address: IPv6 for NAT64, IPv4 for NAT44. */
  insideAddress: z.string({ error: typeError('an IPv6 or IPv4 address') }),
  insidePort: int(0, 65535, 'port or ICMP identifier'),
  outsideAddress: ipv4Address,
  outsidePort: int(0, 65535, 'port or ICMP identifier'),
}, { error: typeError('a mapping') });

/** Stateful NAT (RFC 6146 NAT64 and RFC 4787/5382/5508 NAT44) sharing one pool and one table. */
const natSchema = z.strictObject({
  /** IPv4 pool: addresses or prefixes the tenant's inside hosts are mapped to. */
  pool4: z.array(ipv4Prefix, { error: typeError('a list') }).min(1, { error: 'needs at least one address or prefix' }),
  /** Port range of the pool, the same for each protocol. */
  ports: z.strictObject({ min: int(1, 65535), max: int(1, 65535) }, { error: typeError('a mapping with min and max') }).optional(),
  /** Ports per block; blocks are the unit handed to an owner node and to an inside host. */
  portBlockSize: int(1, 65536).optional(),
  /** NAT64: the RFC 6052 prefix the IPv6 hosts reach IPv4 through, and translator knobs. */
  nat64: z.strictObject({ pool6: pool6Prefix, translator: nat64TranslatorSchema.optional() }, { error: typeError('a mapping') }).optional(),
  /** NAT44: prefixes of the inside IPv4 hosts. */
  nat44: z.strictObject({ inside: z.array(ipv4Prefix, { error: typeError('a list') }).min(1, { error: 'needs at least one prefix' }) }, { error: typeError('a mapping') }).optional(),
  /** RFC 4787 REQ-8 filtering. */
  filtering: z.enum(['endpoint-independent', 'address-dependent', 'address-and-port-dependent'], { error: typeError('endpoint-independent, address-dependent or address-and-port-dependent') }).optional(),
  maxSessions: int(1, 1 << 26).optional(),
  maxBib: int(1, 1 << 26).optional(),
  maxSessionsPerHost: int(1, 1 << 26).optional(),
  /** Timers in seconds. */
  timeouts: z.strictObject({
    udp: int(120, 86400 * 7, 'RFC 4787 REQ-5: at least 2 minutes').optional(),
    tcpEstablished: int(7440, 86400 * 30, 'RFC 5382 REQ-5: at least 2 hours 4 minutes').optional(),
    tcpTransitory: int(240, 86400, 'RFC 5382 REQ-5 / RFC 6146 §3.5.2.2: at least 4 minutes').optional(),
    tcpIncomingSyn: int(6, 600, 'RFC 6146 §3.5.2.2 / RFC 5382 REQ-4: at least 6 seconds').optional(),
    icmp: int(60, 86400, 'RFC 5508 REQ-2: at least 60 seconds').optional(),
  }, { error: typeError('a mapping') }).optional(),
  staticBib: z.array(staticBibSchema, { error: typeError('a list') }).optional(),
}, { error: typeError('a mapping') }).superRefine((n, ctx) => {
  if (n.nat64 === undefined && n.nat44 === undefined) ctx.addIssue({ code: 'custom', message: 'neither nat64 nor nat44 is set: nothing would be translated' });
  if (n.ports && n.ports.min > n.ports.max) ctx.addIssue({ code: 'custom', path: ['ports'], message: 'min ' + n.ports.min + ' is above max ' + n.ports.max });
});

/** The stateful firewall of the tenant's IPv4 side (seed 000). */
const firewallSchema = z.strictObject({
  /** Seconds after start during which mid-flow packets of unknown connections are accepted and
   * their state rebuilt; 0 turns the grace period off. */
  graceSeconds: int(0, 86400).optional(),
  maxConnections: int(1, 1 << 26).optional(),
  maxConnectionsPerHost: int(1, 1 << 26).optional(),
}, { error: typeError('a mapping') });

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const name = (what: string) => z.string({ error: typeError('a ' + what + ' name') }).regex(NAME, { error: 'expected 1 to 63 letters, digits, "-" or "_", starting with a letter or digit' });

/** An interface address with its prefix length: `2001:db8:1::1/64`, `198.51.100.1/24`. */
const interfaceAddress = z.string({ error: typeError('an address with a prefix length') }).superRefine((s, ctx) => {
  const slash = s.lastIndexOf('/');
  const len = Number(s.slice(slash + 1));
  try {
    if (slash < 0 || !Number.isInteger(len)) throw new Error('expected address/length');
    if (s.includes(':')) {
      parseIpv6(s.slice(0, slash));
      if (len < 1 || len > 128) throw new Error('prefix length ' + len + ' is not from 1 to 128');
    } else {
      parseIpv4(s.slice(0, slash));
      if (len < 1 || len > 32) throw new Error('prefix length ' + len + ' is not from 1 to 32');
    }
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
});

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/** `host:port`, `[v6]:port` or a bare address (then the default port). */
const endpoint = z.string({ error: typeError('an address:port') }).superRefine((s, ctx) => {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(s);
  const host = m ? m[1] ?? m[2]! : '';
  const port = m?.[3] === undefined ? 1 : Number(m[3]);
  try {
    if (!m) throw new Error('expected address:port or [IPv6]:port');
    if (host.includes(':')) parseIpv6(host); else parseIpv4(host);
    // Port 0: the kernel picks a free one (the API and tunnels report where they listen).
    if (port < 0 || port > 65535) throw new Error('port ' + port + ' is not from 0 to 65535');
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
});

/** A port moves frames: a VXLAN or Geneve tunnel endpoint (UDP) or a TUN device. */
const portSchema = z.discriminatedUnion('type', [
  z.strictObject({
    name: name('port'),
    type: z.literal('vxlan'),
    /** Local UDP address:port (default 127.0.0.1:4789, RFC 7348 §5). */
    listen: endpoint.optional(),
    /** Tunnel endpoints allowed to send and to be sent to. */
    remotes: z.array(ipv4Address, { error: typeError('a list') }).min(1, { error: 'needs at least one remote tunnel endpoint' }),
  }, { error: typeError('a mapping') }),
  z.strictObject({
    name: name('port'),
    type: z.literal('geneve'),
    /** Local UDP address:port (default 127.0.0.1:6081, RFC 8926 §3.3). */
    listen: endpoint.optional(),
    remotes: z.array(ipv4Address, { error: typeError('a list') }).min(1, { error: 'needs at least one remote tunnel endpoint' }),
  }, { error: typeError('a mapping') }),
  z.strictObject({
    name: name('port'),
    type: z.literal('tun'),
    /** TUN device name (created when absent). */
    device: z.string({ error: typeError('a device name') }).regex(/^[A-Za-z0-9_.-]{1,15}$/, { error: 'expected 1 to 15 letters, digits, "_", "." or "-" (IFNAMSIZ)' }),
    /** Ask the kernel for checksum and segmentation offloads (IFF_VNET_HDR, TUNSETOFFLOAD). */
    offloads: bool.optional(),
  }, { error: typeError('a mapping') }),
], { error: typeError('a mapping with type vxlan, geneve or tun') });

/** Where a tenant's network attaches: a VNI on a tunnel port, or a TUN port. */
const interfaceSchema = z.strictObject({
  name: name('interface'),
  port: name('port'),
  /** VXLAN/Geneve network identifier (24 bits); not for TUN ports. */
  vni: int(0, 0xffffff, '24-bit VNI').optional(),
  /** The gateway's own addresses on this network; their prefixes are connected routes. */
  addresses: z.array(interfaceAddress, { error: typeError('a list') }).optional(),
  mac: z.string({ error: typeError('a MAC address') }).regex(MAC, { error: 'expected six hex octets separated by ":"' }).optional(),
}, { error: typeError('a mapping') });

const routeSchema = z.strictObject({
  prefix: z.string({ error: typeError('a prefix') }).superRefine((s, ctx) => {
    try {
      if (s.includes(':')) Ipv6Prefix.parse(s); else Ipv4Prefix.parse(s);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
    }
  }),
  /** Next hop, on a connected prefix of one of the tenant's interfaces. */
  via: z.string({ error: typeError('an address') }).optional(),
  /** Or: out of this interface (a TUN interface, or an on-link prefix). */
  interface: name('interface').optional(),
}, { error: typeError('a mapping') }).superRefine((r, ctx) => {
  if ((r.via === undefined) === (r.interface === undefined)) ctx.addIssue({ code: 'custom', message: 'needs exactly one of via and interface' });
});


const tenantSchema = z.strictObject({
  name: name('tenant'),
  /** Tenant ID carried in gateway-ID addresses (32 bits); 0 is reserved for "no tenant". */
  id: int(1, U32_MAX, '32-bit tenant ID, 0 reserved'),
  /** Stateless translation; exclusive with `nat`. */
  siit: siitSchema.optional(),
  /** Stateful NAT64 and/or NAT44. */
  nat: natSchema.optional(),
  /** Stateful firewall of the IPv4 side. */
  firewall: firewallSchema.optional(),
  /** Live gateway (`natmesh run`): the tenant's networks and routes. Replay ignores them. */
  interfaces: z.array(interfaceSchema, { error: typeError('a list') }).optional(),
  routes: z.array(routeSchema, { error: typeError('a list') }).optional(),
}, { error: typeError('a mapping') }).superRefine((t, ctx) => {
  const ifaces = new Map<string, number>();
  (t.interfaces ?? []).forEach((f, i) => {
    if (ifaces.has(f.name)) ctx.addIssue({ code: 'custom', path: ['interfaces', i, 'name'], message: 'interface name "' + f.name + '" is already used by interfaces[' + ifaces.get(f.name) + ']' });
    else ifaces.set(f.name, i);
  });
  (t.routes ?? []).forEach((r, i) => {
    if (r.interface !== undefined && !ifaces.has(r.interface)) ctx.addIssue({ code: 'custom', path: ['routes', i, 'interface'], message: 'no interface named "' + r.interface + '" in this tenant' });
    if (r.via !== undefined) {
      try {
        if (r.via.includes(':') !== r.prefix.includes(':')) throw new Error('next hop ' + r.via + ' is not of the prefix\'s family');
        if (r.via.includes(':')) parseIpv6(r.via); else parseIpv4(r.via);
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['routes', i, 'via'], message: (e as Error).message });
      }
    }
  });
  if (t.siit === undefined && t.nat === undefined) ctx.addIssue({ code: 'custom', message: 'needs siit or nat: the tenant would translate nothing' });
  if (t.siit !== undefined && t.nat !== undefined) ctx.addIssue({ code: 'custom', path: ['nat'], message: 'siit and nat cannot both be set on one tenant (use two tenants)' });
});

/** The HTTP API and metrics endpoint of `natmesh run`. */
const apiSchema = z.strictObject({
  /** Address:port to listen on; loopback by default (127.0.0.1:8080). */
  listen: endpoint.optional(),
  /** Bearer token; required when `listen` is not a loopback address. */
  token: z.string({ error: typeError('a token') }).min(16, { error: 'expected at least 16 characters' }).optional(),
}, { error: typeError('a mapping') }).superRefine((a, ctx) => {
  const host = a.listen === undefined ? '127.0.0.1' : a.listen.replace(/^\[/, '').replace(/\]?(:\d+)?$/, '');
  const loopback = host === '::1' || host.startsWith('127.');
  if (!loopback && a.token === undefined) ctx.addIssue({ code: 'custom', path: ['token'], message: 'required when listen (' + a.listen + ') is not a loopback address' });
});

export const configSchema = z.strictObject({
  node: z.strictObject({
    /** This gateway's ID (32 bits): the owner tag of the state it creates; 0 is reserved. */
    id: int(1, U32_MAX, '32-bit node ID, 0 reserved'),
  }, { error: typeError('a mapping') }),
  tenants: z.array(tenantSchema, { error: typeError('a list') }).min(1, { error: 'needs at least one tenant' }),
  /** Live gateway ports (`natmesh run`). */
  ports: z.array(portSchema, { error: typeError('a list') }).optional(),
  api: apiSchema.optional(),
  log: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'], { error: typeError('fatal, error, warn, info, debug or trace') }).optional() }, { error: typeError('a mapping') }).optional(),
}, { error: typeError('a mapping') }).superRefine((c, ctx) => {
  const ports = new Map<string, { type: string; index: number }>();
  (c.ports ?? []).forEach((p, i) => {
    if (ports.has(p.name)) ctx.addIssue({ code: 'custom', path: ['ports', i, 'name'], message: 'port name "' + p.name + '" is already used by ports[' + ports.get(p.name)!.index + ']' });
    else ports.set(p.name, { type: p.type, index: i });
  });
  const vnis = new Map<string, string>();
  c.tenants.forEach((t, ti) => (t.interfaces ?? []).forEach((f, fi) => {
    const at = ['tenants', ti, 'interfaces', fi];
    const port = ports.get(f.port);
    if (port === undefined) {
      ctx.addIssue({ code: 'custom', path: [...at, 'port'], message: 'no port named "' + f.port + '"' });
      return;
    }
    if (port.type === 'tun') {
      if (f.vni !== undefined) ctx.addIssue({ code: 'custom', path: [...at, 'vni'], message: 'a TUN port has no VNI' });
      const key = f.port;
      if (vnis.has(key)) ctx.addIssue({ code: 'custom', path: [...at, 'port'], message: 'TUN port "' + f.port + '" is already attached to ' + vnis.get(key) });
      else vnis.set(key, 'tenants[' + ti + '].interfaces[' + fi + ']');
    } else {
      if (f.vni === undefined) {
        ctx.addIssue({ code: 'custom', path: [...at, 'vni'], message: 'required on a ' + port.type + ' port' });
        return;
      }
      const key = f.port + '/' + f.vni;
      if (vnis.has(key)) ctx.addIssue({ code: 'custom', path: [...at, 'vni'], message: 'VNI ' + f.vni + ' on port "' + f.port + '" is already used by ' + vnis.get(key) });
      else vnis.set(key, 'tenants[' + ti + '].interfaces[' + fi + ']');
    }
  }));
  const names = new Map<string, number>();
  const ids = new Map<number, number>();
  c.tenants.forEach((t, i) => {
    const n = names.get(t.name);
    if (n !== undefined) ctx.addIssue({ code: 'custom', path: ['tenants', i, 'name'], message: 'tenant name "' + t.name + '" is already used by tenants[' + n + ']' });
    else names.set(t.name, i);
    const d = ids.get(t.id);
    if (d !== undefined) ctx.addIssue({ code: 'custom', path: ['tenants', i, 'id'], message: 'tenant id ' + t.id + ' is already used by tenants[' + d + ']' });
    else ids.set(t.id, i);
  });
});

export type NatmeshConfig = z.output<typeof configSchema>;
export type TenantConfig = NatmeshConfig['tenants'][number];
export type SiitConfig = NonNullable<TenantConfig['siit']>;
export type NatConfig = NonNullable<TenantConfig['nat']>;
export type FirewallConfig = NonNullable<TenantConfig['firewall']>;
export type PortConfig = NonNullable<NatmeshConfig['ports']>[number];
export type InterfaceConfig = NonNullable<TenantConfig['interfaces']>[number];
export type RouteConfig = NonNullable<TenantConfig['routes']>[number];
export type ApiConfig = NonNullable<NatmeshConfig['api']>;

/** `['tenants', 0, 'siit', 'pool6']` → `tenants[0].siit.pool6`. */
export function formatConfigPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += '[' + p + ']';
    else s += (s === '' ? '' : '.') + String(p);
  }
  return s;
}

function issuesOf(error: z.ZodError): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      // One issue per key, at the key's own path, so each misspelling is named where it is.
      for (const key of issue.keys) out.push({ path: formatConfigPath([...issue.path, key]), message: 'unknown key "' + key + '"' });
    } else {
      out.push({ path: formatConfigPath(issue.path), message: issue.message });
    }
  }
  return out;
}

/**
 * Parses and validates YAML text. Throws `ConfigSyntaxError` for bad YAML and
 * `ConfigValidationError` listing every field problem; when the fields are right, each tenant's
 * tables and translator are built once (`tenantBuildIssue`) and what they refuse (overlapping
 * EAMs, a pool prefix in private space, ...) is reported the same way.
 */
export function parseConfig(textIn: string, source = '<config>'): NatmeshConfig {
  const doc = parseDocument(textIn, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw new ConfigSyntaxError(source, doc.errors[0]!.message.replace(/\s+$/, ''));
  const data: unknown = doc.toJS();
  const result = configSchema.safeParse(data);
  if (!result.success) throw new ConfigValidationError(source, issuesOf(result.error));
  const config = result.data;
  const issues: ConfigIssue[] = [];
  for (let i = 0; i < config.tenants.length; i++) {
    const issue = tenantBuildIssue(config, i);
    if (issue) issues.push(issue);
  }
  if (issues.length > 0) throw new ConfigValidationError(source, issues);
  return config;
}

/** Reads and validates a configuration file (see `parseConfig`). */
export function loadConfigFile(path: string): NatmeshConfig {
  let textIn: string;
  try {
    textIn = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigReadError(path, (e as Error).message);
  }
  return parseConfig(textIn, path);
}

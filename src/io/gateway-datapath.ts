import { parseIpv4 } from '../addr/ipv4-address.js';
import { Ipv4Prefix } from '../addr/ipv4-prefix.js';
import { parseIpv6 } from '../addr/ipv6-address.js';
import { Ipv6Prefix } from '../addr/ipv6-prefix.js';
import { InterfaceTable, type InterfaceAddress4, type InterfaceAddress6, type InterfaceDefinition } from '../pipeline/interface-table.js';
import { LinkKind } from '../pipeline/link-kind.js';
import { RouteRefusal, RouteTable } from '../pipeline/route-table.js';
import type { TenantDatapath } from '../pipeline/tenant-datapath.js';
import { GatewayConfigError } from './gateway-config-error.js';
import type { Port, PortBinding } from './port.js';

/** Where one of a tenant's networks attaches to the gateway (the `interfaces` of a tenant in
 * the configuration file). */
export interface InterfaceSpec {
  /** Unique within the tenant; routes name it. */
  readonly name: string;
  /** Name of the port that carries it. */
  readonly port: string;
  /** Tunnel segment (VNI, 0 to 16777215): required on a tunnel port, absent on a TUN port. */
  readonly vni?: number;
  /** The gateway's own addresses there, with the length of the connected prefix:
   * `198.51.100.1/24`, `2001:db8:1::1/64` (a bare address is a /32 or /128). They are answered
   * in ARP/NDP, make connected routes, and are the source of what the gateway originates. */
  readonly addresses?: readonly string[];
  /** The gateway's MAC on a tunnel interface, `02:00:00:00:01:01`; default
   * `defaultInterfaceMac(node, tenant id, position)`. */
  readonly mac?: string;
}

/** A static route of a tenant (connected prefixes of its interfaces are implicit). */
export interface RouteSpec {
  /** `0.0.0.0/0`, `64:ff9b::/96`. */
  readonly prefix: string;
  /** Next hop, on a connected prefix of one of the tenant's interfaces (of the prefix's family). */
  readonly via?: string;
  /** Interface name (of the same tenant): straight out of it, or the interface for `via`. */
  readonly interface?: string;
}

/** One tenant on a gateway node: how its packets are processed and where it attaches. */
export interface GatewayTenantSpec {
  /** Built by control from the tenant's configuration (`buildTenant`); `datapath.index` must be
   * the tenant's position in `GatewayDatapathSpec.tenants`. */
  readonly datapath: TenantDatapath;
  readonly interfaces: readonly InterfaceSpec[];
  readonly routes?: readonly RouteSpec[];
}

/** Everything a gateway node runs that a reload may change. */
export interface GatewayDatapathSpec {
  readonly tenants: readonly GatewayTenantSpec[];
}

/** The checked, table form of a `GatewayDatapathSpec`. */
export interface GatewayTables {
  readonly tenants: readonly TenantDatapath[];
  /** Interfaces numbered globally in spec order (tenant 0's first). */
  readonly interfaces: InterfaceTable;
  /** Per tenant index. */
  readonly routes: readonly RouteTable[];
  /** Per port index: the interfaces it carries. */
  readonly bindings: readonly PortBinding[][];
}

const VNI_MAX = 0xffffff;

/**
 * The MAC of a tunnel interface with none configured: locally administered unicast (IEEE 802
 * U/L bit set, I/G bit clear) `02:nn:nn:tt:tt:ii`, node ID and tenant ID (low 16 bits each) and
 * the interface's position in the tenant, so gateways of one fabric never collide on a segment.
 */
export function defaultInterfaceMac(nodeId: number, tenantId: number, position: number): Uint8Array {
  return Uint8Array.of(0x02, (nodeId >>> 8) & 0xff, nodeId & 0xff, (tenantId >>> 8) & 0xff, tenantId & 0xff, position & 0xff);
}

/** Parses `aa:bb:cc:dd:ee:ff` (or with `-`); throws `GatewayConfigError` at `path`. */
export function parseMac(text: string, path: string): Uint8Array {
  if (!/^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/.test(text)) throw new GatewayConfigError(path, JSON.stringify(text) + ' is not a MAC address (six hex octets, aa:bb:cc:dd:ee:ff)');
  const mac = Uint8Array.from(text.split(/[:-]/), (h) => parseInt(h, 16));
  if ((mac[0]! & 1) !== 0) throw new GatewayConfigError(path, text + ' is a group (multicast) address; an interface needs a unicast one');
  return mac;
}

/**
 * Checks a datapath against the node's ports and builds its tables. Throws `GatewayConfigError`
 * naming the field (`tenants[0].interfaces[1].vni`); a `RangeError` for a programmer error
 * (a `datapath.index` out of place).
 */
export function buildGatewayTables(spec: GatewayDatapathSpec, ports: readonly Port[], nodeId: number): GatewayTables {
  const defs: InterfaceDefinition[] = [];
  const bindings: PortBinding[][] = ports.map(() => []);
  const portIndex = new Map<string, number>();
  ports.forEach((p, i) => {
    if (portIndex.has(p.name)) throw new RangeError('two ports are named ' + JSON.stringify(p.name));
    portIndex.set(p.name, i);
  });
  const firstIface: number[] = [];
  const tenants = spec.tenants.map((t, ti) => {
    if (t.datapath.index !== ti) throw new RangeError('tenant ' + t.datapath.name + ' has index ' + t.datapath.index + ' but is at position ' + ti);
    return t.datapath;
  });
  spec.tenants.forEach((t, ti) => {
    firstIface.push(defs.length);
    const names = new Set<string>();
    t.interfaces.forEach((s, k) => {
      const at = 'tenants[' + ti + '].interfaces[' + k + ']';
      if (names.has(s.name)) throw new GatewayConfigError(at + '.name', 'interface ' + JSON.stringify(s.name) + ' is defined twice in tenant ' + t.datapath.name);
      names.add(s.name);
      const pi = portIndex.get(s.port);
      if (pi === undefined) throw new GatewayConfigError(at + '.port', 'no port is named ' + JSON.stringify(s.port) + (ports.length ? ' (ports: ' + ports.map((p) => p.name).join(', ') + ')' : ''));
      const port = ports[pi]!;
      const iface = defs.length;
      let vni = -1;
      let mac: Uint8Array | null = null;
      if (port.linkKind === LinkKind.Ethernet) {
        if (s.vni === undefined) throw new GatewayConfigError(at + '.vni', 'an interface on tunnel port ' + port.name + ' needs a VNI');
        if (!Number.isInteger(s.vni) || s.vni < 0 || s.vni > VNI_MAX) throw new GatewayConfigError(at + '.vni', 'must be an integer from 0 to 16777215, got ' + s.vni);
        const clash = bindings[pi]!.find((b) => b.vni === s.vni);
        if (clash !== undefined) throw new GatewayConfigError(at + '.vni', 'VNI ' + s.vni + ' on port ' + port.name + ' is already interface ' + defs[clash.iface]!.name + ' of tenant ' + tenants[defs[clash.iface]!.tenant]!.name);
        vni = s.vni;
        mac = s.mac === undefined ? defaultInterfaceMac(nodeId, t.datapath.id, k) : parseMac(s.mac, at + '.mac');
      } else {
        if (s.vni !== undefined) throw new GatewayConfigError(at + '.vni', 'port ' + port.name + ' carries bare IP (TUN): no VNI');
        if (s.mac !== undefined) throw new GatewayConfigError(at + '.mac', 'port ' + port.name + ' carries bare IP (TUN): no MAC');
        if (bindings[pi]!.length > 0) throw new GatewayConfigError(at + '.port', 'port ' + port.name + ' carries bare IP (TUN) and already has interface ' + defs[bindings[pi]![0]!.iface]!.name);
      }
      const ipv4: InterfaceAddress4[] = [];
      const ipv6: InterfaceAddress6[] = [];
      (s.addresses ?? []).forEach((text, j) => parseInterfaceAddress(text, at + '.addresses[' + j + ']', ipv4, ipv6));
      bindings[pi]!.push({ iface, vni });
      defs.push({ name: s.name, tenant: ti, port: pi, vni, linkKind: port.linkKind, mac, ipv4, ipv6 });
    });
  });
  const interfaces = new InterfaceTable(defs);
  const routes = spec.tenants.map((t, ti) => {
    const table = new RouteTable(ti, interfaces);
    (t.routes ?? []).forEach((r, k) => addRoute(table, r, 'tenants[' + ti + '].routes[' + k + ']', t, firstIface[ti]!));
    return table;
  });
  return { tenants, interfaces, routes, bindings };
}

function parseInterfaceAddress(text: string, path: string, v4: InterfaceAddress4[], v6: InterfaceAddress6[]): void {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const is6 = addr.includes(':');
  const max = is6 ? 128 : 32;
  let length = max;
  if (slash >= 0) {
    const l = text.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(l) || Number(l) > max) throw new GatewayConfigError(path, JSON.stringify(text) + ': the prefix length must be 0 to ' + max);
    length = Number(l);
  }
  try {
    if (is6) v6.push({ address: parseIpv6(addr, path), length });
    else v4.push({ address: parseIpv4(addr, path), length });
  } catch (e) {
    throw new GatewayConfigError(path, (e as Error).message.replace(path + ': ', ''));
  }
}

function addRoute(table: RouteTable, r: RouteSpec, at: string, tenant: GatewayTenantSpec, first: number): void {
  const is6 = r.prefix.includes(':');
  let iface = -1;
  if (r.interface !== undefined) {
    const k = tenant.interfaces.findIndex((i) => i.name === r.interface);
    if (k < 0) throw new GatewayConfigError(at + '.interface', 'tenant ' + tenant.datapath.name + ' has no interface ' + JSON.stringify(r.interface));
    iface = first + k;
  }
  if (r.via === undefined && iface === -1) throw new GatewayConfigError(at, 'a route needs a next hop (via) or an interface');
  if (r.via !== undefined && r.via.includes(':') !== is6) throw new GatewayConfigError(at + '.via', r.via + ' is not of the family of ' + r.prefix);
  let code: number;
  try {
    if (is6) {
      const p = Ipv6Prefix.parse(r.prefix, at + '.prefix');
      code = table.addStatic6(p.bytes, p.length, r.via === undefined ? null : parseIpv6(r.via, at + '.via'), iface);
    } else {
      const p = Ipv4Prefix.parse(r.prefix, at + '.prefix');
      code = table.addStatic4(p.address, p.length, r.via === undefined ? -1 : parseIpv4(r.via, at + '.via'), iface);
    }
  } catch (e) {
    const err = e as Error & { path?: string };
    if (typeof err.path === 'string' && err.path !== '') throw new GatewayConfigError(err.path, err.message.replace(err.path + ': ', ''));
    throw e;
  }
  if (code === RouteRefusal.viaNotConnected) throw new GatewayConfigError(at + '.via', r.via + ' is on no connected prefix of tenant ' + tenant.datapath.name + '\'s interfaces');
  if (code === RouteRefusal.duplicate) throw new GatewayConfigError(at + '.prefix', r.prefix + ' is routed twice');
  if (code === RouteRefusal.foreignInterface) throw new GatewayConfigError(at + '.interface', 'the interface belongs to another tenant');
}

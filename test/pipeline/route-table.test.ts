import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpv4 } from '../../src/addr/ipv4-address.js';
import { parseIpv6 } from '../../src/addr/ipv6-address.js';
import { Ipv4Prefix } from '../../src/addr/ipv4-prefix.js';
import { Ipv6Prefix } from '../../src/addr/ipv6-prefix.js';
import { InterfaceTable } from '../../src/pipeline/interface-table.js';
import { LinkKind } from '../../src/pipeline/link-kind.js';
import { RouteKind, RouteRefusal, RouteTable } from '../../src/pipeline/route-table.js';
import { HOST_TUN, INSIDE, interfaceDefinitions, OUTSIDE } from './link-fixture.js';

function tables(): { ifaces: InterfaceTable; rt: RouteTable } {
  const defs = interfaceDefinitions();
  defs.push({ name: 'other-tenant', tenant: 1, port: 0, vni: 300, linkKind: LinkKind.Ethernet, mac: Uint8Array.of(2, 0, 0, 0, 2, 1), ipv4: [{ address: parseIpv4('10.0.0.1'), length: 8 }], ipv6: [] });
  const ifaces = new InterfaceTable(defs);
  return { ifaces, rt: new RouteTable(0, ifaces) };
}

const v4 = (s: string): number => parseIpv4(s);
const v6 = (s: string): Uint8Array => parseIpv6(s);

function static4(rt: RouteTable, prefix: string, via: string | null, iface = -1): number {
  const p = Ipv4Prefix.parse(prefix);
  return rt.addStatic4(p.address, p.length, via === null ? -1 : v4(via), iface);
}

function static6(rt: RouteTable, prefix: string, via: string | null, iface = -1): number {
  const p = Ipv6Prefix.parse(prefix);
  return rt.addStatic6(p.bytes, p.length, via === null ? null : v6(via), iface);
}

test('connected prefixes of the tenant\'s interface addresses route out of that interface', () => {
  const { rt } = tables();
  const r4 = rt.lookup4(v4('198.51.100.9'));
  assert.equal(rt.kind[r4], RouteKind.Connected);
  assert.equal(rt.iface[r4], OUTSIDE);
  const r6 = rt.lookup6(v6('2001:db8:1::99'), 0);
  assert.equal(rt.kind[r6], RouteKind.Connected);
  assert.equal(rt.iface[r6], INSIDE);
});

test('the gateway\'s own addresses are local routes', () => {
  const { rt } = tables();
  assert.equal(rt.kind[rt.lookup4(v4('198.51.100.1'))], RouteKind.Local);
  assert.equal(rt.kind[rt.lookup6(v6('2001:db8:1::1'), 0)], RouteKind.Local);
});

test('another tenant\'s prefixes are not in the table', () => {
  const { rt } = tables();
  assert.equal(rt.lookup4(v4('10.1.2.3')), -1);
});

test('a default route via a next hop takes the interface of the connected prefix holding it', () => {
  const { rt } = tables();
  assert.equal(static4(rt, '0.0.0.0/0', '198.51.100.254'), RouteRefusal.none);
  const r = rt.lookup4(v4('192.0.2.33'));
  assert.equal(rt.kind[r], RouteKind.Via);
  assert.equal(rt.iface[r], OUTSIDE);
  assert.equal(rt.via4[r]! >>> 0, v4('198.51.100.254'));
  assert.equal(rt.kind[rt.lookup4(v4('198.51.100.9'))], RouteKind.Connected, 'the longer connected prefix still wins');
});

test('a route straight out of an interface (TUN) and the longest prefix wins for IPv6', () => {
  const { rt } = tables();
  assert.equal(static6(rt, '64:ff9b::/96', null, HOST_TUN), RouteRefusal.none);
  assert.equal(static6(rt, '::/0', '2001:db8:1::fe'), RouteRefusal.none);
  const r = rt.lookup6(v6('64:ff9b::c000:201'), 0);
  assert.equal(rt.kind[r], RouteKind.Direct);
  assert.equal(rt.iface[r], HOST_TUN);
  const d = rt.lookup6(v6('2001:db8:99::1'), 0);
  assert.equal(rt.kind[d], RouteKind.Via);
  assert.equal(rt.iface[d], INSIDE);
});

const refusals: { name: string; add: (rt: RouteTable) => number; code: number }[] = [
  { name: 'via on no connected prefix', add: (rt) => static4(rt, '0.0.0.0/0', '203.0.113.1'), code: RouteRefusal.viaNotConnected },
  { name: 'IPv6 via on no connected prefix', add: (rt) => static6(rt, '::/0', '2001:db8:2::1'), code: RouteRefusal.viaNotConnected },
  { name: 'interface of another tenant', add: (rt) => static4(rt, '10.0.0.0/8', null, 3), code: RouteRefusal.foreignInterface },
  { name: 'the same static prefix twice', add: (rt) => (static4(rt, '192.0.2.0/24', '198.51.100.2'), static4(rt, '192.0.2.0/24', '198.51.100.3')), code: RouteRefusal.duplicate },
];
for (const c of refusals) {
  test('static route refused: ' + c.name, () => {
    const { rt } = tables();
    assert.equal(c.add(rt), c.code);
  });
}

test('routes() lists what lookups can reach', () => {
  const { rt } = tables();
  static4(rt, '0.0.0.0/0', '198.51.100.254');
  const kinds = rt.routes().map((r) => r.family + ' ' + r.length + ' ' + r.kind).sort();
  assert.deepEqual(kinds, ['4 0 via', '4 24 connected', '4 32 local', '6 128 local', '6 64 connected']);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpv4 } from '../../src/addr/ipv4-address.js';
import { parseIpv6 } from '../../src/addr/ipv6-address.js';
import { GatewayConfigError } from '../../src/io/gateway-config-error.js';
import type { GatewayDatapathSpec, GatewayTenantSpec } from '../../src/io/gateway-datapath.js';
import { GatewayNode } from '../../src/io/gateway-node.js';
import { MemoryNetwork, MemoryPort } from '../../src/io/memory-port.js';
import { LinkKind } from '../../src/pipeline/link-kind.js';
import { ManualClock } from '../../src/state/clock.js';
import type { TenantDatapath } from '../../src/pipeline/tenant-datapath.js';
import { leastHeapGrowth } from '../heap-growth.js';
import { nat64Tenant } from './nat64-tenant.js';
import { buildUdp4, buildUdp6, frame, SimHost } from './sim-host.js';

const CLIENT_MAC = Uint8Array.of(2, 0, 0, 0, 0, 7);
const SERVER_MAC = Uint8Array.of(2, 0, 0, 0, 0, 8);
const GW_IN = '02:00:00:00:01:01';
const GW_OUT = '02:00:00:00:01:02';

function tenantSpec(datapath: TenantDatapath, routes: GatewayTenantSpec['routes'] = []): GatewayDatapathSpec {
  return {
    tenants: [{
      datapath,
      interfaces: [
        { name: 'inside', port: 'vx0', vni: 100, addresses: ['2001:db8:1::1/64'], mac: GW_IN },
        { name: 'outside', port: 'vx0', vni: 200, addresses: ['198.51.100.1/24'], mac: GW_OUT },
      ],
      routes,
    }],
  };
}

/** A gateway node with one VXLAN-like memory port whose remotes are the client's and the
 * server's tunnel endpoints (each host is its own endpoint), and the two hosts. */
async function lab(opts: { routes?: GatewayTenantSpec['routes']; server?: string } = {}) {
  const clock = new ManualClock(1_000_000);
  const network = new MemoryNetwork();
  const port = new MemoryPort({ name: 'vx0', network, address: 'gw', remotes: ['client', 'server'] });
  const tenant = nat64Tenant(clock);
  const node = new GatewayNode({ nodeId: 1, ports: [port], datapath: tenantSpec(tenant, opts.routes), clock, timerIntervalMs: 0, deferFlush: null });
  const client = new SimHost({ network, name: 'client', mac: CLIENT_MAC, vni: 100, gatewayPort: 'gw', ipv6: { address: '2001:db8:1::7', gateway: '2001:db8:1::1' } });
  const server = new SimHost({ network, name: 'server', mac: SERVER_MAC, vni: 200, gatewayPort: 'gw', ipv4: { address: opts.server ?? '198.51.100.7', gateway: '198.51.100.1' } });
  await node.start();
  return { clock, network, port, tenant, node, client, server };
}

test('NAT64 UDP end to end over a memory tunnel: NDP and ARP resolution, translation, frames to the right peer', async () => {
  const { node, client, server, port } = await lab();
  try {
    // The client resolves its gateway with NDP, then sends; the gateway translates and, not yet
    // knowing the server's MAC, sends an ARP request (to both endpoints) instead of the packet.
    client.sendUdp('64:ff9b::198.51.100.7', 40001, 53, 'query 1');
    assert.equal(client.solicitations, 1);
    assert.equal(client.neighbors.has('2001:db8:1::1'), true, 'the gateway answered the NS');
    assert.equal(server.answers, 1, 'the server answered the gateway\'s ARP request');
    assert.equal(server.received.length, 0, 'the first datagram was dropped while resolving');
    assert.ok(client.frames.some((f) => f[12] === 0x08 && f[13] === 0x06), 'the ARP request was flooded to the client\'s endpoint too');
    assert.equal(node.counters().routeDrops['unresolved'], 1);

    // The application's retry goes through, to the server only.
    const clientFramesBefore = client.frames.length;
    client.sendUdp('64:ff9b::198.51.100.7', 40001, 53, 'query 2');
    assert.equal(server.received.length, 1);
    const q = server.received[0]!;
    assert.equal(q.version, 4);
    assert.equal(q.src, '203.0.113.1');
    assert.equal(q.dst, '198.51.100.7');
    assert.equal(q.dstPort, 53);
    assert.equal(q.payload, 'query 2');
    assert.ok(q.checksumsOk, 'IPv4 header and UDP checksums verify');
    assert.equal(client.frames.length, clientFramesBefore, 'the translated frame went to the server\'s endpoint only');

    // The server answers through its gateway (ARP for 198.51.100.1 answered by the node).
    server.sendUdp('203.0.113.1', 53, q.srcPort, 'answer');
    assert.ok(server.neighbors.has('198.51.100.1'));
    assert.equal(client.received.length, 1);
    const a = client.received[0]!;
    assert.equal(a.version, 6);
    assert.equal(a.src, '64:ff9b::c633:6407');
    assert.equal(a.dst, '2001:db8:1::7');
    assert.equal(a.srcPort, 53);
    assert.equal(a.dstPort, 40001);
    assert.equal(a.payload, 'answer');
    assert.ok(a.checksumsOk, 'UDP checksum over the IPv6 pseudo-header verifies');

    const c = node.counters();
    const inside = c.interfaces.find((i) => i.name === 'inside')!;
    const outside = c.interfaces.find((i) => i.name === 'outside')!;
    assert.equal(inside.rx.packets, 3, 'NS and two datagrams');
    assert.equal(inside.tx.packets, 2, 'NA and the answer');
    // The server learned the gateway from its ARP request (RFC 826), so it did not ask.
    assert.equal(outside.rx.packets, 2, 'ARP reply, the answer');
    assert.equal(outside.tx.packets, 2, 'ARP request, the query');
    assert.equal(c.tenants[0]!.rx.packets, 5);
    assert.deepEqual(c.tenants[0]!.fromInside, { packets: 2, bytes: 2 * (40 + 8 + 7) }, 'the two queries');
    assert.deepEqual(c.tenants[0]!.fromOutside, { packets: 1, bytes: 20 + 8 + 6 }, 'the answer');
    assert.equal(c.neighbor.nsAnswered, 1);
    assert.equal(c.neighbor.arpLearned, 1);
    assert.equal(c.neighbor.solicitations, 1);
    assert.equal(c.ports[0]!.rx.packets, 5);
    assert.equal(node.tenants[0]!.napt!.sessionCount, 1);
    assert.deepEqual(c.ports[0]!.drops, {});
  } finally {
    await node.stop();
  }
  assert.equal(port.send(new Uint8Array(60), 0, 60, 0, 0), false, 'the port is closed after stop');
});

test('a static route via a next hop: the gateway resolves the router, not the destination', async () => {
  // The server plays the router 198.51.100.254 for 192.0.2.0/24.
  const { node, client, server } = await lab({ routes: [{ prefix: '192.0.2.0/24', via: '198.51.100.254' }], server: '198.51.100.254' });
  try {
    client.sendUdp('64:ff9b::192.0.2.10', 40001, 7, 'one');
    client.sendUdp('64:ff9b::192.0.2.10', 40001, 7, 'two');
    assert.equal(server.received.length, 1);
    assert.equal(server.received[0]!.dst, '192.0.2.10');
    assert.equal(server.received[0]!.payload, 'two');
    const routes = node.routes(0).map((r) => r.kind + ' ' + r.length);
    assert.ok(routes.includes('via 24'));
  } finally {
    await node.stop();
  }
});

test('timers: a held unsolicited SYN is answered with Port Unreachable after 6 s, routed to the sender', async () => {
  const { node, server, clock } = await lab();
  try {
    // Teach the gateway the server's MAC, then an inbound SYN to the pool with no mapping.
    server.sendUdp('203.0.113.1', 53, 9, 'stray');
    const syn = buildUdp4('198.51.100.7', '203.0.113.1', 5555, 8080, new Uint8Array(12));
    syn[9] = 6;
    syn.set([0x13, 0x88, 0x1f, 0x90, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0], 20);
    syn[2] = 0;
    syn[3] = 40;
    syn[10] = 0;
    syn[11] = 0;
    const { internetChecksum, pseudoHeaderSum4 } = await import('../../src/wire/checksum.js');
    const hc = internetChecksum(syn, 0, 20);
    syn[10] = hc >>> 8;
    syn[11] = hc & 255;
    const tc = internetChecksum(syn, 20, 20, pseudoHeaderSum4(syn, 12, 16, 6, 20));
    syn[36] = tc >>> 8;
    syn[37] = tc & 255;
    server.sendIp(syn.subarray(0, 40));
    const before = server.received.length;
    clock.advance(5000);
    node.tick();
    assert.equal(server.received.length, before, 'not before 6 s');
    clock.advance(1100);
    node.tick();
    assert.equal(server.received.length, before + 1);
    const err = server.received[before]!;
    assert.equal(err.proto, 1);
    assert.equal(err.src, '203.0.113.1');
    assert.equal(err.dst, '198.51.100.7');
    assert.equal(err.bytes[20], 3, 'Destination Unreachable');
    assert.equal(err.bytes[21], 3, 'Port Unreachable');
    assert.ok(err.checksumsOk);
    assert.equal(node.counters().heldSynErrors, 1);
  } finally {
    await node.stop();
  }
});

test('reload keeps the session tables it is handed: the answer to a flow from before the reload still comes back', async () => {
  const { node, client, server, clock, tenant } = await lab();
  try {
    client.sendUdp('64:ff9b::198.51.100.7', 40001, 53, 'q');
    client.sendUdp('64:ff9b::198.51.100.7', 40001, 53, 'q');
    const q = server.received.at(-1)!;
    const kept = nat64Tenant(clock, { napt: tenant.napt! });
    node.reload(tenantSpec(kept, [{ prefix: '192.0.2.0/24', via: '198.51.100.254' }]));
    assert.equal(node.tenants[0], kept);
    assert.equal(node.neighbors.size > 0, true, 'same interfaces: neighbors kept');
    server.sendUdp('203.0.113.1', 53, q.srcPort, 'after reload');
    assert.equal(client.received.at(-1)!.payload, 'after reload');
    // Counters went on across the reload.
    assert.equal(node.counters().interfaces.find((i) => i.name === 'inside')!.tx.packets, 2);
    assert.equal(node.counters().routeDrops['unresolved'], 1);
  } finally {
    await node.stop();
  }
});

test('a refused reload names the field and keeps the running datapath', async () => {
  const { node, client, server, clock } = await lab();
  try {
    const bad = tenantSpec(nat64Tenant(clock), [{ prefix: '0.0.0.0/0', via: '10.9.9.9' }]);
    assert.throws(() => node.reload(bad), (e: unknown) => e instanceof GatewayConfigError && e.path === 'tenants[0].routes[0].via');
    client.sendUdp('64:ff9b::198.51.100.7', 1, 2, 'x');
    client.sendUdp('64:ff9b::198.51.100.7', 1, 2, 'y');
    assert.equal(server.received.at(-1)!.payload, 'y');
  } finally {
    await node.stop();
  }
});

const configErrors: { name: string; spec: (t: TenantDatapath) => GatewayDatapathSpec; path: string }[] = [
  { name: 'unknown port', spec: (t) => ({ tenants: [{ datapath: t, interfaces: [{ name: 'a', port: 'nope', vni: 1 }] }] }), path: 'tenants[0].interfaces[0].port' },
  { name: 'tunnel interface without a VNI', spec: (t) => ({ tenants: [{ datapath: t, interfaces: [{ name: 'a', port: 'vx0' }] }] }), path: 'tenants[0].interfaces[0].vni' },
  { name: 'VNI out of range', spec: (t) => ({ tenants: [{ datapath: t, interfaces: [{ name: 'a', port: 'vx0', vni: 1 << 24 }] }] }), path: 'tenants[0].interfaces[0].vni' },
  { name: 'VNI twice on a port', spec: (t) => ({ tenants: [{ datapath: t, interfaces: [{ name: 'a', port: 'vx0', vni: 5 }, { name: 'b', port: 'vx0', vni: 5 }] }] }), path: 'tenants[0].interfaces[1].vni' },
  { name: 'interface name twice', spec: (t) => ({ tenants: [{ datapath: t, interfaces: [{ name: 'a', port: 'vx0', vni: 5 }, { name: 'a', port: 'vx0', vni: 6 }] }] }), path: 'tenants[0].interfaces[1].name' },
  { name: 'bad address', spec: (t) => ({ tenants: [{ datapath: t, interfaces: [{ name: 'a', port: 'vx0', vni: 5, addresses: ['10.0.0.300/24'] }] }] }), path: 'tenants[0].interfaces[0].addresses[0]' },
  { name: 'bad prefix length', spec: (t) => ({ tenants: [{ datapath: t, interfaces: [{ name: 'a', port: 'vx0', vni: 5, addresses: ['10.0.0.1/33'] }] }] }), path: 'tenants[0].interfaces[0].addresses[0]' },
  { name: 'group MAC', spec: (t) => ({ tenants: [{ datapath: t, interfaces: [{ name: 'a', port: 'vx0', vni: 5, mac: '03:00:00:00:00:01' }] }] }), path: 'tenants[0].interfaces[0].mac' },
  { name: 'route to an unknown interface', spec: (t) => ({ tenants: [{ datapath: t, interfaces: [], routes: [{ prefix: '::/0', interface: 'x' }] }] }), path: 'tenants[0].routes[0].interface' },
  { name: 'route with neither via nor interface', spec: (t) => ({ tenants: [{ datapath: t, interfaces: [], routes: [{ prefix: '::/0' }] }] }), path: 'tenants[0].routes[0]' },
  { name: 'route prefix with host bits', spec: (t) => ({ tenants: [{ datapath: t, interfaces: [{ name: 'a', port: 'vx0', vni: 5 }], routes: [{ prefix: '10.0.0.1/8', interface: 'a' }] }] }), path: 'tenants[0].routes[0].prefix' },
  { name: 'via of the other family', spec: (t) => ({ tenants: [{ datapath: t, interfaces: [], routes: [{ prefix: '::/0', via: '10.0.0.1' }] }] }), path: 'tenants[0].routes[0].via' },
];
for (const c of configErrors) {
  test('datapath refused with the field named: ' + c.name, () => {
    const clock = new ManualClock(0);
    const port = new MemoryPort({ name: 'vx0', network: new MemoryNetwork(), remotes: [] });
    assert.throws(() => new GatewayNode({ nodeId: 1, ports: [port], datapath: c.spec(nat64Tenant(clock)), clock }),
      (e: unknown) => e instanceof GatewayConfigError && e.path === c.path && e.code === 'ERR_GATEWAY_CONFIG');
  });
}

test('a TUN-like port carries bare IP for one interface: no MAC, no neighbor resolution', async () => {
  const clock = new ManualClock(1_000_000);
  const network = new MemoryNetwork();
  const tun = new MemoryPort({ name: 'tun0', network, address: 'gw-tun', remotes: ['kernel'], linkKind: LinkKind.Ip });
  const vx = new MemoryPort({ name: 'vx0', network, address: 'gw', remotes: ['server'] });
  const tenant = nat64Tenant(clock);
  const node = new GatewayNode({
    nodeId: 1, ports: [tun, vx], clock, timerIntervalMs: 0, deferFlush: null,
    datapath: { tenants: [{ datapath: tenant, interfaces: [{ name: 'host', port: 'tun0' }, { name: 'outside', port: 'vx0', vni: 200, addresses: ['198.51.100.1/24'] }], routes: [{ prefix: '2001:db8::/32', interface: 'host' }] }] },
  });
  const kernel: Uint8Array[] = [];
  network.attach('kernel', { deliver: (_f, _v, b, o, l) => void kernel.push(b.slice(o, o + l)) });
  const server = new SimHost({ network, name: 'server', mac: SERVER_MAC, vni: 200, gatewayPort: 'gw', ipv4: { address: '198.51.100.7', gateway: '198.51.100.1' } });
  await node.start();
  try {
    assert.deepEqual(Array.from(node.interfaces.macs.subarray(6, 12)), [2, 0, 1, 0, 1, 1], 'default MAC: node 1, tenant 1, position 1');
    const send = (ip: Uint8Array): void => {
      network.transmit(network.indexOf('kernel'), tun.endpoint, 0, ip, 0, ip.length);
      network.run();
    };
    send(buildUdp6('2001:db8:1::7', '64:ff9b::198.51.100.7', 40001, 53, new TextEncoder().encode('a')));
    send(buildUdp6('2001:db8:1::7', '64:ff9b::198.51.100.7', 40001, 53, new TextEncoder().encode('b')));
    const q = server.received.at(-1)!;
    assert.equal(q.payload, 'b');
    server.sendUdp('203.0.113.1', 53, q.srcPort, 'back');
    assert.equal(kernel.length, 1);
    assert.equal(kernel[0]![0]! >>> 4, 6, 'bare IPv6, no Ethernet header');
  } finally {
    await node.stop();
  }
});

test('a pipeline exception is counted and reported, and the node goes on', async () => {
  const { node, client, server } = await lab();
  const seen: unknown[] = [];
  (node as unknown as { opts: { onError: (e: unknown) => void } }).opts.onError = (e) => seen.push(e);
  try {
    const orig = node.pipeline.run.bind(node.pipeline);
    node.pipeline.run = () => { throw new Error('bug'); };
    client.sendUdp('64:ff9b::198.51.100.7', 1, 2, 'x');
    node.pipeline.run = orig;
    assert.equal(node.counters().errors, 1);
    assert.equal(seen.length, 1);
    client.sendUdp('64:ff9b::198.51.100.7', 1, 2, 'y');
    client.sendUdp('64:ff9b::198.51.100.7', 1, 2, 'z');
    assert.equal(server.received.at(-1)!.payload, 'z');
  } finally {
    await node.stop();
  }
});

test('steady state: frames through the node, NAT64 both ways, allocate nothing per packet', async () => {
  const clock = new ManualClock(1_000_000);
  const network = new MemoryNetwork({ autoRun: false });
  const port = new MemoryPort({ name: 'vx0', network, address: 'gw', remotes: ['client', 'server'] });
  let delivered = 0;
  network.attach('client', { deliver: () => void delivered++ });
  network.attach('server', { deliver: () => void delivered++ });
  const tenant = nat64Tenant(clock);
  const node = new GatewayNode({ nodeId: 1, ports: [port], datapath: tenantSpec(tenant), clock, timerIntervalMs: 0, deferFlush: null });
  await node.start();
  try {
    node.neighbors.confirm6(0, parseIpv6('2001:db8:1::7'), 0, CLIENT_MAC, 0, true);
    node.neighbors.confirm4(1, parseIpv4('198.51.100.7'), SERVER_MAC, 0, true);
    const gwIn = node.interfaces.macs.slice(0, 6);
    const gwOut = node.interfaces.macs.slice(6, 12);
    const out = frame(gwIn, CLIENT_MAC, 0x86dd, buildUdp6('2001:db8:1::7', '64:ff9b::198.51.100.7', 40001, 53, new Uint8Array(32)));
    const buf = new Uint8Array(2048);
    buf.set(out);
    node.receive(port, buf, 0, out.length, 0, 0);
    network.run();
    const t = tenant.napt!.sessions()[0]!;
    const back = frame(gwOut, SERVER_MAC, 0x0800, buildUdp4('198.51.100.7', '203.0.113.1', 53, t.outsidePort, new Uint8Array(32)));
    const run = (): void => {
      for (let i = 0; i < 5000; i++) {
        buf.set(out);
        node.receive(port, buf, 0, out.length, 0, 0);
        buf.set(back);
        node.receive(port, buf, 0, back.length, 1, 1);
        network.run();
      }
    };
    for (let i = 0; i < 5; i++) run();
    const before = delivered;
    const growth = leastHeapGrowth(run);
    assert.ok(delivered - before >= 40_000, 'every packet left');
    assert.ok(growth < 64 * 1024, '40000 packets grew the heap by ' + growth + ' bytes');
  } finally {
    await node.stop();
  }
});

test('bad input: random frames into the node never throw, each is counted by the pipeline, tables stay bounded', async () => {
  const fc = (await import('fast-check')).default;
  const clock = new ManualClock(1_000_000);
  const network = new MemoryNetwork({ autoRun: false });
  const port = new MemoryPort({ name: 'vx0', network, address: 'gw', remotes: ['client', 'server'] });
  network.attach('client', { deliver: () => {} });
  network.attach('server', { deliver: () => {} });
  const node = new GatewayNode({ nodeId: 1, ports: [port], datapath: tenantSpec(nat64Tenant(clock)), clock, timerIntervalMs: 0, deferFlush: null, neighbor: { capacity: 16, peerCapacity: 16 } });
  await node.start();
  const gwIn = node.interfaces.macs.slice(0, 6);
  const header = (type: number): number[] => [...gwIn, 2, 0, 0, 0, 0, 9, type >>> 8, type & 255];
  const ndpLike = fc.tuple(fc.constantFrom(133, 134, 135, 136, 137), fc.uint8Array({ minLength: 0, maxLength: 64 }), fc.uint8Array({ minLength: 32, maxLength: 32 }))
    .map(([t, body, addrs]) => [...header(0x86dd), 0x60, 0, 0, 0, 0, body.length + 4, 58, 255, ...addrs, t, 0, 0, 0, ...body]);
  const frames = fc.oneof(
    fc.uint8Array({ maxLength: 200 }).map((b) => Array.from(b)),
    fc.uint8Array({ maxLength: 60 }).map((b) => [...header(0x0806), ...b]),
    fc.uint8Array({ maxLength: 60 }).map((b) => [...header(0x0806), 0, 1, 8, 0, 6, 4, 0, 1, ...b]),
    ndpLike,
    fc.uint8Array({ maxLength: 120 }).map((b) => [...header(0x0800), 0x45, ...b]),
    fc.uint8Array({ maxLength: 120 }).map((b) => [...header(0x86dd), 0x60, ...b]),
  );
  let n = 0;
  try {
    fc.assert(fc.property(frames, fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 }), (f, iface, peer) => {
      const buf = Uint8Array.from(f);
      node.receive(port, buf, 0, buf.length, iface, peer);
      network.run();
      n++;
      clock.advance(10);
      if (n % 50 === 0) node.tick();
    }), { numRuns: 3000 });
    const c = node.counters();
    assert.equal(c.errors, 0);
    assert.equal(c.stages.find((s) => s.name === 'classify')!.in, n);
    assert.ok(node.neighbors.size <= 16 && node.neighbors.peerCount <= 16);
  } finally {
    await node.stop();
  }
});

/** IPv6 TCP from the TUN side: `flags`, sequence `seq`, `payload` bytes; checksum complete. */
function tcp6(flags: number, seq: number, payload: number): Uint8Array {
  const p = new Uint8Array(60 + payload);
  p.set([0x60, 0, 0, 0, (20 + payload) >>> 8, (20 + payload) & 255, 6, 64]);
  p.set(parseIpv6('2001:db8:1::7'), 8);
  p.set(parseIpv6('64:ff9b::c633:6407'), 24);
  p.set([0x9c, 0x40, 0, 80, seq >>> 24, (seq >>> 16) & 255, (seq >>> 8) & 255, seq & 255, 0, 0, 0, 1, 0x50, flags, 0xff, 0xff], 40);
  for (let i = 0; i < payload; i++) p[60 + i] = 0x61 + (i % 26);
  return p;
}

test('a GSO super-segment from a TUN port is translated once and leaves a tunnel port as wire-sized segments', async () => {
  const { internetChecksum, pseudoHeaderSum6 } = await import('../../src/wire/checksum.js');
  const clock = new ManualClock(1_000_000);
  const network = new MemoryNetwork();
  const tun = new MemoryPort({ name: 'tun0', network, address: 'gw-tun', remotes: ['kernel'], linkKind: LinkKind.Ip });
  const vx = new MemoryPort({ name: 'vx0', network, address: 'gw', remotes: ['server'] });
  network.attach('kernel', { deliver: () => {} });
  const node = new GatewayNode({
    nodeId: 1, ports: [tun, vx], clock, timerIntervalMs: 0, deferFlush: null,
    datapath: { tenants: [{ datapath: nat64Tenant(clock), interfaces: [{ name: 'host', port: 'tun0' }, { name: 'outside', port: 'vx0', vni: 200, addresses: ['198.51.100.1/24'] }] }] },
  });
  const server = new SimHost({ network, name: 'server', mac: SERVER_MAC, vni: 200, gatewayPort: 'gw', ipv4: { address: '198.51.100.7', gateway: '198.51.100.1' } });
  await node.start();
  const fromTun = (p: Uint8Array, gsoSize = 0): void => {
    const ck = internetChecksum(p, 40, p.length - 40, pseudoHeaderSum6(p, 8, 24, 6, p.length - 40));
    p[56] = ck >>> 8;
    p[57] = ck & 255;
    node.receive(tun, p, 0, p.length, 0, 0, gsoSize);
    node.flush();
  };
  try {
    fromTun(tcp6(0x02, 0x1000, 0));
    fromTun(tcp6(0x02, 0x1000, 0));
    assert.equal(server.received.length, 1, 'the SYN, once the server was resolved');
    fromTun(tcp6(0x18, 0x1001, 2500), 1000);
    const segs = server.received.slice(1);
    assert.equal(segs.length, 3);
    segs.forEach((s, i) => {
      assert.equal(s.version, 4);
      assert.equal(s.src, '203.0.113.1');
      assert.equal(s.bytes.length, 40 + (i < 2 ? 1000 : 500));
      assert.ok(s.checksumsOk, 'segment ' + i + ': IPv4 and TCP checksums complete');
      const seq = ((s.bytes[24]! << 24) | (s.bytes[25]! << 16) | (s.bytes[26]! << 8) | s.bytes[27]!) >>> 0;
      assert.equal(seq, 0x1001 + i * 1000);
    });
    assert.equal(segs.map((s) => s.payload).join('').length, 2500);
    assert.equal(node.counters().interfaces.find((i) => i.name === 'outside')!.tx.packets, 3, 'ARP request, SYN, one super-frame');
  } finally {
    await node.stop();
  }
});

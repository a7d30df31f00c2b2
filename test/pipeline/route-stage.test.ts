import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpv4 } from '../../src/addr/ipv4-address.js';
import { parseIpv6 } from '../../src/addr/ipv6-address.js';
import { Ipv6Prefix } from '../../src/addr/ipv6-prefix.js';
import { EmitStage } from '../../src/pipeline/emit-stage.js';
import { LinkKind } from '../../src/pipeline/link-kind.js';
import { RouteDrop, RouteStage } from '../../src/pipeline/route-stage.js';
import { Verdict } from '../../src/pipeline/verdict.js';
import { XlatOutputKind } from '../../src/xlat/xlat-output.js';
import { leastHeapGrowth } from '../heap-growth.js';
import { golden, GW_OUT_MAC, hex, HOST_MAC, HOST_TUN, INSIDE, LinkFixture, OUTSIDE, toHex } from './link-fixture.js';

const ROUTER_MAC = Uint8Array.of(2, 0, 0, 0, 0, 0xfe);

/** A minimal IPv4 header to `dst` (the route stage reads the version and destination only). */
function ipv4To(dst: string): Uint8Array {
  const p = hex('4500001c0000000040110000c0000201000000000000000000000000');
  const a = parseIpv4(dst);
  p.set([a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255], 16);
  return p;
}

function ipv6To(dst: string): Uint8Array {
  const p = new Uint8Array(48);
  p[0] = 0x60;
  p[5] = 8;
  p[6] = 17;
  p[7] = 64;
  p.set(parseIpv6('64:ff9b::c000:201'), 8);
  p.set(parseIpv6(dst), 24);
  return p;
}

class RouteFixture extends LinkFixture {
  readonly route: RouteStage;
  readonly emit = new EmitStage();
  constructor() {
    super();
    this.routes.addStatic4(0, 0, parseIpv4('198.51.100.254'), -1);
    const p = Ipv6Prefix.parse('64:ff9b::/96');
    this.routes.addStatic6(p.bytes, p.length, null, HOST_TUN);
    this.route = new RouteStage(this.interfaces, [this.routes], this.neighbors);
  }

  /** Runs route then emit on `packets` as if an ingress stage produced them. */
  run(...packets: Uint8Array[]): Verdict {
    const ctx = this.ctx.bind(new Uint8Array(0), 0, 0, LinkKind.Ethernet, 1);
    ctx.ingressIface = INSIDE;
    for (const p of packets) {
      ctx.packets.bytes.set(p, ctx.packets.used);
      ctx.packets.push(p.length, XlatOutputKind.Translated);
    }
    ctx.frames.bytes.fill(0xa5);
    const v = this.route.process(ctx);
    if (v !== Verdict.Continue) return v;
    return this.emit.process(ctx);
  }
}

test('route choice: a resolved next hop gets an Ethernet header from the interface MAC to the router MAC, toward its peer', () => {
  const f = new RouteFixture();
  f.neighbors.confirm4(OUTSIDE, parseIpv4('198.51.100.254'), ROUTER_MAC, 0, true);
  f.neighbors.learnPeer(OUTSIDE, ROUTER_MAC, 0, 5);
  const pkt = ipv4To('192.0.2.33');
  assert.equal(f.run(pkt), Verdict.Emit);
  const fr = f.ctx.frames;
  assert.equal(fr.count, 1);
  assert.equal(fr.ifaces[0], OUTSIDE);
  assert.equal(fr.peers[0], 5);
  assert.equal(f.frameHex(0), toHex(ROUTER_MAC) + toHex(GW_OUT_MAC) + '0800' + toHex(pkt));
});

test('route choice: a connected destination is its own next hop; an unknown MAC floods (peer -1)', () => {
  const f = new RouteFixture();
  f.neighbors.confirm4(OUTSIDE, parseIpv4('198.51.100.7'), HOST_MAC, 0, true);
  assert.equal(f.run(ipv4To('198.51.100.7')), Verdict.Emit);
  assert.equal(f.frameHex(0).slice(0, 12), golden.macs.host);
  assert.equal(f.ctx.frames.peers[0], -1);
});

test('route choice: a TUN interface gets the bare packet, no neighbor needed', () => {
  const f = new RouteFixture();
  const pkt = ipv6To('64:ff9b::c000:201');
  assert.equal(f.run(pkt), Verdict.Emit);
  assert.equal(f.ctx.frames.ifaces[0], HOST_TUN);
  assert.equal(f.frameHex(0), toHex(pkt));
  assert.equal(f.neighbors.size, 0);
});

test('unresolved IPv4 neighbor: the packet is dropped and a broadcast ARP request goes out instead (scapy bytes)', () => {
  const f = new RouteFixture();
  assert.equal(f.run(ipv4To('198.51.100.7')), Verdict.Drop);
  assert.equal(RouteDrop.names[f.ctx.reason], 'unresolved');
  assert.equal(f.ctx.frames.count, 1);
  assert.equal(f.frameHex(0), golden.arpRequestFromGateway);
  assert.equal(f.ctx.frames.ifaces[0], OUTSIDE);
  assert.equal(f.ctx.frames.peers[0], -1, 'flooded to every tunnel endpoint');
  // Within the retransmit interval: dropped again, no second request.
  assert.equal(f.run(ipv4To('198.51.100.7')), Verdict.Drop);
  assert.equal(f.ctx.frames.count, 0);
  assert.equal(f.route.packetDrops.get('unresolved'), 2);
  f.clock.advance(1000);
  f.run(ipv4To('198.51.100.7'));
  assert.equal(f.ctx.frames.count, 1, 'asked again after a second');
  assert.equal(f.route.solicitations, 2);
});

test('unresolved IPv6 neighbor: a Neighbor Solicitation to the solicited-node group from the link-local address (scapy bytes)', () => {
  const f = new RouteFixture();
  assert.equal(f.run(ipv6To('2001:db8:1::7')), Verdict.Drop);
  assert.equal(RouteDrop.names[f.ctx.reason], 'unresolved');
  assert.equal(f.frameHex(0), golden.nsFromGateway);
  assert.equal(f.ctx.frames.ifaces[0], INSIDE);
  // The host's advertisement (through the neighbor stage) resolves it; the next packet leaves.
  assert.equal(f.receive(hex(golden.naFromHost), INSIDE, 2), Verdict.Emit);
  assert.equal(f.run(ipv6To('2001:db8:1::7')), Verdict.Emit);
  assert.equal(f.frameHex(0).slice(0, 24), golden.macs.host + golden.macs.gwIn);
  assert.equal(f.ctx.frames.peers[0], 2, 'to the endpoint the advertisement came from');
});

test('an entry not confirmed for reachableMs is used and re-confirmed by a unicast probe (ARP and NS)', () => {
  const f = new RouteFixture();
  f.neighbors.confirm4(OUTSIDE, parseIpv4('198.51.100.7'), HOST_MAC, 0, true);
  f.neighbors.confirm6(INSIDE, parseIpv6('2001:db8:1::7'), 0, HOST_MAC, 0, true);
  f.clock.advance(f.neighbors.reachableMs);
  assert.equal(f.run(ipv4To('198.51.100.7')), Verdict.Emit);
  assert.equal(f.ctx.frames.count, 2);
  assert.equal(f.frameHex(0), golden.arpProbeFromGateway);
  assert.equal(f.run(ipv6To('2001:db8:1::7')), Verdict.Emit);
  assert.equal(f.frameHex(0), golden.nsProbeFromGateway);
  assert.equal(f.route.probes, 2);
});

const drops: { name: Exclude<keyof typeof RouteDrop.code, 'none'>; pkt: () => Uint8Array; tenant?: number }[] = [
  { name: 'noRoute', pkt: () => ipv6To('2001:db8:77::1') },
  { name: 'local', pkt: () => ipv4To('198.51.100.1') },
  { name: 'notUnicast', pkt: () => ipv4To('224.0.0.5') },
  { name: 'badPacket', pkt: () => Uint8Array.of(0x45, 0, 0) },
  { name: 'noTenantRoutes', pkt: () => ipv4To('192.0.2.1'), tenant: 4 },
];
for (const d of drops) {
  test('route drops ' + d.name, () => {
    const f = new RouteFixture();
    const ctx = f.ctx.bind(new Uint8Array(0), 0, 0, LinkKind.Ethernet, 1);
    ctx.tenant = d.tenant ?? 0;
    const p = d.pkt();
    ctx.packets.bytes.set(p, 0);
    ctx.packets.push(p.length, XlatOutputKind.Translated);
    assert.equal(f.route.process(ctx), Verdict.Drop);
    assert.equal(RouteDrop.names[ctx.reason], d.name);
    assert.equal(f.route.packetDrops.get(d.name), 1);
    assert.equal(ctx.frames.count, 0);
  });
}

test('of two packets only the routable one leaves; the other is counted per packet', () => {
  const f = new RouteFixture();
  const pkt = ipv6To('64:ff9b::c000:201');
  assert.equal(f.run(ipv6To('2001:db8:77::1'), pkt), Verdict.Emit);
  assert.equal(f.ctx.frames.count, 1);
  assert.equal(f.frameHex(0), toHex(pkt));
  assert.equal(f.route.packetDrops.get('noRoute'), 1);
});

test('routing and framing a resolved packet allocate nothing', () => {
  const f = new RouteFixture();
  f.neighbors.confirm4(OUTSIDE, parseIpv4('198.51.100.254'), ROUTER_MAC, 0, true);
  const pkt = ipv4To('192.0.2.33');
  const ctx = f.ctx;
  const growth = leastHeapGrowth(() => {
    for (let i = 0; i < 50_000; i++) {
      ctx.bind(pkt, 0, 0, LinkKind.Ethernet, i);
      ctx.packets.bytes.set(pkt, 0);
      ctx.packets.push(pkt.length, 0);
      f.route.process(ctx);
      f.emit.process(ctx);
    }
  });
  assert.equal(ctx.frames.count, 1);
  assert.ok(growth < 200_000, 'heap grew ' + growth + ' bytes');
});

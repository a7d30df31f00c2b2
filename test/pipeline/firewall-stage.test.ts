import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Verdict } from '../../src/pipeline/verdict.js';
import { ADDR, addresses, Gateway, srcPort, tenantYaml } from '../golden/gateway/gateway-harness.js';
import { echo, icmpError, tcp, TCP_ACK, TCP_PSH, TCP_SYN, udp } from '../golden/gateway/packets.js';

/**
 * The stateful firewall of a tenant's IPv4 side (seed 000) as the two stages around NAT:
 * firewall-in judges what comes from the outside before translation, firewall-out judges what
 * inside packets became. Real tenants from YAML, real connection tracker and session table.
 */
const { T, X6, X4, Z, Y, Z2 } = ADDR;

function gateway(graceSeconds = 0, nat64 = true): Gateway {
  return new Gateway(tenantYaml({ nat64, nat44: !nat64, firewall: graceSeconds }));
}

/** A TCP connection from the inside to Z:80 carried through SYN, SYN/ACK, ACK; returns T:t's
 * port and the sequence numbers in use. */
function openTcp(g: Gateway, inside: string, remote: string): { t: number; seq: number; ack: number } {
  const syn = g.pass(tcp(inside, 40002, remote, 80, TCP_SYN, { seq: 100 }));
  const t = srcPort(syn);
  g.pass(tcp(Z, 80, T, t, TCP_SYN | TCP_ACK, { seq: 5000, ack: 101 }));
  g.pass(tcp(inside, 40002, remote, 80, TCP_ACK, { seq: 101, ack: 5001 }));
  return { t, seq: 101, ack: 5001 };
}

for (const nat64 of [true, false]) {
  const kind = nat64 ? 'NAT64' : 'NAT44';
  const X = nat64 ? X6 : X4;
  const toZ = nat64 ? Y : Z;
  const toZ2 = nat64 ? '64:ff9b::c633:6408' : Z2;

  describe('firewall with ' + kind, () => {
    test('replies of an outbound flow are accepted; the tracker sees the IPv4 side\'s tuple', () => {
      const g = gateway(0, nat64);
      const t = srcPort(g.pass(udp(X, 40001, toZ, 53)));
      g.pass(udp(Z, 53, T, t));
      const conns = g.conntrack.connections();
      assert.equal(conns.length, 1);
      const c = conns[0]!;
      assert.deepEqual([c.proto, c.srcPort, c.dstPort, c.state, c.originOutbound], [17, t, 53, 'REPLIED', true]);
    });

    test('endpoint-independent filtering would let a new remote in; the firewall refuses it before the NAT sees it', () => {
      const g = gateway(0, nat64);
      const t = srcPort(g.pass(udp(X, 40001, toZ, 53)));
      const r = g.send(udp(Z2, 53, T, t));
      assert.equal(r.verdict, Verdict.Drop);
      assert.equal(r.drop, 'firewall-in:firewall.unsolicitedInbound');
      assert.equal(g.dropCount('firewall-in', 'firewall.unsolicitedInbound'), 1);
      assert.equal(r.out.length, 0);
      // The NAT made no session for it: the translate stage never ran.
      assert.equal(g.napt.sessionCount, 1);
      assert.ok(!r.trace.some((l) => l.includes(' translate ')), r.trace.join('\n'));
      // Once the inside host talks to Z2, Z2 may answer.
      g.pass(udp(X, 40001, toZ2, 53));
      assert.equal(srcPort(g.pass(udp(Z2, 53, T, t))), 53);
    });

    test('an unsolicited inbound TCP SYN is refused by firewall-in, not held by the NAT', () => {
      const g = gateway(0, nat64);
      const r = g.send(tcp(Z, 80, T, 5555, TCP_SYN));
      assert.equal(r.drop, 'firewall-in:firewall.unsolicitedInbound');
      assert.equal(g.napt.heldSyns.size, 0);
    });

    test('TCP through NAT and firewall: established both ways; an out-of-window segment is refused', () => {
      const g = gateway(0, nat64);
      const { t } = openTcp(g, X, toZ);
      assert.equal(g.conntrack.connections()[0]!.state, 'ESTABLISHED');
      assert.equal(g.napt.sessions()[0]!.state, 'ESTABLISHED');
      const data = g.pass(tcp(Z, 80, T, t, TCP_ACK | TCP_PSH, { seq: 5001, ack: 101, payload: 'hello' }));
      assert.equal(addresses(data)[1], X);
      const wild = g.send(tcp(Z, 80, T, t, TCP_ACK, { seq: 5001 + 0x40000000, ack: 101, payload: 'x' }));
      // The flow is in the flow cache by now, whose hit applies the firewall's check itself.
      assert.match(wild.drop, /^(firewall-in|flow-cache):firewall\.tcpOutOfWindow$/);
      assert.equal(wild.out.length, 0);
    });

    test('ICMP errors about a tracked connection are related and pass; about none they are refused', () => {
      const g = gateway(0, nat64);
      const out = g.pass(udp(X, 40001, toZ, 53));
      const related = g.send(icmpError(Z, T, 3, 3, out));
      assert.equal(related.verdict, Verdict.Emit);
      const unrelated = g.send(icmpError(Z, T, 3, 3, udp(T, 7777, Z, 53)));
      assert.equal(unrelated.drop, 'firewall-in:firewall.icmpErrorUnrelated');
    });

    test('an inbound Echo Request is unsolicited, or out of place in a tracked exchange; the reply passes', () => {
      const g = gateway(0, nat64);
      const id = srcPort(g.pass(echo(X, toZ, 9, 1)));
      assert.equal(g.send(echo(Z, T, id ^ 1, 1)).drop, 'firewall-in:firewall.unsolicitedInbound');
      assert.equal(g.send(echo(Z, T, id, 1)).drop, 'firewall-in:firewall.icmpQueryMismatch');
      assert.equal(g.send(echo(Z, T, id, 1, true)).verdict, Verdict.Emit);
    });
  });

  describe('seed 000 grace period after a restart, ' + kind, () => {
    test('grace on: mid-flow segments of a connection the fresh tracker never saw pass both ways and it is rebuilt', () => {
      const g = gateway(0, nat64);
      const { t, seq, ack } = openTcp(g, X, toZ);
      g.restartFirewall(60);
      assert.equal(g.conntrack.connectionCount, 0);
      const inbound = g.send(tcp(Z, 80, T, t, TCP_ACK | TCP_PSH, { seq: ack, ack: seq, payload: 'still here' }));
      assert.equal(inbound.verdict, Verdict.Emit, inbound.trace.join('\n'));
      const outbound = g.send(tcp(X, 40002, toZ, 80, TCP_ACK, { seq, ack: ack + 10 }));
      assert.equal(outbound.verdict, Verdict.Emit, outbound.trace.join('\n'));
      assert.equal(g.conntrack.stats.pickedUp, 1);
      assert.equal(g.conntrack.connections()[0]!.pickedUp, true);
      // After the grace period the rebuilt connection is simply tracked.
      g.advance(61_000);
      assert.equal(g.send(tcp(Z, 80, T, t, TCP_ACK, { seq: ack + 10, ack: seq })).verdict, Verdict.Emit);
    });

    test('grace on: a UDP flow the fresh tracker never saw keeps working from either side', () => {
      const g = gateway(0, nat64);
      const t = srcPort(g.pass(udp(X, 40001, toZ, 53)));
      g.restartFirewall(60);
      assert.equal(g.send(udp(Z, 53, T, t)).verdict, Verdict.Emit);
      assert.equal(g.conntrack.stats.pickedUp, 1);
    });

    test('grace over: the same mid-flow segments are refused, inbound at firewall-in and outbound at firewall-out', () => {
      const g = gateway(0, nat64);
      const { t, seq, ack } = openTcp(g, X, toZ);
      g.restartFirewall(30);
      g.advance(31_000);
      const inbound = g.send(tcp(Z, 80, T, t, TCP_ACK, { seq: ack, ack: seq }));
      assert.equal(inbound.drop, 'firewall-in:firewall.unknownMidFlow');
      const outbound = g.send(tcp(X, 40002, toZ, 80, TCP_ACK, { seq, ack }));
      assert.equal(outbound.drop, 'firewall-out:firewall.unknownMidFlow');
      assert.equal(outbound.out.length, 0, 'what the NAT produced is discarded');
      assert.equal(g.conntrack.connectionCount, 0);
    });

    test('grace off (0 s): refused at once', () => {
      const g = gateway(0, nat64);
      const { t, seq, ack } = openTcp(g, X, toZ);
      g.restartFirewall(0);
      assert.equal(g.send(tcp(Z, 80, T, t, TCP_ACK, { seq: ack, ack: seq })).drop, 'firewall-in:firewall.unknownMidFlow');
      assert.equal(g.conntrack.stats.pickedUp, 0);
    });

    test('grace on does not open the door: an unsolicited SYN or UDP from a stranger is still refused', () => {
      const g = gateway(0, nat64);
      const t = srcPort(g.pass(udp(X, 40001, toZ, 53)));
      g.restartFirewall(60);
      assert.equal(g.send(tcp(Z2, 80, T, 6000, TCP_SYN)).drop, 'firewall-in:firewall.unsolicitedInbound');
      // UDP has no opening segment: during grace a datagram of an unknown flow is taken as
      // mid-flow, so what decides is the NAT's filtering (RFC 4787 REQ-8): endpoint-independent
      // here, so a stranger reaches a live mapping, and nothing reaches a port with none.
      assert.equal(g.send(udp(Z2, 53, T, t)).verdict, Verdict.Emit);
      assert.equal(g.send(udp(Z2, 53, T, t ^ 2)).drop, 'translate:nat.noBinding');
    });
  });
}

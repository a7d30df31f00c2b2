import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Verdict } from '../../src/pipeline/verdict.js';
import { XlatOutputKind } from '../../src/xlat/xlat-output.js';
import { ADDR, addresses, dstPort, Gateway, srcPort, tenantYaml } from '../golden/gateway/gateway-harness.js';
import { echo, icmpError, tcp, TCP_ACK, TCP_SYN, udp } from '../golden/gateway/packets.js';
import { checksumProblems, tshark } from '../golden/gateway/tshark-check.js';

/**
 * The translate stage (NatStage) inside the real gateway pipeline: a tenant built from YAML by
 * the control layer, its NAPT session table and translator, a manual clock. Packets are built
 * with the wire emitters (test/golden/gateway/packets.ts); what leaves is read back field by
 * field and, where the stage rewrote checksums, judged by tshark.
 */
const { T, X6, X6b, X4, X4b, Z, Y, Z2, Y2, R } = ADDR;

/** NAT64 only, no firewall: the NAT's own filtering decides what comes in. */
function nat64(o: Parameters<typeof tenantYaml>[0] = {}): Gateway {
  return new Gateway(tenantYaml({ nat44: false, firewall: null, ...o }));
}

function nat44(o: Parameters<typeof tenantYaml>[0] = {}): Gateway {
  return new Gateway(tenantYaml({ nat64: false, firewall: null, ...o }));
}

function ttl(b: Uint8Array): number {
  return b[0]! >>> 4 === 4 ? b[8]! : b[7]!;
}

/** The packet quoted by an ICMP error (after the 8-byte ICMP header). */
function quoted(b: Uint8Array): Uint8Array {
  return b.subarray(b[0]! >>> 4 === 4 ? (b[0]! & 15) * 4 + 8 : 48);
}

function icmpType(b: Uint8Array): [number, number] {
  const l4 = b[0]! >>> 4 === 4 ? (b[0]! & 15) * 4 : 40;
  return [b[l4]!, b[l4 + 1]!];
}

/** tshark verifies every checksum of `packets`, quoted ones included (a quote cut short of its
 * transport segment cannot be verified: `allowUnverified`). */
function assertChecksums(packets: Uint8Array[], allowUnverified = false): void {
  assert.deepEqual(checksumProblems(tshark(packets), allowUnverified), []);
}

describe('NAT64 (RFC 6146) through the pipeline', () => {
  test('RFC 4787 REQ-3/REQ-4, RFC 6146 §3.5.1: an outbound UDP datagram gets the pool address and a port of its parity and range', () => {
    const g = nat64({ ports: { min: 512, max: 65535 } });
    for (const x of [40001, 40002, 53, 600]) {
      const out = g.pass(udp(X6, x, Y, 53));
      assert.deepEqual(addresses(out), [T, Z]);
      const t = srcPort(out);
      assert.equal(t & 1, x & 1, 'parity of ' + x + ' → ' + t);
      assert.equal(t < 1024, x < 1024, 'range of ' + x + ' → ' + t);
      assert.equal(dstPort(out), 53);
      const s = g.napt.sessions().find((e) => e.insidePort === x)!;
      assert.equal(s.outside, T);
      assert.equal(s.outsidePort, t);
      assert.equal(s.protocol, 'udp');
    }
    assert.equal(g.napt.sessionCount, 4);
  });

  test('RFC 6146 §3.5.1: the reply to T:t reaches X\':x from Y\' = prefix + Z', () => {
    const g = nat64();
    const t = srcPort(g.pass(udp(X6, 40001, Y, 53, 'question')));
    const back = g.pass(udp(Z, 53, T, t, 'answer'));
    assert.deepEqual(addresses(back), [Y, X6]);
    assert.equal(srcPort(back), 53);
    assert.equal(dstPort(back), 40001);
    assertChecksums([back]);
  });

  test('RFC 6146 §3.5.2: TCP SYN out, SYN/ACK in, ACK out: V6 INIT → ESTABLISHED with the mapping used both ways', () => {
    const g = nat64();
    const syn = g.pass(tcp(X6, 40002, Y, 80, TCP_SYN, { seq: 100 }));
    const t = srcPort(syn);
    assert.equal(t & 1, 0);
    assert.equal(g.napt.sessions()[0]!.state, 'V6 INIT');
    const synAck = g.pass(tcp(Z, 80, T, t, TCP_SYN | TCP_ACK, { seq: 5000, ack: 101 }));
    assert.deepEqual(addresses(synAck), [Y, X6]);
    assert.equal(dstPort(synAck), 40002);
    const ack = g.pass(tcp(X6, 40002, Y, 80, TCP_ACK, { seq: 101, ack: 5001 }));
    assert.equal(srcPort(ack), t);
    assert.equal(g.napt.sessions()[0]!.state, 'ESTABLISHED');
    assertChecksums([syn, synAck, ack]);
  });

  test('RFC 6146 §3.5.3, RFC 5508 REQ-1: an Echo Request maps its identifier; the Echo Reply comes back with the inside one', () => {
    const g = nat64();
    const out = g.pass(echo(X6, Y, 0x4242, 1));
    assert.deepEqual(icmpType(out), [8, 0]);
    const id = srcPort(out);
    const s = g.napt.sessions()[0]!;
    assert.equal(s.protocol, 'icmp');
    assert.equal(s.outsidePort, id);
    const back = g.pass(echo(Z, T, id, 1, true));
    assert.deepEqual(icmpType(back), [129, 0]);
    assert.deepEqual(addresses(back), [Y, X6]);
    assert.equal(srcPort(back), 0x4242);
    assertChecksums([out, back]);
  });

  test('RFC 4787 REQ-1, RFC 6146 §3.5.1: endpoint-independent mapping, one X\':x to two remotes shares T:t', () => {
    const g = nat64();
    const a = g.pass(udp(X6, 40001, Y, 53));
    const b = g.pass(udp(X6, 40001, Y2, 5353));
    assert.deepEqual([addresses(b)[0], srcPort(b)], [addresses(a)[0], srcPort(a)]);
    assert.equal(g.napt.sessionCount, 2);
    assert.equal(g.napt.bibCount, 1);
  });

  test('RFC 4787 REQ-8: endpoint-independent filtering lets a new remote in on an existing mapping', () => {
    const g = nat64({ filtering: 'endpoint-independent' });
    const t = srcPort(g.pass(udp(X6, 40001, Y, 53)));
    const back = g.pass(udp(Z2, 7000, T, t));
    assert.deepEqual(addresses(back), [Y2, X6]);
    assert.equal(dstPort(back), 40001);
    assert.equal(g.napt.sessionCount, 2);
  });

  test('RFC 4787 REQ-8: address-dependent filtering refuses a new address, lets the same address in from another port', () => {
    const g = nat64({ filtering: 'address-dependent' });
    const t = srcPort(g.pass(udp(X6, 40001, Y, 53)));
    const r = g.send(udp(Z2, 53, T, t));
    assert.equal(r.verdict, Verdict.Drop);
    assert.equal(r.drop, 'translate:nat.filtered');
    assert.equal(g.dropCount('translate', 'nat.filtered'), 1);
    assert.equal(r.out.length, 0);
    assert.deepEqual(addresses(g.pass(udp(Z, 9999, T, t))), [Y, X6]);
  });

  test('RFC 4787 REQ-8: address-and-port-dependent filtering refuses even the known address from another port', () => {
    const g = nat64({ filtering: 'address-and-port-dependent' });
    const t = srcPort(g.pass(udp(X6, 40001, Y, 53)));
    assert.equal(g.send(udp(Z, 9999, T, t)).drop, 'translate:nat.filtered');
    assert.equal(g.send(udp(Z2, 53, T, t)).drop, 'translate:nat.filtered');
    assert.equal(g.dropCount('translate', 'nat.filtered'), 2);
    assert.equal(g.napt.sessionCount, 1);
    assert.deepEqual(addresses(g.pass(udp(Z, 53, T, t))), [Y, X6]);
  });

  test('RFC 6146 §3.5.1: an inbound datagram to a pool port with no binding is dropped, counted, and creates nothing', () => {
    const g = nat64();
    const r = g.send(udp(Z, 53, T, 4444));
    assert.equal(r.drop, 'translate:nat.noBinding');
    assert.equal(g.dropCount('translate', 'nat.noBinding'), 1);
    assert.equal(g.napt.sessionCount, 0);
    assert.equal(g.napt.bibCount, 0);
  });

  test('RFC 6146 §3.5.2.2, RFC 5382 REQ-4: an unsolicited inbound SYN is held, not answered', () => {
    const g = nat64();
    const r = g.send(tcp(Z, 80, T, 4444, TCP_SYN));
    assert.equal(r.drop, 'translate:nat.unsolicitedSynHeld');
    assert.equal(r.out.length, 0);
    assert.equal(g.napt.heldSyns.size, 1);
    assert.equal(g.napt.sessionCount, 0);
  });

  test('RFC 7915 §5.1: a packet whose hop limit runs out at the gateway creates no session and refreshes none', () => {
    const g = nat64();
    const r = g.send(udp(X6, 40001, Y, 33434, 'traceroute', { hopLimit: 1 }));
    assert.equal(r.drop, 'translate:xlat.ttlExpired');
    assert.equal(g.napt.sessionCount, 0);
    g.pass(udp(X6, 40001, Y, 53));
    g.pass(udp(X6, 40001, Y, 53));
    const before = g.napt.sessions()[0]!.expiresInMs!;
    g.clock.advance(5000);
    const again = g.send(udp(X6, 40001, Y, 53, 'late', { hopLimit: 1 }));
    assert.equal(again.drop, 'translate:xlat.ttlExpired');
    assert.match(again.trace.join('\n'), /flow-cache continue: not cached/);
    assert.equal(g.napt.sessions()[0]!.expiresInMs, before - 5000);
  });

  test('RFC 6146 §3.5.4, RFC 7915 §4.2: ICMPv4 Port Unreachable and Time Exceeded about an outbound packet reach X\' with the quoted port restored', () => {
    const g = nat64();
    const out = g.pass(udp(X6, 40001, Y, 53, 'probe'));
    const t = srcPort(out);
    const before = g.napt.sessions()[0]!.expiresInMs;
    g.clock.advance(10_000);
    const unreach = g.pass(icmpError(Z, T, 3, 3, out));
    const exceeded = g.pass(icmpError(R, T, 11, 0, out, 28));
    for (const [e, type, src] of [[unreach, [1, 4], Y], [exceeded, [3, 0], '64:ff9b::c000:263']] as const) {
      assert.deepEqual(icmpType(e), type);
      assert.deepEqual(addresses(e), [src, X6]);
      const q = quoted(e);
      assert.deepEqual(addresses(q), [X6, Y]);
      assert.equal(srcPort(q), 40001, 'the quoted source port is x again, not t = ' + t);
      assert.equal(dstPort(q), 53);
    }
    // RFC 5508 REQ-6, RFC 4787 REQ-12: an ICMP error neither refreshes nor ends the session.
    const s = g.napt.sessions()[0]!;
    assert.equal(s.expiresInMs, before! - 10_000);
    assertChecksums([unreach]);
    assertChecksums([exceeded], true);
  });

  test('RFC 5508 REQ-4, RFC 6146 §3.5.4: an ICMP error that matches no session is dropped and creates nothing', () => {
    const g = nat64();
    g.pass(udp(X6, 40001, Y, 53));
    const stray = udp(T, 7777, Z, 53);
    const r = g.send(icmpError(Z, T, 3, 3, stray));
    assert.equal(r.drop, 'translate:icmpErrorNoSession');
    assert.equal(g.dropCount('translate', 'icmpErrorNoSession'), 1);
    assert.equal(g.napt.sessionCount, 1);
    assert.equal(g.napt.bibCount, 1);
  });

  test('RFC 6146 §3.5.4, RFC 7915 §5.2: an ICMPv6 error from X\' about an inbound packet reaches Z from T, quoting Z:z → T:t', () => {
    const g = nat64();
    const t = srcPort(g.pass(udp(X6, 40001, Y, 53)));
    const inbound = g.pass(udp(Z, 53, T, t, 'reply'));
    const e = g.pass(icmpError(X6, Y, 1, 4, inbound));
    assert.deepEqual(icmpType(e), [3, 3]);
    assert.deepEqual(addresses(e), [T, Z]);
    const q = quoted(e);
    assert.deepEqual(addresses(q), [Z, T]);
    assert.equal(srcPort(q), 53);
    assert.equal(dstPort(q), t);
    assertChecksums([e]);
  });

  test('RFC 6146 §3.5.1.1: pool exhaustion drops as nat.poolExhausted and answers Destination Unreachable code 3', () => {
    // One address, ports 5000-5007: eight mappings, four per parity.
    const g = nat64({ ports: { min: 5000, max: 5007 }, portBlockSize: 4 });
    for (let x = 40001; x <= 40008; x++) g.pass(udp(X6, x, Y, 53));
    assert.equal(g.napt.bibCount, 8);
    const probe = udp(X6b, 40001, Y, 53, 'no room');
    const r = g.send(probe);
    assert.equal(r.verdict, Verdict.Drop);
    assert.equal(r.drop, 'translate:nat.poolExhausted');
    assert.equal(g.dropCount('translate', 'nat.poolExhausted'), 1);
    assert.equal(r.out.length, 1);
    assert.equal(r.kinds[0], XlatOutputKind.IcmpError);
    const e = r.out[0]!;
    assert.deepEqual(icmpType(e), [1, 3]);
    // From the address the host was trying to reach, to the host, quoting its datagram.
    assert.deepEqual(addresses(e), [Y, X6b]);
    assert.deepEqual(quoted(e), probe);
    assertChecksums([e]);
  });

  test('RFC 6146 §3.5.1.1: a host whose paired address has no port left is answered the same way', () => {
    // The pool has one address: the host's paired address running out is the pool running out.
    const g = nat64({ ports: { min: 5000, max: 5007 }, portBlockSize: 4 });
    for (let x = 40001; x <= 40008; x++) g.pass(udp(X6, x, Y, 53));
    const r = g.send(udp(X6, 40009, Y, 53));
    assert.equal(r.drop, 'translate:nat.pairedAddressExhausted');
    assert.equal(r.out.length, 1);
    assert.equal(r.kinds[0], XlatOutputKind.IcmpError);
    assert.deepEqual(icmpType(r.out[0]!), [1, 3]);
  });
});

describe('NAT44 (RFC 4787, RFC 5382, RFC 5508) through the pipeline', () => {
  test('RFC 4787 REQ-1/REQ-3/REQ-4: outbound UDP, TCP and Echo get T, a port of their parity, TTL minus one', () => {
    const g = nat44();
    const u = g.pass(udp(X4, 40001, Z, 53, 'q', { ttl: 64 }));
    const s = g.pass(tcp(X4, 40002, Z, 80, TCP_SYN, { ttl: 30 }));
    const e = g.pass(echo(X4, Z, 0x1111, 7, false, { ttl: 5 }));
    assert.deepEqual([addresses(u), addresses(s), addresses(e)], [[T, Z], [T, Z], [T, Z]]);
    assert.deepEqual([ttl(u), ttl(s), ttl(e)], [63, 29, 4]);
    assert.equal(srcPort(u) & 1, 1);
    assert.equal(srcPort(s) & 1, 0);
    assert.ok(srcPort(u) >= 1024 && srcPort(s) >= 1024);
    assert.deepEqual([dstPort(u), dstPort(s)], [53, 80]);
    // REQ-1: the same inside endpoint toward another remote keeps its mapping.
    const u2 = g.pass(udp(X4, 40001, Z2, 53));
    assert.equal(srcPort(u2), srcPort(u));
    assertChecksums([u, s, e, u2]);
  });

  test('RFC 4787 REQ-1: replies are rewritten back to X:x with TTL minus one', () => {
    const g = nat44();
    const t = srcPort(g.pass(udp(X4, 40001, Z, 53)));
    const back = g.pass(udp(Z, 53, T, t, 'answer', { ttl: 50 }));
    assert.deepEqual(addresses(back), [Z, X4]);
    assert.deepEqual([srcPort(back), dstPort(back), ttl(back)], [53, 40001, 49]);
    const id = srcPort(g.pass(echo(X4, Z, 0x2222, 1)));
    const pong = g.pass(echo(Z, T, id, 1, true));
    assert.deepEqual(addresses(pong), [Z, X4]);
    assert.equal(srcPort(pong), 0x2222);
    assertChecksums([back, pong]);
  });

  test('RFC 4787 REQ-8: address-dependent filtering refuses a new remote address (nat.filtered)', () => {
    const g = nat44({ filtering: 'address-dependent' });
    const t = srcPort(g.pass(udp(X4, 40001, Z, 53)));
    assert.equal(g.send(udp(Z2, 53, T, t)).drop, 'translate:nat.filtered');
    assert.deepEqual(addresses(g.pass(udp(Z, 54, T, t))), [Z, X4]);
  });

  test('RFC 1812 §5.3.1: TTL 1 is answered with Time Exceeded from the pool address, both ways', () => {
    const g = nat44();
    const t = srcPort(g.pass(udp(X4, 40001, Z, 53)));
    const dying = udp(X4, 40001, Z, 53, 'hop', { ttl: 1 });
    const r = g.send(dying);
    assert.equal(r.verdict, Verdict.Drop);
    assert.match(r.drop, /nat\.ttlExpired$|:ttlExpired$/);
    assert.equal(r.out.length, 1);
    assert.equal(r.kinds[0], XlatOutputKind.IcmpError);
    assert.deepEqual(icmpType(r.out[0]!), [11, 0]);
    assert.deepEqual(addresses(r.out[0]!), [T, X4]);
    assert.deepEqual(quoted(r.out[0]!), dying);
    const inbound = udp(Z, 53, T, t, 'hop', { ttl: 1 });
    const r2 = g.send(inbound);
    assert.equal(r2.out.length, 1);
    assert.deepEqual(addresses(r2.out[0]!), [T, Z]);
    assert.deepEqual(quoted(r2.out[0]!), inbound);
    assertChecksums([r.out[0]!, r2.out[0]!]);
  });

  test('RFC 1812 §5.3.1: a packet whose TTL runs out at the gateway creates no mapping', () => {
    const g = nat44();
    const r = g.send(udp(X4, 40001, Z, 33434, 'traceroute', { ttl: 1 }));
    assert.equal(r.out.length, 1);
    assert.deepEqual(icmpType(r.out[0]!), [11, 0]);
    assert.equal(g.napt.sessionCount, 0);
    assert.equal(g.napt.bibCount, 0);
  });

  test('RFC 5508 REQ-4, RFC 5382 REQ-9: an ICMP error from outside about an outbound packet reaches X with the quoted header rewritten', () => {
    const g = nat44();
    const out = g.pass(udp(X4, 40001, Z, 53, 'probe'));
    const t = srcPort(out);
    const unreach = g.pass(icmpError(Z, T, 3, 3, out));
    const exceeded = g.pass(icmpError(R, T, 11, 0, out, 28, { ttl: 9 }));
    for (const [e, src] of [[unreach, Z], [exceeded, R]] as const) {
      assert.deepEqual(addresses(e), [src, X4]);
      const q = quoted(e);
      assert.deepEqual(addresses(q), [X4, Z]);
      assert.equal(srcPort(q), 40001, 'quoted source port x, not t = ' + t);
      assert.equal(dstPort(q), 53);
    }
    assert.equal(ttl(exceeded), 8);
    assertChecksums([unreach]);
    assertChecksums([exceeded], true);
  });

  test('RFC 5508 REQ-5: an ICMP error from X about an inbound packet reaches Z from T, quoting Z:z → T:t', () => {
    const g = nat44();
    const t = srcPort(g.pass(udp(X4, 40001, Z, 53)));
    const inbound = g.pass(udp(Z, 53, T, t, 'reply'));
    const e = g.pass(icmpError(X4, Z, 3, 3, inbound));
    assert.deepEqual(addresses(e), [T, Z]);
    const q = quoted(e);
    assert.deepEqual(addresses(q), [Z, T]);
    assert.deepEqual([srcPort(q), dstPort(q)], [53, t]);
    assertChecksums([e]);
  });

  test('RFC 5508 REQ-4/REQ-5: ICMP errors that match no session are dropped both ways and create nothing', () => {
    const g = nat44();
    g.pass(udp(X4, 40001, Z, 53));
    const inbound = g.send(icmpError(Z, T, 3, 3, udp(T, 7777, Z, 53)));
    const outbound = g.send(icmpError(X4b, Z, 3, 3, udp(Z, 53, X4b, 5555)));
    assert.equal(inbound.drop, 'translate:icmpErrorNoSession');
    assert.equal(outbound.drop, 'translate:icmpErrorNoSession');
    assert.equal(g.dropCount('translate', 'icmpErrorNoSession'), 2);
    assert.equal(g.napt.sessionCount, 1);
  });

  test('RFC 5382 REQ-4: an unsolicited inbound SYN is held (nat.unsolicitedSynHeld)', () => {
    const g = nat44();
    assert.equal(g.send(tcp(Z, 80, T, 5555, TCP_SYN)).drop, 'translate:nat.unsolicitedSynHeld');
    assert.equal(g.dropCount('translate', 'nat.unsolicitedSynHeld'), 1);
  });
});

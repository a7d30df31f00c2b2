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
    // One query, one session: the reply (identifier i2) finds the request's (X', Y', i1) ⇄ (T, Z, i2).
    assert.equal(g.napt.sessionCount, 1);
    g.pass(echo(X6, Y, 0x4242, 2));
    g.pass(echo(Z, T, id, 2, true));
    assert.equal(g.napt.sessionCount, 1);
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

describe('hairpinning (RFC 4787 REQ-9, RFC 5382 REQ-8, RFC 5508 REQ-7, RFC 6146 §3.8)', () => {
  const { YT } = ADDR;

  /** The mapping T:t of `inside`:`port` toward the Internet (made by one outbound datagram). */
  function mapping(g: Gateway, inside: string, port: number, proto: 'udp' | 'tcp' = 'udp'): number {
    const to = inside.includes(':') ? Y : Z;
    const p = proto === 'udp' ? udp(inside, port, to, 53) : tcp(inside, port, to, 80, TCP_SYN, { seq: 1 });
    return srcPort(g.pass(p));
  }

  test('RFC 4787 REQ-9/REQ-9a: NAT44 UDP from X1 to T:t2 reaches X2:x2 from X1\'s mapping T:t1, and back', () => {
    const g = new Gateway(tenantYaml({ nat64: false }));
    const t2 = mapping(g, X4b, 5001);
    const t1 = mapping(g, X4, 5000);
    const there = g.send(udp(X4, 5000, T, t2, 'hello neighbour', { ttl: 64 }));
    assert.equal(there.verdict, Verdict.Emit, there.trace.join('\n'));
    const p = there.out[0]!;
    assert.deepEqual(addresses(p), [T, X4b]);
    assert.deepEqual([srcPort(p), dstPort(p), ttl(p)], [t1, 5001, 63]);
    assert.match(there.trace.join('\n'), /translate continue: ipv4 to ipv4, nat44-in, hairpinned, session \d+/);
    // X2 answers the address it saw; that comes back to X1 the same way.
    const back = g.pass(udp(X4b, 5001, T, t1, 'hello back'));
    assert.deepEqual(addresses(back), [T, X4]);
    assert.deepEqual([srcPort(back), dstPort(back)], [t2, 5000]);
    // Hairpinned traffic never reaches the IPv4 outside: the firewall neither judged nor tracked it.
    assert.equal(g.conntrack.connectionCount, 2);
    assert.match(there.trace.join('\n'), /firewall-out continue: hairpinned: stays inside/);
    assertChecksums([p, back]);
  });

  test('RFC 4787 REQ-9: a host reaches its own other mapping through the pool address', () => {
    const g = new Gateway(tenantYaml({ nat64: false }));
    const t2 = mapping(g, X4, 6001);
    const t1 = mapping(g, X4, 6000);
    const p = g.pass(udp(X4, 6000, T, t2));
    assert.deepEqual(addresses(p), [T, X4]);
    assert.deepEqual([srcPort(p), dstPort(p)], [t1, 6001]);
  });

  test('RFC 5382 REQ-8: a TCP connection between two NAT44 hosts through the pool address opens both ways', () => {
    const g = new Gateway(tenantYaml({ nat64: false }));
    const t2 = mapping(g, X4b, 8080, 'tcp');
    const syn = g.pass(tcp(X4, 40000, T, t2, TCP_SYN, { seq: 10 }));
    const t1 = srcPort(syn);
    assert.deepEqual(addresses(syn), [T, X4b]);
    assert.equal(dstPort(syn), 8080);
    const synAck = g.pass(tcp(X4b, 8080, T, t1, TCP_SYN | TCP_ACK, { seq: 70, ack: 11 }));
    assert.deepEqual(addresses(synAck), [T, X4]);
    assert.deepEqual([srcPort(synAck), dstPort(synAck)], [t2, 40000]);
    g.pass(tcp(X4, 40000, T, t2, TCP_ACK, { seq: 11, ack: 71 }));
    const states = g.napt.sessions().filter((s) => s.remote === T).map((s) => s.state).sort();
    assert.deepEqual(states, ['ESTABLISHED', 'ESTABLISHED']);
    assertChecksums([syn, synAck]);
  });

  test('RFC 5508 REQ-7/REQ-7a: an ICMP error about a hairpinned packet reaches its sender, the quote as the sender sent it', () => {
    const g = new Gateway(tenantYaml({ nat64: false }));
    const t2 = mapping(g, X4b, 5001);
    const t1 = mapping(g, X4, 5000);
    const delivered = g.pass(udp(X4, 5000, T, t2, 'anyone there?'));
    const e = g.pass(icmpError(X4b, T, 3, 3, delivered));
    assert.deepEqual(icmpType(e), [3, 3]);
    assert.deepEqual(addresses(e), [T, X4]);
    const q = quoted(e);
    // REQ-7a: the outer destination is the quoted source after translation.
    assert.deepEqual(addresses(q), [X4, T]);
    assert.deepEqual([srcPort(q), dstPort(q)], [5000, t2]);
    assert.notEqual(t1, 5000);
    assertChecksums([e]);
  });

  test('hairpinned flows are not cached: each packet takes the two sessions\' way', () => {
    const g = new Gateway(tenantYaml({ nat64: false }));
    const t2 = mapping(g, X4b, 5001);
    for (let i = 0; i < 3; i++) {
      const r = g.send(udp(X4, 5000, T, t2));
      assert.equal(r.verdict, Verdict.Emit);
      assert.match(r.trace.join('\n'), /flow-cache continue: miss[\s\S]*flow-learn continue: not recorded/);
    }
  });

  test('hairpinning obeys the target mapping\'s filtering and existence', () => {
    const g = new Gateway(tenantYaml({ nat64: false, filtering: 'address-dependent' }));
    const t2 = mapping(g, X4b, 5001);
    // X2 has talked to Z only: T (as X1's mapping) is a new address for it.
    assert.equal(g.send(udp(X4, 5000, T, t2)).drop, 'translate:nat.filtered');
    assert.equal(g.send(udp(X4, 5000, T, 9)).drop, 'translate:nat.noBinding');
  });

  test('RFC 5508 REQ-7: ICMP queries to a pool address are not hairpinned under NAPT, and map nothing', () => {
    const g = new Gateway(tenantYaml());
    assert.equal(g.send(echo(X4, T, 1, 1)).drop, 'translate:hairpinIcmpQuery');
    assert.equal(g.send(echo(X6, YT, 1, 1)).drop, 'translate:hairpinIcmpQuery');
    assert.equal(g.dropCount('translate', 'hairpinIcmpQuery'), 2);
    assert.equal(g.napt.sessionCount, 0);
  });

  test('RFC 6146 §3.8: NAT64 from X1\' to prefix + T:t2 reaches X2\':x2 from prefix + T:t1, one hop, and back', () => {
    const g = new Gateway(tenantYaml({ nat44: false }));
    const t2 = mapping(g, X6b, 5001);
    const t1 = mapping(g, X6, 5000);
    const r = g.send(udp(X6, 5000, YT, t2, 'hello v6 neighbour', { hopLimit: 64 }));
    assert.equal(r.verdict, Verdict.Emit, r.trace.join('\n'));
    assert.equal(r.out.length, 1);
    const p = r.out[0]!;
    // Both hosts share the one pool address: the source is T through the prefix, not X2'.
    assert.deepEqual(addresses(p), [YT, X6b]);
    assert.deepEqual([srcPort(p), dstPort(p), ttl(p)], [t1, 5001, 63]);
    assert.match(r.trace.join('\n'), /translate continue: ipv6 to ipv6, nat64-in, hairpinned/);
    const back = g.pass(udp(X6b, 5001, YT, t1, 'hello back'));
    assert.deepEqual(addresses(back), [YT, X6]);
    assert.deepEqual([srcPort(back), dstPort(back)], [t2, 5000]);
    assertChecksums([p, back]);
  });

  test('RFC 6146 §3.8: a TCP connection between two NAT64 hosts opens through the pool address', () => {
    const g = new Gateway(tenantYaml({ nat44: false }));
    const t2 = mapping(g, X6b, 8080, 'tcp');
    const syn = g.pass(tcp(X6, 40000, YT, t2, TCP_SYN, { seq: 10 }));
    const t1 = srcPort(syn);
    assert.deepEqual(addresses(syn), [YT, X6b]);
    const synAck = g.pass(tcp(X6b, 8080, YT, t1, TCP_SYN | TCP_ACK, { seq: 70, ack: 11 }));
    assert.deepEqual(addresses(synAck), [YT, X6]);
    assert.equal(dstPort(synAck), 40000);
    g.pass(tcp(X6, 40000, YT, t2, TCP_ACK, { seq: 11, ack: 71 }));
    assert.deepEqual(g.napt.sessions().filter((s) => s.remote === T).map((s) => s.state), ['ESTABLISHED', 'ESTABLISHED']);
    assertChecksums([syn, synAck]);
  });

  test('RFC 6146 §3.8, RFC 5508 REQ-7: an ICMPv6 error about a hairpinned packet reaches its IPv6 sender', () => {
    const g = new Gateway(tenantYaml({ nat44: false }));
    const t2 = mapping(g, X6b, 5001);
    const delivered = g.pass(udp(X6, 5000, YT, t2, 'anyone there?'));
    const e = g.pass(icmpError(X6b, YT, 1, 4, delivered));
    assert.deepEqual(icmpType(e), [1, 4]);
    assert.deepEqual(addresses(e), [YT, X6]);
    const q = quoted(e);
    assert.deepEqual(addresses(q), [X6, YT]);
    assert.deepEqual([srcPort(q), dstPort(q)], [5000, t2]);
    assertChecksums([e]);
  });

  test('across families: a NAT64 host reaches a NAT44 host\'s mapping and the other way round', () => {
    const g = new Gateway(tenantYaml());
    const t44 = mapping(g, X4b, 5001);
    const t64 = mapping(g, X6b, 5002);
    const to44 = g.pass(udp(X6, 5000, YT, t44, 'from v6'));
    assert.deepEqual(addresses(to44), [T, X4b]);
    assert.equal(dstPort(to44), 5001);
    const to64 = g.pass(udp(X4, 5000, T, t64, 'from v4', { ttl: 20 }));
    assert.deepEqual(addresses(to64), [YT, X6b]);
    assert.deepEqual([dstPort(to64), ttl(to64)], [5002, 19]);
    assertChecksums([to44, to64]);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHANGE_RECORD_LEN, ChangeAction, ChangeKind, ChangeRecordView, emitChangeRecord } from '../../src/state/change-record.js';
import { NaptDrop } from '../../src/state/napt-drop.js';
import type { PendingSynSink } from '../../src/state/pending-syn-store.js';
import { TcpState } from '../../src/state/tcp-state-machine.js';
import { ACK, FIN, ICMP, ip, makeTable, POOL, records, RST, SYN, TCP, UDP, v4in, v6in } from './napt-fixture.js';

const D = NaptDrop.code;
const X = v4in('10.0.0.1');
const X2 = v4in('10.0.0.2');
const Z = ip('198.51.100.7');
const Z2 = ip('198.51.100.8');
const TEN = 42;

class SynSink implements PendingSynSink {
  got: { tenant: number; len: number; first: number }[] = [];
  unsolicitedSynExpired(tenant: number, packet: Uint8Array, off: number, len: number): void {
    this.got.push({ tenant, len, first: packet[off]! });
  }
}

describe('NaptTable: mapping (RFC 4787 REQ-1..4, RFC 5382 REQ-1, RFC 6146 §3.5.1)', () => {
  it('RFC 4787 REQ-1 / RFC 5382 REQ-1: one inside endpoint keeps one pool endpoint for every remote', () => {
    const { table: t } = makeTable();
    for (const proto of [UDP, TCP]) {
      const a = t.outbound(TEN, proto, X, 40000, Z, 53, SYN);
      const b = t.outbound(TEN, proto, X, 40000, Z2, 443, SYN);
      assert.ok(a >= 0 && b >= 0 && a !== b);
      assert.equal(t.outsideAddr(a), t.outsideAddr(b));
      assert.equal(t.outsidePort(a), t.outsidePort(b));
      assert.equal(t.bindingOf(a), t.bindingOf(b));
    }
    assert.equal(t.bibCount, 2);
  });

  it('finds the same session again, outbound and inbound, and the accessors give the FIGURE 4B fields', () => {
    const { table: t } = makeTable();
    const s = t.outbound(TEN, UDP, X, 40000, Z, 53, 0);
    assert.equal(t.outbound(TEN, UDP, X, 40000, Z, 53, 0), s);
    assert.equal(t.inbound(TEN, UDP, t.outsideAddr(s), t.outsidePort(s), Z, 53, 0), s);
    const w = new Uint32Array(6);
    t.insideAddr(s, w, 2);
    assert.deepEqual([...w.subarray(2)], [...X]);
    assert.equal(t.insidePort(s), 40000);
    assert.equal(t.remoteAddr(s), Z);
    assert.equal(t.remoteAddrBits(s), Z | 0);
    assert.equal(t.outsideAddrBits(s), t.outsideAddr(s) | 0);
    assert.equal(t.remotePort(s), 53);
    assert.equal(t.proto(s), UDP);
    assert.equal(t.tenant(s), TEN);
    assert.equal(t.owner(s), 1);
    assert.ok(t.entryNumber(s) > 0);
    assert.ok(POOL.includes(t.outsideAddr(s)));
  });

  it('keeps tenants apart: the same inside endpoint in two tenants gets two mappings', () => {
    const { table: t } = makeTable();
    const a = t.outbound(1, UDP, X, 40000, Z, 53, 0);
    const b = t.outbound(2, UDP, X, 40000, Z, 53, 0);
    assert.notEqual(t.bindingOf(a), t.bindingOf(b));
    assert.notEqual(t.outsideAddr(a) * 65536 + t.outsidePort(a), t.outsideAddr(b) * 65536 + t.outsidePort(b));
    assert.equal(t.inbound(2, UDP, t.outsideAddr(a), t.outsidePort(a), Z, 53, 0), -1, 'tenant 2 cannot reach tenant 1\'s mapping');
  });

  it('RFC 4787 REQ-2: paired pooling: every mapping of a host uses one pool address, across protocols', () => {
    const { table: t } = makeTable();
    const addrs = new Set<number>();
    for (let p = 0; p < 200; p++) {
      addrs.add(t.outsideAddr(t.outbound(TEN, UDP, X, 20000 + p, Z, 53, 0)));
      addrs.add(t.outsideAddr(t.outbound(TEN, TCP, X, 20000 + p, Z, 80, SYN)));
      addrs.add(t.outsideAddr(t.outbound(TEN, ICMP, X, p, Z, p, 0)));
    }
    assert.equal(addrs.size, 1);
    // Hosts spread over the pool.
    const hostAddrs = new Set<number>();
    for (let h = 0; h < 64; h++) hostAddrs.add(t.outsideAddr(t.outbound(TEN, UDP, v4in('10.1.0.' + h), 1000, Z, 53, 0)));
    assert.ok(hostAddrs.size > 1);
  });

  it('RFC 4787 REQ-4 and REQ-3a: parity and range of the inside port are kept', () => {
    const { table: t } = makeTable((c) => { c.portMin = 1; });
    for (let p = 1000; p < 1040; p++) {
      const s = t.outbound(TEN, UDP, X, p, Z, 53, 0);
      assert.equal(t.outsidePort(s) % 2, p % 2, 'parity of ' + p);
      assert.equal(t.outsidePort(s) < 1024, p < 1024, 'range of ' + p);
    }
  });

  it('RFC 4787 REQ-3a: with no low pool ports, a privileged inside port maps into the high range', () => {
    const { table: t } = makeTable();
    const s = t.outbound(TEN, TCP, X, 22, Z, 22, SYN);
    assert.ok(t.outsidePort(s) >= 1024);
  });

  it('RFC 4787 REQ-3 / RFC 5382 REQ-7: never two mappings on one pool endpoint of a protocol', () => {
    const { table: t } = makeTable((c) => { c.pool = [POOL[0]!]; c.portMin = 60000; c.portMax = 60999; });
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const s = t.outbound(TEN, UDP, v4in('10.2.' + (i >> 8) + '.' + (i & 255)), 5000, Z, 53, 0);
      assert.ok(s >= 0);
      assert.ok(!seen.has(t.outsidePort(s)));
      seen.add(t.outsidePort(s));
    }
    assert.equal(t.outbound(TEN, UDP, v4in('10.9.9.9'), 5000, Z, 53, 0), -1);
    assert.equal(t.lastDrop, D.poolExhausted);
    assert.equal(t.drops.get('poolExhausted'), 1);
    // TCP has its own port space (RFC 6146 §3.5.1.1).
    assert.ok(t.outbound(TEN, TCP, v4in('10.9.9.9'), 5000, Z, 80, SYN) >= 0);
  });

  it('RFC 6146 §3.5.3, RFC 5508 REQ-1: ICMP queries map the identifier; the session has no remote port', () => {
    const { table: t } = makeTable();
    const s = t.outbound(TEN, ICMP, X, 0x1234, Z, 0x1234, 0);
    assert.ok(s >= 0);
    assert.equal(t.proto(s), 1);
    const id = t.outsidePort(s);
    // The reply carries the translated identifier i2 where the request had i1: (X', Y', i1) ⇄ (T, Z, i2).
    assert.equal(t.inbound(TEN, ICMP, t.outsideAddr(s), id, Z, id, 0), s, 'the echo reply finds it');
    assert.equal(t.findInbound(TEN, ICMP, t.outsideAddr(s), id, Z, id), s);
    assert.equal(t.findOutbound(TEN, ICMP, X, 0x1234, Z, 0x1234), s);
    assert.equal(t.sessionCount, 1, 'one query, one session');
    assert.equal(t.outbound(TEN, 58, X, 0x1234, Z, 0x1234, 0), -1, 'ICMPv6 queries use key 1 too');
    assert.equal(t.lastDrop, D.unsupportedProtocol);
  });

  it('NAT64: an IPv6 inside host maps like any other, and the dump shows it as IPv6', () => {
    const { table: t } = makeTable();
    const s = t.outbound(TEN, TCP, v6in('2001:db8::1'), 51000, Z, 443, SYN);
    assert.ok(s >= 0);
    const [view] = t.sessions();
    assert.equal(view!.inside, '2001:db8::1');
    assert.equal(view!.remote, '198.51.100.7');
    assert.equal(view!.state, 'V6 INIT');
    assert.equal(view!.expiresInMs, 240_000);
    const nat44 = t.outbound(TEN, UDP, X, 1, Z, 1, 0);
    assert.equal(t.sessions().find((v) => v.id === nat44)!.inside, '10.0.0.1');
    assert.equal(t.sessions(1).length, 1, 'a limit bounds what the CLI asks for');
    assert.equal(t.bindings(1).length, 1);
  });

  it('noPortBlocks: a node that owns no block maps nothing', () => {
    const { table: t } = makeTable((c) => { c.blockOwners = [2]; });
    assert.equal(t.outbound(TEN, UDP, X, 1, Z, 1, 0), -1);
    assert.equal(t.lastDrop, D.noPortBlocks);
    assert.equal(t.drops.get('noPortBlocks'), 1);
    t.assignBlock(t.ports.blockOf(POOL[1]!, 2000), 1);
    const s = t.outbound(TEN, UDP, X, 1, Z, 1, 0);
    assert.equal(t.outsideAddr(s), POOL[1]);
    assert.equal(t.outsidePort(s) >>> 6, 2000 >>> 6, 'from that block');
    t.assignBlocks([1, 2]);
    assert.equal(t.ports.ownedBySelf, t.ports.blockCount / 2);
    assert.ok(t.outbound(TEN, UDP, X2, 1, Z, 1, 0) >= 0);
  });

  it('RFC 4787 REQ-2: a host whose paired address is out of ports is refused rather than moved', () => {
    const { table: t } = makeTable((c) => { c.pool = [POOL[0]!, POOL[1]!]; c.portMin = 60000; c.portMax = 60063; c.portBlockSize = 64; });
    const first = t.outbound(TEN, UDP, X, 1, Z, 1, 0);
    const paired = t.outsideAddr(first);
    let s = 0;
    for (let p = 2; s >= 0; p++) s = t.outbound(TEN, UDP, X, p, Z, 1, 0);
    assert.equal(t.lastDrop, D.pairedAddressExhausted);
    assert.equal(t.drops.get('pairedAddressExhausted'), 1);
    // Another host still gets the other address.
    const other = t.outbound(TEN, UDP, X2, 1, Z, 1, 0);
    assert.notEqual(t.outsideAddr(other), paired);
  });
});

describe('NaptTable: filtering (RFC 4787 REQ-8, RFC 5382 REQ-3, RFC 6146 §3.5.1)', () => {
  it('endpoint-independent: any remote may reach an existing mapping, creating a session', () => {
    const { table: t } = makeTable();
    const s = t.outbound(TEN, UDP, X, 40000, Z, 53, 0);
    const in2 = t.inbound(TEN, UDP, t.outsideAddr(s), t.outsidePort(s), Z2, 9999, 0);
    assert.ok(in2 >= 0 && in2 !== s);
    assert.equal(t.insidePort(in2), 40000);
    assert.equal(t.remoteAddr(in2), Z2);
  });

  it('address-dependent: the same remote address from another port passes; another address does not', () => {
    const { table: t } = makeTable((c) => { c.filtering = 'address-dependent'; });
    const s = t.outbound(TEN, UDP, X, 40000, Z, 53, 0);
    const T = t.outsideAddr(s);
    const tp = t.outsidePort(s);
    assert.ok(t.inbound(TEN, UDP, T, tp, Z, 5353, 0) >= 0);
    assert.equal(t.inbound(TEN, UDP, T, tp, Z2, 53, 0), -1);
    assert.equal(t.lastDrop, D.filtered);
    assert.equal(t.drops.get('filtered'), 1);
    // Once the host talks to Z2, Z2 may come in on any port.
    t.outbound(TEN, UDP, X, 40000, Z2, 1, 0);
    assert.ok(t.inbound(TEN, UDP, T, tp, Z2, 2, 0) >= 0);
  });

  it('address-dependent: the permission goes with the last session to that address', () => {
    const { table: t, clock } = makeTable((c) => { c.filtering = 'address-dependent'; });
    const keep = t.outbound(TEN, UDP, X, 40000, Z, 53, 0);
    clock.advance(200_000);
    const toZ2 = t.outbound(TEN, UDP, X, 40000, Z2, 53, 0);
    clock.advance(150_000);
    t.outbound(TEN, UDP, X, 40000, Z2, 53, 0); // refresh the Z2 session only
    assert.equal(t.expire(), 1, 'the session to Z expired');
    assert.ok(t.isLive(toZ2, t.entryNumber(toZ2)));
    void keep;
    const T = t.outsideAddr(toZ2);
    const tp = t.outsidePort(toZ2);
    assert.equal(t.inbound(TEN, UDP, T, tp, Z, 53, 0), -1);
    assert.equal(t.lastDrop, D.filtered);
  });

  it('address-and-port-dependent: only the exact remote endpoint gets in', () => {
    const { table: t } = makeTable((c) => { c.filtering = 'address-and-port-dependent'; });
    const s = t.outbound(TEN, UDP, X, 40000, Z, 53, 0);
    assert.equal(t.inbound(TEN, UDP, t.outsideAddr(s), t.outsidePort(s), Z, 53, 0), s);
    assert.equal(t.inbound(TEN, UDP, t.outsideAddr(s), t.outsidePort(s), Z, 54, 0), -1);
    assert.equal(t.lastDrop, D.filtered);
  });

  it('RFC 6146 §3.5.1: an inbound packet to a pool endpoint with no mapping is discarded (noBinding)', () => {
    const { table: t } = makeTable();
    assert.equal(t.inbound(TEN, UDP, POOL[0]!, 40000, Z, 53, 0), -1);
    assert.equal(t.lastDrop, D.noBinding);
    assert.equal(t.inbound(TEN, ICMP, POOL[0]!, 7, Z, 7, 0), -1);
    assert.equal(t.drops.get('noBinding'), 2);
    assert.equal(t.sessionCount, 0);
  });

  it('static BIB entries let first inbound packets in, and never expire', () => {
    const { table: t, clock, log } = makeTable((c) => {
      c.staticBib = [{ tenant: TEN, protocol: TCP, inside: X, insidePort: 80, outside: POOL[2]!, outsidePort: 8080 }];
    });
    assert.equal(t.bibCount, 1);
    assert.equal(log.nextSeq, 1, 'static entries are configuration: never replicated');
    const s = t.inbound(TEN, TCP, POOL[2]!, 8080, Z, 33000, SYN, new Uint8Array(40));
    assert.ok(s >= 0);
    assert.equal(t.tcpState(s), TcpState.outsideInit);
    assert.equal(t.insidePort(s), 80);
    clock.advance(10 * 3600_000);
    t.expire();
    assert.equal(t.sessionCount, 0);
    assert.equal(t.bibCount, 1, 'the static mapping stays');
    // An outbound packet from the host port uses the static mapping.
    const o = t.outbound(TEN, TCP, X, 80, Z2, 44000, SYN);
    assert.equal(t.outsideAddr(o), POOL[2]);
    assert.equal(t.outsidePort(o), 8080);
    assert.equal(t.bindings()[0]!.static, true);
    // Its port is never handed out dynamically.
    assert.equal(t.ports.isTaken(0, POOL[2]!, 8080), true);
  });
});

describe('NaptTable: TCP (RFC 6146 §3.5.2, RFC 5382)', () => {
  it('an inside-opened connection: V6 INIT → ESTABLISHED → FINs → transitory, with the RFC timers', () => {
    const { table: t, clock } = makeTable();
    const now = clock.now();
    const s = t.outbound(TEN, TCP, X, 40000, Z, 443, SYN);
    assert.equal(t.tcpState(s), TcpState.insideInit);
    assert.equal(t.expiresAt(s), now + 240_000, 'V6 INIT lives TCP_TRANS');
    const T = t.outsideAddr(s);
    const tp = t.outsidePort(s);
    assert.equal(t.inbound(TEN, TCP, T, tp, Z, 443, SYN | ACK), s);
    assert.equal(t.tcpState(s), TcpState.established);
    assert.equal(t.expiresAt(s), now + 7_440_000, 'RFC 5382 REQ-5: 2 h 4 min');
    clock.advance(3_600_000);
    t.outbound(TEN, TCP, X, 40000, Z, 443, ACK);
    assert.equal(t.expiresAt(s), clock.now() + 7_440_000, 'traffic refreshes TCP_EST');
    t.inbound(TEN, TCP, T, tp, Z, 443, FIN | ACK);
    assert.equal(t.tcpState(s), TcpState.outsideFinReceived);
    t.outbound(TEN, TCP, X, 40000, Z, 443, FIN | ACK);
    assert.equal(t.tcpState(s), TcpState.bothFinReceived);
    assert.equal(t.expiresAt(s), clock.now() + 240_000);
    clock.advance(239_000);
    assert.equal(t.expire(), 0);
    clock.advance(1000);
    assert.equal(t.expire(), 1);
    assert.equal(t.sessionCount, 0);
    assert.equal(t.bibCount, 0, 'RFC 6146 §3.5.1: the dynamic mapping goes with its last session');
    assert.equal(t.hostCount, 0);
  });

  it('RST moves to TRANS (4 min); any later non-RST packet brings it back to ESTABLISHED', () => {
    const { table: t, clock } = makeTable();
    const s = t.outbound(TEN, TCP, X, 40000, Z, 443, SYN);
    t.inbound(TEN, TCP, t.outsideAddr(s), t.outsidePort(s), Z, 443, SYN | ACK);
    t.outbound(TEN, TCP, X, 40000, Z, 443, RST);
    assert.equal(t.tcpState(s), TcpState.transitory);
    assert.equal(t.expiresAt(s), clock.now() + 240_000, 'shortened at once');
    t.inbound(TEN, TCP, t.outsideAddr(s), t.outsidePort(s), Z, 443, ACK);
    assert.equal(t.tcpState(s), TcpState.established);
  });

  it('simultaneous open: a V4 SYN on an existing mapping opens V4 INIT; the V6 SYN then establishes', () => {
    const { table: t } = makeTable();
    const first = t.outbound(TEN, TCP, X, 40000, Z, 443, SYN); // creates the mapping
    const T = t.outsideAddr(first);
    const tp = t.outsidePort(first);
    const s = t.inbound(TEN, TCP, T, tp, Z2, 5000, SYN);
    assert.ok(s >= 0);
    assert.equal(t.tcpState(s), TcpState.outsideInit);
    assert.equal(t.outbound(TEN, TCP, X, 40000, Z2, 5000, SYN), s);
    assert.equal(t.tcpState(s), TcpState.established);
  });

  it('RFC 6146 §3.5.2.2 CLOSED: a segment without SYN opens nothing, either way', () => {
    const { table: t } = makeTable();
    assert.equal(t.outbound(TEN, TCP, X, 40000, Z, 443, ACK), -1);
    assert.equal(t.lastDrop, D.tcpNotSyn);
    const s = t.outbound(TEN, TCP, X, 40000, Z, 443, SYN);
    assert.equal(t.inbound(TEN, TCP, t.outsideAddr(s), t.outsidePort(s), Z2, 1, ACK), -1);
    assert.equal(t.lastDrop, D.tcpNotSyn);
    assert.equal(t.outbound(TEN, TCP, X, 40000, Z2, 1, FIN), -1);
    assert.equal(t.drops.get('tcpNotSyn'), 3);
  });

  it('RFC 5382 REQ-4: an unsolicited SYN with no mapping is held 6 s, then due for Port Unreachable', () => {
    const { table: t, clock } = makeTable();
    const pkt = new Uint8Array(60).fill(0x45);
    assert.equal(t.inbound(TEN, TCP, POOL[0]!, 40000, Z, 5555, SYN, pkt, 0, 60), -1);
    assert.equal(t.lastDrop, D.unsolicitedSynHeld);
    assert.equal(t.drops.get('unsolicitedSynHeld'), 1);
    assert.equal(t.sessionCount, 0, 'held SYNs create no state');
    assert.equal(t.inbound(TEN, TCP, POOL[0]!, 40000, Z, 5555, SYN, pkt, 0, 60), -1);
    assert.equal(t.lastDrop, D.unsolicitedSynRepeated);
    const sink = new SynSink();
    clock.advance(5_999);
    assert.equal(t.drainHeldSyns(sink), 0, 'MUST NOT respond for at least 6 seconds');
    clock.advance(1);
    assert.equal(t.drainHeldSyns(sink), 1);
    assert.deepEqual(sink.got, [{ tenant: TEN, len: 60, first: 0x45 }]);
  });

  it('RFC 5382 REQ-4: an outbound SYN for the held connection drops the held SYN silently', () => {
    const { table: t, clock } = makeTable((c) => { c.filtering = 'address-dependent'; });
    const first = t.outbound(TEN, TCP, X, 40000, Z, 443, SYN);
    const T = t.outsideAddr(first);
    const tp = t.outsidePort(first);
    // Z2 is filtered: its SYN is held, not translated.
    assert.equal(t.inbound(TEN, TCP, T, tp, Z2, 6000, SYN, new Uint8Array(40)), -1);
    assert.equal(t.lastDrop, D.unsolicitedSynHeld);
    assert.equal(t.heldSyns.size, 1);
    const s = t.outbound(TEN, TCP, X, 40000, Z2, 6000, SYN);
    assert.ok(s >= 0);
    assert.equal(t.heldSyns.size, 0);
    clock.advance(10_000);
    const sink = new SynSink();
    assert.equal(t.drainHeldSyns(sink), 0);
    // The remote's retransmitted SYN now completes the simultaneous open.
    assert.equal(t.inbound(TEN, TCP, T, tp, Z2, 6000, SYN), s);
    assert.equal(t.tcpState(s), TcpState.established);
  });

  it('RFC 5382 REQ-4a: policy may drop unsolicited SYNs without holding them', () => {
    const { table: t } = makeTable((c) => { c.unsolicitedSyn = 'drop'; });
    assert.equal(t.inbound(TEN, TCP, POOL[0]!, 40000, Z, 5555, SYN), -1);
    assert.equal(t.lastDrop, D.unsolicitedSynRefused);
    assert.equal(t.heldSyns.size, 0);
  });

  it('heldSynStoreFull: a SYN flood beyond the store is dropped and counted, memory bounded', () => {
    const { table: t } = makeTable((c) => { c.heldSynSlots = 8; });
    for (let i = 0; i < 20; i++) t.inbound(TEN, TCP, POOL[0]!, 40000 + i, Z, 5555, SYN, new Uint8Array(40));
    assert.equal(t.drops.get('unsolicitedSynHeld'), 8);
    assert.equal(t.drops.get('heldSynStoreFull'), 12);
  });
});

describe('NaptTable: timers and refresh (RFC 4787 REQ-5/REQ-6, RFC 5508 REQ-2)', () => {
  it('UDP lives 5 minutes from the last outbound packet', () => {
    const { table: t, clock } = makeTable();
    const s = t.outbound(TEN, UDP, X, 40000, Z, 53, 0);
    clock.advance(200_000);
    t.outbound(TEN, UDP, X, 40000, Z, 53, 0);
    clock.advance(299_000);
    assert.equal(t.expire(), 0);
    assert.ok(t.isLive(s, t.entryNumber(s)));
    clock.advance(1000);
    assert.equal(t.expire(), 1);
  });

  it('RFC 4787 REQ-6: inbound packets refresh when configured to, and not otherwise', () => {
    for (const inboundRefresh of [true, false]) {
      const { table: t, clock } = makeTable((c) => { c.inboundRefresh = inboundRefresh; });
      const s = t.outbound(TEN, UDP, X, 40000, Z, 53, 0);
      clock.advance(200_000);
      t.inbound(TEN, UDP, t.outsideAddr(s), t.outsidePort(s), Z, 53, 0);
      clock.advance(150_000);
      assert.equal(t.expire(), inboundRefresh ? 0 : 1);
    }
  });

  it('RFC 5508 REQ-2: ICMP query sessions live 60 s', () => {
    const { table: t, clock } = makeTable();
    t.outbound(TEN, ICMP, X, 7, Z, 7, 0);
    clock.advance(59_000);
    assert.equal(t.expire(), 0);
    clock.advance(1_000);
    assert.equal(t.expire(), 1);
  });

  it('timers are configurable', () => {
    const { table: t, clock } = makeTable((c) => { c.udpTimeoutMs = 600_000; });
    t.outbound(TEN, UDP, X, 40000, Z, 53, 0);
    clock.advance(599_000);
    assert.equal(t.expire(), 0);
    clock.advance(1_000);
    assert.equal(t.expire(), 1);
  });

  it('RFC 5508 REQ-6, RFC 5382 REQ-10, RFC 4787 REQ-12: ICMP-error lookups neither create nor refresh', () => {
    const { table: t, clock } = makeTable();
    assert.equal(t.findOutbound(TEN, UDP, X, 40000, Z, 53), -1);
    assert.equal(t.sessionCount, 0);
    const s = t.outbound(TEN, UDP, X, 40000, Z, 53, 0);
    const at = t.expiresAt(s);
    clock.advance(100_000);
    assert.equal(t.findOutbound(TEN, UDP, X, 40000, Z, 53), s);
    assert.equal(t.findInbound(TEN, UDP, t.outsideAddr(s), t.outsidePort(s), Z, 53), s);
    assert.equal(t.findInbound(TEN, UDP, t.outsideAddr(s), t.outsidePort(s), Z2, 53), -1);
    assert.equal(t.expiresAt(s), at);
    assert.equal(t.sessionCount, 1);
  });

  it('isLive(id, entry number) tells a flow cache its session is gone even when the id is reused', () => {
    const { table: t, clock } = makeTable();
    const s = t.outbound(TEN, UDP, X, 40000, Z, 53, 0);
    const n = t.entryNumber(s);
    assert.equal(t.isLive(s, n), true);
    clock.advance(300_000);
    t.expire();
    assert.equal(t.isLive(s, n), false);
    const again = t.outbound(TEN, UDP, X2, 1, Z, 53, 0);
    assert.equal(again, s, 'id reused');
    assert.equal(t.isLive(again, n), false);
  });

  it('refresh(): what a flow-cache hit does to a session', () => {
    const { table: t, clock } = makeTable();
    const s = t.outbound(TEN, TCP, X, 40000, Z, 443, SYN);
    assert.equal(t.refresh(s, false, SYN | ACK), 0);
    assert.equal(t.tcpState(s), TcpState.established);
    clock.advance(1_000_000);
    t.refresh(s, true, ACK);
    assert.equal(t.expiresAt(s), clock.now() + 7_440_000);
  });

  it('expire() spreads a burst over calls when given a budget', () => {
    const { table: t, clock } = makeTable();
    for (let i = 0; i < 10; i++) t.outbound(TEN, UDP, X, 1000 + i, Z, 53, 0);
    clock.advance(300_000);
    assert.equal(t.expire(4), 4);
    assert.equal(t.expire(4), 4);
    assert.equal(t.expire(), 2);
    assert.equal(t.sessionCount, 0);
  });
});

describe('NaptTable: change records (seed 002, FIGURE 4B)', () => {
  it('a new mapping and session emit adds; a state change an update; a refresh nothing; expiry deletes', () => {
    const { table: t, clock, log } = makeTable();
    const s = t.outbound(TEN, TCP, X, 40000, Z, 443, SYN);
    let rs = records(log);
    assert.deepEqual(rs.map((r) => [r.action, r.kind]), [[ChangeAction.add, ChangeKind.bib], [ChangeAction.add, ChangeKind.session]]);
    const [bib, ses] = rs as [typeof rs[0], typeof rs[0]];
    assert.equal(bib.natId, 1);
    assert.equal(bib.tenant, TEN);
    assert.deepEqual([...bib.insideLocalAddr], [...X]);
    assert.equal(bib.insideLocalPort, 40000);
    assert.equal(bib.insideGlobalAddr, t.outsideAddr(s));
    assert.equal(bib.insideGlobalPort, t.outsidePort(s));
    assert.equal(ses.entryNumber, t.entryNumber(s));
    assert.equal(ses.outsideGlobalAddr, Z);
    assert.equal(ses.outsideGlobalPort, 443);
    assert.equal(ses.outsideLocalAddr, Z, 'NAT44: outside local = outside global');
    assert.equal(ses.appContext, TcpState.insideInit);
    assert.ok(ses.entryNumber > bib.entryNumber, 'entry numbers are sequential');
    const mark = log.nextSeq;
    t.inbound(TEN, TCP, t.outsideAddr(s), t.outsidePort(s), Z, 443, SYN | ACK);
    t.outbound(TEN, TCP, X, 40000, Z, 443, ACK);
    t.outbound(TEN, TCP, X, 40000, Z, 443, ACK);
    rs = records(log, mark);
    assert.deepEqual(rs.map((r) => [r.action, r.kind, r.appContext]), [[ChangeAction.update, ChangeKind.session, TcpState.established]]);
    const mark2 = log.nextSeq;
    clock.advance(8_000_000);
    t.expire();
    rs = records(log, mark2);
    assert.deepEqual(rs.map((r) => [r.action, r.kind]), [[ChangeAction.delete, ChangeKind.session], [ChangeAction.delete, ChangeKind.bib]]);
  });

  it('records written in place are byte for byte what the codec emits for the same entries', () => {
    const { table: t, log } = makeTable((c) => {
      c.staticBib = [{ tenant: 0x80000001, protocol: UDP, inside: X2, insidePort: 53, outside: POOL[3]!, outsidePort: 53 }];
    });
    t.outbound(0xfffffffe, TCP, X, 40000, Z, 443, SYN);
    t.outbound(TEN, UDP, v6in('2001:db8::9'), 5000, 0xfedcba98, 0xfffe, 0);
    t.outbound(TEN, ICMP, X, 0xffff, Z2, 0xffff, 0);
    t.inbound(0x80000001, UDP, POOL[3]!, 53, Z, 5353, 0);
    const dumped: Buffer[] = [];
    const v = new ChangeRecordView();
    t.dump({ change: (r) => { const b = new Uint8Array(CHANGE_RECORD_LEN); emitChangeRecord(r, v.bind(b, 0, b.length)); dumped.push(Buffer.from(b)); } });
    const logged: Buffer[] = [];
    for (let q = 1; q < log.nextSeq; q++) logged.push(Buffer.from(log.bytes.subarray(log.offsetOf(q), log.offsetOf(q) + CHANGE_RECORD_LEN)));
    assert.equal(logged.length, 7);
    assert.deepEqual(logged.map((b) => b.toString('hex')).sort(), dumped.map((b) => b.toString('hex')).sort());
  });

  it('NAT64 sessions say the outside local address is derived (RFC 6052), not stored', () => {
    const { table: t, log } = makeTable();
    t.outbound(TEN, UDP, v6in('2001:db8::5'), 5000, Z, 53, 0);
    const ses = records(log)[1]!;
    assert.equal(ses.flags & 2, 2);
    assert.equal(ses.outsideLocalAddr, 0);
  });

  it('remove(id): an operator delete is announced; refused for a free id', () => {
    const { table: t, log } = makeTable();
    const s = t.outbound(TEN, UDP, X, 40000, Z, 53, 0);
    const mark = log.nextSeq;
    assert.equal(t.remove(s), true);
    assert.equal(t.remove(s), false);
    assert.deepEqual(records(log, mark).map((r) => [r.action, r.kind]), [[ChangeAction.delete, ChangeKind.session], [ChangeAction.delete, ChangeKind.bib]]);
  });

  it('removeBinding(bib): the mapping and its sessions go', () => {
    const { table: t } = makeTable();
    const s = t.outbound(TEN, UDP, X, 40000, Z, 53, 0);
    t.outbound(TEN, UDP, X, 40000, Z2, 53, 0);
    t.outbound(TEN, UDP, X, 40001, Z2, 53, 0);
    assert.equal(t.removeBinding(t.bindingOf(s)), true);
    assert.equal(t.sessionCount, 1);
    assert.equal(t.bibCount, 1);
  });
});

describe('NaptTable: control-path views', () => {
  it('counts sessions by protocol and TCP state from the arrays, and finds one by entry number', () => {
    const { table: t } = makeTable();
    const a = t.outbound(TEN, TCP, X, 40000, Z, 80, SYN);
    t.outbound(TEN, UDP, X, 40001, Z, 53, 0);
    t.outbound(TEN, UDP, X, 40002, Z, 53, 0);
    t.outbound(TEN, ICMP, X, 7, Z, 7, 0);
    const counts = [...t.sessionCountsByState().values()].map((c) => c.protocol + '/' + c.state + '=' + c.count).sort();
    assert.deepEqual(counts, ['icmp/null=1', 'tcp/' + t.sessionView(a).state + '=1', 'udp/null=2']);
    assert.equal(t.findByEntryNumber(t.entryNumber(a)), a);
    assert.equal(t.findByEntryNumber(0xfffffff0), -1);
    assert.deepEqual(t.sessionView(a), t.sessions().find((s) => s.id === a));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConnTrack } from '../../src/state/conntrack.js';
import { FirewallDrop } from '../../src/state/firewall-drop.js';
import { writeU16, writeU32 } from '../../src/wire/byte-order.js';
import { ACK, CLIENT, SERVER, SYN, TENANT, TcpConversation, tracker } from './conntrack-fixture.js';

const D = FirewallDrop.code;
const UDP = new Uint8Array(8 + 32);

function udpOut(ct: ConnTrack, sport = 5353, dport = 53): number {
  return ct.check(TENANT, true, 17, CLIENT, sport, SERVER, dport, false, UDP, 0, UDP.length);
}
function udpIn(ct: ConnTrack, sport = 53, dport = 5353): number {
  return ct.check(TENANT, false, 17, SERVER, sport, CLIENT, dport, false, UDP, 0, UDP.length);
}

/** An ICMP query message: type, code 0, identifier, sequence. */
function icmpQuery(type: number, ident: number, seq = 1): Uint8Array {
  const b = new Uint8Array(8 + 56);
  b[0] = type;
  writeU16(b, 4, ident);
  writeU16(b, 6, seq);
  return b;
}
function icmpOut(ct: ConnTrack, type: number, ident: number): number {
  const b = icmpQuery(type, ident);
  return ct.check(TENANT, true, 1, CLIENT, ident, SERVER, ident, false, b, 0, b.length);
}
function icmpIn(ct: ConnTrack, type: number, ident: number): number {
  const b = icmpQuery(type, ident);
  return ct.check(TENANT, false, 1, SERVER, ident, CLIENT, ident, false, b, 0, b.length);
}

/** The first 8 bytes of a quoted transport header (RFC 792): ports, then seq for TCP. */
function quoted(sport: number, dport: number, seqOrType = 0): Uint8Array {
  const b = new Uint8Array(8);
  writeU16(b, 0, sport);
  writeU16(b, 2, dport);
  writeU32(b, 4, seqOrType);
  return b;
}

describe('ConnTrack UDP', () => {
  it('an outbound datagram opens a flow; the reply is accepted', () => {
    const { ct } = tracker();
    assert.equal(udpOut(ct), 0);
    assert.equal(ct.connectionCount, 1);
    assert.equal(udpIn(ct), 0);
    assert.equal(ct.connections()[0]!.state, 'REPLIED');
    assert.equal(ct.drops.total(), 0);
  });

  it('an unsolicited inbound datagram is dropped (unsolicitedInbound), also to another port of a tracked host', () => {
    const { ct } = tracker();
    assert.equal(udpIn(ct), D.unsolicitedInbound);
    udpOut(ct);
    assert.equal(udpIn(ct, 53, 5354), D.unsolicitedInbound, 'RFC 4787 REQ-8 endpoint-dependent filtering: only the tracked pair');
    assert.equal(udpIn(ct, 54, 5353), D.unsolicitedInbound);
    assert.equal(ct.drops.get('unsolicitedInbound'), 3);
  });

  it('unreplied flows idle 30 s; replied (assured) flows 180 s', () => {
    const { ct, clock } = tracker();
    udpOut(ct, 1000);
    udpOut(ct, 2000);
    udpIn(ct, 53, 2000);
    clock.advance(31_000);
    assert.equal(ct.expire(), 1);
    assert.equal(udpIn(ct, 53, 1000), D.unsolicitedInbound);
    assert.equal(udpIn(ct, 53, 2000), 0);
    clock.advance(179_000);
    assert.equal(ct.expire(), 0);
    clock.advance(2_000);
    assert.equal(ct.expire(), 1);
    assert.equal(ct.connectionCount, 0);
  });
});

describe('ConnTrack ICMP queries (RFC 792: the identifier stands for both ports)', () => {
  it('an echo request out, its reply in', () => {
    const { ct } = tracker();
    assert.equal(icmpOut(ct, 8, 0x1234), 0);
    assert.equal(icmpIn(ct, 0, 0x1234), 0);
    assert.equal(ct.isAssured(ct.lookup(TENANT, 1, CLIENT, 0x1234, SERVER, 0x1234)), true);
  });

  it('a reply with no outstanding request is dropped (unknownMidFlow)', () => {
    const { ct } = tracker();
    assert.equal(icmpIn(ct, 0, 0x1234), D.unknownMidFlow);
    icmpOut(ct, 8, 0x1234);
    assert.equal(icmpIn(ct, 0, 0x9999), D.unknownMidFlow, 'another identifier');
  });

  it('an inbound echo request is unsolicited, even with the identifier of a tracked ping', () => {
    const { ct } = tracker();
    assert.equal(icmpIn(ct, 8, 0x1234), D.unsolicitedInbound);
    icmpOut(ct, 8, 0x1234);
    assert.equal(icmpIn(ct, 8, 0x1234), D.icmpQueryMismatch);
    assert.equal(icmpIn(ct, 14, 0x1234), D.icmpQueryMismatch, 'a timestamp reply does not answer an echo');
  });

  it('timestamp queries pair like echo; other informational types are refused', () => {
    const { ct } = tracker();
    assert.equal(icmpOut(ct, 13, 7), 0);
    assert.equal(icmpIn(ct, 14, 7), 0);
    assert.equal(icmpOut(ct, 10, 7), D.icmpUnsupportedType, 'router solicitation');
    assert.equal(icmpIn(ct, 9, 7), D.icmpUnsupportedType, 'router advertisement');
  });

  it('the exchange idles 30 s', () => {
    const { ct, clock } = tracker();
    icmpOut(ct, 8, 1);
    clock.advance(31_000);
    assert.equal(icmpIn(ct, 0, 1), D.unknownMidFlow);
  });

  it('a message shorter than 8 bytes is icmpTruncated', () => {
    const { ct } = tracker();
    const b = icmpQuery(8, 1);
    assert.equal(ct.check(TENANT, true, 1, CLIENT, 1, SERVER, 1, false, b, 0, 7), D.icmpTruncated);
  });
});

describe('ConnTrack ICMP errors (related; RFC 792, RFC 5927)', () => {
  it('an inbound error quoting an outbound datagram of a tracked flow is accepted and creates nothing', () => {
    const { ct } = tracker();
    udpOut(ct);
    const q = quoted(5353, 53);
    assert.equal(ct.check(TENANT, false, 17, CLIENT, 5353, SERVER, 53, true, q, 0, q.length), 0);
    assert.equal(ct.connectionCount, 1);
    assert.equal(ct.connections()[0]!.state, 'UNREPLIED', 'an error is not a reply');
  });

  it('an error quoting an untracked packet is unrelated, and never creates state', () => {
    const { ct } = tracker();
    const q = quoted(5353, 53);
    assert.equal(ct.check(TENANT, false, 17, CLIENT, 5353, SERVER, 53, true, q, 0, q.length), D.icmpErrorUnrelated);
    assert.equal(ct.check(TENANT, true, 17, CLIENT, 5353, SERVER, 53, true, q, 0, q.length), D.icmpErrorUnrelated);
    assert.equal(ct.connectionCount, 0);
    assert.equal(ct.drops.get('icmpErrorUnrelated'), 2);
  });

  it('an error travelling the same way as the packet it quotes is refused (icmpErrorDirection)', () => {
    const { ct } = tracker();
    udpOut(ct);
    const q = quoted(5353, 53);
    assert.equal(ct.check(TENANT, true, 17, CLIENT, 5353, SERVER, 53, true, q, 0, q.length), D.icmpErrorDirection);
    const r = quoted(53, 5353);
    assert.equal(ct.check(TENANT, false, 17, SERVER, 53, CLIENT, 5353, true, r, 0, r.length), D.icmpErrorDirection);
  });

  it('an outbound error (port unreachable from the inside host) quoting an inbound reply is accepted', () => {
    const { ct } = tracker();
    udpOut(ct);
    udpIn(ct);
    const q = quoted(53, 5353);
    assert.equal(ct.check(TENANT, true, 17, SERVER, 53, CLIENT, 5353, true, q, 0, q.length), 0);
  });

  it('an error quoting a TCP segment is accepted only when the quoted seq was sent (RFC 5927 §4.1)', () => {
    const { ct } = tracker();
    new TcpConversation(ct).out({ seq: 1000, flags: SYN });
    const good = quoted(40000, 443, 1000);
    assert.equal(ct.check(TENANT, false, 6, CLIENT, 40000, SERVER, 443, true, good, 0, 8), 0);
    const blind = quoted(40000, 443, 1000 + 3_000_000);
    assert.equal(ct.check(TENANT, false, 6, CLIENT, 40000, SERVER, 443, true, blind, 0, 8), D.icmpErrorQuotedSeq);
    const old = quoted(40000, 443, 1000 - 3_000_000);
    assert.equal(ct.check(TENANT, false, 6, CLIENT, 40000, SERVER, 443, true, old, 0, 8), D.icmpErrorQuotedSeq);
    assert.equal(ct.check(TENANT, false, 6, CLIENT, 40000, SERVER, 443, true, good, 0, 4), D.icmpTruncated);
  });

  it('an error quoting an echo request is accepted; one quoting a type the exchange never sent is not', () => {
    const { ct } = tracker();
    icmpOut(ct, 8, 0x77);
    const req = quoted(0, 0); req[0] = 8; writeU16(req, 4, 0x77);
    assert.equal(ct.check(TENANT, false, 1, CLIENT, 0x77, SERVER, 0x77, true, req, 0, 8), 0);
    const rep = quoted(0, 0); rep[0] = 0; writeU16(rep, 4, 0x77);
    assert.equal(ct.check(TENANT, false, 1, CLIENT, 0x77, SERVER, 0x77, true, rep, 0, 8), D.icmpErrorUnrelated);
  });

  it('errors do not refresh the connection\'s timer', () => {
    const { ct, clock } = tracker();
    udpOut(ct);
    const q = quoted(5353, 53);
    clock.advance(20_000);
    ct.check(TENANT, false, 17, CLIENT, 5353, SERVER, 53, true, q, 0, q.length);
    clock.advance(11_000);
    assert.equal(ct.expire(), 1);
  });

  it('an ICMP error from a router on the way is matched by the quoted tuple, whatever its own source', () => {
    const { ct } = tracker();
    const c = new TcpConversation(ct);
    c.handshake();
    c.out({ seq: 1001, ack: 5001, flags: ACK, payload: 1400 });
    // Fragmentation Needed from a router about the 1400-byte segment: the caller passes the
    // quoted tuple; the error's outer source plays no part.
    const q = quoted(40000, 443, 1001);
    assert.equal(ct.check(TENANT, false, 6, CLIENT, 40000, SERVER, 443, true, q, 0, 8), 0);
  });
});

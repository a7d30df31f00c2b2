/**
 * Seed 000: "the stateful firewall will accept ongoing flows as valid for a limited period of
 * time after reboot, in order to allow existing flows to survive by reconstructing their state."
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FirewallDrop } from '../../src/state/firewall-drop.js';
import { writeU16 } from '../../src/wire/byte-order.js';
import { ACK, CLIENT, FIN, RST, SERVER, SYN, TENANT, TcpConversation, tracker } from './conntrack-fixture.js';

const D = FirewallDrop.code;
const GRACE = 60_000;
const UDP = new Uint8Array(16);

function echo(type: number, ident: number): Uint8Array {
  const b = new Uint8Array(8);
  b[0] = type;
  writeU16(b, 4, ident);
  return b;
}

describe('ConnTrack grace period after restart (seed 000)', () => {
  it('picks up a running TCP connection from an inbound mid-flow segment, then tracks it both ways', () => {
    const { ct } = tracker({ graceMs: GRACE });
    const c = new TcpConversation(ct);
    assert.equal(ct.inGracePeriod(), true);
    assert.equal(c.in({ seq: 777_000, ack: 123_000, flags: ACK, payload: 1000 }), 0);
    assert.equal(ct.stats.pickedUp, 1);
    assert.equal(c.state(), 'ESTABLISHED');
    const [conn] = ct.connections();
    assert.equal(conn!.pickedUp, true);
    assert.equal(conn!.originOutbound, false, 'the first packet seen was inbound');
    assert.equal(c.out({ seq: 123_000, ack: 778_000, flags: ACK, payload: 200 }), 0);
    assert.equal(c.in({ seq: 778_000, ack: 123_200, flags: ACK }), 0);
    assert.equal(ct.isAssured(c.id()), true);
    assert.equal(ct.drops.total(), 0);
  });

  it('picks up from an outbound mid-flow segment too', () => {
    const { ct } = tracker({ graceMs: GRACE });
    const c = new TcpConversation(ct);
    assert.equal(c.out({ seq: 123_000, ack: 777_000, flags: ACK, payload: 10 }), 0);
    assert.equal(c.in({ seq: 777_000, ack: 123_010, flags: ACK }), 0);
    assert.equal(ct.stats.pickedUp, 1);
    assert.equal(ct.connections()[0]!.originOutbound, true);
  });

  it('tracks a picked-up connection loosely (the SYNs and their window scale were not seen), but RSTs only in window', () => {
    const { ct } = tracker({ graceMs: GRACE });
    const c = new TcpConversation(ct);
    c.in({ seq: 777_000, ack: 123_000, flags: ACK, win: 512 });
    c.out({ seq: 123_000, ack: 777_000, flags: ACK, win: 512 });
    // Far past a 512-byte window: with an unknown scale factor this may be legitimate.
    assert.equal(c.in({ seq: 777_000 + 400_000, ack: 123_000, flags: ACK, payload: 100 }), 0);
    assert.equal(c.in({ seq: 777_000 + 50_000_000, flags: RST }), D.tcpRstOutOfWindow);
    assert.equal(c.state(), 'ESTABLISHED');
    assert.equal(c.out({ seq: 123_000, flags: RST }), 0);
    assert.equal(c.state(), 'CLOSE');
  });

  it('a FIN of an unknown connection is picked up into FIN_WAIT; a closing handshake completes', () => {
    const { ct } = tracker({ graceMs: GRACE });
    const c = new TcpConversation(ct);
    assert.equal(c.in({ seq: 777_000, ack: 123_000, flags: FIN | ACK }), 0);
    assert.equal(c.state(), 'FIN_WAIT');
    assert.equal(c.out({ seq: 123_000, ack: 777_001, flags: FIN | ACK }), 0);
    assert.equal(c.in({ seq: 777_001, ack: 123_001, flags: ACK }), 0);
    assert.equal(c.state(), 'TIME_WAIT');
  });

  it('a SYN/ACK of a handshake in flight across the restart is picked up as SYN_RECV, opener on the other side', () => {
    const { ct } = tracker({ graceMs: GRACE });
    const c = new TcpConversation(ct);
    assert.equal(c.in({ seq: 5000, ack: 1001, flags: SYN | ACK }), 0);
    assert.equal(c.state(), 'SYN_RECV');
    const [conn] = ct.connections();
    assert.deepEqual([conn!.src, conn!.srcPort, conn!.dst, conn!.dstPort, conn!.originOutbound], [CLIENT, 40000, SERVER, 443, true]);
    assert.equal(c.out({ seq: 1001, ack: 5001, flags: ACK }), 0);
    assert.equal(c.state(), 'ESTABLISHED');
  });

  it('an RST of an unknown connection passes during the grace period and leaves no state', () => {
    const { ct } = tracker({ graceMs: GRACE });
    const c = new TcpConversation(ct);
    assert.equal(c.in({ seq: 5000, flags: RST }), 0);
    assert.equal(ct.connectionCount, 0);
    assert.equal(ct.stats.graceResets, 1);
  });

  it('never opens connections from the outside: an inbound SYN is still unsolicited', () => {
    const { ct } = tracker({ graceMs: GRACE });
    const c = new TcpConversation(ct);
    assert.equal(c.in({ seq: 5000, flags: SYN }), D.unsolicitedInbound);
    assert.equal(ct.connectionCount, 0);
  });

  it('picks up UDP flows in either direction; an inbound echo reply, but not an inbound echo request', () => {
    const { ct } = tracker({ graceMs: GRACE });
    assert.equal(ct.check(TENANT, false, 17, SERVER, 53, CLIENT, 5353, false, UDP, 0, 16), 0);
    assert.equal(ct.check(TENANT, true, 17, CLIENT, 5353, SERVER, 53, false, UDP, 0, 16), 0);
    assert.equal(ct.stats.pickedUp, 1, 'the inbound datagram; the outbound one would have been accepted anyway');
    assert.equal(ct.connectionCount, 1);
    const reply = echo(0, 9);
    assert.equal(ct.check(TENANT, false, 1, SERVER, 9, CLIENT, 9, false, reply, 0, 8), 0);
    assert.equal(ct.stats.pickedUp, 2);
    const request = echo(8, 9);
    assert.equal(ct.check(TENANT, true, 1, CLIENT, 9, SERVER, 9, false, request, 0, 8), 0, 'the next request of the picked-up ping');
    const inboundRequest = echo(8, 10);
    assert.equal(ct.check(TENANT, false, 1, SERVER, 10, CLIENT, 10, false, inboundRequest, 0, 8), D.unsolicitedInbound);
  });

  it('ICMP errors about unknown connections stay unrelated during the grace period', () => {
    const { ct } = tracker({ graceMs: GRACE });
    const q = new Uint8Array(8);
    assert.equal(ct.check(TENANT, false, 17, CLIENT, 5353, SERVER, 53, true, q, 0, 8), D.icmpErrorUnrelated);
    assert.equal(ct.connectionCount, 0);
  });

  it('after the grace period mid-flow packets are dropped as unknownMidFlow; connections picked up during it live on', () => {
    const { ct, clock } = tracker({ graceMs: GRACE });
    const picked = new TcpConversation(ct, CLIENT, 40001);
    assert.equal(picked.in({ seq: 777_000, ack: 123_000, flags: ACK }), 0);
    clock.advance(GRACE - 1);
    assert.equal(ct.inGracePeriod(), true);
    clock.advance(1);
    assert.equal(ct.inGracePeriod(), false);
    const late = new TcpConversation(ct, CLIENT, 40002);
    assert.equal(late.in({ seq: 1, ack: 1, flags: ACK }), D.unknownMidFlow);
    assert.equal(late.out({ seq: 1, ack: 1, flags: ACK }), D.unknownMidFlow);
    assert.equal(ct.check(TENANT, false, 17, SERVER, 53, CLIENT, 5353, false, UDP, 0, 16), D.unsolicitedInbound);
    assert.equal(ct.drops.get('unknownMidFlow'), 2);
    assert.equal(picked.in({ seq: 777_000, ack: 123_000, flags: ACK, payload: 10 }), 0);
    assert.equal(ct.stats.pickedUp, 1);
  });

  it('is off when graceMs is 0: nothing is picked up, right from the start', () => {
    const { ct } = tracker({ graceMs: 0 });
    const c = new TcpConversation(ct);
    assert.equal(ct.inGracePeriod(), false);
    assert.equal(c.in({ seq: 777_000, ack: 123_000, flags: ACK }), D.unknownMidFlow);
    assert.equal(ct.check(TENANT, false, 17, SERVER, 53, CLIENT, 5353, false, UDP, 0, 16), D.unsolicitedInbound);
    assert.equal(ct.stats.pickedUp, 0);
  });

  it('counts the grace period from the tracker\'s creation on its clock (a restart), not from the clock\'s origin', () => {
    const { ct, clock } = tracker({ graceMs: GRACE }, 50_000_000);
    clock.advance(GRACE / 2);
    assert.equal(new TcpConversation(ct).in({ seq: 1, ack: 1, flags: ACK }), 0);
  });
});

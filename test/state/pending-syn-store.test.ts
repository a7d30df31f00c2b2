import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PendingSynStore, SynHold, type PendingSynSink } from '../../src/state/pending-syn-store.js';

class Collect implements PendingSynSink {
  got: { tenant: number; bytes: number[] }[] = [];
  unsolicitedSynExpired(tenant: number, packet: Uint8Array, off: number, len: number): void {
    this.got.push({ tenant, bytes: [...packet.subarray(off, off + len)] });
  }
}

const T = 0xcb007101;
const Z = 0xc6336401;

describe('PendingSynStore (RFC 5382 REQ-4)', () => {
  it('holds a SYN for the hold time, then hands it to the sink with its bytes', () => {
    const s = new PendingSynStore(4, 576, 6000, 1);
    const pkt = Uint8Array.from({ length: 60 }, (_, i) => i);
    assert.equal(s.hold(1, T, 5000, Z, 40000, pkt, 0, 60, 1000), SynHold.held);
    const sink = new Collect();
    assert.equal(s.drain(6999, sink), 0, 'not before 6 s');
    assert.equal(s.drain(7000, sink), 1);
    assert.deepEqual(sink.got, [{ tenant: 1, bytes: [...pkt] }]);
    assert.equal(s.size, 0);
  });

  it('an outbound SYN for the connection cancels it silently', () => {
    const s = new PendingSynStore(4, 576, 6000, 1);
    s.hold(1, T, 5000, Z, 40000, new Uint8Array(40), 0, 40, 0);
    assert.equal(s.isHeld(1, T, 5000, Z, 40000), true);
    assert.equal(s.cancel(1, T, 5000, Z, 40001), false, 'another connection');
    assert.equal(s.cancel(1, T, 5000, Z, 40000), true);
    const sink = new Collect();
    assert.equal(s.drain(60_000, sink), 0);
    assert.deepEqual(sink.got, []);
  });

  it('keeps one copy per connection: a retransmission is reported, not stored', () => {
    const s = new PendingSynStore(4, 576, 6000, 1);
    s.hold(1, T, 5000, Z, 40000, new Uint8Array(40), 0, 40, 0);
    assert.equal(s.hold(1, T, 5000, Z, 40000, new Uint8Array(40), 0, 40, 100), SynHold.repeated);
    assert.equal(s.size, 1);
  });

  it('is bounded: a full store refuses, and frees slots as they drain or are cancelled', () => {
    const s = new PendingSynStore(2, 64, 6000, 1);
    assert.equal(s.hold(1, T, 1, Z, 1, undefined, 0, 0, 0), SynHold.held);
    assert.equal(s.hold(1, T, 2, Z, 1, undefined, 0, 0, 1), SynHold.held);
    assert.equal(s.hold(1, T, 3, Z, 1, undefined, 0, 0, 2), SynHold.full);
    s.cancel(1, T, 1, Z, 1);
    assert.equal(s.hold(1, T, 3, Z, 1, undefined, 0, 0, 3), SynHold.held, 'the cancelled head slot is reused');
    const sink = new Collect();
    assert.equal(s.drain(6001, sink), 1);
    assert.equal(s.hold(1, T, 4, Z, 1, undefined, 0, 0, 6001), SynHold.held);
  });

  it('keeps at most slotBytes of a packet, enough to quote in the ICMP error', () => {
    const s = new PendingSynStore(1, 576, 6000, 1);
    const big = new Uint8Array(1500).fill(7);
    s.hold(9, T, 1, Z, 1, big, 100, 1400, 0);
    const sink = new Collect();
    s.drain(6000, sink);
    assert.equal(sink.got[0]!.bytes.length, 576);
    assert.equal(sink.got[0]!.tenant, 9);
  });

  it('drains in arrival order and respects a budget', () => {
    const s = new PendingSynStore(8, 64, 6000, 1);
    for (let i = 0; i < 5; i++) s.hold(i, T, i, Z, 1, Uint8Array.of(i), 0, 1, i * 10);
    const sink = new Collect();
    assert.equal(s.drain(6025, sink, 2), 2);
    assert.equal(s.drain(6025, sink), 1, 'the third is due, the fourth is not');
    assert.deepEqual(sink.got.map((g) => g.tenant), [0, 1, 2]);
  });
});

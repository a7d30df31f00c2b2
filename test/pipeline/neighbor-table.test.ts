import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NeighborAction, NeighborState, NeighborTable } from '../../src/pipeline/neighbor-table.js';
import { ManualClock } from '../../src/state/clock.js';
import { leastHeapGrowth } from '../heap-growth.js';

const MAC = Uint8Array.of(2, 0, 0, 0, 0, 7);
const MAC2 = Uint8Array.of(2, 0, 0, 0, 0, 8);
const V6 = Uint8Array.of(0x20, 1, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7);

function table(opts = {}): { t: NeighborTable; clock: ManualClock } {
  const clock = new ManualClock(10_000);
  return { t: new NeighborTable(clock, opts), clock };
}

test('resolve: Solicit for a new next hop, Wait within the retransmit interval, Solicit again after it', () => {
  const { t, clock } = table();
  assert.equal(t.resolve4(1, 0xc6336407), NeighborAction.Solicit);
  assert.equal(t.state[t.lastId], NeighborState.Incomplete);
  assert.equal(t.resolve4(1, 0xc6336407), NeighborAction.Wait);
  clock.advance(999);
  assert.equal(t.resolve4(1, 0xc6336407), NeighborAction.Wait);
  clock.advance(1);
  assert.equal(t.resolve4(1, 0xc6336407), NeighborAction.Solicit);
});

test('resolve: Use while confirmed lately, UseAndProbe once after reachableMs, then Use until the next retransmit', () => {
  const { t, clock } = table({ reachableMs: 30_000 });
  const id = t.confirm4(1, 0xc6336407, MAC, 0, true);
  assert.equal(t.resolve4(1, 0xc6336407), NeighborAction.Use);
  assert.equal(t.lastId, id);
  clock.advance(30_000);
  assert.equal(t.resolve4(1, 0xc6336407), NeighborAction.UseAndProbe);
  assert.equal(t.resolve4(1, 0xc6336407), NeighborAction.Use);
  clock.advance(1000);
  assert.equal(t.resolve4(1, 0xc6336407), NeighborAction.UseAndProbe);
  t.confirm4(1, 0xc6336407, MAC, 0, false);
  assert.equal(t.resolve4(1, 0xc6336407), NeighborAction.Use);
});

test('confirm without create only updates; the same address on another interface is another entry', () => {
  const { t } = table();
  assert.equal(t.confirm4(1, 0x0a000001, MAC, 0, false), -1);
  assert.equal(t.size, 0);
  const a = t.confirm4(1, 0x0a000001, MAC, 0, true);
  const b = t.confirm4(2, 0x0a000001, MAC2, 0, true);
  assert.notEqual(a, b);
  assert.equal(t.find4(1, 0x0a000001), a);
  assert.equal(t.find4(2, 0x0a000001), b);
  assert.equal(t.find6(1, V6, 0), -1);
});

test('advertise6: only an existing entry changes; without Override a resolved MAC stays', () => {
  const { t } = table();
  assert.equal(t.advertise6(1, V6, 0, MAC, 0, true, true), -1);
  t.resolve6(1, V6, 0);
  const id = t.advertise6(1, V6, 0, MAC, 0, true, false);
  assert.equal(t.state[id], NeighborState.Resolved, 'an incomplete entry takes the MAC whatever O says');
  t.advertise6(1, V6, 0, MAC2, 0, false, false);
  assert.deepEqual(t.macs.subarray(t.macOff(id), t.macOff(id) + 6), MAC);
  t.advertise6(1, V6, 0, MAC2, 0, false, true);
  assert.deepEqual(t.macs.subarray(t.macOff(id), t.macOff(id) + 6), MAC2);
});

test('age: incomplete entries go after incompleteMs, resolved ones after expireMs unconfirmed, peers after peerExpireMs', () => {
  const { t, clock } = table({ capacity: 64, peerCapacity: 64, ageBudget: 64, incompleteMs: 3000, expireMs: 120_000, peerExpireMs: 300_000 });
  t.resolve4(1, 1);
  t.confirm4(1, 2, MAC, 0, true);
  t.learnPeer(1, MAC, 0, 4);
  clock.advance(2999);
  assert.equal(t.age(), 0);
  clock.advance(1);
  assert.equal(t.age(), 1);
  assert.equal(t.find4(1, 1), -1);
  assert.ok(t.find4(1, 2) >= 0);
  clock.advance(117_000);
  assert.equal(t.age(), 1);
  assert.equal(t.find4(1, 2), -1);
  assert.equal(t.peerOf(1, MAC, 0), 4);
  clock.advance(180_000);
  t.age();
  assert.equal(t.peerOf(1, MAC, 0), -1);
  assert.equal(t.expired, 2);
  assert.equal(t.peersExpired, 1);
});

test('a full table refuses new entries (counted) and resolve says Full; aging makes room again', () => {
  const { t, clock } = table({ capacity: 2, incompleteMs: 100 });
  t.resolve4(1, 1);
  t.resolve4(1, 2);
  assert.equal(t.resolve4(1, 3), NeighborAction.Full);
  assert.equal(t.confirm4(1, 4, MAC, 0, true), -1);
  assert.equal(t.full, 2);
  clock.advance(100);
  t.age();
  assert.equal(t.resolve4(1, 3), NeighborAction.Solicit);
});

test('group MACs are never learned as peers; a full peer table refuses (counted)', () => {
  const { t } = table({ peerCapacity: 1 });
  assert.equal(t.learnPeer(1, Uint8Array.of(0x33, 0x33, 0, 0, 0, 1), 0, 1), true);
  assert.equal(t.peerCount, 0);
  t.learnPeer(1, MAC, 0, 1);
  assert.equal(t.learnPeer(1, MAC2, 0, 1), false);
  assert.equal(t.peersFull, 1);
});

test('property: after random operations every entry found is the one confirmed last, and size stays bounded', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 255 })), { maxLength: 200 }), (ops) => {
    const { t } = table({ capacity: 16 });
    const model = new Map<string, number>();
    for (const [iface, addr, m] of ops) {
      const mac = Uint8Array.of(2, 0, 0, 0, 0, m);
      const id = t.confirm4(iface, addr, mac, 0, true);
      if (id >= 0) model.set(iface + '/' + addr, m);
      assert.ok(t.size <= 16);
    }
    for (const [k, m] of model) {
      const [iface, addr] = k.split('/').map(Number) as [number, number];
      const id = t.find4(iface, addr);
      assert.ok(id >= 0);
      assert.equal(t.macs[t.macOff(id) + 5], m);
    }
  }));
});

test('lookups, resolves and peer learning allocate nothing', () => {
  const { t } = table();
  t.confirm4(1, 0xc6336407, MAC, 0, true);
  t.confirm6(1, V6, 0, MAC, 0, true);
  t.learnPeer(1, MAC, 0, 2);
  let sink = 0;
  const growth = leastHeapGrowth(() => {
    for (let i = 0; i < 100_000; i++) {
      sink += t.resolve4(1, 0xc6336407) + t.resolve6(1, V6, 0) + t.peerOf(1, MAC, 0) + t.find4(1, i);
      t.learnPeer(1, MAC, 0, 2);
    }
  });
  assert.ok(sink > 0);
  assert.ok(growth < 200_000, 'heap grew ' + growth + ' bytes');
});

test('age sweeps a large table in slices of ageBudget entries', () => {
  const { t, clock } = table({ capacity: 8, ageBudget: 2, incompleteMs: 10 });
  for (let a = 0; a < 8; a++) t.resolve4(1, a);
  clock.advance(10);
  assert.equal(t.age(), 2);
  assert.equal(t.age(), 2);
  assert.equal(t.size, 4);
  t.age();
  t.age();
  assert.equal(t.size, 0);
});

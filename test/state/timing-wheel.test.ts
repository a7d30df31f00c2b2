import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TimingWheel, type ExpirySink } from '../../src/state/timing-wheel.js';

class Collect implements ExpirySink {
  ids: number[] = [];
  expire(id: number): void {
    this.ids.push(id);
  }
}

describe('TimingWheel', () => {
  it('expires an entry at its time, not before', () => {
    const w = new TimingWheel(4, 8, 1000, 0);
    const sink = new Collect();
    w.schedule(0, 3000);
    w.advance(2999, sink);
    assert.deepEqual(sink.ids, []);
    w.advance(3000, sink);
    assert.deepEqual(sink.ids, [0]);
    assert.equal(w.isScheduled(0), false);
    assert.equal(w.size, 0);
  });

  it('expires an entry scheduled at or before the current tick at the next advance, not a tick late', () => {
    // Regression: the property below found [[0, 0]], [1]: due at 0, still there at 1 ms.
    const w = new TimingWheel(4, 8, 1000, 0);
    const sink = new Collect();
    w.schedule(0, 0);
    w.advance(1, sink);
    assert.deepEqual(sink.ids, [0]);
    w.advance(5000, sink);
    w.schedule(1, 4200);
    w.schedule(2, 5001);
    w.advance(5500, sink);
    assert.deepEqual(sink.ids, [0, 1], 'overdue at schedule time: expired; due in the next tick: kept');
    assert.equal(w.isScheduled(2), true);
  });

  it('keeps an entry whose expiry was extended (lazy refresh) until the new time', () => {
    const w = new TimingWheel(4, 8, 1000, 0);
    const sink = new Collect();
    w.schedule(1, 2000);
    w.schedule(1, 5000);
    w.advance(4000, sink);
    assert.deepEqual(sink.ids, []);
    w.advance(5000, sink);
    assert.deepEqual(sink.ids, [1]);
  });

  it('expires a shortened entry at the shorter time', () => {
    const w = new TimingWheel(4, 8, 1000, 0);
    const sink = new Collect();
    w.schedule(2, 7_200_000);
    w.schedule(2, 4000);
    w.advance(4000, sink);
    assert.deepEqual(sink.ids, [2]);
  });

  it('holds expiries beyond one turn of the wheel until their turn', () => {
    const w = new TimingWheel(4, 4, 1000, 0);
    const sink = new Collect();
    w.schedule(3, 10_000);
    for (let t = 1000; t < 10_000; t += 1000) w.advance(t, sink);
    assert.deepEqual(sink.ids, []);
    w.advance(10_000, sink);
    assert.deepEqual(sink.ids, [3]);
  });

  it('catches up after a clock jump of many turns', () => {
    const w = new TimingWheel(4, 4, 1000, 0);
    const sink = new Collect();
    w.schedule(0, 2000);
    w.schedule(1, 50_000);
    w.schedule(2, 99_000);
    w.advance(60_000, sink);
    assert.deepEqual(sink.ids.sort(), [0, 1]);
    assert.equal(w.isScheduled(2), true);
  });

  it('spreads a burst of expiries over calls when given a budget', () => {
    const w = new TimingWheel(10, 8, 1000, 0);
    const sink = new Collect();
    for (let i = 0; i < 10; i++) w.schedule(i, 1000);
    assert.equal(w.advance(1000, sink, 4), 4);
    assert.equal(w.advance(1000, sink, 4), 4);
    assert.equal(w.advance(1000, sink, 4), 2);
    assert.deepEqual([...sink.ids].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('cancels entries', () => {
    const w = new TimingWheel(4, 8, 1000, 0);
    const sink = new Collect();
    w.schedule(0, 1000);
    w.schedule(1, 1000);
    w.cancel(0);
    w.cancel(0);
    w.advance(1000, sink);
    assert.deepEqual(sink.ids, [1]);
  });

  it('expires each entry exactly once, at the first advance at or after its time (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 40_000 })), { maxLength: 60 }),
      fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 30 }),
      (schedules, steps) => {
        const w = new TimingWheel(16, 8, 1000, 0);
        const due = new Map<number, number>();
        for (const [id, at] of schedules) {
          w.schedule(id, at);
          // Model: extending keeps the rounded tick, shortening moves it.
          due.set(id, Math.ceil(at / 1000) * 1000);
        }
        let now = 0;
        const sink = new Collect();
        for (const s of steps) {
          now += s;
          sink.ids = [];
          w.advance(now, sink);
          const expected = [...due].filter(([, at]) => at <= now).map(([id]) => id).sort((a, b) => a - b);
          assert.deepEqual(sink.ids.sort((a, b) => a - b), expected);
          for (const id of expected) due.delete(id);
        }
      },
    ));
  });
});

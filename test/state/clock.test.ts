import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/state/clock.js';

describe('ManualClock', () => {
  it('moves only forward, when told', () => {
    const c = new ManualClock(5);
    assert.equal(c.now(), 5);
    c.advance(10);
    assert.equal(c.now(), 15);
    c.set(20);
    assert.equal(c.now(), 20);
    assert.throws(() => c.advance(-1), RangeError);
    assert.throws(() => c.set(19), RangeError);
  });
});

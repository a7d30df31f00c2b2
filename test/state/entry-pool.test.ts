import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EntryPool } from '../../src/state/entry-pool.js';

describe('EntryPool', () => {
  it('hands out every id once, then -1, and reuses released ids', () => {
    const p = new EntryPool(3);
    assert.deepEqual([p.allocate(), p.allocate(), p.allocate()], [0, 1, 2]);
    assert.equal(p.allocate(), -1);
    assert.equal(p.size, 3);
    p.release(1);
    assert.equal(p.live[1], 0);
    assert.equal(p.allocate(), 1);
  });

  it('refuses to release a free id', () => {
    const p = new EntryPool(2);
    assert.throws(() => p.release(0), /released while free/);
  });
});

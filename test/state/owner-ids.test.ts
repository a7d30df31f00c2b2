import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OwnerIds } from '../../src/state/owner-ids.js';

describe('OwnerIds', () => {
  it('gives each NAT ID one stable index, 0 for "no owner"', () => {
    const o = new OwnerIds();
    assert.equal(o.indexOf(0), 0);
    assert.equal(o.indexOf(7), -1);
    const a = o.intern(7);
    const b = o.intern(0xfffffffe);
    assert.equal(o.intern(7), a);
    assert.notEqual(a, b);
    assert.equal(o.idOf(a), 7);
    assert.equal(o.idOf(b), 0xfffffffe);
    assert.equal(o.indexOf(0xfffffffe | 0), b, 'signed and unsigned forms are one ID');
  });

  it('is bounded: past 65535 owners it refuses', () => {
    const o = new OwnerIds();
    for (let i = 1; i <= OwnerIds.MAX; i++) assert.equal(o.intern(i), i);
    assert.equal(o.intern(OwnerIds.MAX + 1), -1);
  });
});

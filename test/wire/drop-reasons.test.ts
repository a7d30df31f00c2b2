import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composeDropReasons, DropCounters, defineDropReasons } from '../../src/wire/drop-reasons.js';

describe('defineDropReasons', () => {
  it('numbers reasons densely after none and sizes counters', () => {
    const t = defineDropReasons({ x: 'reason x', y: 'reason y' });
    assert.equal(t.code.none, 0);
    assert.equal(t.code.y, 2);
    const c = new DropCounters(t);
    c.add(t.code.y);
    c.add(0);
    assert.equal(c.get('y'), 1);
    assert.equal(c.total(), 1);
  });
});

describe('composeDropReasons', () => {
  it('puts a stage\'s own reasons first and each part\'s after, prefixed, with offsets that map part codes', () => {
    const part = defineDropReasons({ a: 'part a', b: 'part b' });
    const other = defineDropReasons({ c: 'other c' });
    const { table, offsets, own } = composeDropReasons({ mine: 'my reason' }, { p: part, o: other });
    assert.deepEqual(table.names, ['none', 'mine', 'p.a', 'p.b', 'o.c']);
    assert.equal(own.code.mine, 1);
    assert.equal(table.names[offsets['p']! + part.code.b], 'p.b');
    assert.equal(table.names[offsets['o']! + other.code.c], 'o.c');
    assert.equal(table.descriptions[offsets['p']! + part.code.a], 'part a');
  });
});

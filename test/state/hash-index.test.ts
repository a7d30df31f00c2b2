import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { finishHash, hashWord } from '../../src/state/flow-hash.js';
import { HashIndex } from '../../src/state/hash-index.js';
import { leastHeapGrowth } from '../heap-growth.js';

/** An index over a table of one u32 key per id, as the session tables use it. */
class WordIndex extends HashIndex {
  readonly keys: Uint32Array;
  probe = 0;
  constructor(capacity: number, private readonly hashMask = 0xffffffff) {
    super(capacity);
    this.keys = new Uint32Array(capacity);
  }
  protected keyEquals(id: number): boolean {
    return this.keys[id] === this.probe;
  }
  hash(key: number): number {
    return (finishHash(hashWord(0x1234, key)) & this.hashMask) >>> 0;
  }
  find(key: number): number {
    this.probe = key;
    return this.lookup(this.hash(key));
  }
  add(key: number, id: number): boolean {
    this.keys[id] = key;
    return this.insert(this.hash(key), id);
  }
  del(id: number): boolean {
    return this.remove(this.hash(this.keys[id]!), id);
  }
}

describe('HashIndex', () => {
  it('finds what was inserted and forgets what was removed', () => {
    const ix = new WordIndex(8);
    assert.equal(ix.add(10, 0), true);
    assert.equal(ix.add(20, 1), true);
    assert.equal(ix.find(10), 0);
    assert.equal(ix.find(20), 1);
    assert.equal(ix.find(30), -1);
    assert.equal(ix.del(0), true);
    assert.equal(ix.find(10), -1);
    assert.equal(ix.find(20), 1);
    assert.equal(ix.del(0), false, 'removing twice reports absence');
    assert.equal(ix.size, 1);
  });

  it('takes a hash signed or unsigned: the same 32 bits find the same entry', () => {
    const ix = new WordIndex(8);
    ix.keys[0] = 5;
    ix.insert(0x9abcdef0, 0);
    ix.probe = 5;
    assert.equal(ix.lookup(0x9abcdef0), 0);
    assert.equal(ix.lookup(0x9abcdef0 | 0), 0);
    assert.equal(ix.remove(0x9abcdef0 | 0, 0), true);
    assert.equal(ix.lookup(0x9abcdef0), -1);
  });

  it('looks up with hashes of 2^31 and above without allocating', () => {
    // Regression: hashes kept unsigned were heap numbers in V8, one allocation per lookup.
    const ix = new WordIndex(1024);
    for (let i = 0; i < 1000; i++) ix.add(i, i);
    const hashes = new Int32Array(1000);
    for (let i = 0; i < 1000; i++) hashes[i] = ix.hash(i) | 0;
    let found = 0;
    const growth = leastHeapGrowth(() => {
      for (let r = 0; r < 20; r++) {
        for (let i = 0; i < 1000; i++) {
          ix.probe = i;
          if (ix.lookup(hashes[i]!) === i) found++;
        }
      }
    });
    assert.equal(found, 4 * 20_000);
    assert.ok(growth < 20_000 * 4, 'heap grew ' + growth + ' bytes over 20 000 lookups');
  });

  it('refuses inserts beyond its capacity', () => {
    const ix = new WordIndex(3);
    for (let i = 0; i < 3; i++) assert.equal(ix.add(100 + i, i), true);
    assert.equal(ix.insert(ix.hash(999), 2), false);
    assert.equal(ix.size, 3);
  });

  it('keeps every key reachable through removals inside long collision clusters', () => {
    // Only 2 distinct hash values: every key collides and clusters wrap around the array.
    const ix = new WordIndex(64, 0x80000001);
    for (let i = 0; i < 64; i++) ix.add(i * 7 + 1, i);
    for (let i = 0; i < 64; i += 3) ix.del(i);
    for (let i = 0; i < 64; i++) assert.equal(ix.find(i * 7 + 1), i % 3 === 0 ? -1 : i);
  });

  it('agrees with a Map under random inserts and removals (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 40 })), { maxLength: 300 }),
      fc.constantFrom(0xffffffff, 0x7, 0x80000003),
      (ops, hashMask) => {
        const cap = 32;
        const ix = new WordIndex(cap, hashMask);
        const model = new Map<number, number>();
        const freeIds: number[] = [];
        for (let i = cap - 1; i >= 0; i--) freeIds.push(i);
        for (const [add, key] of ops) {
          if (add && !model.has(key) && freeIds.length > 0) {
            const id = freeIds.pop()!;
            assert.equal(ix.add(key, id), true);
            model.set(key, id);
          } else if (!add && model.has(key)) {
            const id = model.get(key)!;
            assert.equal(ix.del(id), true);
            model.delete(key);
            freeIds.push(id);
          }
          assert.equal(ix.size, model.size);
        }
        for (let k = 0; k <= 40; k++) assert.equal(ix.find(k), model.has(k) ? model.get(k) : -1);
      },
    ));
  });
});

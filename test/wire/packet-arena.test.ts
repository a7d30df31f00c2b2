import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { copyWithinArena, PacketArena } from '../../src/wire/packet-arena.js';

test('alloc carves zeroed, cache-line aligned, disjoint windows of the one buffer', () => {
  const arena = new PacketArena(4096);
  const a = arena.alloc(100);
  const b = arena.alloc(200);
  assert.equal(a.length, 100);
  assert.equal(b.length, 200);
  assert.equal(a.buffer, arena.bytes.buffer);
  assert.equal(b.buffer, arena.bytes.buffer);
  assert.equal(a.byteOffset % 64, 0);
  assert.equal(b.byteOffset % 64, 0);
  assert.ok(b.byteOffset >= a.byteOffset + a.length, 'windows do not overlap');
  assert.ok(a.every((x) => x === 0) && b.every((x) => x === 0));
  a.fill(0xa5);
  assert.ok(b.every((x) => x === 0), 'writing one window leaves the next alone');
  assert.ok(arena.owns(a) && arena.owns(b));
  assert.equal(arena.free, 4096 - (b.byteOffset + b.length));
});

test('a full arena hands out standalone arrays and counts them', () => {
  const arena = new PacketArena(256);
  const a = arena.alloc(200);
  const b = arena.alloc(100);
  assert.ok(arena.owns(a));
  assert.equal(b.length, 100);
  assert.notEqual(b.buffer, arena.bytes.buffer);
  assert.equal(arena.owns(b), false);
  assert.equal(arena.fallbacks, 1);
  assert.equal(arena.alloc(0).length, 0);
  assert.equal(arena.fallbacks, 1, 'an empty window is no fallback');
});

test('bad capacities and lengths are programmer errors', () => {
  assert.throws(() => new PacketArena(0), RangeError);
  assert.throws(() => new PacketArena(1.5), RangeError);
  assert.throws(() => new PacketArena(64).alloc(-1), RangeError);
});

test('shared() is one arena for the whole worker', () => {
  assert.equal(PacketArena.shared(), PacketArena.shared());
});

test('copyWithinArena copies between two windows of one arena natively', () => {
  const arena = new PacketArena(1 << 16);
  const src = arena.alloc(1000);
  const dst = arena.alloc(1000).fill(0xa5);
  for (let i = 0; i < src.length; i++) src[i] = i * 7;
  assert.equal(copyWithinArena(src, 10, dst, 300, 500), true);
  for (let i = 0; i < 1000; i++) assert.equal(dst[i], i >= 300 && i < 800 ? src[i - 290] : 0xa5, 'byte ' + i);
});

test('copyWithinArena refuses, copying nothing, what it cannot do safely', () => {
  const a1 = new PacketArena(4096);
  const a2 = new PacketArena(4096);
  const src = a1.alloc(100).fill(1);
  const dst = a1.alloc(100);
  const other = a2.alloc(100);
  const plain = new Uint8Array(100);
  assert.equal(copyWithinArena(src, 0, plain, 0, 10), false, 'plain destination');
  assert.equal(copyWithinArena(plain, 0, dst, 0, 10), false, 'plain source');
  assert.equal(copyWithinArena(src, 0, other, 0, 10), false, 'another arena');
  // Out of a window: the neighbouring window must not be reached.
  assert.equal(copyWithinArena(src, 0, dst, 50, 51), false);
  assert.equal(copyWithinArena(src, 60, dst, 0, 41), false);
  assert.equal(copyWithinArena(src, -1, dst, 0, 10), false);
  assert.equal(copyWithinArena(src, 0, dst, -1, 10), false);
  // A sub-view of a window is not a window: its offsets would be the wrong ones.
  assert.equal(copyWithinArena(src.subarray(1), 0, dst, 0, 10), false);
  assert.ok(dst.every((x) => x === 0) && plain.every((x) => x === 0) && other.every((x) => x === 0));
});

test('property: copyWithinArena moves exactly the bytes a loop would', () => {
  const arena = new PacketArena(1 << 16);
  const src = arena.alloc(2048);
  const dst = arena.alloc(2048);
  fc.assert(fc.property(fc.uint8Array({ minLength: 2048, maxLength: 2048 }), fc.nat(2047), fc.nat(2047), fc.nat(2048), (data, so, d, n) => {
    src.set(data);
    dst.fill(0xa5);
    const expected = new Uint8Array(2048).fill(0xa5);
    const fits = so + n <= 2048 && d + n <= 2048;
    if (fits) for (let i = 0; i < n; i++) expected[d + i] = data[so + i]!;
    assert.equal(copyWithinArena(src, so, dst, d, n), fits);
    assert.deepEqual(dst, expected);
  }));
});

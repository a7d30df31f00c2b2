import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PacketArena } from '../../src/wire/packet-arena.js';
import { copyBytes, copyBytesByLoop, NATIVE_COPY_MIN_BYTES } from '../../src/xlat/byte-copy.js';

/** What every path of copyBytes must do: the bytes of src[so, so+n) at dst[d, d+n), nothing else. */
function expectCopy(dst: Uint8Array, before: Uint8Array, src: Uint8Array, so: number, d: number, n: number): void {
  const expected = Uint8Array.from(before);
  for (let i = 0; i < n; i++) expected[d + i] = src[so + i]!;
  assert.deepEqual(dst, expected);
}

const arena = new PacketArena(1 << 20);

const PAIRS = [
  { name: 'two plain arrays (the loop)', make: (): [Uint8Array, Uint8Array] => [new Uint8Array(70000), new Uint8Array(70000)] },
  { name: 'two windows of one arena (copyWithin on the arena)', make: (): [Uint8Array, Uint8Array] => [arena.alloc(70000), arena.alloc(70000)] },
  { name: 'a window and a plain array', make: (): [Uint8Array, Uint8Array] => [arena.alloc(70000), new Uint8Array(70000)] },
  { name: 'windows of two arenas', make: (): [Uint8Array, Uint8Array] => [arena.alloc(70000), new PacketArena(80000).alloc(70000)] },
];

for (const pair of PAIRS) {
  test('copyBytes between ' + pair.name + ': 64 KB, 1500, 64 and short copies at odd offsets', () => {
    const [src, dst] = pair.make();
    for (let i = 0; i < src.length; i++) src[i] = (i * 31 + 7) & 0xff;
    for (const n of [65536, 1500, 64, NATIVE_COPY_MIN_BYTES, NATIVE_COPY_MIN_BYTES - 1, 1]) {
      dst.fill(0xa5);
      const before = Uint8Array.from(dst);
      copyBytes(src, 3, dst, 17, n);
      expectCopy(dst, before, src, 3, 17, n);
    }
  });
}

test('copyBytes within one array is a memmove: overlap either way', () => {
  for (const a of [new Uint8Array(300), arena.alloc(300)]) {
    for (const [so, d] of [[0, 10], [10, 0]] as const) {
      for (let i = 0; i < a.length; i++) a[i] = i;
      const src = Uint8Array.from(a);
      copyBytes(a, so, a, d, 200);
      expectCopy(a, src, src, so, d, 200);
    }
  }
});

test('copyBytes of nothing or a negative count touches nothing', () => {
  const src = arena.alloc(64).fill(1);
  const dst = arena.alloc(64);
  copyBytes(src, 0, dst, 0, 0);
  copyBytes(src, 0, dst, 0, -5);
  assert.ok(dst.every((x) => x === 0));
});

test('copyBytes past the end of an arena window writes nothing outside it (the loop\'s semantics)', () => {
  const src = arena.alloc(200).fill(7);
  const dst = arena.alloc(100);
  const next = arena.alloc(100);
  copyBytes(src, 0, dst, 50, 100);
  assert.ok(dst.subarray(50).every((x) => x === 7));
  assert.ok(next.every((x) => x === 0), 'the neighbouring window is untouched');
});

test('property: copyBytes on arena windows equals copyBytesByLoop on plain arrays', () => {
  const ws = arena.alloc(4096);
  const wd = arena.alloc(4096);
  fc.assert(fc.property(fc.uint8Array({ minLength: 4096, maxLength: 4096 }), fc.nat(4095), fc.nat(4095), fc.nat(4096), (data, so, d, n) => {
    n = Math.min(n, 4096 - so, 4096 - d);
    const ps = Uint8Array.from(data);
    const pd = new Uint8Array(4096).fill(0xa5);
    ws.set(data);
    wd.fill(0xa5);
    copyBytesByLoop(ps, so, pd, d, n);
    copyBytes(ws, so, wd, d, n);
    assert.deepEqual(wd, pd);
  }));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SystemClock } from '../../src/io/system-clock.js';

test('SystemClock reads epoch milliseconds on the monotonic scale', () => {
  const c = new SystemClock();
  const a = c.now();
  assert.ok(Math.abs(a - Date.now()) < 1000, 'close to the wall clock at start');
  let last = a;
  for (let i = 0; i < 1000; i++) {
    const t = c.now();
    assert.ok(t >= last, 'never decreases');
    last = t;
  }
});

test('a held reading stays until release, and time never goes backward across it', async () => {
  const c = new SystemClock();
  c.hold();
  const held = c.now();
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(c.now(), held);
  c.release();
  assert.ok(c.now() >= held + 4);
});

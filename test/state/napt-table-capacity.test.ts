import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChangeLog } from '../../src/state/change-log.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ip, makeTable, SYN, TCP, UDP } from './napt-fixture.js';

const Z = ip('198.51.100.7');
/** Z as the int32 bit pattern a packet parser hands over: a u32 of 2^31 or more would be a heap
 * number, allocated by the caller, not by the table. */
const Z_I32 = Z | 0;
const TEN = 3;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Lets the background compiler finish and install its code. */
function idle(): Promise<void> {
  return new Promise((res) => setTimeout(res, 50));
}

/**
 * Least heap growth over `windows` runs of `run(k)`, each after a full GC. Windows are small
 * (tens of KB even if every operation allocated), so no scavenge inside one hides garbage: the
 * figure is what the operations allocated.
 */
function leastGrowth(windows: number, run: (k: number) => void): number {
  let least = Infinity;
  for (let k = 0; k < windows; k++) {
    gc();
    const before = process.memoryUsage().heapUsed;
    run(k);
    least = Math.min(least, process.memoryUsage().heapUsed - before);
  }
  return least;
}

/** `n` NAT44 inside hosts 10.x.y.z, made once outside any measured code. */
function hosts(n: number): Uint32Array[] {
  return Array.from({ length: n }, (_, i) => Uint32Array.of(0, 0, 0xffff, (0x0a000000 + i + 1) >>> 0));
}

describe('NaptTable: capacity, floods and allocation', () => {
  it('creates and looks up 100k sessions without per-operation heap growth', async () => {
    const { table: t, clock } = makeTable((c) => {
      c.maxSessions = 1 << 17;
      c.maxBib = 1 << 17;
      c.maxHosts = 2048;
      c.maxSessionsPerHost = 1 << 17;
      c.maxSessionsPerTenant = 1 << 17;
    }, undefined, new ChangeLog(4096));
    const hs = hosts(1000);
    const N = 100_000;
    const W = 10_000;
    let failures = 0;
    const create = (from: number): void => {
      for (let i = from; i < from + W; i++) if (t.outbound(TEN, UDP, hs[i % 1000]!, 1024 + ((i / 1000) | 0), Z_I32, 53, 0) < 0) failures++;
    };
    const lookup = (from: number): void => {
      for (let i = from; i < from + W; i++) {
        const s = t.findOutbound(TEN, UDP, hs[i % 1000]!, 1024 + ((i / 1000) | 0), Z_I32, 53);
        if (s < 0 || t.outbound(TEN, UDP, hs[i % 1000]!, 1024 + ((i / 1000) | 0), Z_I32, 53, 0) !== s) failures++;
        if (t.inbound(TEN, UDP, t.outsideAddrBits(s), t.outsidePort(s), Z_I32, 53, 0) !== s) failures++;
      }
    };
    // Warm-up until the optimised code is in: unoptimised code boxes numbers, and on a busy
    // machine the background compiler needs idle time to hand its work over.
    for (let r = 0; r < 3; r++) {
      for (let w = 0; w < N; w += W) create(w);
      for (let w = 0; w < N; w += W) lookup(w);
      clock.advance(301_000);
      t.expire();
      await idle();
    }
    const createGrowth = leastGrowth(N / W, (k) => create(k * W));
    const lookupGrowth = leastGrowth(N / W, (k) => lookup(k * W));
    clock.advance(301_000);
    assert.equal(t.expire(), N);
    assert.equal(failures, 0, JSON.stringify(t.drops.snapshot()));
    // One heap number per operation would be 160 KB a window.
    assert.ok(createGrowth < 16 * 1024, 'creating ' + W + ' sessions grew the heap by ' + createGrowth + ' bytes');
    assert.ok(lookupGrowth < 16 * 1024, W + ' lookups grew the heap by ' + lookupGrowth + ' bytes');
  });

  it('a SYN flood past maxSessions is refused and counted, memory stays put, and expiry frees the table', async () => {
    const MAX = 10_000;
    const { table: t, clock } = makeTable((c) => {
      c.maxSessions = MAX;
      c.maxBib = MAX;
      c.maxHosts = 4096;
      c.maxSessionsPerHost = MAX;
      c.maxSessionsPerTenant = MAX;
    }, undefined, new ChangeLog(1024));
    const hs = hosts(4000);
    const bytes = t.byteLength;
    const flood = (round: number): number => {
      let ok = 0;
      for (let i = 0; i < MAX + 2_000; i++) {
        if (t.outbound(TEN, TCP, hs[i % 4000]!, 2000 + round * 10 + ((i / 4000) | 0), Z + (i & 7), 443, SYN) >= 0) ok++;
      }
      return ok;
    };
    for (let r = 0; r < 2; r++) {
      // Warm-up rounds: the JIT's own allocations land here.
      flood(0);
      clock.advance(240_000);
      t.expire();
      await idle();
    }
    t.drops.counts.fill(0);
    gc();
    const heap0 = process.memoryUsage();
    const created = flood(1);
    const heap1 = process.memoryUsage();
    assert.equal(created, MAX);
    assert.equal(t.sessionCount, MAX);
    assert.equal(t.drops.get('sessionTableFull'), 2_000);
    // Earlier tests' buffers may still be freed meanwhile: the figure may fall, never rise.
    assert.ok(heap1.arrayBuffers <= heap0.arrayBuffers, 'no typed array allocated: ' + (heap1.arrayBuffers - heap0.arrayBuffers));
    assert.ok(heap1.heapUsed - heap0.heapUsed < 512 * 1024, 'heap grew ' + (heap1.heapUsed - heap0.heapUsed));
    assert.equal(t.byteLength, bytes);
    // V6 INIT sessions live TCP_TRANS: four minutes later the table is empty again.
    clock.advance(240_000);
    assert.equal(t.expire(), MAX);
    assert.equal(t.sessionCount, 0);
    assert.equal(t.bibCount, 0);
    assert.equal(t.hostCount, 0);
    assert.equal(flood(2), MAX, 'the freed capacity serves new connections');
  });

  it('per-host and per-tenant caps hold under load while other hosts and tenants go on', () => {
    const { table: t } = makeTable((c) => { c.maxSessionsPerHost = 100; c.maxSessionsPerTenant = 250; });
    const hs = hosts(4);
    let made = 0;
    for (let i = 0; i < 200; i++) if (t.outbound(TEN, UDP, hs[0]!, 1000 + i, Z, 53, 0) >= 0) made++;
    assert.equal(made, 100);
    assert.equal(t.drops.get('hostSessionLimit'), 100);
    for (let i = 0; i < 200; i++) t.outbound(TEN, UDP, hs[1 + (i % 3)]!, 1000 + i, Z, 53, 0);
    assert.equal(t.drops.get('tenantSessionLimit'), 50);
    assert.ok(t.outbound(TEN + 1, UDP, hs[0]!, 1000, Z, 53, 0) >= 0, 'another tenant is not affected');
  });
});

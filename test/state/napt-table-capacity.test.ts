import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChangeLog } from '../../src/state/change-log.js';
import { leastHeapGrowth } from '../heap-growth.js';
import { ip, makeTable, SYN, TCP, UDP } from './napt-fixture.js';

const Z = ip('198.51.100.7');
const TEN = 3;

/** `n` NAT44 inside hosts 10.x.y.z, made once outside any measured code. */
function hosts(n: number): Uint32Array[] {
  return Array.from({ length: n }, (_, i) => Uint32Array.of(0, 0, 0xffff, (0x0a000000 + i + 1) >>> 0));
}

describe('NaptTable: capacity, floods and allocation', () => {
  it('creates and looks up 100k sessions without per-operation heap growth', () => {
    const { table: t, clock } = makeTable((c) => {
      c.maxSessions = 1 << 17;
      c.maxBib = 1 << 17;
      c.maxHosts = 2048;
      c.maxSessionsPerHost = 1 << 17;
      c.maxSessionsPerTenant = 1 << 17;
    }, undefined, new ChangeLog(4096));
    const hs = hosts(1000);
    const N = 100_000;
    let failures = 0;
    const growth = leastHeapGrowth(() => {
      for (let i = 0; i < N; i++) {
        const s = t.outbound(TEN, UDP, hs[i % 1000]!, 1024 + ((i / 1000) | 0), Z, 53, 0);
        if (s < 0) failures++;
      }
      for (let i = 0; i < N; i++) {
        const h = hs[i % 1000]!;
        const p = 1024 + ((i / 1000) | 0);
        const s = t.findOutbound(TEN, UDP, h, p, Z, 53);
        if (s < 0 || t.inbound(TEN, UDP, t.outsideAddr(s), t.outsidePort(s), Z, 53, 0) !== s) failures++;
      }
      clock.advance(301_000);
      if (t.expire() !== N) failures++;
    });
    assert.equal(failures, 0, JSON.stringify(t.drops.snapshot()));
    assert.equal(t.sessionCount, 0);
    // One 16-byte object per operation would be 4.8 MB over the 300k operations of a window.
    assert.ok(growth < 256 * 1024, 'heap grew ' + growth + ' bytes over ' + 3 * N + ' operations');
  });

  it('a SYN flood past maxSessions is refused and counted, memory stays put, and expiry frees the table', () => {
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
    flood(0); // warm-up round: the JIT's own allocations land here
    clock.advance(240_000);
    t.expire();
    t.drops.counts.fill(0);
    const heap0 = process.memoryUsage();
    const created = flood(1);
    const heap1 = process.memoryUsage();
    assert.equal(created, MAX);
    assert.equal(t.sessionCount, MAX);
    assert.equal(t.drops.get('sessionTableFull'), 2_000);
    assert.equal(heap1.arrayBuffers, heap0.arrayBuffers, 'no typed array allocated');
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

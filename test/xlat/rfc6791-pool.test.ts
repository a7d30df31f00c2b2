import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leastHeapGrowth } from '../heap-growth.js';
import fc from 'fast-check';
import { Rfc6791Pool, Rfc6791PoolEmptyError, Rfc6791PoolOverlapError, Rfc6791PoolPrivateError } from '../../src/xlat/rfc6791-pool.js';
import { Ipv4Prefix } from '../../src/addr/ipv4-prefix.js';
import { formatIpv4Bytes, parseIpv4, readIpv4 } from '../../src/addr/ipv4-address.js';
import { parseIpv6 } from '../../src/addr/ipv6-address.js';
import { PrefixHostBitsSetError } from '../../src/addr/address-config-error.js';

/** An IPv6 header's addresses: source at 8, destination at 24 (RFC 8200 §3). */
function header(src: string, dst: string): Uint8Array {
  const h = new Uint8Array(40).fill(0xa5);
  h.set(parseIpv6(src), 8);
  h.set(parseIpv6(dst), 24);
  return h;
}

function pick(pool: Rfc6791Pool, src: string, dst: string): string {
  const h = header(src, dst);
  const out = new Uint8Array(10).fill(0xa5);
  pool.select(h, 8, h, 24, out, 3);
  assert.deepEqual([...out.subarray(0, 3), ...out.subarray(7)], [0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5], 'wrote outside the address');
  return formatIpv4Bytes(out, 3);
}

test('a one-address pool always answers that address', () => {
  const pool = Rfc6791Pool.fromConfig(['203.0.113.9']);
  assert.equal(pool.size, 1);
  assert.equal(pick(pool, '2001:db8:1::1', '2001:db8:64::c000:201'), '203.0.113.9');
  assert.equal(pick(pool, 'fe80::1', '::'), '203.0.113.9');
});

test('the choice is a pure function of the addresses and the seed (replays are reproducible)', () => {
  const a = Rfc6791Pool.fromConfig(['203.0.113.0/24'], { seed: 7 });
  const b = Rfc6791Pool.fromConfig(['203.0.113.0/24'], { seed: 7 });
  const first = pick(a, '2001:db8:1::1', '2001:db8:64::c000:201');
  for (let i = 0; i < 3; i++) assert.equal(pick(b, '2001:db8:1::1', '2001:db8:64::c000:201'), first);
  // Another seed moves most routers elsewhere.
  const c = Rfc6791Pool.fromConfig(['203.0.113.0/24'], { seed: 8 });
  let moved = 0;
  for (let i = 1; i <= 50; i++) if (pick(a, '2001:db8:1::' + i.toString(16), '2001:db8:64::c000:201') !== pick(c, '2001:db8:1::' + i.toString(16), '2001:db8:64::c000:201')) moved++;
  assert.ok(moved > 40, 'moved ' + moved + ' of 50');
});

test('RFC 6791 §3.1/§5: the routers along one traceroute get different addresses', () => {
  const pool = Rfc6791Pool.fromConfig(['198.51.100.0/24']);
  const seen = new Set<string>();
  for (let hop = 1; hop <= 12; hop++) seen.add(pick(pool, '2001:db8:' + hop.toString(16) + '::1', '2001:db8:64::c000:201'));
  // 12 hops in 256 addresses: a collision is possible but rare; demand at least 11 distinct.
  assert.ok(seen.size >= 11, 'distinct addresses: ' + seen.size);
});

test('addresses are spread over every prefix of the pool in proportion to its size', () => {
  const pool = Rfc6791Pool.fromConfig(['192.0.2.0/31', '198.51.100.7', '203.0.113.0/30']);
  assert.equal(pool.size, 7);
  const counts = new Map<string, number>();
  const h = new Uint8Array(40);
  const out = new Uint8Array(4);
  for (let i = 0; i < 7000; i++) {
    h[8 + 15] = i & 0xff;
    h[8 + 14] = i >>> 8;
    pool.select(h, 8, h, 24, out, 0);
    const a = formatIpv4Bytes(out);
    counts.set(a, (counts.get(a) ?? 0) + 1);
  }
  assert.deepEqual([...counts.keys()].sort(), ['192.0.2.0', '192.0.2.1', '198.51.100.7', '203.0.113.0', '203.0.113.1', '203.0.113.2', '203.0.113.3']);
  for (const [a, n] of counts) assert.ok(n > 800 && n < 1200, a + ' chosen ' + n + ' times of 7000');
});

test('builds from the packed 4-byte form of the translator configuration', () => {
  const pool = Rfc6791Pool.fromAddressBytes(Uint8Array.of(192, 0, 0, 8, 203, 0, 113, 5));
  assert.equal(pool.size, 2);
  assert.deepEqual(pool.prefixes.map(String), ['192.0.0.8/32', '203.0.113.5/32']);
  assert.throws(() => Rfc6791Pool.fromAddressBytes(new Uint8Array(5)), RangeError);
});

test('configuration errors name the problem and the field', () => {
  assert.throws(() => Rfc6791Pool.fromConfig([], { path: 'siit.pool6791' }), (e: unknown) => e instanceof Rfc6791PoolEmptyError && e.code === 'ERR_RFC6791_POOL_EMPTY' && e.path === 'siit.pool6791');
  assert.throws(() => Rfc6791Pool.fromConfig(['203.0.113.0/24', '203.0.113.128/25'], { path: 'siit.pool6791' }), (e: unknown) => {
    assert.ok(e instanceof Rfc6791PoolOverlapError);
    assert.equal(e.code, 'ERR_RFC6791_POOL_OVERLAP');
    assert.equal(e.path, 'siit.pool6791[1]');
    assert.match(e.message, /"203\.0\.113\.128\/25" overlaps "203\.0\.113\.0\/24"/);
    return true;
  });
  for (const p of ['10.1.0.0/16', '172.20.0.1', '192.168.0.0/24', '100.64.0.0/10', '0.0.0.0/0']) {
    assert.throws(() => Rfc6791Pool.fromConfig([p]), (e: unknown) => e instanceof Rfc6791PoolPrivateError && e.code === 'ERR_RFC6791_POOL_PRIVATE', p);
  }
  assert.equal(Rfc6791Pool.fromConfig(['10.1.0.0/16'], { allowPrivate: true }).size, 65536);
  assert.throws(() => Rfc6791Pool.fromConfig(['203.0.113.1/24'], { path: 'p' }), (e: unknown) => e instanceof PrefixHostBitsSetError && e.path === 'p[0]');
});

test('select allocates nothing', () => {
  const pool = Rfc6791Pool.fromConfig(['192.0.2.0/24', '198.51.100.0/24']);
  const h = header('2001:db8:1::1', '2001:db8:2::2');
  const out = new Uint8Array(4);
  const grown = leastHeapGrowth(() => {
    for (let i = 0; i < 200000; i++) {
      h[23] = i & 0xff;
      pool.select(h, 8, h, 24, out, 0);
    }
  });
  assert.ok(grown < 1_000_000, 'heap grew by ' + grown + ' bytes');
});

test('property: the chosen address always lies in the pool', () => {
  const prefixArb = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 20, max: 32 })).map(([a, len]) => new Ipv4Prefix((a & (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0)) >>> 0, len));
  fc.assert(fc.property(fc.array(prefixArb, { minLength: 1, maxLength: 5 }), fc.uint8Array({ minLength: 40, maxLength: 40 }), fc.integer(), (prefixes, hdr, seed) => {
    let pool: Rfc6791Pool;
    try {
      pool = new Rfc6791Pool(prefixes, { seed, allowPrivate: true });
    } catch (e) {
      assert.ok(e instanceof Rfc6791PoolOverlapError, String(e));
      return;
    }
    const out = new Uint8Array(4);
    pool.select(hdr, 8, hdr, 24, out, 0);
    const a = readIpv4(out, 0);
    assert.ok(prefixes.some((p) => p.contains(a)), formatIpv4Bytes(out) + ' outside ' + prefixes.join(', '));
  }), { numRuns: 500 });
  assert.ok(Rfc6791Pool.fromConfig(['192.0.2.0/24']).prefixes[0]!.contains(parseIpv4('192.0.2.5')));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leastHeapGrowth } from '../heap-growth.js';
import fc from 'fast-check';
import { LPM_NONE, LpmTable } from '../../src/addr/lpm-table.js';
import { Ipv4Prefix } from '../../src/addr/ipv4-prefix.js';
import { Ipv6Prefix } from '../../src/addr/ipv6-prefix.js';
import { AddressFamilyMismatchError } from '../../src/addr/address-config-error.js';
import { parseIpv4 } from '../../src/addr/ipv4-address.js';
import { parseIpv6 } from '../../src/addr/ipv6-address.js';

function v4(table: LpmTable, addr: string): number {
  const buf = new Uint8Array(10).fill(0xa5);
  buf.set(Ipv4Prefix.parse(addr).bytes, 3);
  const byBytes = table.lookup(buf, 3);
  assert.equal(table.lookupIpv4(parseIpv4(addr)), byBytes, 'lookupIpv4 and lookup disagree on ' + addr);
  return byBytes;
}

function v6(table: LpmTable, addr: string): number {
  const buf = new Uint8Array(40).fill(0xa5);
  buf.set(parseIpv6(addr), 24);
  return table.lookup(buf, 24);
}

test('IPv4: the longest containing prefix wins whatever the insertion order', () => {
  const prefixes = ['0.0.0.0/0', '10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.1.2.128/25', '10.1.2.129/32', '10.1.2.0/23', '10.1.3.0/27'];
  for (const order of [prefixes, [...prefixes].reverse()]) {
    const t = new LpmTable(32);
    for (const p of order) t.insertPrefix(Ipv4Prefix.parse(p), prefixes.indexOf(p));
    const cases: [string, number][] = [
      ['192.0.2.1', 0],
      ['10.200.0.1', 1],
      ['10.1.200.1', 2],
      ['10.1.2.1', 3],
      ['10.1.2.200', 4],
      ['10.1.2.129', 5],
      ['10.1.3.200', 6],
      ['10.1.3.31', 7],
      ['10.1.3.32', 6],
    ];
    for (const [addr, want] of cases) assert.equal(v4(t, addr), want, addr);
  }
});

test('IPv4: lengths that end inside a nibble expand over the right slots', () => {
  const t = new LpmTable(32);
  t.insertPrefix(Ipv4Prefix.parse('128.0.0.0/1'), 1);
  t.insertPrefix(Ipv4Prefix.parse('192.0.0.0/3'), 3);
  t.insertPrefix(Ipv4Prefix.parse('198.0.0.0/7'), 7);
  t.insertPrefix(Ipv4Prefix.parse('198.18.0.0/15'), 15);
  const cases: [string, number][] = [
    ['1.2.3.4', LPM_NONE], ['128.0.0.1', 1], ['191.255.255.255', 1], ['192.0.0.0', 3], ['223.255.255.255', 3],
    ['224.0.0.0', 1], ['197.0.0.0', 3], ['198.0.0.0', 7], ['199.255.0.0', 7], ['198.19.255.255', 15], ['198.20.0.0', 7],
  ];
  for (const [addr, want] of cases) assert.equal(v4(t, addr), want, addr);
});

test('an empty table and a table with only /0', () => {
  const t = new LpmTable(32);
  assert.equal(v4(t, '1.2.3.4'), LPM_NONE);
  t.insertPrefix(Ipv4Prefix.parse('0.0.0.0/0'), 9);
  assert.equal(v4(t, '1.2.3.4'), 9);
  assert.equal(t.size, 1);
});

test('insert replaces the value of an existing prefix and returns the old one; remove restores shorter matches', () => {
  const t = new LpmTable(32);
  assert.equal(t.insertPrefix(Ipv4Prefix.parse('10.0.0.0/8'), 1), LPM_NONE);
  assert.equal(t.insertPrefix(Ipv4Prefix.parse('10.1.0.0/16'), 2), LPM_NONE);
  assert.equal(t.insertPrefix(Ipv4Prefix.parse('10.1.0.0/16'), 3), 2);
  assert.equal(v4(t, '10.1.0.1'), 3);
  assert.equal(t.get(Ipv4Prefix.parse('10.1.0.0/16').bytes, 0, 16), 3);
  assert.ok(t.removePrefix(Ipv4Prefix.parse('10.1.0.0/16')));
  assert.ok(!t.removePrefix(Ipv4Prefix.parse('10.1.0.0/16')));
  assert.equal(v4(t, '10.1.0.1'), 1);
  assert.equal(t.size, 1);
  t.clear();
  assert.equal(v4(t, '10.1.0.1'), LPM_NONE);
  assert.equal(t.size, 0);
});

test('insert ignores bits beyond the length, so equal prefixes share an entry', () => {
  const t = new LpmTable(32);
  t.insert(new Uint8Array([10, 1, 2, 3]), 0, 8, 4);
  assert.equal(t.insert(new Uint8Array([10, 9, 9, 9]), 0, 8, 5), 4);
  assert.equal(t.size, 1);
});

test('IPv6: longest match across the whole 128 bits, at an offset', () => {
  const t = new LpmTable(128);
  const prefixes = ['::/0', '2001:db8::/32', '2001:db8:aaaa::/48', '2001:db8:aaaa::/120', '2001:db8:aaaa::80/121', '2001:db8:aaaa::ff/128', '2001:db8:8000::/33'];
  prefixes.forEach((p, i) => t.insertPrefix(Ipv6Prefix.parse(p), i));
  const cases: [string, number][] = [
    ['3fff::1', 0], ['2001:db8:1::1', 1], ['2001:db8:aaaa:1::', 2], ['2001:db8:aaaa::7f', 3], ['2001:db8:aaaa::80', 4],
    ['2001:db8:aaaa::ff', 5], ['2001:db8:aaaa::fe', 4], ['2001:db8:8001::', 6], ['2001:db8:7fff::', 1],
  ];
  for (const [addr, want] of cases) assert.equal(v6(t, addr), want, addr);
});

test('refuses a prefix of the other family and bad lengths or values', () => {
  const t4 = new LpmTable(32);
  const t6 = new LpmTable(128);
  assert.throws(() => t4.insertPrefix(Ipv6Prefix.parse('2001:db8::/32'), 0, 'x'), (e: unknown) => e instanceof AddressFamilyMismatchError && e.code === 'ERR_ADDRESS_FAMILY_MISMATCH');
  assert.throws(() => t6.insertPrefix(Ipv4Prefix.parse('192.0.2.0/24'), 0), AddressFamilyMismatchError);
  assert.throws(() => t4.insert(new Uint8Array(4), 0, 33, 0), RangeError);
  assert.throws(() => t4.insert(new Uint8Array(4), 0, 8, -1), RangeError);
  assert.throws(() => t4.insert(new Uint8Array(4), 0, 8, 1.5), RangeError);
  assert.throws(() => new LpmTable(64 as 32), RangeError);
});

test('grows past its initial node capacity', () => {
  const t = new LpmTable(128);
  const b = new Uint8Array(16);
  for (let i = 0; i < 300; i++) {
    b[0] = 0x20;
    b[13] = i >>> 8;
    b[14] = i & 0xff;
    t.insert(b, 0, 128, i);
  }
  for (let i = 0; i < 300; i += 37) {
    b[13] = i >>> 8;
    b[14] = i & 0xff;
    assert.equal(t.lookup(b, 0), i);
  }
  assert.ok(t.nodes > 64);
});

test('lookup allocates nothing', () => {
  const t = new LpmTable(128);
  t.insertPrefix(Ipv6Prefix.parse('2001:db8::/32'), 1);
  const addr = parseIpv6('2001:db8::1');
  let sum = 0;
  const grown = leastHeapGrowth(() => { for (let i = 0; i < 200000; i++) sum += t.lookup(addr, 0); });
  assert.equal(sum, 4 * 200000);
  assert.ok(grown < 1_000_000, 'heap grew by ' + grown + ' bytes');
});

/** Reference: scan every stored prefix bit by bit, keep the longest. */
function bruteForce(entries: { bytes: Uint8Array; length: number; value: number }[], addr: Uint8Array): number {
  let best = LPM_NONE;
  let bestLen = -1;
  for (const e of entries) {
    let ok = true;
    for (let i = 0; i < e.length && ok; i++) {
      if (((e.bytes[i >>> 3]! ^ addr[i >>> 3]!) & (0x80 >>> (i & 7))) !== 0) ok = false;
    }
    if (ok && e.length > bestLen) {
      best = e.value;
      bestLen = e.length;
    }
  }
  return best;
}

function lpmProperty(bits: 32 | 128): void {
  const n = bits / 8;
  // Prefixes and probes drawn near a few seeds so that they nest and overlap often.
  const seeds = fc.array(fc.uint8Array({ minLength: n, maxLength: n }), { minLength: 1, maxLength: 3 });
  fc.assert(fc.property(seeds, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: bits }), fc.nat(), fc.boolean()), { maxLength: 40 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 20 }), fc.nat(), (seedList, ops, probes, removeSeed) => {
    const t = new LpmTable(bits);
    const ref = new Map<string, { bytes: Uint8Array; length: number; value: number }>();
    const mutate = (seed: Uint8Array, x: number): Uint8Array => {
      const b = seed.slice();
      b[(x >>> 3) % n]! ^= 1 << (x & 7);
      if ((x & 0x100) !== 0) b[n - 1]! ^= x >>> 9;
      return b;
    };
    ops.forEach(([s, len, x, plain], i) => {
      const bytes = plain ? seedList[s % seedList.length]! : mutate(seedList[s % seedList.length]!, x);
      const masked = bytes.slice();
      for (let k = len; k < bits; k++) masked[k >>> 3]! &= ~(0x80 >>> (k & 7));
      t.insert(bytes, 0, len, i);
      ref.set(len + '/' + Buffer.from(masked).toString('hex'), { bytes: masked, length: len, value: i });
    });
    // Remove one entry, to check the rebuild.
    const keys = [...ref.keys()];
    if (keys.length > 0) {
      const victim = ref.get(keys[removeSeed % keys.length]!)!;
      assert.ok(t.remove(victim.bytes, 0, victim.length));
      ref.delete(keys[removeSeed % keys.length]!);
    }
    const all = [...ref.values()];
    assert.equal(t.size, all.length);
    for (const [s, x] of probes) {
      const addr = mutate(seedList[s % seedList.length]!, x);
      assert.equal(t.lookup(addr, 0), bruteForce(all, addr));
      if (bits === 32) assert.equal(t.lookupIpv4(((addr[0]! << 24) | (addr[1]! << 16) | (addr[2]! << 8) | addr[3]!) >>> 0), bruteForce(all, addr));
    }
  }), { numRuns: 300 });
}

test('property: IPv4 lookup equals a brute-force scan on random tables', () => lpmProperty(32));
test('property: IPv6 lookup equals a brute-force scan on random tables', () => lpmProperty(128));

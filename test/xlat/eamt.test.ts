import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Eamt, EamtDuplicateError, EamtSuffixMismatchError } from '../../src/xlat/eamt.js';
import { Ipv4Prefix } from '../../src/addr/ipv4-prefix.js';
import { Ipv6Prefix } from '../../src/addr/ipv6-prefix.js';
import { formatIpv6, parseIpv6 } from '../../src/addr/ipv6-address.js';
import { formatIpv4Bytes, ipv4Bytes, parseIpv4 } from '../../src/addr/ipv4-address.js';
import { PrefixHostBitsSetError } from '../../src/addr/address-config-error.js';

/** 4→6 through a poisoned buffer at an offset; null when untranslatable (and nothing written). */
function to6(t: Eamt, v4: string): string | null {
  const src = new Uint8Array(8).fill(0xa5);
  src.set(ipv4Bytes(parseIpv4(v4)), 3);
  const out = new Uint8Array(22).fill(0xa5);
  const ok = t.translate4to6(src, 3, out, 2);
  assert.ok(out.subarray(0, 2).every((x) => x === 0xa5) && out.subarray(18).every((x) => x === 0xa5), 'wrote outside the address');
  if (!ok) {
    assert.ok(out.every((x) => x === 0xa5), 'wrote although untranslatable');
    return null;
  }
  return formatIpv6(out, 2);
}

function to4(t: Eamt, v6: string): string | null {
  const src = new Uint8Array(20).fill(0xa5);
  src.set(parseIpv6(v6), 1);
  const out = new Uint8Array(9).fill(0xa5);
  const ok = t.translate6to4(src, 1, out, 4);
  assert.ok(out.subarray(0, 4).every((x) => x === 0xa5) && out[8] === 0xa5, 'wrote outside the address');
  if (!ok) {
    assert.ok(out.every((x) => x === 0xa5), 'wrote although untranslatable');
    return null;
  }
  return formatIpv4Bytes(out, 4);
}

// The example table of Jool's EAMT documentation (an operator reference for RFC 7757).
const JOOL_EXAMPLE = [
  { ipv4: '192.0.2.1/32', ipv6: '2001:db8:aaaa::5/128' },
  { ipv4: '198.51.100.0/24', ipv6: '2001:db8:bbbb::/120' },
  { ipv4: '203.0.113.8/29', ipv6: '2001:db8:cccc::/125' },
];

test('RFC 7757 §3: prefixes are replaced and suffix bits copied, both ways', () => {
  const t = Eamt.fromConfig(JOOL_EXAMPLE);
  assert.equal(t.size, 3);
  const pairs: [string, string][] = [
    ['192.0.2.1', '2001:db8:aaaa::5'],
    ['198.51.100.0', '2001:db8:bbbb::'],
    ['198.51.100.1', '2001:db8:bbbb::1'],
    ['198.51.100.254', '2001:db8:bbbb::fe'],
    ['198.51.100.255', '2001:db8:bbbb::ff'],
    // The replacement is at bit level: .8 is the /29's first address, so its suffix is 0.
    ['203.0.113.8', '2001:db8:cccc::'],
    ['203.0.113.9', '2001:db8:cccc::1'],
    ['203.0.113.15', '2001:db8:cccc::7'],
  ];
  for (const [v4, v6] of pairs) {
    assert.equal(to6(t, v4), v6, v4);
    assert.equal(to4(t, v6), v4, v6);
  }
  for (const v4 of ['192.0.2.2', '203.0.113.7', '203.0.113.16', '198.51.101.0']) assert.equal(to6(t, v4), null, v4);
  for (const v6 of ['2001:db8:aaaa::4', '2001:db8:cccc::8', '2001:db8:bbbb::100', '2001:db8:bbbb:1::1']) assert.equal(to4(t, v6), null, v6);
});

test('RFC 7757 §3: overlapping entries resolve by longest match in each direction', () => {
  const t = Eamt.fromConfig([
    { ipv4: '192.0.2.0/24', ipv6: '2001:db8:aaaa::/120' },
    { ipv4: '192.0.2.8/29', ipv6: '2001:db8:bbbb::/125' },
  ]);
  assert.equal(to6(t, '192.0.2.9'), '2001:db8:bbbb::1');
  assert.equal(to6(t, '192.0.2.7'), '2001:db8:aaaa::7');
  assert.equal(to6(t, '192.0.2.16'), '2001:db8:aaaa::10');
  // Overlap makes the mapping asymmetric: ::9 of the /120 goes out as 192.0.2.9, which comes back as the /125's ::1.
  assert.equal(to4(t, '2001:db8:aaaa::9'), '192.0.2.9');
  assert.equal(to4(t, '2001:db8:bbbb::1'), '192.0.2.9');
});

test('a /0 ↔ /96 entry maps every address', () => {
  const t = Eamt.fromConfig([{ ipv4: '0.0.0.0/0', ipv6: '2001:db8:1:2:3:4::/96' }]);
  assert.equal(to6(t, '203.0.113.77'), '2001:db8:1:2:3:4:cb00:714d');
  assert.equal(to4(t, '2001:db8:1:2:3:4:cb00:714d'), '203.0.113.77');
  assert.equal(to4(t, '2001:db8:1:2:3:5::'), null);
});

test('refuses entries whose suffix lengths differ, naming both and the field', () => {
  assert.throws(() => Eamt.fromConfig([JOOL_EXAMPLE[0]!, { ipv4: '192.0.2.128/26', ipv6: '2001:db8:dddd::/64' }], 'siit.eamt'), (e: unknown) => {
    assert.ok(e instanceof EamtSuffixMismatchError);
    assert.equal(e.code, 'ERR_EAMT_SUFFIX_MISMATCH');
    assert.equal(e.path, 'siit.eamt[1]');
    assert.match(e.message, /^siit\.eamt\[1\]: EAM "192\.0\.2\.128\/26 <-> 2001:db8:dddd::\/64" pairs a 6-bit IPv4 suffix with a 64-bit IPv6 suffix/);
    return true;
  });
  assert.throws(() => new Eamt().add(Ipv4Prefix.parse('192.0.2.0/24'), Ipv6Prefix.parse('2001:db8::/121')), EamtSuffixMismatchError);
});

test('refuses an entry that repeats an IPv4 or IPv6 prefix', () => {
  const t = Eamt.fromConfig(JOOL_EXAMPLE);
  assert.throws(() => t.add(Ipv4Prefix.parse('198.51.100.0/24'), Ipv6Prefix.parse('2001:db8:eeee::/120'), 'eamt[3]'), (e: unknown) => {
    assert.ok(e instanceof EamtDuplicateError);
    assert.equal(e.code, 'ERR_EAMT_DUPLICATE');
    assert.match(e.message, /^eamt\[3\]: .*repeats a prefix of EAM "198\.51\.100\.0\/24 <-> 2001:db8:bbbb::\/120"/);
    return true;
  });
  assert.throws(() => t.add(Ipv4Prefix.parse('198.51.200.0/24'), Ipv6Prefix.parse('2001:db8:bbbb::/120')), EamtDuplicateError);
  assert.equal(t.size, 3);
  assert.equal(to6(t, '198.51.100.1'), '2001:db8:bbbb::1');
});

test('fromConfig reports the field of a bad prefix', () => {
  assert.throws(() => Eamt.fromConfig([{ ipv4: '192.0.2.1/24', ipv6: '2001:db8::/120' }], 'tenant.eamt'), (e: unknown) => e instanceof PrefixHostBitsSetError && e.path === 'tenant.eamt[0].ipv4');
});

test('remove by either prefix; ids are reused and stale data never leaks', () => {
  const t = Eamt.fromConfig(JOOL_EXAMPLE);
  assert.ok(t.remove(Ipv4Prefix.parse('198.51.100.0/24')));
  assert.ok(!t.remove(Ipv6Prefix.parse('2001:db8:bbbb::/120')));
  assert.equal(to6(t, '198.51.100.1'), null);
  assert.equal(to4(t, '2001:db8:bbbb::1'), null);
  assert.ok(t.remove(Ipv6Prefix.parse('2001:db8:cccc::/125')));
  assert.equal(t.size, 1);
  t.add(Ipv4Prefix.parse('10.0.0.0/8'), Ipv6Prefix.parse('2001:db8:ffff:ffff:ffff:ffff:ff00::/104'));
  assert.equal(to6(t, '10.1.2.3'), '2001:db8:ffff:ffff:ffff:ffff:ff01:203');
  assert.equal(to4(t, '2001:db8:ffff:ffff:ffff:ffff:ff01:203'), '10.1.2.3');
  assert.equal(to6(t, '192.0.2.1'), '2001:db8:aaaa::5');
  assert.deepEqual(t.entries().map((e) => e.ipv4.toString()).sort(), ['10.0.0.0/8', '192.0.2.1/32']);
  assert.ok(t.contains4(ipv4Bytes(parseIpv4('10.9.9.9')), 0));
  assert.ok(t.contains4Number(parseIpv4('10.9.9.9')));
  assert.ok(!t.contains4Number(parseIpv4('11.0.0.0')));
  assert.ok(t.contains6(parseIpv6('2001:db8:aaaa::5'), 0));
  assert.ok(!t.contains6(parseIpv6('2001:db8:aaaa::6'), 0));
});

test('grows past its initial capacity', () => {
  const t = new Eamt();
  for (let i = 0; i < 100; i++) t.add(new Ipv4Prefix((0x0a000000 + i * 256) >>> 0, 24), Ipv6Prefix.parse('2001:db8:' + i.toString(16) + '::/120'));
  assert.equal(to6(t, '10.0.99.7'), '2001:db8:63::7');
  assert.equal(to4(t, '2001:db8:42::ff'), '10.0.66.255');
});

/** Reference model with BigInt: longest match, then prefix | (address & host mask). */
interface RefEntry { v4: number; len4: number; v6: bigint; len6: number }
function refTo6(entries: RefEntry[], a: number): bigint | null {
  let best: RefEntry | null = null;
  for (const e of entries) {
    const m = e.len4 === 0 ? 0 : (0xffffffff << (32 - e.len4)) >>> 0;
    if (((a & m) >>> 0) === e.v4 && (best === null || e.len4 > best.len4)) best = e;
  }
  if (best === null) return null;
  const host = best.len4 === 0 ? 0xffffffff : ~((0xffffffff << (32 - best.len4)) >>> 0) >>> 0;
  return best.v6 | BigInt((a & host) >>> 0);
}
function refTo4(entries: RefEntry[], a: bigint): number | null {
  let best: RefEntry | null = null;
  for (const e of entries) {
    if ((a >> BigInt(128 - e.len6)) === (e.v6 >> BigInt(128 - e.len6)) && (best === null || e.len6 > best.len6)) best = e;
  }
  if (best === null) return null;
  const host = (1n << BigInt(128 - best.len6)) - 1n;
  return (best.v4 | Number(a & host)) >>> 0;
}
function toBig(b: Uint8Array, off = 0): bigint {
  let x = 0n;
  for (let i = 0; i < 16; i++) x = (x << 8n) | BigInt(b[off + i]!);
  return x;
}
function fromBig(x: bigint): Uint8Array {
  const b = new Uint8Array(16);
  for (let i = 15; i >= 0; i--) {
    b[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return b;
}

test('property: both directions equal a BigInt reference on random overlapping tables', () => {
  let hits4 = 0;
  let hits6 = 0;
  const seed4 = fc.integer({ min: 0, max: 0xffffffff });
  const seed6 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
  const entryArb = fc.tuple(fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 0xffffffff }), fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }));
  fc.assert(fc.property(seed4, seed6, fc.array(entryArb, { minLength: 1, maxLength: 12 }), fc.array(fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 31 })), { minLength: 1, maxLength: 16 }), (s4, s6, raw, probes) => {
    const t = new Eamt();
    const ref: RefEntry[] = [];
    for (const [len4, x4, x6] of raw) {
      const len6 = 96 + len4;
      // Entries near the seeds so they nest.
      const m4 = len4 === 0 ? 0 : (0xffffffff << (32 - len4)) >>> 0;
      const v4 = ((s4 ^ (x4 & 0x0f0f00ff)) & m4) >>> 0;
      const v6 = ((s6 ^ (x6 & 0xffn) ^ ((x6 >> 8n) & 0xffffn) << 16n) >> BigInt(128 - len6)) << BigInt(128 - len6);
      try {
        t.add(new Ipv4Prefix(v4, len4), new Ipv6Prefix(fromBig(v6), len6));
        ref.push({ v4, len4, v6, len6 });
      } catch (e) {
        assert.ok(e instanceof EamtDuplicateError, String(e));
      }
    }
    assert.equal(t.size, ref.length);
    for (const [x, bitFlip] of probes) {
      const a4 = (s4 ^ (x & 0x0f0f00ff) ^ (1 << bitFlip)) >>> 0;
      const out6 = new Uint8Array(16);
      const got6 = t.translate4to6(ipv4Bytes(a4), 0, out6, 0);
      const want6 = refTo6(ref, a4);
      assert.equal(got6 ? toBig(out6) : null, want6);
      const a6 = s6 ^ BigInt((x & 0x0f0f00ff) >>> 0) ^ (1n << BigInt(bitFlip));
      const out4 = new Uint8Array(4);
      const got4 = t.translate6to4(fromBig(a6), 0, out4, 0);
      const want4 = refTo4(ref, a6);
      assert.equal(got4 ? parseIpv4(formatIpv4Bytes(out4)) : null, want4);
      if (want6 !== null) hits6++;
      if (want4 !== null) hits4++;
    }
  }), { numRuns: 300 });
  // The generators must exercise matches in both directions, not only misses.
  assert.ok(hits4 > 300 && hits6 > 300, 'matches: 6→4 ' + hits4 + ', 4→6 ' + hits6);
});

test('property: 4→6→4 and 6→4→6 are identities within a single entry', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 0xffffffff }), fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 0xffffffff }), (len4, x4, x6, host) => {
    const len6 = 96 + len4;
    const m4 = len4 === 0 ? 0 : (0xffffffff << (32 - len4)) >>> 0;
    const v6 = x6.slice();
    for (let i = len6; i < 128; i++) v6[i >>> 3]! &= ~(0x80 >>> (i & 7));
    const t = new Eamt();
    t.add(new Ipv4Prefix((x4 & m4) >>> 0, len4), new Ipv6Prefix(v6, len6));
    const a4 = (((x4 & m4) >>> 0) | (host & ~m4)) >>> 0;
    const buf6 = new Uint8Array(16);
    const buf4 = new Uint8Array(4);
    assert.ok(t.translate4to6(ipv4Bytes(a4), 0, buf6, 0));
    assert.ok(t.translate6to4(buf6, 0, buf4, 0));
    assert.equal(formatIpv4Bytes(buf4), formatIpv4Bytes(ipv4Bytes(a4)));
    const back6 = new Uint8Array(16);
    assert.ok(t.translate4to6(buf4, 0, back6, 0));
    assert.deepEqual(back6, buf6);
  }), { numRuns: 1000 });
});

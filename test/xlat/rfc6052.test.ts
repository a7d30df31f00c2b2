import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rfc6052Prefix, Rfc6052PrefixLengthError, Rfc6052UOctetError, RFC6052_PREFIX_LENGTHS } from '../../src/xlat/rfc6052.js';
import { Ipv6Prefix } from '../../src/addr/ipv6-prefix.js';
import { parseIpv6, formatIpv6 } from '../../src/addr/ipv6-address.js';
import { parseIpv4, ipv4Bytes, readIpv4 } from '../../src/addr/ipv4-address.js';

/** RFC 6052 §2.4, Table of examples (192.0.2.33 under each prefix length), plus the WKP. */
const RFC6052_EXAMPLES: [string, string, string][] = [
  ['2001:db8::/32', '192.0.2.33', '2001:db8:c000:221::'],
  ['2001:db8:100::/40', '192.0.2.33', '2001:db8:1c0:2:21::'],
  ['2001:db8:122::/48', '192.0.2.33', '2001:db8:122:c000:2:2100::'],
  ['2001:db8:122:300::/56', '192.0.2.33', '2001:db8:122:3c0:0:221::'],
  ['2001:db8:122:344::/64', '192.0.2.33', '2001:db8:122:344:c0:2:2100:0'],
  ['2001:db8:122:344::/96', '192.0.2.33', '2001:db8:122:344::192.0.2.33'],
  ['64:ff9b::/96', '192.0.2.33', '64:ff9b::192.0.2.33'],
];

test('RFC 6052 §2.4 examples, IPv4 to IPv6, into a poisoned buffer at an offset', () => {
  for (const [prefix, v4, v6] of RFC6052_EXAMPLES) {
    const p = new Rfc6052Prefix(Ipv6Prefix.parse(prefix));
    const src = new Uint8Array(9).fill(0xa5);
    src.set(ipv4Bytes(parseIpv4(v4)), 2);
    const out = new Uint8Array(24).fill(0xa5);
    p.embed(src, 2, out, 5);
    assert.deepEqual(out.subarray(5, 21), parseIpv6(v6), prefix);
    assert.ok(out.subarray(0, 5).every((x) => x === 0xa5) && out.subarray(21).every((x) => x === 0xa5), prefix + ': wrote outside the address');
    const out2 = new Uint8Array(16).fill(0xa5);
    p.embedIpv4(parseIpv4(v4), out2, 0);
    assert.deepEqual(out2, parseIpv6(v6), prefix + ' (number form)');
  }
});

test('RFC 6052 §2.4 examples, IPv6 to IPv4', () => {
  for (const [prefix, v4, v6] of RFC6052_EXAMPLES) {
    const p = new Rfc6052Prefix(Ipv6Prefix.parse(prefix));
    const src = new Uint8Array(20).fill(0xa5);
    src.set(parseIpv6(v6), 3);
    const out = new Uint8Array(8).fill(0xa5);
    assert.ok(p.extract(src, 3, out, 2), prefix);
    assert.deepEqual([...out], [0xa5, 0xa5, 192, 0, 2, 33, 0xa5, 0xa5], prefix);
    assert.equal(p.extractIpv4(src, 3), parseIpv4(v4), prefix);
  }
});

test('canonical text of the §2.4 examples', () => {
  const p = new Rfc6052Prefix(Ipv6Prefix.parse('2001:db8:122:344::/96'));
  const out = new Uint8Array(16);
  p.embedIpv4(parseIpv4('192.0.2.33'), out, 0);
  assert.equal(formatIpv6(out), '2001:db8:122:344::c000:221');
});

test('an address outside the prefix is not extracted and nothing is written', () => {
  const p = new Rfc6052Prefix(Ipv6Prefix.parse('2001:db8:122::/48'));
  const out = new Uint8Array(4).fill(0xa5);
  assert.equal(p.extract(parseIpv6('2001:db8:123:c000:2:2100::'), 0, out, 0), false);
  assert.deepEqual([...out], [0xa5, 0xa5, 0xa5, 0xa5]);
  assert.equal(p.extractIpv4(parseIpv6('2001:db8:123::'), 0), -1);
  assert.ok(p.contains(parseIpv6('2001:db8:122:ffff::'), 0));
});

test('extraction ignores a non-zero u-octet and suffix (RFC 6052 §2.2; as Jool)', () => {
  const cases: [string, string][] = [
    ['2001:db8:122::/48', '2001:db8:122:c000:ff02:2100::'],
    ['2001:db8:122::/48', '2001:db8:122:c000:2:21ff:ffff:ffff'],
    ['2001:db8:122:344::/64', '2001:db8:122:344:ffc0:2:2100:ffff'],
    ['2001:db8::/32', '2001:db8:c000:221:ff00::1'],
  ];
  for (const [prefix, v6] of cases) {
    assert.equal(new Rfc6052Prefix(Ipv6Prefix.parse(prefix)).extractIpv4(parseIpv6(v6), 0), parseIpv4('192.0.2.33'), v6);
  }
});

test('refuses prefix lengths other than 32, 40, 48, 56, 64, 96 (RFC 6052 §2.2)', () => {
  for (const prefix of ['::/0', '2001:d00::/24', '2001:db8::/33', '2001:db8::/72', '2001:db8::/80', '2001:db8::/95', '2001:db8::/128']) {
    assert.throws(() => new Rfc6052Prefix(Ipv6Prefix.parse(prefix), 'siit.pool6'), (e: unknown) => {
      assert.ok(e instanceof Rfc6052PrefixLengthError, prefix);
      assert.equal(e.code, 'ERR_RFC6052_PREFIX_LENGTH');
      assert.equal(e.path, 'siit.pool6');
      assert.match(e.message, /^siit\.pool6: RFC 6052 prefix .* must have length 32, 40, 48, 56, 64 or 96/);
      return true;
    }, prefix);
  }
});

test('refuses a /96 whose bits 64-71 are not zero (RFC 6052 §2.2)', () => {
  assert.throws(() => new Rfc6052Prefix(Ipv6Prefix.parse('2001:db8:0:0:100::/96')), (e: unknown) => e instanceof Rfc6052UOctetError && e.code === 'ERR_RFC6052_U_OCTET');
  assert.doesNotThrow(() => new Rfc6052Prefix(Ipv6Prefix.parse('2001:db8:0:0:1::/96')));
});

const prefixArb = fc.tuple(fc.constantFrom(...RFC6052_PREFIX_LENGTHS), fc.uint8Array({ minLength: 16, maxLength: 16 })).map(([len, raw]) => {
  const b = raw.slice();
  for (let i = len; i < 128; i++) b[i >>> 3]! &= ~(0x80 >>> (i & 7));
  b[8] = 0;
  return new Rfc6052Prefix(new Ipv6Prefix(b, len));
});

test('property: extract∘embed is the identity for every prefix length, with u-octet and suffix zero', () => {
  fc.assert(fc.property(prefixArb, fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 8 }), (p, v4, off) => {
    const buf = new Uint8Array(off + 16).fill(0xa5);
    p.embedIpv4(v4, buf, off);
    assert.equal(buf[off + 8], 0, 'u-octet');
    assert.ok(p.contains(buf, off));
    assert.equal(p.extractIpv4(buf, off), v4);
    const out = new Uint8Array(4);
    assert.ok(p.extract(buf, off, out, 0));
    assert.equal(readIpv4(out, 0), v4);
    // Bytes after the embedded address (the suffix) are zero.
    const last = p.length === 96 ? 16 : p.length / 8 + 5;
    for (let i = last; i < 16; i++) assert.equal(buf[off + i], 0, 'suffix byte ' + i);
  }), { numRuns: 2000 });
});

test('property: embed works in place (IPv4 source overlapping the IPv6 output)', () => {
  fc.assert(fc.property(prefixArb, fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 12 }), (p, v4, at) => {
    const buf = new Uint8Array(16);
    buf.set(ipv4Bytes(v4), at);
    p.embed(buf, at, buf, 0);
    assert.equal(p.extractIpv4(buf, 0), v4);
  }));
});

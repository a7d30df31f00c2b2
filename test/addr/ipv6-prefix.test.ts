import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Ipv6Prefix } from '../../src/addr/ipv6-prefix.js';
import { InvalidIpv6AddressError, InvalidPrefixLengthError, PrefixHostBitsSetError } from '../../src/addr/address-config-error.js';
import { parseIpv6 } from '../../src/addr/ipv6-address.js';

test('parses address/len and a bare address as /128', () => {
  const p = Ipv6Prefix.parse('2001:db8:122:344::/64');
  assert.equal(p.length, 64);
  assert.deepEqual(p.bytes, parseIpv6('2001:db8:122:344::'));
  assert.equal(p.toString(), '2001:db8:122:344::/64');
  assert.equal(Ipv6Prefix.parse('2001:db8::1').toString(), '2001:db8::1/128');
  assert.equal(Ipv6Prefix.parse('::/0').toString(), '::/0');
  assert.equal(Ipv6Prefix.parse('64:ff9b::/96').toString(), '64:ff9b::/96');
});

test('refuses host bits set, suggesting the masked prefix', () => {
  assert.throws(() => Ipv6Prefix.parse('2001:db8::1/64', 'siit.pool6'), (e: unknown) => {
    assert.ok(e instanceof PrefixHostBitsSetError);
    assert.equal(e.code, 'ERR_PREFIX_HOST_BITS_SET');
    assert.match(e.message, /^siit\.pool6: prefix "2001:db8::1\/64" has host bits set.*"2001:db8::\/64"/);
    return true;
  });
  // The bit right after a length that is not a multiple of 8.
  assert.throws(() => Ipv6Prefix.parse('2001:db8:4000::/33'), PrefixHostBitsSetError);
  assert.doesNotThrow(() => Ipv6Prefix.parse('2001:db8:4000::/34'));
});

test('refuses bad lengths and bad addresses', () => {
  for (const text of ['::/129', '::/', '::/01', '::/1000', '::/x']) {
    assert.throws(() => Ipv6Prefix.parse(text), InvalidPrefixLengthError, text);
  }
  assert.throws(() => Ipv6Prefix.parse('2001:db8:::/32'), InvalidIpv6AddressError);
  assert.throws(() => new Ipv6Prefix(new Uint8Array(16), 129), InvalidPrefixLengthError);
  assert.throws(() => new Ipv6Prefix(new Uint8Array(4), 0), RangeError);
});

test('contains at an offset, including partial bytes', () => {
  const p = Ipv6Prefix.parse('2001:db8:c000::/35');
  const cases: [string, boolean][] = [
    ['2001:db8:c000::1', true], ['2001:db8:dfff:ffff::', true], ['2001:db8:e000::', false], ['2001:db8:bfff::', false], ['2001:db9:c000::', false],
  ];
  for (const [a, inside] of cases) {
    const buf = new Uint8Array(24).fill(0xa5);
    buf.set(parseIpv6(a), 7);
    assert.equal(p.contains(buf, 7), inside, a);
  }
  assert.ok(Ipv6Prefix.parse('::/0').contains(parseIpv6('ffff::'), 0));
  assert.ok(p.covers(Ipv6Prefix.parse('2001:db8:c000::/48')));
  assert.ok(!p.covers(Ipv6Prefix.parse('2001:db8::/32')));
  assert.ok(p.equals(Ipv6Prefix.parse('2001:db8:c000::/35')));
  assert.ok(!p.equals(Ipv6Prefix.parse('2001:db8:c000::/36')));
});

function bit(b: Uint8Array, i: number): number {
  return (b[i >>> 3]! >>> (7 - (i & 7))) & 1;
}

test('property: toString∘parse is the identity and contains agrees with a bit-by-bit comparison', () => {
  const bytes16 = fc.uint8Array({ minLength: 16, maxLength: 16 });
  fc.assert(fc.property(bytes16, fc.integer({ min: 0, max: 128 }), bytes16, (raw, len, x) => {
    const net = raw.slice();
    for (let i = len; i < 128; i++) net[i >>> 3]! &= ~(0x80 >>> (i & 7));
    const p = new Ipv6Prefix(net, len);
    assert.ok(Ipv6Prefix.parse(p.toString()).equals(p));
    let expected = true;
    for (let i = 0; i < len; i++) if (bit(x, i) !== bit(net, i)) expected = false;
    assert.equal(p.contains(x, 0), expected);
    assert.ok(p.contains(net, 0));
  }));
});

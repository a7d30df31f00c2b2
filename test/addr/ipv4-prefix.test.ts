import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Ipv4Prefix, ipv4Mask } from '../../src/addr/ipv4-prefix.js';
import { InvalidIpv4AddressError, InvalidPrefixLengthError, PrefixHostBitsSetError } from '../../src/addr/address-config-error.js';
import { parseIpv4 } from '../../src/addr/ipv4-address.js';

test('parses a/len and a bare address as /32', () => {
  const p = Ipv4Prefix.parse('192.0.2.0/24');
  assert.equal(p.address, 0xc0000200);
  assert.equal(p.length, 24);
  assert.equal(p.mask, 0xffffff00);
  assert.deepEqual([...p.bytes], [192, 0, 2, 0]);
  assert.equal(p.toString(), '192.0.2.0/24');
  assert.equal(Ipv4Prefix.parse('192.0.2.7').toString(), '192.0.2.7/32');
  assert.equal(Ipv4Prefix.parse('0.0.0.0/0').mask, 0);
  assert.equal(ipv4Mask(32), 0xffffffff);
  assert.equal(ipv4Mask(1), 0x80000000);
});

test('refuses host bits set, with the intended prefix in the message', () => {
  assert.throws(() => Ipv4Prefix.parse('192.0.2.1/24', 'eamt[3].ipv4'), (e: unknown) => {
    assert.ok(e instanceof PrefixHostBitsSetError);
    assert.equal(e.code, 'ERR_PREFIX_HOST_BITS_SET');
    assert.equal(e.path, 'eamt[3].ipv4');
    assert.match(e.message, /^eamt\[3\]\.ipv4: prefix "192\.0\.2\.1\/24" has host bits set.*"192\.0\.2\.0\/24"/);
    return true;
  });
  assert.throws(() => new Ipv4Prefix(0xc0000201, 31), PrefixHostBitsSetError);
  assert.throws(() => Ipv4Prefix.parse('128.0.0.0/0'), PrefixHostBitsSetError);
});

test('refuses bad lengths and bad addresses', () => {
  for (const text of ['192.0.2.0/33', '192.0.2.0/', '192.0.2.0/-1', '192.0.2.0/08', '192.0.2.0/2x', '192.0.2.0/24/1']) {
    assert.throws(() => Ipv4Prefix.parse(text), (e: unknown) => e instanceof InvalidPrefixLengthError && e.code === 'ERR_INVALID_PREFIX_LENGTH', text);
  }
  assert.throws(() => Ipv4Prefix.parse('192.0.2/24'), InvalidIpv4AddressError);
  assert.throws(() => new Ipv4Prefix(0, 40), InvalidPrefixLengthError);
});

test('contains, containsBytes, covers, equals', () => {
  const p = Ipv4Prefix.parse('198.51.100.0/22');
  const cases: [string, boolean][] = [
    ['198.51.100.0', true], ['198.51.103.255', true], ['198.51.99.255', false], ['198.51.104.0', false],
  ];
  for (const [a, inside] of cases) {
    assert.equal(p.contains(parseIpv4(a)), inside, a);
    const b = new Uint8Array(9).fill(0xa5);
    b.set(Ipv4Prefix.parse(a).bytes, 5);
    assert.equal(p.containsBytes(b, 5), inside, a);
  }
  assert.ok(p.covers(Ipv4Prefix.parse('198.51.101.0/24')));
  assert.ok(!p.covers(Ipv4Prefix.parse('198.51.96.0/20')));
  assert.ok(Ipv4Prefix.parse('0.0.0.0/0').contains(0xffffffff));
  assert.ok(p.equals(Ipv4Prefix.parse('198.51.100.0/22')));
  assert.ok(!p.equals(Ipv4Prefix.parse('198.51.100.0/23')));
});

test('property: toString∘parse is the identity and contains agrees with a mask comparison', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 0xffffffff }), (a, len, x) => {
    const net = (a & ipv4Mask(len)) >>> 0;
    const p = new Ipv4Prefix(net, len);
    assert.ok(Ipv4Prefix.parse(p.toString()).equals(p));
    const expected = len === 0 || (x >>> (32 - len)) === (net >>> (32 - len));
    assert.equal(p.contains(x), expected);
  }));
});

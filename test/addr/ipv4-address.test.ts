import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatIpv4, formatIpv4Bytes, ipv4Bytes, parseIpv4, readIpv4, writeIpv4 } from '../../src/addr/ipv4-address.js';
import { InvalidIpv4AddressError } from '../../src/addr/address-config-error.js';

test('parses dotted-quad decimal to an unsigned 32-bit number', () => {
  const cases: [string, number][] = [
    ['0.0.0.0', 0],
    ['255.255.255.255', 0xffffffff],
    ['192.0.2.33', 0xc0000221],
    ['10.0.0.1', 0x0a000001],
    ['128.0.0.0', 0x80000000],
  ];
  for (const [text, n] of cases) assert.equal(parseIpv4(text), n, text);
});

test('refuses anything but strict dotted-quad decimal, naming the problem and the field', () => {
  const cases: [string, RegExp][] = [
    ['', /four decimal octets/],
    ['1.2.3', /four decimal octets/],
    ['1.2.3.4.5', /four decimal octets/],
    ['1.2.3.256', /greater than 255/],
    ['1.2.3.-1', /not 1 to 3 decimal digits/],
    ['1..3.4', /not 1 to 3 decimal digits/],
    ['0x1.2.3.4', /not 1 to 3 decimal digits/],
    [' 1.2.3.4', /not 1 to 3 decimal digits/],
    ['1.2.3.4/24', /not 1 to 3 decimal digits/],
    ['1.2.3.0004', /not 1 to 3 decimal digits/],
    // RFC 6943 §3.1.1: 010 is 8 to inet_aton and 10 to others.
    ['010.0.0.1', /leading zero/],
    ['1.2.3.00', /leading zero/],
  ];
  for (const [text, why] of cases) {
    assert.throws(() => parseIpv4(text, 'siit.pool4[0]'), (e: unknown) => {
      assert.ok(e instanceof InvalidIpv4AddressError, text);
      assert.equal(e.code, 'ERR_INVALID_IPV4_ADDRESS');
      assert.equal(e.path, 'siit.pool4[0]');
      assert.match(e.message, /^siit\.pool4\[0\]: invalid IPv4 address/);
      assert.match(e.message, why, text);
      return true;
    });
  }
});

test('reads and writes 4 bytes at a non-zero offset and touches nothing else', () => {
  const buf = new Uint8Array(12).fill(0xa5);
  writeIpv4(0xc0000221, buf, 5);
  assert.deepEqual([...buf], [0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 192, 0, 2, 33, 0xa5, 0xa5, 0xa5]);
  assert.equal(readIpv4(buf, 5), 0xc0000221);
  assert.equal(formatIpv4Bytes(buf, 5), '192.0.2.33');
  assert.deepEqual([...ipv4Bytes(0x01020304)], [1, 2, 3, 4]);
});

test('property: parse∘format and format∘parse are identities', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
    const text = formatIpv4(n);
    assert.equal(parseIpv4(text), n);
    assert.equal(formatIpv4(parseIpv4(text)), text);
    const b = new Uint8Array(7);
    writeIpv4(n, b, 3);
    assert.equal(readIpv4(b, 3), n);
  }));
});

test('property: random strings either parse to a value that formats back or throw the typed error', () => {
  fc.assert(fc.property(fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '9', '.', 'x', ' ', '-'), maxLength: 18 }), (s) => {
    try {
      assert.equal(formatIpv4(parseIpv4(s)), s);
    } catch (e) {
      assert.ok(e instanceof InvalidIpv4AddressError, String(e));
    }
  }));
});

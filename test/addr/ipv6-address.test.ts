import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatIpv6, ipv6Equal, parseIpv6 } from '../../src/addr/ipv6-address.js';
import { InvalidIpv6AddressError } from '../../src/addr/address-config-error.js';

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

test('parses RFC 4291 §2.2 text forms', () => {
  const cases: [string, string][] = [
    ['2001:DB8:0:0:8:800:200C:417A', '20010db80000000000080800200c417a'],
    ['2001:DB8::8:800:200C:417A', '20010db80000000000080800200c417a'],
    ['FF01:0:0:0:0:0:0:101', 'ff010000000000000000000000000101'],
    ['FF01::101', 'ff010000000000000000000000000101'],
    ['::1', '00000000000000000000000000000001'],
    ['::', '00000000000000000000000000000000'],
    ['1::', '00010000000000000000000000000000'],
    ['0:0:0:0:0:0:13.1.68.3', '0000000000000000000000000d014403'],
    ['::13.1.68.3', '0000000000000000000000000d014403'],
    ['0:0:0:0:0:FFFF:129.144.52.38', '00000000000000000000ffff81903426'],
    ['::FFFF:129.144.52.38', '00000000000000000000ffff81903426'],
    ['1:2:3:4:5:6:1.2.3.4', '00010002000300040005000601020304'],
    // "::" stands for exactly one group here.
    ['1:2:3:4:5:6:7::', '00010002000300040005000600070000'],
    ['::2:3:4:5:6:7:8', '00000002000300040005000600070008'],
    ['64:ff9b::192.0.2.33', '0064ff9b0000000000000000c0000221'],
  ];
  for (const [text, bytes] of cases) assert.equal(hex(parseIpv6(text)), bytes, text);
});

test('refuses malformed text with a typed error naming the problem and the field', () => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    [':::', /only once|empty group/],
    ['1::2::3', /only once/],
    ['1:2:3:4:5:6:7', /expected 8 groups/],
    ['1:2:3:4:5:6:7:8:9', /expected 8 groups/],
    ['1:2:3:4:5:6:7:8::', /too many groups/],
    ['::1:2:3:4:5:6:7:8', /too many groups/],
    ['12345::', /not 1 to 4 hex digits/],
    ['g::', /not 1 to 4 hex digits/],
    [':1::', /empty group/],
    ['1::2:', /empty group/],
    ['1:2:3:4:5:6:7:8:', /empty group/],
    ['1.2.3.4::', /may only end/],
    ['::1.2.3', /dotted quad/],
    ['::1.2.3.04', /dotted quad/],
    ['::1.2.3.4:5', /may only end/],
    ['1:2:3:4:5:6:7:1.2.3.4', /expected 8 groups/],
    ['fe80::1%eth0', /zone/],
    ['2001:db8::/32', /not 1 to 4 hex digits/],
  ];
  for (const [text, why] of cases) {
    assert.throws(() => parseIpv6(text, 'siit.pool6'), (e: unknown) => {
      assert.ok(e instanceof InvalidIpv6AddressError, text + ' threw ' + String(e));
      assert.equal(e.code, 'ERR_INVALID_IPV6_ADDRESS');
      assert.equal(e.path, 'siit.pool6');
      assert.match(e.message, why, text + ': ' + e.message);
      return true;
    }, text);
  }
});

test('formats canonical text per RFC 5952', () => {
  const cases: [string, string, string][] = [
    ['§4.1 no leading zeros', '2001:0db8::0001', '2001:db8::1'],
    ['§4.2.1 shorten as much as possible', '2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['§4.2.2 a single zero group is not compressed', '2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['§4.2.3 the longest run is compressed', '2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['§4.2.3 the first run on ties', '2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['§4.3 lowercase', '2001:DB8::ABCD:EF', '2001:db8::abcd:ef'],
    ['all zeros', '0:0:0:0:0:0:0:0', '::'],
    ['loopback', '0:0:0:0:0:0:0:1', '::1'],
    ['trailing run', '1:0:0:0:0:0:0:0', '1::'],
    ['run at the end beats a shorter one', '1:0:0:2:0:0:0:0', '1:0:0:2::'],
    ['§5 IPv4-mapped in mixed notation', '::ffff:c000:0201', '::ffff:192.0.2.1'],
    ['IPv4-compatible (deprecated) stays hex', '::c000:201', '::c000:201'],
    ['RFC 6052 WKP stays hex', '64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['no zero group', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
  ];
  for (const [name, input, canonical] of cases) assert.equal(formatIpv6(parseIpv6(input)), canonical, name);
});

test('formats at a non-zero offset and compares in place', () => {
  const buf = new Uint8Array(20).fill(0xa5);
  buf.set(parseIpv6('2001:db8::1'), 3);
  assert.equal(formatIpv6(buf, 3), '2001:db8::1');
  assert.ok(ipv6Equal(buf, 3, parseIpv6('2001:db8::1'), 0));
  assert.ok(!ipv6Equal(buf, 3, parseIpv6('2001:db8::2'), 0));
});

/** Addresses rich in zero groups, so runs and ties come up often. */
const address = fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 })
  .map((words) => {
    const b = new Uint8Array(16);
    words.forEach((w, i) => {
      b[2 * i] = w >>> 8;
      b[2 * i + 1] = w & 0xff;
    });
    return b;
  });

test('property: parse∘format is the identity on bytes and format is idempotent on text', () => {
  fc.assert(fc.property(address, (b) => {
    const text = formatIpv6(b);
    assert.deepEqual(parseIpv6(text), b);
    assert.equal(formatIpv6(parseIpv6(text)), text);
  }), { numRuns: 2000 });
});

test('property: canonical text agrees with the WHATWG URL host serializer (same zero-run rules)', () => {
  fc.assert(fc.property(address, (b) => {
    const text = formatIpv6(b);
    if (text.startsWith('::ffff:') && text.includes('.')) return; // URL serializes mapped addresses in hex
    assert.equal(new URL('http://[' + text + ']/').hostname, '[' + text + ']');
  }), { numRuns: 1000 });
});

test('property: random text either parses to an address that re-parses the same, or throws the typed error', () => {
  const unit = fc.constantFrom('0', '1', 'f', 'F', ':', ':', '.', '9', 'g', '%');
  fc.assert(fc.property(fc.string({ unit, maxLength: 40 }), (s) => {
    let b: Uint8Array;
    try {
      b = parseIpv6(s);
    } catch (e) {
      assert.ok(e instanceof InvalidIpv6AddressError, String(e));
      return;
    }
    assert.deepEqual(parseIpv6(formatIpv6(b)), b);
  }), { numRuns: 3000 });
});

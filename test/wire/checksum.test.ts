import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  adjustChecksum, adjustChecksum16, finishChecksum, foldSum, internetChecksum, pseudoHeaderSum4,
  pseudoHeaderSum6, sumWords, verifyChecksum,
} from '../../src/wire/checksum.js';

function bytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
}

/** Reference sum: the word-at-a-time loop of RFC 1071 §4.1 with a fold after every add. */
function referenceChecksum(buf: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < buf.length; i += 2) {
    sum += (buf[i]! << 8) | (i + 1 < buf.length ? buf[i + 1]! : 0);
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  return ~sum & 0xffff;
}

test('RFC 1071 §3 numeric example: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2', () => {
  const b = bytes('0001f203f4f5f6f7');
  assert.equal(foldSum(sumWords(b, 0, b.length, 0)), 0xddf2);
  assert.equal(internetChecksum(b, 0, b.length), 0x220d);
});

test('RFC 1071 §3 example verifies once its checksum is appended', () => {
  const b = bytes('0001f203f4f5f6f7220d');
  assert.ok(verifyChecksum(b, 0, b.length));
  b[9] ^= 1;
  assert.ok(!verifyChecksum(b, 0, b.length));
});

test('RFC 1624 §4 example: eqn. 3 gives 0x0000 where eqn. 2 would give 0xffff', () => {
  assert.equal(adjustChecksum16(0xdd2f, 0x5555, 0x3285), 0x0000);
  assert.equal(adjustChecksum(0xdd2f, 0x5555, 0x3285), 0x0000);
});

test('odd length pads the last byte with zero (RFC 1071 §4.1)', () => {
  assert.equal(sumWords(bytes('01'), 0, 1, 0), 0x0100);
  assert.equal(sumWords(bytes('0102ab'), 0, 3, 0), 0x0102 + 0xab00);
  // Only the bytes in range count, whatever follows them in the buffer.
  assert.equal(sumWords(bytes('ff0102abff'), 1, 3, 0), 0x0102 + 0xab00);
  assert.equal(internetChecksum(bytes('ab'), 0, 1), ~0xab00 & 0xffff);
});

test('sumWords at an offset and with an initial sum', () => {
  const b = bytes('ffff0001f203f4f5f6f7');
  assert.equal(foldSum(sumWords(b, 2, 8, 0)), 0xddf2);
  assert.equal(sumWords(b, 2, 8, 5), sumWords(b, 2, 8, 0) + 5);
});

test('foldSum keeps the ones-complement value of sums past 2^32 and 2^48', () => {
  assert.equal(foldSum(0), 0);
  assert.equal(foldSum(0xffff), 0xffff);
  assert.equal(foldSum(0x10000), 1);
  assert.equal(foldSum(0x1fffe), 0xffff);
  assert.equal(foldSum(0xffffffff), 0xffff);
  assert.equal(foldSum(0x100000000), 1);
  // Three words of 0xffff: one division step leaves 2^32 + 0xfffe, which must not be truncated.
  assert.equal(foldSum(2 ** 48 - 1), 0xffff);
  assert.equal(foldSum(2 ** 53 - 1), (2 ** 53 - 1) % 0xffff || 0xffff);
});

test('finishChecksum is the complement of the folded sum', () => {
  assert.equal(finishChecksum(0xddf2), 0x220d);
  assert.equal(finishChecksum(0), 0xffff);
  assert.equal(finishChecksum(0xffff), 0);
});

test('pseudoHeaderSum4 equals the sum of the RFC 768 pseudo-header laid out in bytes', () => {
  const ip = bytes('c0000201 c6336402');
  // src, dst, zero, protocol 17, length 0x1234
  const pseudo = bytes('c0000201 c6336402 0011 1234');
  assert.equal(foldSum(pseudoHeaderSum4(ip, 0, 4, 17, 0x1234)), foldSum(sumWords(pseudo, 0, pseudo.length, 0)));
});

test('pseudoHeaderSum6 equals the sum of the RFC 8200 §8.1 pseudo-header laid out in bytes', () => {
  const ip = bytes('20010db8000000000000000000000001 20010db8000000000000000000000002');
  // src, dst, 32-bit length 0x00012345, 3 zero bytes, next header 58
  const pseudo = bytes('20010db8000000000000000000000001 20010db8000000000000000000000002 00012345 0000003a');
  assert.equal(foldSum(pseudoHeaderSum6(ip, 0, 16, 58, 0x12345)), foldSum(sumWords(pseudo, 0, pseudo.length, 0)));
});

test('property: sumWords checksum equals the reference loop for any bytes', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
    assert.equal(internetChecksum(b, 0, b.length), referenceChecksum(b));
  }));
});

test('property: data with its checksum inserted verifies', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 2, maxLength: 200 }), fc.nat(), (raw, at) => {
    const b = Uint8Array.from(raw);
    const pos = (at % (b.length >> 1)) * 2;
    b[pos] = 0; b[pos + 1] = 0;
    const c = internetChecksum(b, 0, b.length);
    b[pos] = c >> 8; b[pos + 1] = c & 0xff;
    assert.ok(verifyChecksum(b, 0, b.length));
  }));
});

test('property: adjustChecksum16 equals a full recomputation (RFC 1624)', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 4, maxLength: 120 }), fc.nat(), fc.integer({ min: 0, max: 0xffff }), (raw, at, word) => {
    const b = Uint8Array.from(raw.length & 1 ? raw.subarray(1) : raw);
    const words = b.length >> 1;
    const pos = (at % words) * 2;
    const before = internetChecksum(b, 0, b.length);
    const old = (b[pos]! << 8) | b[pos + 1]!;
    b[pos] = word >> 8; b[pos + 1] = word & 0xff;
    const full = internetChecksum(b, 0, b.length);
    const adjusted = adjustChecksum16(before, old, word);
    const allZero = b.every((x) => x === 0);
    // 0x0000 and 0xffff are both zero in ones' complement; eqn. 3 differs from a recomputation
    // only in that representation, and only for all-zero data.
    if (allZero) assert.equal(adjusted % 0xffff, full % 0xffff);
    else assert.equal(adjusted, full);
  }));
});

test('property: adjustChecksum over a replaced span equals a full recomputation', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 40, maxLength: 80 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (raw, repl) => {
    const b = Uint8Array.from(raw);
    const before = internetChecksum(b, 0, b.length);
    const oldSum = sumWords(b, 8, 16, 0);
    b.set(repl, 8);
    const newSum = sumWords(b, 8, 16, 0);
    const adjusted = adjustChecksum(before, oldSum, newSum);
    assert.equal(adjusted % 0xffff, internetChecksum(b, 0, b.length) % 0xffff);
  }));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EMPTY_BYTES, readU16, readU32, writeU16, writeU32 } from '../../src/wire/byte-order.js';
import * as wire from '../../src/wire/index.js';
import { Ipv4Packet } from '../../src/wire/ipv4.js';
import { TcpPacket } from '../../src/wire/tcp.js';

/** Named reads: bytes as they sit on the wire and the number each field means. */
const reads: { name: string; bytes: number[]; off: number; u16: number; u32: number }[] = [
  // RFC 791 §3.1 total length 0x0054 (84) then Identification 0x1c46.
  { name: 'IPv4 total length, then ident', bytes: [0x45, 0x00, 0x00, 0x54, 0x1c, 0x46], off: 2, u16: 0x0054, u32: 0x00541c46 },
  // 192.0.2.1 (RFC 5737) as a source address at header offset 12 of a buffer.
  { name: '192.0.2.1 at offset 12', bytes: [...new Array<number>(12).fill(0xee), 192, 0, 2, 1], off: 12, u16: 0xc000, u32: 0xc0000201 },
  // A TCP sequence number at and above 2^31 must stay positive.
  { name: 'sequence 0x80000000', bytes: [0x11, 0x80, 0x00, 0x00, 0x00], off: 1, u16: 0x8000, u32: 0x80000000 },
  { name: 'all ones', bytes: [0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff], off: 3, u16: 0xffff, u32: 0xffffffff },
  { name: 'odd offset, not word aligned', bytes: [0xaa, 0x12, 0x34, 0x56, 0x78, 0xbb], off: 1, u16: 0x1234, u32: 0x12345678 },
];

for (const v of reads) {
  test(`read ${v.name}: big-endian, unsigned`, () => {
    const b = Uint8Array.from(v.bytes);
    assert.equal(readU16(b, v.off), v.u16);
    assert.equal(readU32(b, v.off), v.u32);
    assert.ok(readU32(b, v.off) >= 0);
  });
}

test('readU16 does not read the bytes around the field', () => {
  const b = Uint8Array.from([0xff, 0x01, 0x02, 0xff]);
  assert.equal(readU16(b, 1), 0x0102);
});

/** Named writes into a buffer pre-filled with 0xa5: exactly the field's bytes change. */
const writes: { name: string; off: number; value: number; u16: number[]; u32: number[] }[] = [
  { name: 'port 443', off: 0, value: 443, u16: [0x01, 0xbb], u32: [0x00, 0x00, 0x01, 0xbb] },
  { name: '203.0.113.7 at offset 5', off: 5, value: 0xcb007107, u16: [0x71, 0x07], u32: [0xcb, 0x00, 0x71, 0x07] },
  { name: '2^31 + 1', off: 2, value: 0x80000001, u16: [0x00, 0x01], u32: [0x80, 0x00, 0x00, 0x01] },
  // Above 32 bits: only the low bits land (ToInt32 semantics of the shifts and the byte store).
  { name: '2^32 + 0x1234 masks to 0x00001234', off: 3, value: 0x100001234, u16: [0x12, 0x34], u32: [0x00, 0x00, 0x12, 0x34] },
  { name: '0x12345 masks to 16 bits', off: 1, value: 0x12345, u16: [0x23, 0x45], u32: [0x00, 0x01, 0x23, 0x45] },
  { name: '-1 writes all ones', off: 4, value: -1, u16: [0xff, 0xff], u32: [0xff, 0xff, 0xff, 0xff] },
];

function poisoned(n: number): Uint8Array {
  return new Uint8Array(n).fill(0xa5);
}

for (const v of writes) {
  test(`write ${v.name}: big-endian, masked, neighbours untouched`, () => {
    const b16 = poisoned(v.off + 6);
    writeU16(b16, v.off, v.value);
    const want16 = poisoned(v.off + 6);
    want16.set(v.u16, v.off);
    assert.deepEqual(b16, want16);
    assert.equal(readU16(b16, v.off), v.value & 0xffff);

    const b32 = poisoned(v.off + 8);
    writeU32(b32, v.off, v.value);
    const want32 = poisoned(v.off + 8);
    want32.set(v.u32, v.off);
    assert.deepEqual(b32, want32);
    assert.equal(readU32(b32, v.off), v.value >>> 0);
  });
}

test('EMPTY_BYTES is the zero-length placeholder every unbound view holds', () => {
  assert.equal(EMPTY_BYTES.length, 0);
  assert.equal(new Ipv4Packet().buf, EMPTY_BYTES);
  assert.equal(new TcpPacket().buf, EMPTY_BYTES);
});

test('the wire index exports the byte-order functions', () => {
  assert.equal(wire.readU16, readU16);
  assert.equal(wire.readU32, readU32);
  assert.equal(wire.writeU16, writeU16);
  assert.equal(wire.writeU32, writeU32);
  assert.equal(wire.EMPTY_BYTES, EMPTY_BYTES);
});

test('property: write then read is the value masked to 16 and 32 bits, at any offset', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 64 }), fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), (off, v) => {
    const b = poisoned(off + 4);
    writeU16(b, off, v);
    assert.equal(readU16(b, off), v & 0xffff);
    writeU32(b, off, v);
    assert.equal(readU32(b, off), Number(BigInt.asUintN(32, BigInt(v))));
  }));
});

test('property: readU32 is the two readU16 halves, high first, and matches DataView', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 4, maxLength: 32 }), fc.nat(), (bytes, at) => {
    const off = at % (bytes.length - 3);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    assert.equal(readU32(bytes, off), readU16(bytes, off) * 0x10000 + readU16(bytes, off + 2));
    assert.equal(readU32(bytes, off), dv.getUint32(off, false));
    assert.equal(readU16(bytes, off), dv.getUint16(off, false));
  }));
});

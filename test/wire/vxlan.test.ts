import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { emitVxlan, parseVxlan, VXLAN_FLAG_I, VXLAN_HEADER_LEN, VxlanPacket, VxlanRepr, vxlanReprLen } from '../../src/wire/vxlan.js';
import { DropCounters } from '../../src/wire/drop-reasons.js';
import { WireDrop } from '../../src/wire/wire-drop.js';
import { fromHex, l4Vectors, toHex } from '../golden/l4/vectors.js';

const counters = new DropCounters(WireDrop);

/** Counts `code` as a stage would and checks it landed on `reason`'s counter. */
function expectDrop(code: number, reason: Parameters<typeof counters.get>[0]): void {
  const before = counters.get(reason);
  counters.add(code);
  assert.equal(code, WireDrop.code[reason]);
  assert.equal(counters.get(reason), before + 1);
}

const view = new VxlanPacket();

for (const v of l4Vectors('vxlan')) {
  const f = v.fields as { flags: number; vni: number; payloadLength: number };
  test(`scapy vector ${v.name}: parses to scapy's fields`, () => {
    const pkt = fromHex(v.hex);
    const out = new VxlanRepr();
    assert.equal(parseVxlan(view.bind(pkt, 0, pkt.length), out), 0);
    assert.equal(view.flags(), f.flags);
    assert.equal(out.vni, f.vni);
    assert.equal(out.payloadLen, f.payloadLength);
    assert.equal(view.payloadOff(), VXLAN_HEADER_LEN);
  });

  test(`scapy vector ${v.name}: emit into a poisoned buffer reproduces scapy's bytes`, () => {
    const pkt = fromHex(v.hex);
    const out = new VxlanRepr();
    parseVxlan(view.bind(pkt, 0, pkt.length), out);
    const buf = Uint8Array.from(pkt).fill(0xa5, 0, VXLAN_HEADER_LEN);
    emitVxlan(out, view.bind(buf, 0, buf.length));
    assert.equal(toHex(buf), v.hex);
  });
}

test('named vector: RFC 7348 §5 header for VNI 0x123456', () => {
  const r = new VxlanRepr();
  r.vni = 0x123456;
  const buf = new Uint8Array(12).fill(0xa5);
  emitVxlan(r, view.bind(buf, 0, 12));
  assert.equal(view.len, 8);
  assert.equal(toHex(buf), '0800000012345600' + 'a5a5a5a5');
});

test('round trip at a non-zero offset', () => {
  const r = new VxlanRepr();
  r.vni = 0xfedcba; r.payloadLen = 14;
  const buf = new Uint8Array(50);
  emitVxlan(r, view.bind(buf, 28, vxlanReprLen(r)));
  const out = new VxlanRepr();
  assert.equal(parseVxlan(view.bind(buf, 28, 22), out), 0);
  assert.deepEqual(out, r);
  assert.equal(view.payloadOff(), 36);
});

test('reserved bits are ignored on receipt (RFC 7348 §5)', () => {
  const buf = fromHex('ff123456abcdefff');
  const out = new VxlanRepr();
  assert.equal(parseVxlan(view.bind(buf, 0, 8), out), 0);
  assert.equal(out.vni, 0xabcdef);
});

test('drop truncated: fewer than 8 bytes', () => {
  const buf = fromHex('08000000000001');
  expectDrop(parseVxlan(view.bind(buf, 0, buf.length), new VxlanRepr()), 'truncated');
});

test('drop badFlags: I flag clear', () => {
  const buf = fromHex('0000000000000100');
  expectDrop(parseVxlan(view.bind(buf, 0, 8), new VxlanRepr()), 'badFlags');
  buf[0] = VXLAN_FLAG_I;
  assert.equal(parseVxlan(view, new VxlanRepr()), 0);
});

test('emit with a VNI past 24 bits or a short view is a caller bug', () => {
  const r = new VxlanRepr();
  r.vni = 0x1000000;
  assert.throws(() => emitVxlan(r, view.bind(new Uint8Array(8), 0, 8)), RangeError);
  const ok = new VxlanRepr();
  ok.payloadLen = 1;
  assert.throws(() => emitVxlan(ok, view.bind(new Uint8Array(8), 0, 8)), RangeError);
});

test('property: parse ∘ emit is the identity on VxlanRepr', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffff }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 9 }), (vni, payloadLen, off) => {
    const r = new VxlanRepr();
    r.vni = vni; r.payloadLen = payloadLen;
    const buf = new Uint8Array(off + 8 + payloadLen).fill(0xa5);
    emitVxlan(r, view.bind(buf, off, buf.length - off));
    const out = new VxlanRepr();
    assert.equal(parseVxlan(view, out), 0);
    assert.deepEqual(out, r);
  }));
});

test('property: random bytes never throw', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 20 }), (b) => {
    const code = parseVxlan(view.bind(b, 0, b.length), new VxlanRepr());
    assert.ok(code === 0 || code === WireDrop.code.truncated || code === WireDrop.code.badFlags);
  }));
});

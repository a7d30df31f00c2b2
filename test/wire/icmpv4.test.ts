import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sumWords } from '../../src/wire/checksum.js';
import {
  emitIcmpv4, ICMPV4_HEADER_LEN, Icmpv4Packet, Icmpv4ParseFlag, Icmpv4Repr, icmpv4ReprLen, Icmpv4Type, Icmpv4UnreachCode,
  isIcmpv4Error, parseIcmpv4,
} from '../../src/wire/icmpv4.js';
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

const view = new Icmpv4Packet();

interface IcmpFields { type: number; code: number; checksum: number; rest: number; payloadLength: number }

for (const v of l4Vectors('icmpv4')) {
  const f = v.fields as unknown as IcmpFields;
  test(`scapy vector ${v.name}: parses to scapy's fields and verifies`, () => {
    const pkt = fromHex(v.hex);
    const out = new Icmpv4Repr();
    view.bind(pkt, v.l4Offset, pkt.length - v.l4Offset);
    assert.equal(parseIcmpv4(view, out), 0);
    assert.equal(out.type, f.type);
    assert.equal(out.code, f.code);
    assert.equal(view.checksum(), f.checksum);
    assert.equal(view.rest(), f.rest);
    assert.equal(out.payloadLen, f.payloadLength);
  });

  test(`scapy vector ${v.name}: emit into a poisoned buffer reproduces scapy's bytes`, () => {
    const pkt = fromHex(v.hex);
    const out = new Icmpv4Repr();
    parseIcmpv4(view.bind(pkt, v.l4Offset, pkt.length - v.l4Offset), out);
    const buf = Uint8Array.from(pkt);
    buf.fill(0xa5, v.l4Offset, v.l4Offset + ICMPV4_HEADER_LEN);
    emitIcmpv4(out, view.bind(buf, v.l4Offset, buf.length - v.l4Offset));
    assert.equal(toHex(buf), v.hex);
  });
}

test('scapy vectors: field accessors by type', () => {
  const get = (name: string): Icmpv4Repr => {
    const v = l4Vectors('icmpv4').find((x) => x.name === name)!;
    const pkt = fromHex(v.hex);
    const out = new Icmpv4Repr();
    assert.equal(parseIcmpv4(view.bind(pkt, v.l4Offset, pkt.length - v.l4Offset), out), 0);
    return out;
  };
  const echo = get('icmp4-echo-request');
  assert.equal(echo.ident, 0x1234);
  assert.equal(echo.seq, 1);
  const frag = get('icmp4-frag-needed');
  assert.equal(frag.code, Icmpv4UnreachCode.FragNeeded);
  assert.equal(frag.nextHopMtu, 1400);
  assert.equal(view.quotedOff(), 28);
  assert.equal(view.quotedLen(), 38);
  assert.equal(get('icmp4-parameter-problem').pointer, 12);
  const ext = get('icmp4-time-exceeded-rfc4884');
  assert.equal(ext.rfc4884Len, 32);
  assert.equal(view.quotedLen(), 128, 'RFC 4884: the original datagram field ends before the extension');
  assert.equal(view.payloadLen(), 140);
});

test('named vector: echo request id 1 seq 1, no data', () => {
  const r = new Icmpv4Repr();
  r.type = Icmpv4Type.EchoRequest; r.ident = 1; r.seq = 1;
  const buf = new Uint8Array(8).fill(0xa5);
  emitIcmpv4(r, view.bind(buf, 0, 8));
  // Checksum: ~(0x0800 + 0x0001 + 0x0001) = 0xf7fd.
  assert.equal(toHex(buf), '0800f7fd00010001');
});

test('emit writes zeros in the unused bytes of a 0xa5-poisoned buffer', () => {
  const r = new Icmpv4Repr();
  r.type = Icmpv4Type.TimeExceeded; r.code = 1; r.payloadLen = 4;
  const buf = new Uint8Array(16).fill(0xa5);
  buf.set([0x45, 0, 0, 0x14], 8);
  emitIcmpv4(r, view.bind(buf, 0, 16));
  assert.equal(view.len, 12);
  assert.equal(toHex(buf.subarray(0, 2)) + toHex(buf.subarray(4, 8)), '0b0100000000');
  assert.ok(view.verifyChecksum());
  assert.equal(toHex(buf.subarray(12)), 'a5a5a5a5');
});

test('round trip at a non-zero offset', () => {
  const r = new Icmpv4Repr();
  r.type = Icmpv4Type.DestUnreachable; r.code = Icmpv4UnreachCode.FragNeeded; r.nextHopMtu = 1280;
  r.rfc4884Len = 1; r.payloadLen = 8;
  const buf = new Uint8Array(13 + 16);
  buf.set(fromHex('4500001c00000000'), 13 + 8);
  emitIcmpv4(r, view.bind(buf, 13, 16));
  const out = new Icmpv4Repr();
  assert.equal(parseIcmpv4(view.bind(buf, 13, 16), out), 0);
  assert.deepEqual(out, r);
  assert.equal(icmpv4ReprLen(out), 16);
  assert.equal(view.quotedOff(), 21);
  assert.equal(view.quotedLen(), 4);
});

test('other types keep bytes 4-7 raw (redirect gateway)', () => {
  const r = new Icmpv4Repr();
  r.type = Icmpv4Type.Redirect; r.code = 1; r.rest = 0xc0000201; r.payloadLen = 0;
  const buf = new Uint8Array(8);
  emitIcmpv4(r, view.bind(buf, 0, 8));
  assert.equal(toHex(buf.subarray(4)), 'c0000201');
  const out = new Icmpv4Repr();
  assert.equal(parseIcmpv4(view, out), 0);
  assert.deepEqual(out, r);
});

test('isIcmpv4Error: exactly the RFC 1122 §3.2.2 error types', () => {
  const errors: number[] = [];
  for (let t = 0; t < 256; t++) if (isIcmpv4Error(t)) errors.push(t);
  assert.deepEqual(errors, [3, 4, 5, 11, 12]);
});

test('drop truncated: fewer than 8 bytes', () => {
  const buf = fromHex('0800f7fd0001');
  expectDrop(parseIcmpv4(view.bind(buf, 0, buf.length), new Icmpv4Repr()), 'truncated');
});

test('drop badLength: RFC 4884 length beyond the message', () => {
  const r = new Icmpv4Repr();
  r.type = Icmpv4Type.TimeExceeded; r.rfc4884Len = 3; r.payloadLen = 8;
  const buf = new Uint8Array(16);
  emitIcmpv4(r, view.bind(buf, 0, 16));
  expectDrop(parseIcmpv4(view, new Icmpv4Repr()), 'badLength');
  // The same byte in an echo is the identifier, not a length.
  const echo = fromHex('08000000ff010001');
  view.bind(echo, 0, 8).fillChecksum();
  assert.equal(parseIcmpv4(view, new Icmpv4Repr()), 0);
});

test('drop badChecksum: one flipped bit', () => {
  const buf = fromHex('0800f7fd00010001');
  buf[7] ^= 2;
  expectDrop(parseIcmpv4(view.bind(buf, 0, 8), new Icmpv4Repr()), 'badChecksum');
  assert.equal(parseIcmpv4(view, new Icmpv4Repr(), Icmpv4ParseFlag.skipChecksum), 0);
});

test('updateIdent equals a full recomputation', () => {
  const v = l4Vectors('icmpv4').find((x) => x.name === 'icmp4-echo-request')!;
  const pkt = fromHex(v.hex);
  view.bind(pkt, v.l4Offset, pkt.length - v.l4Offset);
  view.updateIdent(0xfedc);
  assert.ok(view.verifyChecksum());
  const incremental = view.checksum();
  view.fillChecksum();
  assert.equal(incremental, view.checksum());
  assert.equal(view.ident(), 0xfedc);
});

test('adjustChecksum follows a rewrite inside the quoted datagram', () => {
  const v = l4Vectors('icmpv4').find((x) => x.name === 'icmp4-port-unreachable')!;
  const pkt = fromHex(v.hex);
  view.bind(pkt, v.l4Offset, pkt.length - v.l4Offset);
  // Rewrite the quoted source address (quoted IPv4 header offset 12) as NAT44 would.
  const at = view.quotedOff() + 12;
  const old = sumWords(pkt, at, 4, 0);
  pkt.set([100, 64, 0, 1], at);
  view.adjustChecksum(old, sumWords(pkt, at, 4, 0));
  assert.ok(view.verifyChecksum());
});

test('emit into a view shorter than the message is a caller bug', () => {
  const r = new Icmpv4Repr();
  r.payloadLen = 1;
  assert.throws(() => emitIcmpv4(r, view.bind(new Uint8Array(8), 0, 8)), RangeError);
});

const types = fc.constantFrom(0, 3, 4, 5, 8, 11, 12, 13, 17, 200);

test('property: parse ∘ emit is the identity on Icmpv4Repr', () => {
  const u16 = fc.integer({ min: 0, max: 0xffff });
  const u8 = fc.integer({ min: 0, max: 255 });
  fc.assert(fc.property(types, u8, u16, u16, u8, fc.integer({ min: 0, max: 0xffffffff }), fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 0, max: 5 }),
    (type, code, a, b, c, rest, payload, off) => {
      const r = new Icmpv4Repr();
      r.type = type; r.code = code; r.payloadLen = payload.length;
      if (type === 0 || type === 8) { r.ident = a; r.seq = b; }
      else if (type === 3) { r.nextHopMtu = a; r.rfc4884Len = Math.min(c, payload.length >> 2); }
      else if (type === 11) r.rfc4884Len = Math.min(c, payload.length >> 2);
      else if (type === 12) { r.pointer = c; r.rfc4884Len = Math.min(b & 0xff, payload.length >> 2); }
      else r.rest = rest;
      const buf = new Uint8Array(off + 8 + payload.length).fill(0xa5);
      buf.set(payload, off + 8);
      emitIcmpv4(r, view.bind(buf, off, buf.length - off));
      const out = new Icmpv4Repr();
      assert.equal(parseIcmpv4(view, out), 0);
      assert.deepEqual(out, r);
    }));
});

test('property: random bytes never throw and a passing check keeps the quoted datagram in bounds', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (b, verify) => {
    const code = parseIcmpv4(view.bind(b, 0, b.length), new Icmpv4Repr(), verify ? 0 : Icmpv4ParseFlag.skipChecksum);
    assert.ok(code >= 0 && code < WireDrop.size);
    if (view.check() === 0) assert.ok(view.quotedOff() + view.quotedLen() <= b.length);
  }));
});

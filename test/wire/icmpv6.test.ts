import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pseudoHeaderSum6, sumWords } from '../../src/wire/checksum.js';
import {
  emitIcmpv6, ICMPV6_HEADER_LEN, Icmpv6Packet, Icmpv6ParseFlag, Icmpv6Repr, icmpv6ReprLen, Icmpv6Type, Icmpv6UnreachCode,
  isIcmpv6Error, parseIcmpv6,
} from '../../src/wire/icmpv6.js';
import { IpProtocol } from '../../src/wire/ip-protocol.js';
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

const view = new Icmpv6Packet();

function pseudo(pkt: Uint8Array, length: number): number {
  return pseudoHeaderSum6(pkt, 8, 24, IpProtocol.Icmpv6, length);
}

interface IcmpFields { type: number; code: number; checksum: number; rest: number; payloadLength: number }

function vector(name: string): [Uint8Array, number] {
  const v = l4Vectors('icmpv6').find((x) => x.name === name)!;
  return [fromHex(v.hex), v.l4Offset];
}

for (const v of l4Vectors('icmpv6')) {
  const f = v.fields as unknown as IcmpFields;
  test(`scapy vector ${v.name}: parses to scapy's fields and verifies`, () => {
    const pkt = fromHex(v.hex);
    const len = pkt.length - v.l4Offset;
    const out = new Icmpv6Repr();
    assert.equal(parseIcmpv6(view.bind(pkt, v.l4Offset, len), out, pseudo(pkt, len)), 0);
    assert.equal(out.type, f.type);
    assert.equal(out.code, f.code);
    assert.equal(view.checksum(), f.checksum);
    assert.equal(view.rest(), f.rest);
    assert.equal(out.payloadLen, f.payloadLength);
  });

  test(`scapy vector ${v.name}: emit into a poisoned buffer reproduces scapy's bytes`, () => {
    const pkt = fromHex(v.hex);
    const len = pkt.length - v.l4Offset;
    const out = new Icmpv6Repr();
    parseIcmpv6(view.bind(pkt, v.l4Offset, len), out, 0, Icmpv6ParseFlag.skipChecksum);
    const buf = Uint8Array.from(pkt);
    buf.fill(0xa5, v.l4Offset, v.l4Offset + ICMPV6_HEADER_LEN);
    emitIcmpv6(out, view.bind(buf, v.l4Offset, len), pseudo(pkt, len));
    assert.equal(toHex(buf), v.hex);
  });
}

test('scapy vectors: field accessors by type', () => {
  const parse = (name: string): Icmpv6Repr => {
    const [pkt, off] = vector(name);
    const out = new Icmpv6Repr();
    assert.equal(parseIcmpv6(view.bind(pkt, off, pkt.length - off), out, pseudo(pkt, pkt.length - off)), 0);
    return out;
  };
  const echo = parse('icmp6-echo-request');
  assert.equal(echo.ident, 0xbeef);
  assert.equal(echo.seq, 7);
  assert.equal(parse('icmp6-port-unreachable').code, Icmpv6UnreachCode.Port);
  assert.equal(view.quotedOff(), 48);
  assert.equal(view.quotedLen(), 58);
  assert.equal(parse('icmp6-packet-too-big').mtu, 1280);
  const pp = parse('icmp6-parameter-problem');
  assert.equal(pp.pointer, 40);
  assert.equal(pp.code, 1);
  const ext = parse('icmp6-time-exceeded-rfc4884');
  assert.equal(ext.rfc4884Len, 16);
  assert.equal(view.quotedLen(), 128, 'RFC 4884: 16 64-bit words, then the extension structure');
  assert.equal(view.payloadLen(), 140);
});

test('named vector: RFC 4443 echo request, id 0 seq 0, no data, pseudo sum 0', () => {
  const r = new Icmpv6Repr();
  r.type = Icmpv6Type.EchoRequest;
  const buf = new Uint8Array(8).fill(0xa5);
  emitIcmpv6(r, view.bind(buf, 0, 8), 0);
  // ~0x8000 = 0x7fff.
  assert.equal(toHex(buf), '80007fff00000000');
});

test('emit writes every header byte of a 0xa5-poisoned buffer', () => {
  const r = new Icmpv6Repr();
  r.type = Icmpv6Type.PacketTooBig; r.mtu = 0x000105dc; r.payloadLen = 4;
  const buf = new Uint8Array(16).fill(0xa5);
  buf.set([0x60, 0, 0, 0], 8);
  emitIcmpv6(r, view.bind(buf, 0, 16), 0x1234);
  assert.equal(view.len, 12);
  assert.equal(toHex(buf.subarray(0, 2)) + toHex(buf.subarray(4, 8)), '0200000105dc');
  assert.ok(view.verifyChecksum(0x1234));
  assert.equal(toHex(buf.subarray(12)), 'a5a5a5a5');
});

test('round trip at a non-zero offset', () => {
  const ip = fromHex('20010db8000000000000000000000001 20010db8000100000000000000000002');
  const r = new Icmpv6Repr();
  r.type = Icmpv6Type.DestUnreachable; r.code = Icmpv6UnreachCode.AdminProhibited; r.rfc4884Len = 1; r.payloadLen = 12;
  const ps = pseudoHeaderSum6(ip, 0, 16, IpProtocol.Icmpv6, 20);
  const buf = new Uint8Array(5 + 20);
  buf.set(fromHex('6000000000001140'), 5 + 8);
  emitIcmpv6(r, view.bind(buf, 5, 20), ps);
  const out = new Icmpv6Repr();
  assert.equal(parseIcmpv6(view.bind(buf, 5, 20), out, ps), 0);
  assert.deepEqual(out, r);
  assert.equal(icmpv6ReprLen(out), 20);
  assert.equal(view.quotedOff(), 13);
  assert.equal(view.quotedLen(), 8);
});

test('isIcmpv6Error: types below 128 (RFC 4443 §2.1)', () => {
  assert.ok(isIcmpv6Error(Icmpv6Type.DestUnreachable));
  assert.ok(isIcmpv6Error(Icmpv6Type.PacketTooBig));
  assert.ok(isIcmpv6Error(Icmpv6Type.TimeExceeded));
  assert.ok(isIcmpv6Error(Icmpv6Type.ParameterProblem));
  assert.ok(isIcmpv6Error(127));
  assert.ok(!isIcmpv6Error(Icmpv6Type.EchoRequest));
  assert.ok(!isIcmpv6Error(Icmpv6Type.NeighborSolicitation));
  assert.ok(!isIcmpv6Error(255));
});

test('drop truncated: fewer than 8 bytes', () => {
  const buf = fromHex('80007fff0000');
  expectDrop(parseIcmpv6(view.bind(buf, 0, buf.length), new Icmpv6Repr(), 0), 'truncated');
});

test('drop badLength: RFC 4884 length beyond the message', () => {
  const r = new Icmpv6Repr();
  r.type = Icmpv6Type.TimeExceeded; r.rfc4884Len = 2; r.payloadLen = 8;
  const buf = new Uint8Array(16);
  emitIcmpv6(r, view.bind(buf, 0, 16), 0);
  expectDrop(parseIcmpv6(view, new Icmpv6Repr(), 0), 'badLength');
  // For Packet Too Big the same byte is the top of the MTU, not a length.
  buf[0] = Icmpv6Type.PacketTooBig;
  view.fillChecksum(0);
  assert.equal(parseIcmpv6(view, new Icmpv6Repr(), 0), 0);
});

test('drop badChecksum: wrong pseudo-header or a flipped bit', () => {
  const [pkt, off] = vector('icmp6-echo-request');
  const len = pkt.length - off;
  view.bind(pkt, off, len);
  expectDrop(parseIcmpv6(view, new Icmpv6Repr(), pseudo(pkt, len) + 1), 'badChecksum');
  pkt[off + 9] ^= 0x80;
  expectDrop(parseIcmpv6(view, new Icmpv6Repr(), pseudo(pkt, len)), 'badChecksum');
  assert.equal(parseIcmpv6(view, new Icmpv6Repr(), 0, Icmpv6ParseFlag.skipChecksum), 0);
});

test('updateIdent equals a full recomputation', () => {
  const [pkt, off] = vector('icmp6-echo-reply');
  const len = pkt.length - off;
  view.bind(pkt, off, len);
  view.updateIdent(0x0102);
  assert.ok(view.verifyChecksum(pseudo(pkt, len)));
  const incremental = view.checksum();
  view.fillChecksum(pseudo(pkt, len));
  assert.equal(incremental, view.checksum());
  assert.equal(view.ident(), 0x0102);
});

test('adjustChecksum follows a change of destination address in the pseudo-header', () => {
  const [pkt, off] = vector('icmp6-echo-request');
  const len = pkt.length - off;
  view.bind(pkt, off, len);
  const old = sumWords(pkt, 24, 16, 0);
  pkt.set(fromHex('0064ff9b000000000000000008080808'), 24);
  view.adjustChecksum(old, sumWords(pkt, 24, 16, 0));
  assert.equal(parseIcmpv6(view, new Icmpv6Repr(), pseudo(pkt, len)), 0);
});

test('emit into a view shorter than the message is a caller bug', () => {
  const r = new Icmpv6Repr();
  r.payloadLen = 1;
  assert.throws(() => emitIcmpv6(r, view.bind(new Uint8Array(8), 0, 8), 0), RangeError);
});

test('property: parse ∘ emit is the identity on Icmpv6Repr', () => {
  const u16 = fc.integer({ min: 0, max: 0xffff });
  const u32 = fc.integer({ min: 0, max: 0xffffffff });
  fc.assert(fc.property(fc.constantFrom(1, 2, 3, 4, 100, 128, 129, 133, 135, 200), fc.integer({ min: 0, max: 255 }), u16, u16, u32,
    fc.uint8Array({ maxLength: 48 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 0x3ffff }),
    (type, code, a, b, c, payload, off, ps) => {
      const r = new Icmpv6Repr();
      r.type = type; r.code = code; r.payloadLen = payload.length;
      if (type === 128 || type === 129) { r.ident = a; r.seq = b; }
      else if (type === 1 || type === 3) r.rfc4884Len = Math.min(a & 0xff, payload.length >> 3);
      else if (type === 2) r.mtu = c;
      else if (type === 4) r.pointer = c;
      else r.rest = c;
      const buf = new Uint8Array(off + 8 + payload.length).fill(0xa5);
      buf.set(payload, off + 8);
      emitIcmpv6(r, view.bind(buf, off, buf.length - off), ps);
      const out = new Icmpv6Repr();
      assert.equal(parseIcmpv6(view, out, ps), 0);
      assert.deepEqual(out, r);
    }));
});

test('property: random bytes never throw and a passing check keeps the quoted packet in bounds', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (b, verify) => {
    const code = parseIcmpv6(view.bind(b, 0, b.length), new Icmpv6Repr(), 0, verify ? 0 : Icmpv6ParseFlag.skipChecksum);
    assert.ok(code >= 0 && code < WireDrop.size);
    if (view.check() === 0) assert.ok(view.quotedOff() + view.quotedLen() <= b.length);
  }));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { foldSum, pseudoHeaderSum4, pseudoHeaderSum6, sumWords } from '../../src/wire/checksum.js';
import { IpProtocol } from '../../src/wire/ip-protocol.js';
import { emitUdp, parseUdp, UDP_HEADER_LEN, UdpPacket, UdpParseFlag, UdpRepr, udpReprLen } from '../../src/wire/udp.js';
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

const view = new UdpPacket();

function pseudo(pkt: Uint8Array, family: number, length: number): number {
  return family === 4
    ? pseudoHeaderSum4(pkt, 12, 16, IpProtocol.Udp, length)
    : pseudoHeaderSum6(pkt, 8, 24, IpProtocol.Udp, length);
}

/** A datagram of `payload` at offset `off` of a buffer, with ports 1000 → 2000. */
function datagram(payload: Uint8Array, off = 0, pseudoSum = 0): Uint8Array {
  const buf = new Uint8Array(off + UDP_HEADER_LEN + payload.length);
  buf.set(payload, off + UDP_HEADER_LEN);
  const r = new UdpRepr();
  r.srcPort = 1000; r.dstPort = 2000; r.payloadLen = payload.length;
  emitUdp(r, view.bind(buf, off, buf.length - off), pseudoSum);
  return buf;
}

for (const v of l4Vectors('udp')) {
  test(`scapy vector ${v.name}: parses to scapy's fields and verifies`, () => {
    const pkt = fromHex(v.hex);
    const f = v.fields as { srcPort: number; dstPort: number; length: number; checksum: number };
    view.bind(pkt, v.l4Offset, pkt.length - v.l4Offset);
    const out = new UdpRepr();
    assert.equal(parseUdp(view, out, pseudo(pkt, v.family, f.length), v.family === 6 ? UdpParseFlag.ipv6 : 0), 0);
    assert.equal(out.srcPort, f.srcPort);
    assert.equal(out.dstPort, f.dstPort);
    assert.equal(out.payloadLen, f.length - UDP_HEADER_LEN);
    assert.equal(view.datagramLen(), f.length);
    assert.equal(view.checksum(), f.checksum);
    assert.equal(view.payloadOff(), v.l4Offset + 8);
  });

  test(`scapy vector ${v.name}: emit into a poisoned buffer reproduces scapy's bytes`, () => {
    const pkt = fromHex(v.hex);
    const f = v.fields as { length: number; checksum: number };
    const out = new UdpRepr();
    parseUdp(view.bind(pkt, v.l4Offset, pkt.length - v.l4Offset), out, 0, UdpParseFlag.skipChecksum);
    const buf = Uint8Array.from(pkt);
    buf.fill(0xa5, v.l4Offset, v.l4Offset + UDP_HEADER_LEN);
    emitUdp(out, view.bind(buf, v.l4Offset, buf.length - v.l4Offset), pseudo(pkt, v.family, f.length));
    if (f.checksum === 0) {
      // Sent without checksum: emit always computes one, which must verify.
      assert.notEqual(view.checksum(), 0);
      assert.ok(view.verifyChecksum(pseudo(pkt, v.family, f.length)));
      view.setChecksum(0);
    }
    assert.equal(toHex(buf), v.hex);
  });
}

test('named vector: header bytes by hand', () => {
  // 1000 → 2000, length 12, payload "ping", checksum over pseudo sum 0.
  const buf = datagram(Uint8Array.of(0x70, 0x69, 0x6e, 0x67));
  assert.equal(toHex(buf.subarray(0, 6)), '03e807d0000c');
  // Sum of the header words without checksum + payload: 0x03e8+0x07d0+0x000c+0x7069+0x6e67.
  const expected = ~foldSum(0x03e8 + 0x07d0 + 0x000c + 0x7069 + 0x6e67) & 0xffff;
  assert.equal(view.checksum(), expected);
});

test('emit writes every header byte of a 0xa5-poisoned buffer', () => {
  const buf = new Uint8Array(20).fill(0xa5);
  const r = new UdpRepr();
  r.srcPort = 0x0102; r.dstPort = 0x0304; r.payloadLen = 4;
  buf.set([0, 0, 0, 0], 8);
  emitUdp(r, view.bind(buf, 0, 12), 0);
  assert.equal(toHex(buf.subarray(0, 6)), '01020304000c');
  assert.equal(view.checksum(), ~foldSum(0x0102 + 0x0304 + 0x000c) & 0xffff);
  assert.equal(toHex(buf.subarray(12)), 'a5a5a5a5a5a5a5a5', 'emit wrote past the datagram');
});

test('a computed checksum of zero is sent as 0xffff and verifies (RFC 768)', () => {
  // Choose the payload word so the data sums to 0xffff, making the computed checksum 0.
  const partial = foldSum(1000 + 2000 + 10);
  const word = 0xffff - partial;
  const buf = datagram(Uint8Array.of(word >> 8, word & 0xff));
  assert.equal(view.checksum(), 0xffff);
  assert.equal(parseUdp(view.bind(buf, 0, buf.length), new UdpRepr(), 0, UdpParseFlag.ipv6), 0);
});

test('round trip at a non-zero offset', () => {
  const ip = fromHex('c0000201c6336402');
  const payload = fromHex('00112233445566778899');
  const len = UDP_HEADER_LEN + payload.length;
  const ps = pseudoHeaderSum4(ip, 0, 4, IpProtocol.Udp, len);
  const buf = datagram(payload, 37, ps);
  const out = new UdpRepr();
  assert.equal(parseUdp(view.bind(buf, 37, len), out, ps), 0);
  assert.deepEqual({ ...out }, { srcPort: 1000, dstPort: 2000, payloadLen: 10 });
  assert.equal(udpReprLen(out), len);
  assert.equal(toHex(buf.subarray(view.payloadOff(), view.payloadOff() + view.payloadLen())), '00112233445566778899');
});

test('bytes past the Length field are not part of the datagram', () => {
  const buf = new Uint8Array(30);
  const d = datagram(fromHex('0102'));
  buf.set(d);
  buf.fill(0xee, d.length);
  const out = new UdpRepr();
  assert.equal(parseUdp(view.bind(buf, 0, buf.length), out, 0, UdpParseFlag.ipv6), 0);
  assert.equal(out.payloadLen, 2);
});

test('drop truncated: buffer shorter than the header', () => {
  const buf = datagram(new Uint8Array(0));
  expectDrop(parseUdp(view.bind(buf, 0, 7), new UdpRepr(), 0), 'truncated');
});

test('drop truncated: Length field beyond the buffer', () => {
  const buf = datagram(new Uint8Array(10));
  expectDrop(parseUdp(view.bind(buf, 0, 17), new UdpRepr(), 0), 'truncated');
});

test('a quoted datagram may claim more than the buffer holds (RFC 792)', () => {
  const buf = datagram(new Uint8Array(100));
  const out = new UdpRepr();
  assert.equal(parseUdp(view.bind(buf, 0, 8), out, 0, UdpParseFlag.quoted), 0);
  assert.equal(out.srcPort, 1000);
  assert.equal(out.payloadLen, 100);
});

test('drop badLength: Length field below the header size', () => {
  const buf = datagram(new Uint8Array(4));
  view.bind(buf, 0, buf.length).setDatagramLen(7);
  expectDrop(parseUdp(view, new UdpRepr(), 0, UdpParseFlag.skipChecksum), 'badLength');
});

test('drop badChecksum: one flipped payload bit', () => {
  const buf = datagram(fromHex('deadbeef'));
  buf[9] ^= 0x10;
  expectDrop(parseUdp(view.bind(buf, 0, buf.length), new UdpRepr(), 0), 'badChecksum');
  // The same datagram quoted in an ICMP error is read without verification.
  assert.equal(parseUdp(view, new UdpRepr(), 0, UdpParseFlag.quoted), 0);
  assert.equal(parseUdp(view, new UdpRepr(), 0, UdpParseFlag.skipChecksum), 0);
});

test('checksum zero: "none" over IPv4, badChecksum over IPv6 (RFC 8200 §8.1)', () => {
  const buf = datagram(fromHex('deadbeef'));
  view.bind(buf, 0, buf.length).setChecksum(0);
  assert.equal(parseUdp(view, new UdpRepr(), 0), 0);
  expectDrop(parseUdp(view, new UdpRepr(), 0, UdpParseFlag.ipv6), 'badChecksum');
});

test('port setters with checksum update equal a full recomputation', () => {
  const ip = fromHex('0a000001 08080808');
  const ps = pseudoHeaderSum4(ip, 0, 4, IpProtocol.Udp, 13);
  const buf = datagram(fromHex('68656c6c6f'), 3, ps);
  view.bind(buf, 3, 13);
  view.updateSrcPort(61000);
  view.updateDstPort(53);
  const incremental = view.checksum();
  view.fillChecksum(ps);
  assert.equal(incremental, view.checksum());
  assert.equal(view.srcPort(), 61000);
  assert.equal(view.dstPort(), 53);
});

test('port setters leave an absent IPv4 checksum absent', () => {
  const buf = datagram(fromHex('68656c6c6f'));
  view.bind(buf, 0, buf.length).setChecksum(0);
  view.updateSrcPort(1);
  view.adjustChecksum(0x1234, 0x4321);
  assert.equal(view.checksum(), 0);
});

test('adjustChecksum follows a NAT44 address rewrite of the pseudo-header', () => {
  const before = fromHex('0a000001 08080808');
  const after = fromHex('c6336401 08080808');
  const buf = datagram(fromHex('0102030405'), 0, pseudoHeaderSum4(before, 0, 4, IpProtocol.Udp, 13));
  view.bind(buf, 0, buf.length);
  view.adjustChecksum(sumWords(before, 0, 4, 0), sumWords(after, 0, 4, 0));
  assert.equal(parseUdp(view, new UdpRepr(), pseudoHeaderSum4(after, 0, 4, IpProtocol.Udp, 13)), 0);
});

test('emit into a view shorter than the datagram is a caller bug', () => {
  const r = new UdpRepr();
  r.payloadLen = 10;
  assert.throws(() => emitUdp(r, view.bind(new Uint8Array(17), 0, 17), 0), RangeError);
});

test('property: parse ∘ emit is the identity on UdpRepr', () => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 64 }),
    fc.integer({ min: 0, max: 9 }), fc.boolean(), fc.integer({ min: 0, max: 0x3ffff }),
    (src, dst, payload, off, v6, ps) => {
      const buf = new Uint8Array(off + 8 + payload.length).fill(0xa5);
      buf.set(payload, off + 8);
      const r = new UdpRepr();
      r.srcPort = src; r.dstPort = dst; r.payloadLen = payload.length;
      emitUdp(r, view.bind(buf, off, buf.length - off), ps);
      const out = new UdpRepr();
      assert.equal(parseUdp(view, out, ps, v6 ? UdpParseFlag.ipv6 : 0), 0);
      assert.deepEqual(out, r);
    }));
});

test('property: random bytes never throw and a passing check keeps reads in bounds', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 0, max: 7 }), (b, flags) => {
    const out = new UdpRepr();
    const code = parseUdp(view.bind(b, 0, b.length), out, 0, flags);
    assert.ok(code >= 0 && code < WireDrop.size);
    if (view.check() === 0) assert.ok(view.payloadOff() + view.payloadLen() <= b.length);
  }));
});

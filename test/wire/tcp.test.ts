import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pseudoHeaderSum4, pseudoHeaderSum6, sumWords } from '../../src/wire/checksum.js';
import { IpProtocol } from '../../src/wire/ip-protocol.js';
import { emitTcp, parseTcp, TCP_HEADER_LEN, TcpFlag, TcpPacket, TcpParseFlag, TcpRepr, tcpReprHeaderLen, tcpReprTotalLen } from '../../src/wire/tcp.js';
import { TcpOptionsRepr } from '../../src/wire/tcp-options.js';
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

const view = new TcpPacket();

function pseudo(pkt: Uint8Array, family: number, length: number): number {
  return family === 4
    ? pseudoHeaderSum4(pkt, 12, 16, IpProtocol.Tcp, length)
    : pseudoHeaderSum6(pkt, 8, 24, IpProtocol.Tcp, length);
}

type ScapyOption = [string, unknown];
interface TcpFields {
  srcPort: number; dstPort: number; seq: number; ack: number; dataOffset: number; reserved: number;
  flags: number; window: number; checksum: number; urgent: number; options: ScapyOption[]; payloadLength: number;
}

/** The TcpOptionsRepr scapy's option list stands for. */
function expectedOptions(list: ScapyOption[]): TcpOptionsRepr {
  const o = new TcpOptionsRepr();
  for (const [name, value] of list) {
    switch (name) {
      case 'mss': o.hasMss = true; o.mss = value as number; break;
      case 'windowScale': o.hasWindowScale = true; o.windowScale = value as number; break;
      case 'sackPermitted': o.sackPermitted = true; break;
      case 'timestamp': o.hasTimestamp = true; [o.tsVal, o.tsEcr] = value as [number, number]; break;
      case 'sack': {
        const edges = value as number[];
        o.sackBlocks = edges.length / 2;
        edges.forEach((e, i) => { o.sack[i] = e; });
        break;
      }
      case 'unknown': {
        const [kind, hex] = value as [number, string];
        const data = fromHex(hex);
        o.unknown.set([kind, data.length + 2], o.unknownLen);
        o.unknown.set(data, o.unknownLen + 2);
        o.unknownLen += data.length + 2;
        break;
      }
      default: break;
    }
  }
  return o;
}

// Vectors whose option layout is the one emit produces (MSS, SACK-permitted/timestamps, window
// scale, SACK, each NOP-aligned); the others are re-emitted in that layout.
const SAME_LAYOUT = new Set(['tcp4-syn-linux-options', 'tcp4-ack-sack', 'tcp4-fin-urg-payload', 'tcp6-push-timestamps']);

for (const v of l4Vectors('tcp')) {
  const f = v.fields as unknown as TcpFields;
  test(`scapy vector ${v.name}: parses to scapy's fields and verifies`, () => {
    const pkt = fromHex(v.hex);
    const len = pkt.length - v.l4Offset;
    const out = new TcpRepr();
    assert.equal(parseTcp(view.bind(pkt, v.l4Offset, len), out, pseudo(pkt, v.family, len)), 0);
    assert.equal(out.srcPort, f.srcPort);
    assert.equal(out.dstPort, f.dstPort);
    assert.equal(out.seq, f.seq);
    assert.equal(out.ack, f.ack);
    assert.equal(view.dataOffset(), f.dataOffset);
    assert.equal(out.reserved, f.reserved);
    assert.equal(out.flags, f.flags);
    assert.equal(out.window, f.window);
    assert.equal(view.checksum(), f.checksum);
    assert.equal(out.urgent, f.urgent);
    assert.equal(out.payloadLen, f.payloadLength);
    assert.deepEqual(out.options, expectedOptions(f.options));
  });

  test(`scapy vector ${v.name}: emit into a poisoned buffer`, () => {
    const pkt = fromHex(v.hex);
    const len = pkt.length - v.l4Offset;
    const out = new TcpRepr();
    parseTcp(view.bind(pkt, v.l4Offset, len), out, 0, TcpParseFlag.skipChecksum);
    const hl = tcpReprHeaderLen(out);
    const buf = new Uint8Array(v.l4Offset + hl + out.payloadLen + 8).fill(0xa5);
    buf.set(pkt.subarray(0, v.l4Offset));
    buf.set(pkt.subarray(v.l4Offset + view.headerLen()), v.l4Offset + hl);
    const ps = pseudo(pkt, v.family, tcpReprTotalLen(out));
    emitTcp(out, view.bind(buf, v.l4Offset, buf.length - v.l4Offset), ps);
    assert.equal(view.len, hl + out.payloadLen);
    assert.equal(toHex(buf.subarray(buf.length - 8)), 'a5a5a5a5a5a5a5a5');
    if (SAME_LAYOUT.has(v.name)) assert.equal(toHex(buf.subarray(0, buf.length - 8)), v.hex);
    const again = new TcpRepr();
    assert.equal(parseTcp(view, again, ps), 0);
    assert.deepEqual(again, out);
  });
}

test('named vector: RFC 9293 fixed header fields by hand', () => {
  // 0x1f90 → 0x0050, seq 1, ack 2, offset 5, reserved 0b0001, flags SYN|ACK, window 0x1000, urgent 7
  const seg = fromHex('1f900050 00000001 00000002 5112 1000 0000 0007');
  view.bind(seg, 0, seg.length);
  view.fillChecksum(0);
  const out = new TcpRepr();
  assert.equal(parseTcp(view, out, 0), 0);
  assert.equal(out.srcPort, 8080);
  assert.equal(out.dstPort, 80);
  assert.equal(out.seq, 1);
  assert.equal(out.ack, 2);
  assert.equal(out.reserved, 1);
  assert.equal(out.flags, TcpFlag.Syn | TcpFlag.Ack);
  assert.equal(out.window, 0x1000);
  assert.equal(out.urgent, 7);
  assert.equal(view.optionsLen(), 0);
  assert.equal(view.payloadOff(), 20);
});

test('32-bit sequence numbers read unsigned', () => {
  const seg = new Uint8Array(20);
  view.bind(seg, 0, 20);
  view.setSeq(0xfffffffe);
  view.setAck(0x80000000);
  assert.equal(view.seq(), 0xfffffffe);
  assert.equal(view.ack(), 0x80000000);
});

test('emit writes every header byte of a 0xa5-poisoned buffer, option padding included', () => {
  const r = new TcpRepr();
  r.srcPort = 1; r.dstPort = 2; r.seq = 3; r.ack = 4; r.flags = TcpFlag.Syn; r.window = 5;
  r.options.hasWindowScale = true; r.options.windowScale = 2;
  r.options.unknown.set([0xfd, 3, 0x42]); r.options.unknownLen = 3;
  const buf = new Uint8Array(40).fill(0xa5);
  emitTcp(r, view.bind(buf, 0, 40), 0);
  // NOP + window scale, unknown kind 253, one EOL byte of padding.
  assert.equal(toHex(buf.subarray(0, 28)), '00010002' + '00000003' + '00000004' + '7002' + '0005' +
    toHex(buf.subarray(16, 18)) + '0000' + '01030302' + 'fd034200');
  assert.equal(toHex(buf.subarray(28)), 'a5'.repeat(12));
  assert.ok(view.verifyChecksum(0));
});

test('round trip at a non-zero offset with payload', () => {
  const ip = fromHex('20010db8000000000000000000000001 20010db8000100000000000000000002');
  const r = new TcpRepr();
  r.srcPort = 50000; r.dstPort = 443; r.seq = 0xdeadbeef; r.ack = 0x01020304; r.flags = TcpFlag.Psh | TcpFlag.Ack;
  r.window = 512; r.payloadLen = 5;
  r.options.hasTimestamp = true; r.options.tsVal = 9; r.options.tsEcr = 10;
  const hl = tcpReprHeaderLen(r);
  assert.equal(hl, 32);
  const buf = new Uint8Array(11 + hl + 5);
  buf.set(fromHex('68656c6c6f'), 11 + hl);
  const ps = pseudoHeaderSum6(ip, 0, 16, IpProtocol.Tcp, hl + 5);
  emitTcp(r, view.bind(buf, 11, hl + 5), ps);
  const out = new TcpRepr();
  assert.equal(parseTcp(view.bind(buf, 11, hl + 5), out, ps), 0);
  assert.deepEqual(out, r);
  assert.equal(toHex(buf.subarray(view.payloadOff(), view.payloadOff() + view.payloadLen())), '68656c6c6f');
});

function segment(options: string, payload = ''): Uint8Array {
  const opt = fromHex(options);
  const seg = new Uint8Array(20 + opt.length + payload.length / 2);
  seg.set(fromHex('04d2162e 00000001 00000000 0002 ffff 0000 0000'));
  seg[12] = ((20 + opt.length) / 4) << 4;
  seg.set(opt, 20);
  seg.set(fromHex(payload), 20 + opt.length);
  view.bind(seg, 0, seg.length).fillChecksum(0);
  return seg;
}

test('drop truncated: fewer than 20 bytes', () => {
  const seg = segment('');
  expectDrop(parseTcp(view.bind(seg, 0, 19), new TcpRepr(), 0), 'truncated');
});

test('drop badHeaderLength: data offset below 5 words', () => {
  const seg = segment('');
  seg[12] = 4 << 4;
  expectDrop(parseTcp(view.bind(seg, 0, seg.length), new TcpRepr(), 0, TcpParseFlag.skipChecksum), 'badHeaderLength');
});

test('drop badHeaderLength: data offset beyond the buffer', () => {
  const seg = segment('02040578');
  expectDrop(parseTcp(view.bind(seg, 0, 23), new TcpRepr(), 0, TcpParseFlag.skipChecksum), 'badHeaderLength');
});

test('drop badChecksum: one flipped payload bit', () => {
  const seg = segment('', 'aabbcc');
  seg[21] ^= 1;
  expectDrop(parseTcp(view.bind(seg, 0, seg.length), new TcpRepr(), 0), 'badChecksum');
});

test('drop badOption: MSS option of length 3', () => {
  const seg = segment('02030500');
  expectDrop(parseTcp(view.bind(seg, 0, seg.length), new TcpRepr(), 0), 'badOption');
});

test('port setters with checksum update equal a full recomputation', () => {
  const ip = fromHex('0a000001 08080808');
  const seg = segment('020405b4', '0102030405');
  const ps = pseudoHeaderSum4(ip, 0, 4, IpProtocol.Tcp, seg.length);
  view.bind(seg, 0, seg.length).fillChecksum(ps);
  view.updateSrcPort(1);
  view.updateDstPort(0xfffe);
  const incremental = view.checksum();
  view.fillChecksum(ps);
  assert.equal(incremental, view.checksum());
  assert.equal(view.srcPort(), 1);
  assert.equal(view.dstPort(), 0xfffe);
});

test('adjustChecksum follows a NAT64 change of pseudo-header', () => {
  const v6 = fromHex('20010db8000000000000000000000001 0064ff9b000000000000000008080808');
  const v4 = fromHex('c0000201 08080808');
  const seg = segment('', '00ff00ff00');
  const old = pseudoHeaderSum6(v6, 0, 16, IpProtocol.Tcp, seg.length);
  const now = pseudoHeaderSum4(v4, 0, 4, IpProtocol.Tcp, seg.length);
  view.bind(seg, 0, seg.length).fillChecksum(old);
  view.adjustChecksum(old, now);
  assert.equal(parseTcp(view, new TcpRepr(), now), 0);
  assert.equal(sumWords(v4, 0, 8, 0) + IpProtocol.Tcp + seg.length, now);
});

test('reserved bits are carried, not rejected (RFC 9293 §3.1)', () => {
  const seg = segment('');
  seg[12] |= 0x0f;
  view.bind(seg, 0, seg.length).fillChecksum(0);
  const out = new TcpRepr();
  assert.equal(parseTcp(view, out, 0), 0);
  assert.equal(out.reserved, 0x0f);
  assert.equal(view.dataOffset(), 5);
});

test('emit with options past the option space is a caller bug', () => {
  const r = new TcpRepr();
  r.options.unknownLen = 40;
  r.options.hasMss = true;
  assert.throws(() => emitTcp(r, view.bind(new Uint8Array(100), 0, 100), 0), RangeError);
  const small = new TcpRepr();
  assert.throws(() => emitTcp(small, view.bind(new Uint8Array(19), 0, 19), 0), RangeError);
});

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u16 = fc.integer({ min: 0, max: 0xffff });

test('property: parse ∘ emit is the identity on TcpRepr', () => {
  fc.assert(fc.property(
    fc.record({
      srcPort: u16, dstPort: u16, seq: u32, ack: u32, reserved: fc.integer({ min: 0, max: 15 }),
      flags: fc.integer({ min: 0, max: 255 }), window: u16, urgent: u16,
      mss: fc.option(u16), ws: fc.option(fc.integer({ min: 0, max: 255 })), sackOk: fc.boolean(),
      ts: fc.option(fc.tuple(u32, u32)), sack: fc.array(u32, { maxLength: 4 }),
      payload: fc.uint8Array({ maxLength: 30 }), off: fc.integer({ min: 0, max: 7 }), ps: fc.integer({ min: 0, max: 0x3ffff }),
    }),
    (g) => {
      const r = new TcpRepr();
      r.srcPort = g.srcPort; r.dstPort = g.dstPort; r.seq = g.seq; r.ack = g.ack; r.reserved = g.reserved;
      r.flags = g.flags; r.window = g.window; r.urgent = g.urgent; r.payloadLen = g.payload.length;
      const o = r.options;
      if (g.mss !== null) { o.hasMss = true; o.mss = g.mss; }
      if (g.ws !== null) { o.hasWindowScale = true; o.windowScale = g.ws; }
      o.sackPermitted = g.sackOk;
      if (g.ts !== null) { o.hasTimestamp = true; [o.tsVal, o.tsEcr] = g.ts; }
      // Keep the set inside 40 bytes: SACK blocks only as far as room remains.
      const room = 40 - (o.hasMss ? 4 : 0) - (o.hasWindowScale ? 3 : 0) - (o.sackPermitted ? 2 : 0) - (o.hasTimestamp ? 10 : 0);
      const blocks = Math.min(g.sack.length, Math.floor((room - 2) / 8));
      o.sackBlocks = Math.max(0, blocks);
      for (let i = 0; i < o.sackBlocks; i++) { o.sack[2 * i] = g.sack[i]!; o.sack[2 * i + 1] = g.sack[i]! ^ 0x5a5a; }
      const hl = tcpReprHeaderLen(r);
      const buf = new Uint8Array(g.off + hl + g.payload.length).fill(0xa5);
      buf.set(g.payload, g.off + hl);
      emitTcp(r, view.bind(buf, g.off, buf.length - g.off), g.ps);
      const out = new TcpRepr();
      assert.equal(parseTcp(view, out, g.ps), 0);
      assert.deepEqual(out, r);
    }));
});

test('property: random bytes never throw and a passing parse keeps reads in bounds', () => {
  const out = new TcpRepr();
  fc.assert(fc.property(fc.uint8Array({ maxLength: 70 }), fc.boolean(), (b, verify) => {
    const code = parseTcp(view.bind(b, 0, b.length), out, 0, verify ? 0 : TcpParseFlag.skipChecksum);
    assert.ok(code >= 0 && code < WireDrop.size);
    if (code === 0) assert.ok(view.payloadOff() + view.payloadLen() === b.length && view.headerLen() >= TCP_HEADER_LEN);
  }));
});

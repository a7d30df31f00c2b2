import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pseudoHeaderSum4 } from '../../src/wire/checksum.js';
import { IpProtocol } from '../../src/wire/ip-protocol.js';
import { TcpPacket } from '../../src/wire/tcp.js';
import {
  clampTcpMss, emitTcpOptions, findTcpMss, parseTcpOptions, setTcpMss, TcpOptionIter, TcpOptionKind, TcpOptionsRepr,
  tcpOptionsReprLen,
} from '../../src/wire/tcp-options.js';
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

const iter = new TcpOptionIter();
const seg = new TcpPacket();

function kinds(hex: string): number[] {
  const b = fromHex(hex);
  const out: number[] = [];
  iter.reset(b, 0, b.length);
  while (iter.next()) out.push(iter.kind);
  return out;
}

function parse(hex: string): [number, TcpOptionsRepr] {
  const b = fromHex(hex);
  const o = new TcpOptionsRepr();
  return [parseTcpOptions(b, 0, b.length, o), o];
}

test('iterator walks the options of a Linux SYN', () => {
  // MSS 1460, SACK-permitted, timestamps 0x01020304/0, NOP, window scale 7.
  const hex = '020405b4 0402 080a0102030400000000 01 030307';
  assert.deepEqual(kinds(hex), [2, 4, 8, 1, 3]);
  const b = fromHex(hex);
  iter.reset(b, 0, b.length);
  iter.next();
  assert.equal(iter.mss(), 1460);
  iter.next(); iter.next();
  assert.equal(iter.tsVal(), 0x01020304);
  assert.equal(iter.tsEcr(), 0);
  iter.next(); iter.next();
  assert.equal(iter.windowScale(), 7);
  assert.equal(iter.error, 0);
});

test('iterator stops at EOL and ignores what follows (RFC 9293 §3.2)', () => {
  assert.deepEqual(kinds('01 00 02 ff ff ff'), [1]);
  const [code, o] = parse('01 00 02 ff ff ff');
  assert.equal(code, 0);
  assert.equal(o.hasMss, false);
});

test('iterator gives SACK blocks (RFC 2018 §3)', () => {
  const b = fromHex('0101 0512 00000001 00000002 fffffff0 ffffffff');
  iter.reset(b, 0, b.length);
  iter.next(); iter.next(); iter.next();
  assert.equal(iter.kind, TcpOptionKind.Sack);
  assert.equal(iter.sackBlockCount(), 2);
  assert.equal(iter.sackLeft(1), 0xfffffff0);
  assert.equal(iter.sackRight(1), 0xffffffff);
});

const malformed: [string, string][] = [
  ['length 0', '1e00'],
  ['length 1', '1e01'],
  ['kind with no length byte', '0101011e'],
  ['length past the end', '1e05aabb'],
  ['MSS of length 3', '020305'],
  ['window scale of length 4', '03040700'],
  ['SACK-permitted of length 3', '040300'],
  ['timestamps of length 8', '080800000000 0000'],
  ['SACK with a partial block', '050900000000000000 00'],
  ['SACK with no block', '0502'],
];
for (const [name, hex] of malformed) {
  test(`drop badOption: ${name}`, () => {
    const [code] = parse(hex);
    expectDrop(code, 'badOption');
    const b = fromHex(hex);
    iter.reset(b, 0, b.length);
    while (iter.next()) assert.ok(iter.off + iter.optLen <= b.length);
    assert.equal(iter.error, WireDrop.code.badOption);
  });
}

test('drop badOption: an options area longer than 40 bytes', () => {
  const b = new Uint8Array(44).fill(1);
  expectDrop(parseTcpOptions(b, 0, 44, new TcpOptionsRepr()), 'badOption');
});

test('unknown kinds are kept raw, in order, and emitted back', () => {
  // MPTCP (30) and a fast-open cookie (34) around an MSS.
  const [code, o] = parse('1e0400810204 0218 220601020304');
  assert.equal(code, 0);
  assert.equal(o.mss, 0x218);
  assert.equal(toHex(o.unknown.subarray(0, o.unknownLen)), '1e040081' + '220601020304');
  const buf = new Uint8Array(16).fill(0xa5);
  const n = emitTcpOptions(o, buf, 0);
  assert.equal(n, 16);
  assert.equal(toHex(buf), '02040218' + '1e040081' + '220601020304' + '0000');
});

test('emit lays a Linux SYN set out as Linux does (RFC 7323 Appendix A)', () => {
  const o = new TcpOptionsRepr();
  o.hasMss = true; o.mss = 1460; o.sackPermitted = true; o.hasTimestamp = true; o.tsVal = 0x01020304;
  o.hasWindowScale = true; o.windowScale = 7;
  const buf = new Uint8Array(24).fill(0xa5);
  assert.equal(tcpOptionsReprLen(o), 20);
  assert.equal(emitTcpOptions(o, buf, 2), 20);
  assert.equal(toHex(buf), 'a5a5' + '020405b4' + '0402080a0102030400000000' + '01030307' + 'a5a5');
});

test('emit aligns timestamps and SACK with NOPs when alone', () => {
  const o = new TcpOptionsRepr();
  o.hasTimestamp = true; o.tsVal = 1; o.tsEcr = 2;
  o.sackBlocks = 1; o.sack[0] = 10; o.sack[1] = 20;
  const buf = new Uint8Array(24).fill(0xa5);
  assert.equal(emitTcpOptions(o, buf, 0), 24);
  assert.equal(toHex(buf), '0101080a0000000100000002' + '0101050a0000000a00000014');
});

test('emit falls back to the compact layout when the aligned one exceeds 40 bytes', () => {
  // MSS + timestamps + 3 SACK blocks: 44 bytes aligned, 40 compact.
  const o = new TcpOptionsRepr();
  o.hasMss = true; o.mss = 536; o.hasTimestamp = true; o.sackBlocks = 3;
  for (let i = 0; i < 6; i++) o.sack[i] = i + 1;
  assert.equal(tcpOptionsReprLen(o), 40);
  const buf = new Uint8Array(40).fill(0xa5);
  assert.equal(emitTcpOptions(o, buf, 0), 40);
  assert.deepEqual(kinds(toHex(buf)), [2, 8, 5]);
  const back = new TcpOptionsRepr();
  assert.equal(parseTcpOptions(buf, 0, 40, back), 0);
  assert.deepEqual(back, o);
});

test('emit of a set that cannot fit 40 bytes is a caller bug', () => {
  const o = new TcpOptionsRepr();
  o.hasTimestamp = true; o.sackBlocks = 4;
  assert.ok(tcpOptionsReprLen(o) > 40);
  assert.throws(() => emitTcpOptions(o, new Uint8Array(60), 0), RangeError);
});

test('emit pads with EOL to a word boundary in a poisoned buffer', () => {
  const o = new TcpOptionsRepr();
  o.unknown.set([0xfe, 2]); o.unknownLen = 2;
  const buf = new Uint8Array(8).fill(0xa5);
  assert.equal(emitTcpOptions(o, buf, 0), 4);
  assert.equal(toHex(buf), 'fe020000a5a5a5a5');
  const empty = new TcpOptionsRepr();
  assert.equal(emitTcpOptions(empty, buf, 0), 0);
});

/** Segment 0x04d2 → 0x0050 with `options`, payload "data", checksummed with `ps`. */
function segment(options: string, ps: number): Uint8Array {
  const opt = fromHex(options);
  const b = new Uint8Array(20 + opt.length + 4);
  b.set(fromHex('04d20050 00000001 00000000 0002 ffff 0000 0000'));
  b[12] = ((20 + opt.length) / 4) << 4;
  b.set(opt, 20);
  b.set(fromHex('64617461'), 20 + opt.length);
  seg.bind(b, 0, b.length).fillChecksum(ps);
  return b;
}

test('findTcpMss gives the absolute offset of the MSS value, or -1', () => {
  const b = segment('01020405b4010101', 0);
  seg.bind(b, 0, b.length);
  assert.equal(findTcpMss(seg), 23);
  const none = segment('01010101', 0);
  assert.equal(findTcpMss(seg.bind(none, 0, none.length)), -1);
  const bad = segment('1e000000', 0);
  assert.equal(findTcpMss(seg.bind(bad, 0, bad.length)), -1);
});

for (const v of l4Vectors('tcp').filter((x) => x.family === 4 && (x.fields['options'] as [string][]).some(([k]) => k === 'mss'))) {
  test(`clampTcpMss on scapy vector ${v.name} keeps the checksum right`, () => {
    const pkt = fromHex(v.hex);
    const len = pkt.length - v.l4Offset;
    const ps = pseudoHeaderSum4(pkt, 12, 16, IpProtocol.Tcp, len);
    seg.bind(pkt, v.l4Offset, len);
    assert.ok(seg.verifyChecksum(ps));
    assert.equal(clampTcpMss(seg, 500), true);
    const at = findTcpMss(seg);
    assert.equal((pkt[at]! << 8) | pkt[at + 1]!, 500);
    assert.ok(seg.verifyChecksum(ps), 'incremental update must match the new contents');
    const incremental = seg.checksum();
    seg.fillChecksum(ps);
    assert.equal(incremental, seg.checksum());
  });
}

test('clampTcpMss leaves a smaller MSS alone and reports a missing one', () => {
  const b = segment('020401f4', 0);
  seg.bind(b, 0, b.length);
  const before = toHex(b);
  assert.equal(clampTcpMss(seg, 1400), false);
  assert.equal(toHex(b), before);
  const none = segment('', 0);
  assert.equal(clampTcpMss(seg.bind(none, 0, none.length), 1400), false);
  assert.equal(setTcpMss(seg, 1400), false);
});

test('setTcpMss at an odd offset updates the checksum', () => {
  const ps = 0x1234;
  const b = segment('01020405b4010101', ps);
  seg.bind(b, 0, b.length);
  assert.equal(setTcpMss(seg, 0xabcd), true);
  assert.equal(toHex(b.subarray(23, 25)), 'abcd');
  assert.ok(seg.verifyChecksum(ps));
});

test('property: MSS rewrite at any alignment equals a full recomputation', () => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }),
    fc.integer({ min: 0, max: 0x3ffff }),
    (nops, mss, max, ps) => {
      const opts = '01'.repeat(nops) + '0204' + mss.toString(16).padStart(4, '0');
      const padded = opts + '00'.repeat((4 - ((opts.length / 2) % 4)) % 4);
      const b = segment(padded, ps);
      seg.bind(b, 0, b.length);
      const changed = clampTcpMss(seg, max);
      assert.equal(changed, mss > max);
      assert.ok(seg.verifyChecksum(ps));
      const incremental = seg.checksum();
      seg.fillChecksum(ps);
      assert.equal(incremental, seg.checksum());
    }));
});

test('property: parseTcpOptions ∘ emitTcpOptions is the identity, unknown kinds included', () => {
  const u32 = fc.integer({ min: 0, max: 0xffffffff });
  fc.assert(fc.property(
    fc.option(fc.integer({ min: 0, max: 0xffff })), fc.option(fc.integer({ min: 0, max: 255 })), fc.boolean(),
    fc.option(fc.tuple(u32, u32)), fc.array(fc.tuple(u32, u32), { maxLength: 2 }),
    fc.array(fc.tuple(fc.integer({ min: 9, max: 255 }).filter((k) => k !== 8), fc.uint8Array({ maxLength: 4 })), { maxLength: 2 }),
    (mss, ws, sackOk, ts, sack, unknown) => {
      const o = new TcpOptionsRepr();
      if (mss !== null) { o.hasMss = true; o.mss = mss; }
      if (ws !== null) { o.hasWindowScale = true; o.windowScale = ws; }
      o.sackPermitted = sackOk;
      if (ts !== null) { o.hasTimestamp = true; [o.tsVal, o.tsEcr] = ts; }
      o.sackBlocks = sack.length;
      sack.forEach(([l, r], i) => { o.sack[2 * i] = l; o.sack[2 * i + 1] = r; });
      for (const [kind, data] of unknown) {
        o.unknown.set([kind, data.length + 2, ...data], o.unknownLen);
        o.unknownLen += data.length + 2;
      }
      fc.pre(tcpOptionsReprLen(o) <= 40);
      const buf = new Uint8Array(44).fill(0xa5);
      const n = emitTcpOptions(o, buf, 2);
      const back = new TcpOptionsRepr();
      assert.equal(parseTcpOptions(buf, 2, n, back), 0);
      assert.deepEqual(back, o);
    }));
});

test('property: random option bytes never throw and the iter stays in bounds', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
    const code = parseTcpOptions(b, 0, b.length, new TcpOptionsRepr());
    assert.ok(code === 0 || code === WireDrop.code.badOption);
    iter.reset(b, 0, b.length);
    while (iter.next()) assert.ok(iter.off + iter.optLen <= b.length);
  }));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  emitGeneve, GeneveOptionIter, GenevePacket, GeneveProtocol, GeneveRepr, geneveReprHeaderLen,
  geneveReprLen, parseGeneve,
} from '../../src/wire/geneve.js';
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

const view = new GenevePacket();
const iter = new GeneveOptionIter();

interface GeneveFields {
  version: number; optionsLength: number; oam: number; critical: number; protocolType: number; vni: number;
  options: { class: number; type: number; data: string }[]; payloadLength: number;
}

function options(buf: Uint8Array, off: number, len: number): { class: number; type: number; data: string }[] {
  const out: { class: number; type: number; data: string }[] = [];
  iter.reset(buf, off, len);
  while (iter.next()) out.push({ class: iter.optClass, type: iter.type, data: toHex(buf.subarray(iter.dataOff, iter.dataOff + iter.dataLen)) });
  assert.equal(iter.error, 0);
  return out;
}

for (const v of l4Vectors('geneve')) {
  const f = v.fields as unknown as GeneveFields;
  test(`scapy vector ${v.name}: parses to scapy's fields`, () => {
    const pkt = fromHex(v.hex);
    const out = new GeneveRepr();
    assert.equal(parseGeneve(view.bind(pkt, 0, pkt.length), out), 0);
    assert.equal(view.version(), f.version);
    assert.equal(out.optionsLen, f.optionsLength);
    assert.equal(out.oam, f.oam === 1);
    assert.equal(out.critical, f.critical === 1);
    assert.equal(out.protocolType, f.protocolType);
    assert.equal(out.vni, f.vni);
    assert.equal(out.payloadLen, f.payloadLength);
    assert.deepEqual(options(out.options, 0, out.optionsLen), f.options);
    assert.deepEqual(options(pkt, view.optionsOff(), view.optionsLen()), f.options);
  });

  test(`scapy vector ${v.name}: emit into a poisoned buffer reproduces scapy's bytes`, () => {
    const pkt = fromHex(v.hex);
    const out = new GeneveRepr();
    parseGeneve(view.bind(pkt, 0, pkt.length), out);
    const buf = Uint8Array.from(pkt).fill(0xa5, 0, geneveReprHeaderLen(out));
    emitGeneve(out, view.bind(buf, 0, buf.length));
    assert.equal(toHex(buf), v.hex);
  });
}

test('named vector: RFC 8926 §3.4 header with one critical option', () => {
  const r = new GeneveRepr();
  r.critical = true; r.protocolType = GeneveProtocol.Ipv4; r.vni = 0x000102;
  // Class 0x0103, type 0x80 (critical), 1 word of data.
  r.options.set(fromHex('01038001 deadbeef'));
  r.optionsLen = 8;
  const buf = new Uint8Array(20).fill(0xa5);
  emitGeneve(r, view.bind(buf, 0, 20));
  assert.equal(view.len, 16);
  assert.equal(toHex(buf), '02400800' + '00010200' + '01038001deadbeef' + 'a5a5a5a5');
  iter.reset(buf, 8, 8);
  assert.ok(iter.next());
  assert.equal(iter.optClass, 0x0103);
  assert.ok(iter.critical());
  assert.equal(iter.dataLen, 4);
  assert.ok(!iter.next());
});

test('options with no data and reserved bits set walk correctly', () => {
  const opts = fromHex('ffff0500 0102e001 00000000');
  const seen: number[][] = [];
  iter.reset(opts, 0, opts.length);
  while (iter.next()) seen.push([iter.optClass, iter.type, iter.off, iter.optLen]);
  assert.deepEqual(seen, [[0xffff, 5, 0, 4], [0x0102, 0xe0, 4, 8]]);
  assert.equal(iter.error, 0);
});

test('round trip at a non-zero offset with OAM and unknown options', () => {
  const r = new GeneveRepr();
  r.oam = true; r.protocolType = GeneveProtocol.Ipv6; r.vni = 0xabcdef; r.payloadLen = 40;
  r.options.set(fromHex('abcd7f02 0102030405060708 00000000'));
  r.optionsLen = 16;
  const buf = new Uint8Array(3 + geneveReprLen(r));
  emitGeneve(r, view.bind(buf, 3, buf.length - 3));
  const out = new GeneveRepr();
  assert.equal(parseGeneve(view.bind(buf, 3, buf.length - 3), out), 0);
  assert.deepEqual(out, r);
  assert.equal(view.payloadOff(), 3 + 24);
});

test('reserved bits are ignored on receipt', () => {
  const buf = fromHex('003f6558 00000aff');
  const out = new GeneveRepr();
  assert.equal(parseGeneve(view.bind(buf, 0, 8), out), 0);
  assert.equal(out.vni, 10);
  assert.equal(out.oam, false);
});

test('drop truncated: fewer than 8 bytes', () => {
  const buf = fromHex('00006558000001');
  expectDrop(parseGeneve(view.bind(buf, 0, buf.length), new GeneveRepr()), 'truncated');
});

test('drop badVersion: version 1 (RFC 8926 §3.4)', () => {
  const buf = fromHex('40006558 00000100');
  expectDrop(parseGeneve(view.bind(buf, 0, 8), new GeneveRepr()), 'badVersion');
});

test('drop badHeaderLength: options beyond the buffer', () => {
  const buf = fromHex('02006558 00000100 00010100');
  expectDrop(parseGeneve(view.bind(buf, 0, buf.length), new GeneveRepr()), 'badHeaderLength');
});

test('drop badOption: option data past the options length', () => {
  // Opt Len 1 word, but the option claims 1 word of data after its header.
  const buf = fromHex('01006558 00000100 00010101 00000000');
  expectDrop(parseGeneve(view.bind(buf, 0, buf.length), new GeneveRepr()), 'badOption');
});

test('emit with a bad options length, VNI or short view is a caller bug', () => {
  const r = new GeneveRepr();
  r.optionsLen = 6;
  assert.throws(() => emitGeneve(r, view.bind(new Uint8Array(20), 0, 20)), RangeError);
  const v = new GeneveRepr();
  v.vni = 0x1000000;
  assert.throws(() => emitGeneve(v, view.bind(new Uint8Array(20), 0, 20)), RangeError);
  const s = new GeneveRepr();
  s.payloadLen = 20;
  assert.throws(() => emitGeneve(s, view.bind(new Uint8Array(20), 0, 20)), RangeError);
});

const option = fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 3 }))
  .chain(([cls, type, words]) => fc.uint8Array({ minLength: words * 4, maxLength: words * 4 }).map((data) => ({ cls, type, data })));

test('property: parse ∘ emit is the identity on GeneveRepr', () => {
  fc.assert(fc.property(
    fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffffff }),
    fc.array(option, { maxLength: 4 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 9 }),
    (oam, critical, proto, vni, opts, payloadLen, off) => {
      const r = new GeneveRepr();
      r.oam = oam; r.critical = critical; r.protocolType = proto; r.vni = vni; r.payloadLen = payloadLen;
      for (const o of opts) {
        r.options.set([o.cls >> 8, o.cls & 0xff, o.type, o.data.length / 4], r.optionsLen);
        r.options.set(o.data, r.optionsLen + 4);
        r.optionsLen += 4 + o.data.length;
      }
      const buf = new Uint8Array(off + geneveReprLen(r)).fill(0xa5);
      emitGeneve(r, view.bind(buf, off, buf.length - off));
      const out = new GeneveRepr();
      assert.equal(parseGeneve(view, out), 0);
      assert.deepEqual(out, r);
      assert.equal(options(out.options, 0, out.optionsLen).length, opts.length);
    }));
});

test('property: random bytes never throw and the iterator stays in bounds', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
    if (b.length > 0) b[0] = b[0]! & 0x3f;
    const code = parseGeneve(view.bind(b, 0, b.length), new GeneveRepr());
    assert.ok(code >= 0 && code < WireDrop.size);
    if (view.check() === 0) {
      assert.ok(view.payloadOff() <= b.length);
      iter.reset(b, view.optionsOff(), view.optionsLen());
      while (iter.next()) assert.ok(iter.off + iter.optLen <= view.payloadOff());
    }
  }));
});

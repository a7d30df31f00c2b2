import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  emitVirtioNetHeader, parseVirtioNetHeader, VIRTIO_NET_HDR_LEN, VirtioGsoType, VirtioNetFlag, VirtioNetHeader,
  VirtioNetHeaderRepr,
} from '../../src/wire/virtio-net-header.js';
import { DropCounters } from '../../src/wire/drop-reasons.js';
import { WireDrop } from '../../src/wire/wire-drop.js';
import { fromHex, toHex } from '../golden/l4/vectors.js';

interface VirtioVector {
  name: string;
  hex: string;
  fields: { flags: number; gsoType: number; hdrLen: number; gsoSize: number; csumStart: number; csumOffset: number };
}

const here = dirname(fileURLToPath(import.meta.url));
const vectors: VirtioVector[] = JSON.parse(readFileSync(join(here, '../golden/virtio-net/vectors.json'), 'utf8')).vectors;

const counters = new DropCounters(WireDrop);
const view = new VirtioNetHeader();

/** Counts `code` as a stage would and checks it landed on `reason`'s counter. */
function expectDrop(code: number, reason: Parameters<typeof counters.get>[0]): void {
  const before = counters.get(reason);
  counters.add(code);
  assert.equal(code, WireDrop.code[reason]);
  assert.equal(counters.get(reason), before + 1);
}

function repr(f: VirtioVector['fields']): VirtioNetHeaderRepr {
  const r = new VirtioNetHeaderRepr();
  r.flags = f.flags; r.gsoType = f.gsoType; r.hdrLen = f.hdrLen; r.gsoSize = f.gsoSize;
  r.csumStart = f.csumStart; r.csumOffset = f.csumOffset;
  return r;
}

for (const v of vectors) {
  if (v.name === 'ufo-legacy') continue;
  test(`golden vector ${v.name}: parses to the C struct's fields`, () => {
    const out = new VirtioNetHeaderRepr();
    const buf = fromHex(v.hex);
    assert.equal(parseVirtioNetHeader(view.bind(buf, 0, buf.length), out), 0);
    assert.deepEqual(out, repr(v.fields));
  });

  test(`golden vector ${v.name}: emit into a poisoned buffer reproduces the C struct's bytes`, () => {
    const buf = new Uint8Array(VIRTIO_NET_HDR_LEN + 2).fill(0xa5);
    emitVirtioNetHeader(repr(v.fields), view.bind(buf, 1, VIRTIO_NET_HDR_LEN));
    assert.equal(toHex(buf), 'a5' + v.hex + 'a5');
  });
}

test('golden vector ufo-legacy parses: the type is known even though natmesh never enables UFO', () => {
  const v = vectors.find((x) => x.name === 'ufo-legacy')!;
  const buf = fromHex(v.hex);
  const out = new VirtioNetHeaderRepr();
  assert.equal(parseVirtioNetHeader(view.bind(buf, 0, buf.length), out), 0);
  assert.equal(out.gsoType, VirtioGsoType.Udp);
});

test('named vector: 16-bit fields are little-endian (virtio 1.0, TUNSETVNETLE)', () => {
  // gso_size 1448 = 0x05a8 is stored a8 05; csum_start 20 = 14 00; csum_offset 16 = 10 00.
  const buf = fromHex('0101' + '3400' + 'a805' + '1400' + '1000');
  assert.equal(parseVirtioNetHeader(view.bind(buf, 0, 10), new VirtioNetHeaderRepr()), 0);
  assert.equal(view.flags(), VirtioNetFlag.NeedsCsum);
  assert.equal(view.gsoType(), VirtioGsoType.TcpV4);
  assert.equal(view.hdrLen(), 52);
  assert.equal(view.gsoSize(), 1448);
  assert.equal(view.csumStart(), 20);
  assert.equal(view.csumOffset(), 16);
  assert.ok(view.needsChecksum());
  assert.ok(view.isGso());
  assert.equal(view.payloadOff(), 10);
});

test('named vectors: headers Linux 6.18 handed a TUN reader for TSO bursts (test/io/tun-device.test.ts)', () => {
  // IPv4: NEEDS_CSUM, TCPV4, hdr_len 40 (20 + 20), MSS 1460, checksum at 20 + 16.
  // IPv6: NEEDS_CSUM, TCPV6, hdr_len 60 (40 + 20), MSS 1440, checksum at 40 + 16.
  const cases = [
    { hex: '01012800b40514001000', gsoType: VirtioGsoType.TcpV4, hdrLen: 40, gsoSize: 1460, csumStart: 20 },
    { hex: '01043c00a00528001000', gsoType: VirtioGsoType.TcpV6, hdrLen: 60, gsoSize: 1440, csumStart: 40 },
  ];
  for (const c of cases) {
    const buf = fromHex(c.hex);
    const out = new VirtioNetHeaderRepr();
    assert.equal(parseVirtioNetHeader(view.bind(buf, 0, 10), out), 0);
    assert.deepEqual(out, Object.assign(new VirtioNetHeaderRepr(), {
      flags: VirtioNetFlag.NeedsCsum, gsoType: c.gsoType, hdrLen: c.hdrLen, gsoSize: c.gsoSize, csumStart: c.csumStart, csumOffset: 16,
    }));
  }
});

test('round trip at a non-zero offset, with the packet after it', () => {
  const r = new VirtioNetHeaderRepr();
  r.flags = VirtioNetFlag.NeedsCsum; r.gsoType = VirtioGsoType.TcpV6 | VirtioGsoType.Ecn;
  r.hdrLen = 72; r.gsoSize = 1428; r.csumStart = 40; r.csumOffset = 16;
  const buf = new Uint8Array(64).fill(0xa5);
  emitVirtioNetHeader(r, view.bind(buf, 17, buf.length - 17));
  const out = new VirtioNetHeaderRepr();
  assert.equal(parseVirtioNetHeader(view.bind(buf, 17, buf.length - 17), out), 0);
  assert.deepEqual(out, r);
  assert.equal(view.gsoKind(), VirtioGsoType.TcpV6);
  assert.equal(view.payloadOff(), 27);
  assert.equal(view.payloadLen(), 64 - 27);
});

test('clear writes the plain-packet header', () => {
  const buf = new Uint8Array(12).fill(0xa5);
  view.bind(buf, 1, 11).clear();
  assert.equal(toHex(buf), 'a5' + '00'.repeat(10) + 'a5');
  assert.equal(parseVirtioNetHeader(view, new VirtioNetHeaderRepr()), 0);
  assert.ok(!view.isGso() && !view.needsChecksum());
});

test('drop truncated: fewer than 10 bytes', () => {
  const buf = new Uint8Array(9);
  expectDrop(parseVirtioNetHeader(view.bind(buf, 0, 9), new VirtioNetHeaderRepr()), 'truncated');
});

test('drop badFlags: RSC_INFO and undefined flag bits', () => {
  for (const flags of [VirtioNetFlag.RscInfo, 0x08, 0x80]) {
    const buf = new Uint8Array(10);
    buf[0] = flags;
    expectDrop(parseVirtioNetHeader(view.bind(buf, 0, 10), new VirtioNetHeaderRepr()), 'badFlags');
  }
});

test('drop badType: undefined GSO types and ECN on anything but TCP', () => {
  for (const gso of [2, 6, 0x7f, VirtioGsoType.None | VirtioGsoType.Ecn, VirtioGsoType.UdpL4 | VirtioGsoType.Ecn]) {
    const buf = fromHex('0100a805a80514000600');
    buf[1] = gso;
    expectDrop(parseVirtioNetHeader(view.bind(buf, 0, 10), new VirtioNetHeaderRepr()), 'badType');
  }
});

test('drop badLength: a GSO super-segment with segment size 0', () => {
  const buf = fromHex('01013400000014001000');
  expectDrop(parseVirtioNetHeader(view.bind(buf, 0, 10), new VirtioNetHeaderRepr()), 'badLength');
});

test('emit with a field out of range or a short view is a caller bug', () => {
  const r = new VirtioNetHeaderRepr();
  assert.throws(() => emitVirtioNetHeader(r, view.bind(new Uint8Array(9), 0, 9)), RangeError);
  r.gsoSize = 0x10000;
  assert.throws(() => emitVirtioNetHeader(r, view.bind(new Uint8Array(10), 0, 10)), RangeError);
  r.gsoSize = 0; r.flags = 256;
  assert.throws(() => emitVirtioNetHeader(r, view.bind(new Uint8Array(10), 0, 10)), RangeError);
});

const validRepr = fc.record({
  flags: fc.constantFrom(0, VirtioNetFlag.NeedsCsum, VirtioNetFlag.DataValid, VirtioNetFlag.NeedsCsum | VirtioNetFlag.DataValid),
  gsoType: fc.constantFrom(0, 1, 3, 4, 5, 0x81, 0x84),
  hdrLen: fc.integer({ min: 0, max: 0xffff }),
  gsoSize: fc.integer({ min: 1, max: 0xffff }),
  csumStart: fc.integer({ min: 0, max: 0xffff }),
  csumOffset: fc.integer({ min: 0, max: 0xffff }),
});

test('property: parse ∘ emit is the identity on VirtioNetHeaderRepr', () => {
  fc.assert(fc.property(validRepr, fc.integer({ min: 0, max: 9 }), (f, off) => {
    const r = repr(f);
    const buf = new Uint8Array(off + VIRTIO_NET_HDR_LEN).fill(0xa5);
    emitVirtioNetHeader(r, view.bind(buf, off, VIRTIO_NET_HDR_LEN));
    const out = new VirtioNetHeaderRepr();
    assert.equal(parseVirtioNetHeader(view, out), 0);
    assert.deepEqual(out, r);
  }));
});

test('property: random bytes never throw, and parse either accepts or names a reason', () => {
  const allowed = new Set([0, WireDrop.code.truncated, WireDrop.code.badFlags, WireDrop.code.badType, WireDrop.code.badLength]);
  fc.assert(fc.property(fc.uint8Array({ maxLength: 16 }), (b) => {
    assert.ok(allowed.has(parseVirtioNetHeader(view.bind(b, 0, b.length), new VirtioNetHeaderRepr())));
  }));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pseudoHeaderSum6 } from '../../src/wire/checksum.js';
import { Icmpv6Packet, Icmpv6ParseFlag, Icmpv6Repr, Icmpv6Type, parseIcmpv6 } from '../../src/wire/icmpv6.js';
import { IpProtocol } from '../../src/wire/ip-protocol.js';
import {
  emitNdp, NDP_NS_NA_LEN, NdpNaFlag, NdpOptionIter, NdpPacket, NdpRepr, ndpReprLen, parseNdp,
} from '../../src/wire/ndp.js';
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

const view = new NdpPacket();

function pseudo(pkt: Uint8Array, length: number): number {
  return pseudoHeaderSum6(pkt, 8, 24, IpProtocol.Icmpv6, length);
}

interface NdpFields {
  type: number; checksum: number; target: string; flags: number;
  sourceLinkAddr: string | null; targetLinkAddr: string | null;
}

for (const v of l4Vectors('ndp')) {
  const f = v.fields as unknown as NdpFields;
  test(`scapy vector ${v.name}: parses to scapy's fields and verifies`, () => {
    const pkt = fromHex(v.hex);
    const len = pkt.length - v.l4Offset;
    const out = new NdpRepr();
    assert.equal(parseNdp(view.bind(pkt, v.l4Offset, len), out, pseudo(pkt, len)), 0);
    assert.equal(out.type, f.type);
    assert.equal(view.checksum(), f.checksum);
    assert.equal(out.flags, f.flags);
    assert.equal(toHex(out.target), f.target);
    assert.equal(out.hasSourceLinkAddr, f.sourceLinkAddr !== null);
    if (f.sourceLinkAddr !== null) assert.equal(toHex(out.sourceLinkAddr), f.sourceLinkAddr);
    assert.equal(out.hasTargetLinkAddr, f.targetLinkAddr !== null);
    if (f.targetLinkAddr !== null) assert.equal(toHex(out.targetLinkAddr), f.targetLinkAddr);
    // The generic ICMPv6 codec reads the same message.
    const icmp = new Icmpv6Repr();
    assert.equal(parseIcmpv6(new Icmpv6Packet().bind(pkt, v.l4Offset, len), icmp, pseudo(pkt, len)), 0);
    assert.equal(icmp.type, f.type);
  });

  test(`scapy vector ${v.name}: emit into a poisoned buffer reproduces scapy's bytes`, () => {
    const pkt = fromHex(v.hex);
    const len = pkt.length - v.l4Offset;
    const out = new NdpRepr();
    parseNdp(view.bind(pkt, v.l4Offset, len), out, 0, Icmpv6ParseFlag.skipChecksum);
    assert.equal(ndpReprLen(out), len);
    const buf = Uint8Array.from(pkt);
    buf.fill(0xa5, v.l4Offset);
    emitNdp(out, view.bind(buf, v.l4Offset, len), pseudo(pkt, len));
    assert.equal(toHex(buf), v.hex);
  });
}

/** NS for 2001:db8::2 with a source link-layer address 02:00:00:00:00:01, then `extra` options. */
function solicitation(extra = '', off = 0): Uint8Array {
  const msg = fromHex('87000000 00000000 20010db8000000000000000000000002 0101020000000001' + extra);
  const buf = new Uint8Array(off + msg.length);
  buf.set(msg, off);
  view.bind(buf, off, msg.length).fillChecksum(0);
  return buf;
}

test('named vector: RFC 4861 §4.3 solicitation by hand', () => {
  const buf = solicitation();
  const out = new NdpRepr();
  assert.equal(parseNdp(view.bind(buf, 0, buf.length), out, 0), 0);
  assert.equal(out.type, Icmpv6Type.NeighborSolicitation);
  assert.equal(out.flags, 0);
  assert.equal(toHex(out.target), '20010db8000000000000000000000002');
  assert.equal(toHex(out.sourceLinkAddr), '020000000001');
  assert.equal(out.hasTargetLinkAddr, false);
});

test('emit writes every byte of a 0xa5-poisoned buffer', () => {
  const r = new NdpRepr();
  r.type = Icmpv6Type.NeighborAdvertisement;
  r.flags = NdpNaFlag.Solicited | NdpNaFlag.Override;
  r.target.set(fromHex('fe800000000000000000000000000001'));
  r.hasTargetLinkAddr = true;
  r.targetLinkAddr.set(fromHex('0a0b0c0d0e0f'));
  const buf = new Uint8Array(40).fill(0xa5);
  emitNdp(r, view.bind(buf, 0, 40), 0);
  assert.equal(view.len, 32);
  assert.equal(toHex(buf.subarray(0, 2)) + toHex(buf.subarray(4, 32)),
    '8800' + '60000000' + 'fe800000000000000000000000000001' + '02010a0b0c0d0e0f');
  assert.ok(view.verifyChecksum(0));
  assert.equal(toHex(buf.subarray(32)), 'a5'.repeat(8));
});

test('NS flags are reserved: emitted as zero, read as zero', () => {
  const r = new NdpRepr();
  r.flags = NdpNaFlag.Router;
  const buf = new Uint8Array(24).fill(0xa5);
  emitNdp(r, view.bind(buf, 0, 24), 0);
  assert.equal(toHex(buf.subarray(4, 8)), '00000000');
  buf[4] = 0xff;
  const out = new NdpRepr();
  assert.equal(parseNdp(view, out, 0, Icmpv6ParseFlag.skipChecksum), 0);
  assert.equal(out.flags, 0);
});

test('round trip at a non-zero offset with both link-layer options', () => {
  const r = new NdpRepr();
  r.type = Icmpv6Type.NeighborAdvertisement;
  r.flags = NdpNaFlag.Router;
  r.target.set(fromHex('20010db8000000000000000000000099'));
  r.hasSourceLinkAddr = true; r.sourceLinkAddr.set(fromHex('020000000001'));
  r.hasTargetLinkAddr = true; r.targetLinkAddr.set(fromHex('020000000002'));
  const buf = new Uint8Array(7 + ndpReprLen(r));
  emitNdp(r, view.bind(buf, 7, buf.length - 7), 0x4321);
  const out = new NdpRepr();
  assert.equal(parseNdp(view.bind(buf, 7, buf.length - 7), out, 0x4321), 0);
  assert.deepEqual(out, r);
});

test('options of other types are skipped (RFC 4861 §4.6)', () => {
  // Nonce option (type 14, RFC 3971) of length 1 after the source address.
  const buf = solicitation('0e01010203040506');
  const out = new NdpRepr();
  assert.equal(parseNdp(view.bind(buf, 0, buf.length), out, 0), 0);
  assert.equal(out.hasSourceLinkAddr, true);
});

test('option iterator walks types and lengths', () => {
  const opts = fromHex('0101020000000001 0e02' + '00'.repeat(14) + '0201020000000002');
  const it = new NdpOptionIter().reset(opts, 0, opts.length);
  const seen: number[][] = [];
  while (it.next()) seen.push([it.type, it.off, it.optLen]);
  assert.deepEqual(seen, [[1, 0, 8], [14, 8, 16], [2, 24, 8]]);
  assert.equal(it.error, 0);
});

test('drop truncated: shorter than 24 bytes', () => {
  const buf = solicitation();
  expectDrop(parseNdp(view.bind(buf, 0, 23), new NdpRepr(), 0, Icmpv6ParseFlag.skipChecksum), 'truncated');
});

test('drop badType: not NS/NA, or code not 0 (RFC 4861 §7.1.1)', () => {
  const buf = solicitation();
  buf[0] = Icmpv6Type.RouterSolicitation;
  expectDrop(parseNdp(view.bind(buf, 0, buf.length), new NdpRepr(), 0, Icmpv6ParseFlag.skipChecksum), 'badType');
  buf[0] = Icmpv6Type.NeighborSolicitation;
  buf[1] = 1;
  expectDrop(parseNdp(view, new NdpRepr(), 0, Icmpv6ParseFlag.skipChecksum), 'badType');
});

test('drop badAddress: multicast target (RFC 4861 §7.1.1)', () => {
  const buf = solicitation();
  buf[8] = 0xff;
  expectDrop(parseNdp(view.bind(buf, 0, buf.length), new NdpRepr(), 0, Icmpv6ParseFlag.skipChecksum), 'badAddress');
});

test('drop badOption: option length 0 (RFC 4861 §4.6)', () => {
  const buf = solicitation('0e00000000000000');
  expectDrop(parseNdp(view.bind(buf, 0, buf.length), new NdpRepr(), 0), 'badOption');
});

test('drop badOption: option past the end', () => {
  const buf = solicitation('0e02000000000000');
  expectDrop(parseNdp(view.bind(buf, 0, buf.length), new NdpRepr(), 0), 'badOption');
  const odd = solicitation('0e');
  expectDrop(parseNdp(view.bind(odd, 0, odd.length), new NdpRepr(), 0), 'badOption');
});

test('drop badOption: link-layer address option not 8 bytes long', () => {
  const buf = solicitation('0202' + '00'.repeat(14));
  expectDrop(parseNdp(view.bind(buf, 0, buf.length), new NdpRepr(), 0), 'badOption');
});

test('drop badChecksum: one flipped bit', () => {
  const buf = solicitation();
  buf[30] ^= 4;
  expectDrop(parseNdp(view.bind(buf, 0, buf.length), new NdpRepr(), 0), 'badChecksum');
});

test('emit into a view shorter than the message is a caller bug', () => {
  const r = new NdpRepr();
  r.hasSourceLinkAddr = true;
  assert.throws(() => emitNdp(r, view.bind(new Uint8Array(31), 0, 31), 0), RangeError);
});

test('property: parse ∘ emit is the identity on NdpRepr', () => {
  fc.assert(fc.property(
    fc.boolean(), fc.integer({ min: 0, max: 7 }), fc.uint8Array({ minLength: 16, maxLength: 16 }),
    fc.option(fc.uint8Array({ minLength: 6, maxLength: 6 })), fc.option(fc.uint8Array({ minLength: 6, maxLength: 6 })),
    fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 0x3ffff }),
    (na, flagBits, target, sll, tll, off, ps) => {
      const r = new NdpRepr();
      r.type = na ? Icmpv6Type.NeighborAdvertisement : Icmpv6Type.NeighborSolicitation;
      r.flags = na ? flagBits << 5 : 0;
      r.target.set(target);
      r.target[0] = target[0]! & 0xfe; // not multicast
      if (sll !== null) { r.hasSourceLinkAddr = true; r.sourceLinkAddr.set(sll); }
      if (tll !== null) { r.hasTargetLinkAddr = true; r.targetLinkAddr.set(tll); }
      const buf = new Uint8Array(off + NDP_NS_NA_LEN + 16).fill(0xa5);
      emitNdp(r, view.bind(buf, off, buf.length - off), ps);
      const out = new NdpRepr();
      assert.equal(parseNdp(view, out, ps), 0);
      assert.deepEqual(out, r);
    }));
});

test('property: random bytes never throw', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (b, nsType) => {
    if (b.length > 1) { b[0] = nsType ? 135 : 136; b[1] = 0; }
    const code = parseNdp(view.bind(b, 0, b.length), new NdpRepr(), 0, Icmpv6ParseFlag.skipChecksum);
    assert.ok(code >= 0 && code < WireDrop.size);
    assert.ok(code !== 0 || b.length >= NDP_NS_NA_LEN);
  }));
});


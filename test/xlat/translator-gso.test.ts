import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describeSuperSegment, segmentSuperPacket } from '../../src/io/gso.js';
import { FrameBatch } from '../../src/pipeline/frame-batch.js';
import { LinkKind } from '../../src/pipeline/link-kind.js';
import { VIRTIO_NET_HDR_LEN, VirtioNetHeader } from '../../src/wire/virtio-net-header.js';
import { rewriteSource } from '../../src/xlat/napt-rewrite.js';
import { extractFlowTuple, FlowTuple } from '../../src/xlat/flow-tuple.js';
import type { AddressMapper } from '../../src/xlat/address-mapper.js';
import { Translator } from '../../src/xlat/translator.js';
import { XlatDrop } from '../../src/xlat/xlat-drop.js';
import { XlatOutput, XlatOutputKind } from '../../src/xlat/xlat-output.js';
import { leastHeapGrowth } from '../heap-growth.js';
import {
  assertIpv4HeaderChecksum, assertTransportChecksum, config, ERROR_SOURCE6, fixIpv4Checksum, hex, icmp6, ip4, ip6, ocSum, pattern, PREFIX96, put16,
  S4, translator, u16, u32, v6,
} from './translator-fixtures.js';

/**
 * GSO super-segments through the translator (`XlatOutput.gsoSize`): a TCP or UDP packet of up to
 * 64 KB that a TUN device handed over in place of many wire packets is translated once, and the
 * MTU rules of RFC 7915 §4.1/§5.1 apply to one segment. The reference for "right" is the
 * translation of each wire segment on its own: cutting the translated super-segment must give
 * the same packets as translating the cut ones (`segmentSuperPacket` does the cutting, as the
 * kernel would).
 */

const TS_OPTION = Uint8Array.of(1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2);

interface SuperOpts {
  family: 4 | 6;
  proto: 6 | 17;
  data: number;
  /** TCP options (default a timestamp option, 32-byte header, as Linux sends). */
  options?: Uint8Array;
  df?: boolean;
  hlim?: number;
}

/**
 * A super-segment as a TUN read hands it over: one IP packet, its transport checksum partial
 * (the folded pseudo-header sum over the whole transport length, not complemented).
 */
function superSegment(o: SuperOpts): Uint8Array {
  const body = pattern(o.data, 3);
  let l4: Uint8Array;
  if (o.proto === 6) {
    const opts = o.options ?? TS_OPTION;
    l4 = new Uint8Array(20 + opts.length + body.length);
    put16(l4, 0, 40000);
    put16(l4, 2, 80);
    l4.set([0x12, 0x34, 0x56, 0x78], 4);
    l4.set([0, 0, 0, 1], 8);
    l4[12] = ((20 + opts.length) / 4) << 4;
    l4[13] = 0x18;
    put16(l4, 14, 0xffff);
    l4.set(opts, 20);
    l4.set(body, 20 + opts.length);
  } else {
    l4 = new Uint8Array(8 + body.length);
    put16(l4, 0, 40000);
    put16(l4, 2, 53);
    put16(l4, 4, l4.length & 0xffff);
    l4.set(body, 8);
  }
  const at = o.proto === 6 ? 16 : 6;
  if (o.family === 6) {
    const p = ip6({ nh: o.proto, payload: l4, hlim: o.hlim });
    put16(p, 40 + at, ocSum([[p, 8, 32]], o.proto + l4.length));
    return p;
  }
  const p = ip4({ proto: o.proto, payload: l4, flagsFrag: o.df === false ? 0 : 0x4000, id: 0x1000, ttl: o.hlim });
  put16(p, 20 + at, ocSum([[p, 12, 8]], o.proto + l4.length));
  return p;
}

interface GsoRun {
  code: number;
  outs: Uint8Array[];
  kinds: number[];
  gsoSizes: number[];
}

function runGso(t: Translator, pkt: Uint8Array, gsoSize: number, out = new XlatOutput(1 << 18, 64)): GsoRun {
  const buf = new Uint8Array(3 + pkt.length + 5).fill(0xa5);
  buf.set(pkt, 3);
  out.bytes.fill(0xa5);
  out.reset();
  out.gsoSize = gsoSize;
  const code = pkt[0]! >>> 4 === 6 ? t.translate6to4(buf, 3, pkt.length, out) : t.translate4to6(buf, 3, pkt.length, out);
  const r: GsoRun = { code, outs: [], kinds: [], gsoSizes: [] };
  for (let i = 0; i < out.count; i++) {
    r.outs.push(out.bytes.slice(out.offsets[i]!, out.offsets[i]! + out.lengths[i]!));
    r.kinds.push(out.kinds[i]!);
    r.gsoSizes.push(out.gsoSizes[i]!);
  }
  return r;
}

/** Cuts a super-segment as the kernel would: complete packets of `gsoSize` payload bytes. */
function cut(pkt: Uint8Array, gsoSize: number): Uint8Array[] {
  const hdr = new VirtioNetHeader().bind(new Uint8Array(VIRTIO_NET_HDR_LEN), 0, VIRTIO_NET_HDR_LEN);
  const work = pkt.slice();
  assert.equal(describeSuperSegment(hdr, work, 0, work.length, gsoSize), 0);
  const out = new FrameBatch(LinkKind.Ip, 1 << 19, 2048);
  assert.equal(segmentSuperPacket(hdr, work, 0, work.length, out, 0), 0);
  const segs: Uint8Array[] = [];
  for (let i = 0; i < out.count; i++) segs.push(out.bytes.slice(out.offsets[i]!, out.offsets[i]! + out.lengths[i]!));
  return segs;
}

/** The transport checksum field holds the folded pseudo-header sum of the packet (a partial
 * checksum, as Linux leaves it in a super-segment). */
function assertPartialChecksum(p: Uint8Array): void {
  if (p[0]! >>> 4 === 4) {
    const proto = p[9]!;
    const len = u16(p, 2) - 20;
    assert.equal(u16(p, 20 + (proto === 6 ? 16 : 6)), ocSum([[p, 12, 8]], proto + len), 'partial IPv4 pseudo-header sum');
  } else {
    const proto = p[6]!;
    const len = u16(p, 4);
    assert.equal(u16(p, 40 + (proto === 6 ? 16 : 6)), ocSum([[p, 8, 32]], proto + len), 'partial IPv6 pseudo-header sum');
  }
}

/** Transport payload after the IP and transport headers. */
function payloadOf(p: Uint8Array): Uint8Array {
  const l3 = p[0]! >>> 4 === 4 ? (p[0]! & 15) * 4 : 40;
  const proto = p[0]! >>> 4 === 4 ? p[9]! : p[6]!;
  const l4 = proto === 6 ? (p[l3 + 12]! >>> 4) * 4 : 8;
  return p.subarray(l3 + l4);
}

/**
 * The packet with a TCP checksum of 0xffff written as 0x0000: both verify (ones' complement
 * has two zeros); a full computation can give the one, an RFC 1624 update only the other.
 */
function sameZero(p: Uint8Array): Uint8Array {
  const at = (p[0]! >>> 4 === 4 ? (p[0]! & 15) * 4 : 40) + 16;
  if (u16(p, at) !== 0xffff) return p;
  const c = p.slice();
  put16(c, at, 0);
  return c;
}

/** An IPv4 packet with Identification, flags and header checksum zeroed, to compare the rest. */
function maskFlags(p: Uint8Array): string {
  const c = p.slice();
  for (const i of [4, 5, 6, 10, 11]) c[i] = 0;
  return hex(c);
}

describe('translator: GSO super-segments', () => {
  for (const family of [6, 4] as const) {
    const dir = family === 6 ? 'IPv6 → IPv4' : 'IPv4 → IPv6';
    test(`${dir} TCP: translated once, as one packet; cut on the wire it is the segments translated one by one`, () => {
      fc.assert(fc.property(
        fc.integer({ min: 1, max: 60000 }), fc.integer({ min: 536, max: 1440 }), fc.boolean(),
        (data, mssIn, withTs) => {
          const options = withTs ? TS_OPTION : new Uint8Array(0);
          // Segments that fit a 1500-byte link on both sides, so no rule cuts them.
          const mss = Math.min(mssIn, 1500 - 40 - 20 - options.length);
          const pkt = superSegment({ family, proto: 6, data, options });
          const seed = 7;
          const r = runGso(translator({ hashSeed: seed }), pkt, mss);
          assert.equal(r.code, 0);
          assert.deepEqual(r.kinds, [XlatOutputKind.Translated]);
          assert.deepEqual(r.gsoSizes, [mss], 'segment size kept: every segment fits');
          const out = r.outs[0]!;
          assertPartialChecksum(out);
          if (family === 6) assertIpv4HeaderChecksum(out);
          // The reference: each wire segment translated on its own (same seed, so a DF-clear
          // segment takes the Identification the generator gives it).
          const ref = translator({ hashSeed: seed });
          const expected = cut(pkt, mss).map((s) => {
            const one = runGso(ref, s, 0);
            assert.equal(one.code, 0);
            assert.equal(one.outs.length, 1);
            return one.outs[0]!;
          });
          const got = cut(out, mss);
          assert.equal(got.length, expected.length);
          for (let i = 0; i < got.length; i++) {
            const g = sameZero(got[i]!);
            const e = sameZero(expected[i]!);
            assertTransportChecksum(g, 'segment ' + i);
            if (family === 4 || (g[6]! & 0x40) === 0) {
              assert.equal(hex(g), hex(e), 'segment ' + i);
              continue;
            }
            // A DF segment (over 1260 bytes) is atomic, so its Identification is free (RFC 6864
            // §4.1): zero alone, the super-segment's plus its index when cut. The last, shorter
            // segment keeps the DF of the others; alone it would be under 1260 bytes and clear.
            assert.equal(maskFlags(g), maskFlags(e), 'segment ' + i);
            if (e.length > 1260) assert.equal(u16(e, 6), 0x4000);
            else assert.equal(i, got.length - 1, 'only the last segment is short');
          }
        },
      ), { numRuns: 40, examples: [[34147, 542, false]] });
    });
  }

  test('without gsoSize the same packet meets the whole-packet rules: Packet Too Big (RFC 7915 §5.1)', () => {
    const pkt = superSegment({ family: 6, proto: 6, data: 20000 });
    const r = runGso(translator({ ipv6SourceForErrors: ERROR_SOURCE6 }), pkt, 0);
    assert.equal(r.code, XlatDrop.code.packetTooBig);
    assert.deepEqual(r.kinds, [XlatOutputKind.IcmpError]);
    const ok = runGso(translator({ ipv6SourceForErrors: ERROR_SOURCE6 }), pkt, 1440);
    assert.equal(ok.code, 0);
    assert.equal(ok.outs[0]!.length, 20 + 32 + 20000);
  });

  test('IPv6 → IPv4: DF follows one segment\'s size (1260-byte rule), never the 64 KB whole', () => {
    // 1440-byte segments are 1492 bytes in IPv4: DF, an atomic datagram with ID 0.
    const big = runGso(translator(), superSegment({ family: 6, proto: 6, data: 30000 }), 1440).outs[0]!;
    assert.equal(u16(big, 6), 0x4000);
    assert.equal(u16(big, 4), 0);
    assert.equal(u16(big, 2), 20 + 32 + 30000);
    // 1000-byte segments are 1052 bytes: DF clear, each needs its own Identification.
    const small = runGso(translator(), superSegment({ family: 6, proto: 6, data: 30000 }), 1000).outs[0]!;
    assert.equal(u16(small, 6), 0);
  });

  test('IPv6 → IPv4: DF-clear segments take consecutive Identifications, reserved in the generator (RFC 6864 §4.2)', () => {
    const t = translator({ hashSeed: 99 });
    const r = runGso(t, superSegment({ family: 6, proto: 6, data: 10000 }), 1000);
    const first = u16(r.outs[0]!, 4);
    const segments = cut(r.outs[0]!, 1000);
    assert.equal(segments.length, 10);
    segments.forEach((s, i) => assert.equal(u16(s, 4), (first + i) & 0xffff, 'segment ' + i));
    // The next packet toward the destination gets the ID after the last segment's.
    const next = runGso(t, superSegment({ family: 6, proto: 6, data: 100 }), 0).outs[0]!;
    assert.equal(u16(next, 4), (first + 10) & 0xffff);
  });

  test('IPv6 → IPv4: TCP segments over the IPv4 link MTU are cut smaller, no ICMP error', () => {
    const pkt = superSegment({ family: 6, proto: 6, data: 30000 });
    const r = runGso(translator({ ipv4LinkMtu: 1400, ipv6SourceForErrors: ERROR_SOURCE6 }), pkt, 1440);
    assert.equal(r.code, 0);
    assert.deepEqual(r.kinds, [XlatOutputKind.Translated]);
    assert.deepEqual(r.gsoSizes, [1400 - 20 - 32]);
    const segs = cut(r.outs[0]!, r.gsoSizes[0]!);
    assert.ok(segs.every((s) => s.length <= 1400));
    assert.equal(hex(Buffer.concat(segs.map(payloadOf))), hex(payloadOf(pkt)), 'the same byte stream');
  });

  test('IPv6 → IPv4: UDP segments over the IPv4 link MTU: Packet Too Big as for the first segment', () => {
    const t = translator({ ipv4LinkMtu: 1400, ipv6SourceForErrors: ERROR_SOURCE6 });
    const pkt = superSegment({ family: 6, proto: 17, data: 14400 });
    const before = t.drops.get('packetTooBig');
    const r = runGso(t, pkt, 1440);
    assert.equal(r.code, XlatDrop.code.packetTooBig);
    assert.equal(t.drops.get('packetTooBig'), before + 1);
    assert.deepEqual(r.kinds, [XlatOutputKind.IcmpError]);
    assert.deepEqual(r.gsoSizes, [0]);
    const e = r.outs[0]!;
    assert.deepEqual([e[6], e[40], e[41]], [58, 2, 0], 'ICMPv6 Packet Too Big');
    assert.equal(u32(e, 44), 1420, 'the IPv4 link MTU in IPv6 terms');
    assert.equal(hex(e.subarray(24, 40)), hex(v6(S4)), 'back to the sender');
    const q = e.subarray(48);
    assert.equal(u16(q, 4), 8 + 1440, 'quoted Payload Length: one segment');
    assert.equal(u16(q, 44), 8 + 1440, 'quoted UDP Length: one segment');
    assert.equal(hex(q.subarray(48, 64)), hex(payloadOf(pkt).subarray(0, 16)), 'quotes the first segment');
    assert.ok(e.length <= 1280);
    assertTransportChecksum(e);
  });

  test('IPv6 → IPv4: a UDP super-segment whose segments fit leaves as one packet', () => {
    const r = runGso(translator(), superSegment({ family: 6, proto: 17, data: 14000 }), 1400);
    assert.equal(r.code, 0);
    assert.deepEqual(r.gsoSizes, [1400]);
    assertPartialChecksum(r.outs[0]!);
    const segs = cut(r.outs[0]!, 1400);
    assert.equal(segs.length, 10);
    for (const s of segs) assertTransportChecksum(s);
  });

  test('IPv4 → IPv6: TCP segments that grow past the IPv6 link MTU are cut by the 20 bytes, not answered', () => {
    // 1460-byte segments: 1500 bytes in IPv4, 1520 in IPv6.
    const pkt = superSegment({ family: 4, proto: 6, data: 29200, options: new Uint8Array(0) });
    const r = runGso(translator(), pkt, 1460);
    assert.equal(r.code, 0);
    assert.deepEqual(r.kinds, [XlatOutputKind.Translated]);
    assert.deepEqual(r.gsoSizes, [1440]);
    const out = r.outs[0]!;
    assert.equal(out[6], 6, 'no Fragment header');
    assert.equal(u16(out, 4), 20 + 29200);
    assertPartialChecksum(out);
    const segs = cut(out, 1440);
    assert.ok(segs.every((s) => s.length <= 1500));
    for (const s of segs) assertTransportChecksum(s);
    assert.equal(hex(Buffer.concat(segs.map(payloadOf))), hex(payloadOf(pkt)));
  });

  test('IPv4 → IPv6: DF-clear TCP segments over the lowest IPv6 MTU are cut to it rather than fragmented', () => {
    const pkt = superSegment({ family: 4, proto: 6, data: 20000, df: false });
    const r = runGso(translator(), pkt, 1400);
    assert.equal(r.code, 0);
    assert.deepEqual(r.gsoSizes, [1280 - 40 - 32]);
    assert.equal(r.outs[0]![6], 6, 'no Fragment header');
  });

  test('IPv4 → IPv6: DF UDP segments past the IPv6 link MTU: Fragmentation Needed as for the first segment', () => {
    const t = translator();
    const pkt = superSegment({ family: 4, proto: 17, data: 14600 });
    const r = runGso(t, pkt, 1460);
    assert.equal(r.code, XlatDrop.code.packetTooBig);
    assert.deepEqual(r.kinds, [XlatOutputKind.IcmpError]);
    const e = r.outs[0]!;
    assert.deepEqual([e[9], e[20], e[21]], [1, 3, 4], 'ICMPv4 Fragmentation Needed');
    assert.equal(u16(e, 26), 1480, 'the IPv6 link MTU in IPv4 terms');
    const q = e.subarray(28);
    assert.equal(u16(q, 2), 20 + 8 + 1460, 'quoted Total Length: one segment');
    assertIpv4HeaderChecksum(q.subarray(0, 20), 'quoted header');
    assert.equal(u16(q, 24), 8 + 1460, 'quoted UDP Length: one segment');
    assertIpv4HeaderChecksum(e);
    assertTransportChecksum(e);
  });

  test('IPv4 → IPv6: DF-clear UDP segments that fit the link leave whole (a super-segment is not cut into fragments)', () => {
    const r = runGso(translator(), superSegment({ family: 4, proto: 17, data: 14000, df: false }), 1400);
    assert.equal(r.code, 0);
    assert.deepEqual(r.gsoSizes, [1400]);
    assert.equal(r.outs[0]![6], 17);
  });

  test('gsoSize on what cannot be a super-segment (ICMP, a fragment) is ignored: the packet is translated as it is', () => {
    const echo = icmp6({ type: 128, code: 0, rest: 0x12340001, body: pattern(100) });
    const r = runGso(translator(), echo, 1000);
    assert.equal(r.code, 0);
    assert.deepEqual(r.gsoSizes, [0]);
    assertTransportChecksum(r.outs[0]!);
    const frag = fixIpv4Checksum(ip4({ proto: 17, payload: pattern(64), flagsFrag: 0x2000 }));
    const f = runGso(translator(), frag, 1000);
    assert.equal(f.code, 0);
    assert.deepEqual(f.gsoSizes, [0]);
    assert.equal(f.outs[0]![6], 44, 'a Fragment header: the ordinary fragment rule');
  });

  test('an ICMP error for a super-segment (hop limit 1) is an ordinary packet; reset forgets gsoSize', () => {
    const out = new XlatOutput(1 << 18, 64);
    const r = runGso(translator({ ipv6SourceForErrors: ERROR_SOURCE6 }), superSegment({ family: 6, proto: 6, data: 5000, hlim: 1 }), 1440, out);
    assert.equal(r.code, XlatDrop.code.ttlExpired);
    assert.deepEqual(r.gsoSizes, [0]);
    assert.ok(r.outs[0]!.length <= 1280);
    out.reset();
    assert.equal(out.gsoSize, 0);
  });

  test('NAPT after translation leaves the partial checksum wrong and describeSuperSegment makes it right again', () => {
    // NAT64 rewrites the source port with an RFC 1624 update, right for a complete checksum
    // only; the sender rewrites the field from the pseudo-header before the kernel sees it.
    const r = runGso(translator(), superSegment({ family: 6, proto: 6, data: 30000 }), 1440);
    const p = r.outs[0]!;
    const tuple = new FlowTuple();
    assert.equal(extractFlowTuple(p, 0, p.length, tuple), 0);
    assert.equal(rewriteSource(p, 0, p.length, tuple, null, 61000), 0);
    assert.equal(u16(p, 20), 61000);
    assert.notEqual(u16(p, 36), ocSum([[p, 12, 8]], 6 + p.length - 20), 'the incremental update corrupted it');
    const hdr = new VirtioNetHeader().bind(new Uint8Array(VIRTIO_NET_HDR_LEN), 0, VIRTIO_NET_HDR_LEN);
    assert.equal(describeSuperSegment(hdr, p, 0, p.length, 1440), 0);
    assertPartialChecksum(p);
    for (const s of cut(p, 1440)) {
      assertTransportChecksum(s);
      assert.equal(u16(s, 20), 61000);
    }
  });

  test('translating a super-segment allocates nothing', () => {
    // A mapper that allocates nothing either (the fixtures' one boxes a u32 per lookup).
    const t = new Translator(config(), new PlainPrefixMapper());
    const six = superSegment({ family: 6, proto: 6, data: 60000 });
    const four = superSegment({ family: 4, proto: 6, data: 60000 });
    const out = new XlatOutput(1 << 18, 64);
    let codes = 0;
    const growth = leastHeapGrowth(() => {
      for (let i = 0; i < 200; i++) {
        out.reset();
        out.gsoSize = 1440;
        codes |= t.translate6to4(six, 0, six.length, out);
        out.reset();
        out.gsoSize = 1460;
        codes |= t.translate4to6(four, 0, four.length, out);
      }
    });
    assert.equal(codes, 0);
    // 400 translations: one 16-byte object each would be 6.4 KB.
    assert.ok(growth < 4 * 1024, `heap grew ${growth} bytes`);
  });
});

/** RFC 6052 /96 with the test prefix, nothing denied, nothing allocated. */
class PlainPrefixMapper implements AddressMapper {
  source6to4(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean {
    return this.to4(src, srcOff, dst, dstOff);
  }
  destination6to4(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean {
    return this.to4(src, srcOff, dst, dstOff);
  }
  source4to6(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean {
    return this.to6(src, srcOff, dst, dstOff);
  }
  destination4to6(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean {
    return this.to6(src, srcOff, dst, dstOff);
  }
  private to4(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean {
    for (let i = 0; i < 12; i++) if (src[srcOff + i] !== PREFIX96[i]) return false;
    for (let i = 0; i < 4; i++) dst[dstOff + i] = src[srcOff + 12 + i]!;
    return true;
  }
  private to6(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean {
    for (let i = 0; i < 12; i++) dst[dstOff + i] = PREFIX96[i]!;
    for (let i = 0; i < 4; i++) dst[dstOff + 12 + i] = src[srcOff + i]!;
    return true;
  }
}

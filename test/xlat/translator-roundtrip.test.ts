import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { adjustChecksum } from '../../src/wire/checksum.js';
import { adjustAddresses } from '../../src/xlat/address-sums.js';
import { XlatOutput } from '../../src/xlat/xlat-output.js';
import {
  assertIpv4HeaderChecksum, assertTransportChecksum, concat, ERROR_SOURCE6, hex, icmpMsg, ip4, ip6, ipv4, run, translator, u16,
  udpHeader, v6, withChecksum,
} from './translator-fixtures.js';

// RFC 7915 is symmetric: a packet translated there and back is the original modulo the fields
// the RFC lets each side choose (TTL decremented twice, IPv4 Identification, DF, checksums of
// the headers that carry them). Properties over random packets, plus "bad input never throws".

// Unicast addresses a translator forwards (not 0/8, 127/8, 224/4, 240/4: RFC 1812 §5.3.7).
const addr4 = fc.tuple(fc.integer({ min: 1, max: 223 }).filter((a) => a !== 127), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 }))
  .map((a) => a.join('.'));

interface Spec { proto: number; body: Uint8Array; src: string; dst: string; ttl: number; tos: number; df: boolean; id: number }

const spec = (maxBody: number, minBody = 0): fc.Arbitrary<Spec> => fc.record({
  proto: fc.constantFrom(17, 6, 1, 47),
  body: fc.uint8Array({ minLength: minBody, maxLength: maxBody }),
  src: addr4,
  dst: addr4,
  ttl: fc.integer({ min: 3, max: 255 }),
  tos: fc.nat(255),
  df: fc.boolean(),
  id: fc.nat(0xffff),
});

function transport(s: Spec): Uint8Array {
  if (s.proto === 17) return udpHeader(1024 + (s.id & 0xff), 53, s.body);
  if (s.proto === 6) {
    const tcp = new Uint8Array(20 + s.body.length);
    tcp[12] = 0x50;
    tcp[13] = 0x18;
    tcp.set(s.body, 20);
    return tcp;
  }
  if (s.proto === 1) return icmpMsg(s.id & 1 ? 8 : 0, 0, s.id, s.body);
  return s.body;
}

function packet4(s: Spec): Uint8Array {
  const p = ip4({ src: s.src, dst: s.dst, ttl: s.ttl, tos: s.tos, id: s.id, flagsFrag: s.df ? 0x4000 : 0, proto: s.proto, payload: transport(s) });
  return s.proto === 47 ? p : withChecksum(p);
}

function packet6(s: Spec): Uint8Array {
  const p = ip6({ src: v6(s.src), dst: v6(s.dst), hlim: s.ttl, tc: s.tos, nh: s.proto === 1 ? 58 : s.proto, payload: transport(s) });
  if (s.proto === 1) p[40] = s.id & 1 ? 128 : 129;
  return s.proto === 47 ? p : withChecksum(p);
}

test('RFC 7915 round trip 4→6→4: the original modulo TTL − 2, ID, DF and header checksum', () => {
  const t = translator();
  fc.assert(fc.property(spec(1200), (s) => {
    const orig = packet4(s);
    const six = run(t, '4to6', orig);
    assert.equal(six.code, 0);
    assert.equal(six.outs.length, 1);
    assertTransportChecksum(six.outs[0]!);
    const back = run(t, '6to4', six.outs[0]!);
    assert.equal(back.code, 0);
    const p = back.outs[0]!;
    assertIpv4HeaderChecksum(p);
    assert.equal(p[8], s.ttl - 2);
    const a = p.slice();
    const e = orig.slice();
    for (const i of [4, 5, 6, 7, 8, 10, 11]) a[i] = e[i] = 0;
    assert.equal(hex(a), hex(e));
  }), { numRuns: 300 });
});

test('RFC 7915 round trip 6→4→6: the original modulo hop limit − 2', () => {
  const t = translator();
  fc.assert(fc.property(spec(1200), (s) => {
    const orig = packet6(s);
    const four = run(t, '6to4', orig);
    assert.equal(four.code, 0);
    assertTransportChecksum(four.outs[0]!);
    const back = run(t, '4to6', four.outs[0]!);
    assert.equal(back.code, 0);
    const p = back.outs[0]!;
    assert.equal(p[7], s.ttl - 2);
    const a = p.slice();
    a[7] = orig[7]!;
    assert.equal(hex(a), hex(orig));
  }), { numRuns: 300 });
});

test('RFC 7915 §4.1 + §5.1.1 round trip of a DF-clear datagram through IPv6 fragments', () => {
  const t = translator();
  fc.assert(fc.property(spec(4000, 2000).filter((s) => s.proto !== 1), fc.integer({ min: 1280, max: 2000 }), (s, lowest) => {
    const orig = packet4({ ...s, df: false });
    const tt = translator({ lowestIpv6Mtu: lowest, ipv6LinkMtu: 9000 });
    const frags = run(tt, '4to6', orig).outs;
    assert.ok(frags.length >= 2);
    for (const f of frags) assert.ok(f.length <= lowest);
    // An IPv6 fragment of more than 1520 bytes is cut again for the 1500-byte IPv4 link.
    const back = frags.flatMap((f) => {
      const r = run(t, '6to4', f);
      assert.equal(r.code, 0);
      return r.outs;
    });
    // Reassemble the IPv4 fragments (RFC 791) and compare with the original datagram's payload.
    back.sort((x, y) => (u16(x, 6) & 0x1fff) - (u16(y, 6) & 0x1fff));
    for (const f of back) {
      assertIpv4HeaderChecksum(f);
      assert.equal(u16(f, 4), s.id, 'the IPv4 ID survives (zero-extended, then low 16 bits)');
    }
    const data = concat(...back.map((f) => f.subarray(20)));
    assert.equal(hex(data), hex(orig.subarray(20)));
  }), { numRuns: 60 });
});

test('bad input never throws: random bytes, both directions, any offset and length', () => {
  const t = translator({ ipv6SourceForErrors: ERROR_SOURCE6, udpZeroChecksum: 'compute' });
  const out = new XlatOutput(1 << 16, 16);
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(20), fc.nat(400), fc.constantFrom(0x45, 0x46, 0x4f, 0x60, 0x00), (bytes, off, len, first) => {
    if (bytes.length > 0) bytes[0] = first;
    out.reset();
    const a = t.translate4to6(bytes, off, len, out);
    const b = t.translate6to4(bytes, off, len, out);
    assert.ok(Number.isInteger(a) && Number.isInteger(b));
  }), { numRuns: 3000 });
});

test('bad input never throws: valid packets with random bytes overwritten', () => {
  const t = translator({ ipv6SourceForErrors: ERROR_SOURCE6, udpZeroChecksum: 'compute' });
  const out = new XlatOutput(1 << 17, 64);
  const seeds = [
    packet4({ proto: 17, body: new Uint8Array(40), src: '192.0.2.1', dst: '198.51.100.2', ttl: 9, tos: 0, df: false, id: 3 }),
    packet6({ proto: 6, body: new Uint8Array(40), src: '192.0.2.1', dst: '198.51.100.2', ttl: 9, tos: 0, df: false, id: 3 }),
    withChecksum(ip4({ proto: 1, src: '203.0.113.1', dst: '192.0.2.1', payload: icmpMsg(11, 0, 0, packet4({ proto: 17, body: new Uint8Array(16), src: '192.0.2.1', dst: '198.51.100.2', ttl: 1, tos: 0, df: false, id: 3 })) })),
    withChecksum(ip6({ nh: 58, src: v6('203.0.113.1'), dst: v6('192.0.2.1'), payload: icmpMsg(1, 4, 0, packet6({ proto: 17, body: new Uint8Array(16), src: '192.0.2.1', dst: '198.51.100.2', ttl: 1, tos: 0, df: false, id: 3 })) })),
  ];
  fc.assert(fc.property(fc.nat(seeds.length - 1), fc.array(fc.tuple(fc.nat(200), fc.nat(255)), { maxLength: 6 }), (i, edits) => {
    const p = seeds[i]!.slice();
    for (const [at, v] of edits) if (at < p.length) p[at] = v;
    out.reset();
    const code = p[0]! >>> 4 === 4 ? t.translate4to6(p, 0, p.length, out) : t.translate6to4(p, 0, p.length, out);
    assert.ok(code >= 0);
  }), { numRuns: 3000 });
});

test('an input inside the output area (overlapping where outputs go) translates like a separate one', () => {
  const t = translator();
  const sample = packet4({ proto: 17, body: new Uint8Array(3000).fill(7), src: '192.0.2.1', dst: '198.51.100.2', ttl: 9, tos: 0, df: false, id: 3 });
  const expected = run(t, '4to6', sample).outs.map(hex);
  const out = new XlatOutput(1 << 16, 16);
  out.reset();
  out.bytes.set(sample, 0);
  assert.equal(t.translate4to6(out.bytes, 0, sample.length, out), 0);
  assert.deepEqual(Array.from({ length: out.count }, (_, i) => hex(out.bytes.subarray(out.offsets[i]!, out.offsets[i]! + out.lengths[i]!))), expected);

  const six = packet6({ proto: 6, body: new Uint8Array(500).fill(9), src: '192.0.2.1', dst: '198.51.100.2', ttl: 9, tos: 0, df: false, id: 3 });
  const exp4 = run(t, '6to4', six).outs[0]!;
  out.reset();
  out.bytes.set(six, 0);
  assert.equal(t.translate6to4(out.bytes, 0, six.length, out), 0);
  const got = out.bytes.subarray(0, out.lengths[0]!);
  for (const i of [4, 5, 10, 11]) got[i] = exp4[i]!;
  assert.equal(hex(got), hex(exp4));
});

test('an input in the same array but before the output area is read in place', () => {
  const t = translator();
  const sample = packet6({ proto: 17, body: new Uint8Array(64).fill(5), src: '192.0.2.1', dst: '198.51.100.2', ttl: 9, tos: 0, df: true, id: 3 });
  const out = new XlatOutput(4096, 4);
  out.reset();
  out.bytes.set(sample, 0);
  out.used = 512;
  assert.equal(t.translate6to4(out.bytes, 0, sample.length, out), 0);
  assert.equal(out.offsets[0], 512);
  assertTransportChecksum(out.bytes.subarray(512, 512 + out.lengths[0]!));
  assert.equal(hex(out.bytes.subarray(512 + 12, 512 + 20)), hex(concat(ipv4('192.0.2.1'), ipv4('198.51.100.2'))));
});

test('RFC 1624: the translator\'s address adjustment equals the general one, with 0x0000 sent as 0xffff', () => {
  fc.assert(fc.property(fc.nat(0xffff), fc.nat(32 * 0xffff), fc.nat(32 * 0xffff), (ck, oldSum, newSum) => {
    const general = adjustChecksum(ck, oldSum, newSum);
    assert.equal(adjustAddresses(ck, oldSum, newSum), general === 0 ? 0xffff : general);
  }), { numRuns: 5000 });
  // RFC 1624 §4's example, whose eqn. 3 result is 0x0000.
  assert.equal(adjustChecksum(0xdd2f, 0x5555, 0x3285), 0x0000);
  assert.equal(adjustAddresses(0xdd2f, 0x5555, 0x3285), 0xffff);
});

// Regression: RFC 1624 eqn. 3 gave checksum 0x0000 for an ICMPv4 Echo Reply whose identifier,
// sequence and data are all zero, which receivers reject; found by the 6→4→6 property above.
test('an all-zero ICMPv6 Echo Reply translates to an ICMPv4 Echo Reply with checksum 0xffff', () => {
  const t = translator();
  const orig = withChecksum(ip6({ src: v6('192.0.2.1'), dst: v6('192.0.2.2'), hlim: 64, tc: 0, nh: 58, payload: icmpMsg(129, 0, 0, new Uint8Array(0)) }));
  const four = run(t, '6to4', orig);
  assert.equal(four.code, 0);
  const p = four.outs[0]!;
  assert.equal(hex(p.subarray(20)), '0000ffff00000000');
  assertTransportChecksum(p);
  const back = run(t, '4to6', p);
  assert.equal(back.code, 0);
  assertTransportChecksum(back.outs[0]!);
});

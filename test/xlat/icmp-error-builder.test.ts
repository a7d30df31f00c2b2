import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { internetChecksum, pseudoHeaderSum6, verifyChecksum } from '../../src/wire/checksum.js';
import {
  ICMPV4_ERROR_MAX_PACKET_LEN,
  ICMPV6_ERROR_MAX_PACKET_LEN,
  XLAT_DROP_ICMPV4_CODE,
  XLAT_DROP_ICMPV4_TYPE,
  XLAT_DROP_ICMPV6_CODE,
  XLAT_DROP_ICMPV6_TYPE,
  buildIcmpv4Error,
  buildIcmpv6Error,
  mayGenerateIcmpv4Error,
  mayGenerateIcmpv6Error,
} from '../../src/xlat/icmp-error-builder.js';

// ---------------------------------------------------------------------------------------------
// Packets to quote: real, checksum-correct datagrams, so tshark also validates the quoted headers.

const ADDR4_TRANSLATOR = Uint8Array.of(192, 0, 2, 1);
const ADDR4_HOST = Uint8Array.of(198, 51, 100, 7);
const ADDR4_SERVER = Uint8Array.of(203, 0, 113, 9);
const ADDR6_TRANSLATOR = hex('20010db8000000000000000000000001');
const ADDR6_HOST = hex('20010db8000000000000000000000abc');
const ADDR6_SERVER = hex('0064ff9b0000000000000000cb007109');

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));
}

function toHex(b: Uint8Array, off = 0, len = b.length - off): string {
  return Buffer.from(b.buffer, b.byteOffset + off, len).toString('hex');
}

/** IPv4/UDP datagram of `total` bytes from the host to the server, header and UDP checksums set. */
function udp4(total: number, opts: { ident?: number; fragWord?: number; protocol?: number; src?: Uint8Array; dst?: Uint8Array; l4?: Uint8Array } = {}): Uint8Array {
  const p = new Uint8Array(total);
  p[0] = 0x45;
  p[2] = total >>> 8; p[3] = total & 0xff;
  const ident = opts.ident ?? 0x1234;
  p[4] = ident >>> 8; p[5] = ident & 0xff;
  const fw = opts.fragWord ?? 0x4000;
  p[6] = fw >>> 8; p[7] = fw & 0xff;
  p[8] = 63;
  p[9] = opts.protocol ?? 17;
  p.set(opts.src ?? ADDR4_HOST, 12);
  p.set(opts.dst ?? ADDR4_SERVER, 16);
  for (let i = 28; i < total; i++) p[i] = i & 0xff;
  if (opts.l4) p.set(opts.l4, 20);
  else if (p[9] === 17) {
    const ulen = total - 20;
    p[20] = 0xc0; p[21] = 0x01; p[22] = 0x00; p[23] = 0x35; p[24] = ulen >>> 8; p[25] = ulen & 0xff;
    const pseudo = ((p[12]! << 8 | p[13]!) + (p[14]! << 8 | p[15]!) + (p[16]! << 8 | p[17]!) + (p[18]! << 8 | p[19]!)) + 17 + ulen;
    const c = internetChecksum(p, 20, ulen, pseudo) || 0xffff;
    p[26] = c >>> 8; p[27] = c & 0xff;
  }
  const h = internetChecksum(p, 0, 20);
  p[10] = h >>> 8; p[11] = h & 0xff;
  return p;
}

/** IPv6 packet of `total` bytes: fixed header, then `chain` (extension headers + upper layer
 * start, already linked), then filler; UDP checksum set when the chain is plain UDP. */
function pkt6(total: number, nextHeader = 17, chain?: Uint8Array, opts: { src?: Uint8Array; dst?: Uint8Array } = {}): Uint8Array {
  const p = new Uint8Array(total);
  p[0] = 0x60;
  const plen = total - 40;
  p[4] = plen >>> 8; p[5] = plen & 0xff;
  p[6] = nextHeader;
  p[7] = 63;
  p.set(opts.src ?? ADDR6_HOST, 8);
  p.set(opts.dst ?? ADDR6_SERVER, 24);
  for (let i = 48; i < total; i++) p[i] = i & 0xff;
  if (chain) p.set(chain, 40);
  else if (nextHeader === 17) {
    p[40] = 0xc0; p[41] = 0x01; p[42] = 0x00; p[43] = 0x35; p[44] = plen >>> 8; p[45] = plen & 0xff;
    const c = internetChecksum(p, 40, plen, pseudoHeaderSum6(p, 8, 24, 17, plen)) || 0xffff;
    p[46] = c >>> 8; p[47] = c & 0xff;
  }
  return p;
}

function poisoned(n: number): Uint8Array {
  return new Uint8Array(n).fill(0xa5);
}

// ---------------------------------------------------------------------------------------------

describe('buildIcmpv4Error (RFC 7915 §4.4, RFC 1812 §4.3.2)', () => {
  test('named vector: Communication Administratively Prohibited quoting a 60-byte UDP datagram, at offset 7 of a poisoned buffer', () => {
    const quoted = udp4(60);
    const out = poisoned(200);
    const n = buildIcmpv4Error(out, 7, 193, ADDR4_TRANSLATOR, 0, ADDR4_HOST, 0, XLAT_DROP_ICMPV4_TYPE, XLAT_DROP_ICMPV4_CODE, 0, quoted, 0, quoted.length);
    assert.equal(n, 20 + 8 + 60);
    // RFC 791 header: v4/IHL 5, TOS 0xc0 (RFC 1812 §4.3.2.5 precedence 6), length 88, ID 0,
    // DF (RFC 6864 §4.1 atomic), TTL 64, protocol 1, checksum, 192.0.2.1 → 198.51.100.7.
    const ipHeader = toHex(out, 7, 20);
    assert.equal(ipHeader.slice(0, 20), '45c00058000040004001');
    assert.equal(ipHeader.slice(24), 'c0000201c6336407');
    assert.equal(toHex(out, 7 + 20, 8).slice(0, 4), '030d');
    assert.equal(toHex(out, 7 + 20 + 4, 4), '00000000');
    assert.equal(toHex(out, 7 + 28, 60), toHex(quoted));
    assert.ok(verifyChecksum(out, 7, 20), 'IPv4 header checksum');
    assert.ok(verifyChecksum(out, 7 + 20, 68), 'ICMPv4 checksum');
    assert.equal(internetChecksum(out, 7, 20), 0);
    for (let i = 0; i < 7; i++) assert.equal(out[i], 0xa5, `byte ${i} before the packet`);
    for (let i = 7 + n; i < out.length; i++) assert.equal(out[i], 0xa5, `byte ${i} after the packet`);
  });

  test('exact header bytes of a Time Exceeded, checksum worked by hand', () => {
    const quoted = udp4(28);
    const out = poisoned(56);
    const n = buildIcmpv4Error(out, 0, 56, ADDR4_TRANSLATOR, 0, ADDR4_HOST, 0, 11, 0, 0, quoted, 0, 28);
    assert.equal(n, 56);
    // 0x45c0 + 0x0038 + 0x0000 + 0x4000 + 0x4001 + 0xc000 + 0x0201 + 0xc633 + 0x6407 = 0x2b234,
    // folded 0xb236, complemented 0x4dc9 (RFC 1071).
    assert.equal(toHex(out, 0, 20), '45c00038000040004001' + '4dc9' + 'c0000201c6336407');
    // ICMP: type 11 code 0, rest 0, then the 28-byte quote.
    assert.equal(toHex(out, 20, 2), '0b00');
    assert.equal(toHex(out, 24, 4), '00000000');
    assert.ok(verifyChecksum(out, 20, 36));
  });

  test('rest of header: Parameter Problem pointer << 24 lands in byte 4', () => {
    const quoted = udp4(40);
    const out = poisoned(100);
    buildIcmpv4Error(out, 0, 100, ADDR4_TRANSLATOR, 0, ADDR4_HOST, 0, 12, 0, 9 << 24, quoted, 0, 40);
    assert.equal(toHex(out, 24, 4), '09000000');
    assert.ok(verifyChecksum(out, 20, 48));
  });

  test('rest of header: Fragmentation Needed Next-Hop MTU lands in bytes 6-7 (RFC 1191 §4)', () => {
    const quoted = udp4(40);
    const out = poisoned(100);
    buildIcmpv4Error(out, 0, 100, ADDR4_TRANSLATOR, 0, ADDR4_HOST, 0, 3, 4, 1260, quoted, 0, 40);
    assert.equal(toHex(out, 24, 4), '000004ec');
  });

  test('RFC 1812 §4.3.2.3: a 1500-byte quote is cut so the datagram is exactly 576 bytes', () => {
    const quoted = udp4(1500);
    const out = poisoned(2000);
    const n = buildIcmpv4Error(out, 3, 1997, ADDR4_TRANSLATOR, 0, ADDR4_HOST, 0, 3, 13, 0, quoted, 0, 1500);
    assert.equal(n, ICMPV4_ERROR_MAX_PACKET_LEN);
    assert.equal((out[3 + 2]! << 8) | out[3 + 3]!, 576);
    assert.equal(toHex(out, 3 + 28, 548), toHex(quoted, 0, 548));
    assert.ok(verifyChecksum(out, 3 + 20, 556));
    assert.equal(out[3 + 576], 0xa5);
  });

  test('capacity cuts the quote further; too small for the headers writes nothing', () => {
    const quoted = udp4(200);
    const out = poisoned(300);
    assert.equal(buildIcmpv4Error(out, 10, 100, ADDR4_TRANSLATOR, 0, ADDR4_HOST, 0, 3, 13, 0, quoted, 0, 200), 100);
    assert.equal((out[12]! << 8) | out[13]!, 100);
    assert.ok(verifyChecksum(out, 30, 80));
    assert.equal(out[110], 0xa5);
    const untouched = poisoned(300);
    assert.equal(buildIcmpv4Error(untouched, 10, 27, ADDR4_TRANSLATOR, 0, ADDR4_HOST, 0, 3, 13, 0, quoted, 0, 200), 0);
    assert.ok(untouched.every((b) => b === 0xa5));
    assert.equal(buildIcmpv4Error(untouched, 290, 100, ADDR4_TRANSLATOR, 0, ADDR4_HOST, 0, 3, 13, 0, quoted, 0, 200), 0, 'capacity past the end of out');
    assert.ok(untouched.every((b) => b === 0xa5));
  });

  test('capacity larger than the buffer is bounded by the buffer', () => {
    const quoted = udp4(200);
    const out = poisoned(128);
    assert.equal(buildIcmpv4Error(out, 28, 10000, ADDR4_TRANSLATOR, 0, ADDR4_HOST, 0, 3, 13, 0, quoted, 0, 200), 100);
    assert.ok(verifyChecksum(out, 48, 80));
  });

  test('a quote length past the end of the quoted buffer is cut to what it holds', () => {
    const quoted = udp4(40);
    const out = poisoned(200);
    assert.equal(buildIcmpv4Error(out, 0, 200, ADDR4_TRANSLATOR, 0, ADDR4_HOST, 0, 3, 13, 0, quoted, 10, 500), 58);
  });
});

describe('buildIcmpv6Error (RFC 7915 §5.4, RFC 4443 §2.4)', () => {
  test('named vector: Destination Unreachable / administratively prohibited at offset 5 of a poisoned buffer', () => {
    const quoted = pkt6(80);
    const out = poisoned(200);
    const n = buildIcmpv6Error(out, 5, 195, ADDR6_TRANSLATOR, 0, ADDR6_HOST, 0, XLAT_DROP_ICMPV6_TYPE, XLAT_DROP_ICMPV6_CODE, 0, quoted, 0, 80);
    assert.equal(n, 40 + 8 + 80);
    assert.equal(toHex(out, 5, 8), '60000000' + '0058' + '3a' + '40');
    assert.equal(toHex(out, 5 + 8, 16), toHex(ADDR6_TRANSLATOR));
    assert.equal(toHex(out, 5 + 24, 16), toHex(ADDR6_HOST));
    assert.equal(toHex(out, 5 + 40, 2), '0101');
    assert.equal(toHex(out, 5 + 44, 4), '00000000');
    assert.equal(toHex(out, 5 + 48, 80), toHex(quoted));
    assert.ok(verifyChecksum(out, 5 + 40, 88, pseudoHeaderSum6(out, 5 + 8, 5 + 24, 58, 88)), 'ICMPv6 checksum with pseudo-header');
    for (let i = 0; i < 5; i++) assert.equal(out[i], 0xa5);
    for (let i = 5 + n; i < out.length; i++) assert.equal(out[i], 0xa5);
  });

  test('rest of header: Packet Too Big MTU and Parameter Problem pointer are 32-bit (RFC 4443 §3.2, §3.4)', () => {
    const quoted = pkt6(60);
    const out = poisoned(200);
    buildIcmpv6Error(out, 0, 200, ADDR6_TRANSLATOR, 0, ADDR6_HOST, 0, 2, 0, 1280, quoted, 0, 60);
    assert.equal(toHex(out, 44, 4), '00000500');
    buildIcmpv6Error(out, 0, 200, ADDR6_TRANSLATOR, 0, ADDR6_HOST, 0, 4, 0, 0x12345678, quoted, 0, 60);
    assert.equal(toHex(out, 44, 4), '12345678');
    assert.ok(verifyChecksum(out, 40, 68, pseudoHeaderSum6(out, 8, 24, 58, 68)));
  });

  test('RFC 4443 §2.4 (c): a 1500-byte quote is cut so the packet is exactly 1280 bytes', () => {
    const quoted = pkt6(1500);
    const out = poisoned(1600);
    const n = buildIcmpv6Error(out, 1, 1599, ADDR6_TRANSLATOR, 0, ADDR6_HOST, 0, 1, 1, 0, quoted, 0, 1500);
    assert.equal(n, ICMPV6_ERROR_MAX_PACKET_LEN);
    assert.equal((out[1 + 4]! << 8) | out[1 + 5]!, 1240);
    assert.equal(toHex(out, 1 + 48, 1232), toHex(quoted, 0, 1232));
    assert.ok(verifyChecksum(out, 1 + 40, 1240, pseudoHeaderSum6(out, 1 + 8, 1 + 24, 58, 1240)));
    assert.equal(out[1 + 1280], 0xa5);
  });

  test('capacity cuts the quote; too small for the headers writes nothing', () => {
    const quoted = pkt6(300);
    const out = poisoned(400);
    assert.equal(buildIcmpv6Error(out, 0, 120, ADDR6_TRANSLATOR, 0, ADDR6_HOST, 0, 1, 1, 0, quoted, 0, 300), 120);
    assert.ok(verifyChecksum(out, 40, 80, pseudoHeaderSum6(out, 8, 24, 58, 80)));
    const untouched = poisoned(400);
    assert.equal(buildIcmpv6Error(untouched, 0, 47, ADDR6_TRANSLATOR, 0, ADDR6_HOST, 0, 1, 1, 0, quoted, 0, 300), 0);
    assert.ok(untouched.every((b) => b === 0xa5));
  });
});

// ---------------------------------------------------------------------------------------------
// Quote and output in the same memory: the translator may build the error over the packet it
// is dropping.

type Builder = typeof buildIcmpv4Error;
const FAMILIES: readonly (readonly [string, Builder, Uint8Array, Uint8Array, (n: number) => Uint8Array])[] = [
  ['IPv4', buildIcmpv4Error, ADDR4_TRANSLATOR, ADDR4_HOST, (n) => udp4(n)],
  ['IPv6', buildIcmpv6Error, ADDR6_TRANSLATOR, ADDR6_HOST, (n) => pkt6(n)],
];

/** Reference: the same error built from private copies of everything. */
function reference(build: Builder, src: Uint8Array, dst: Uint8Array, quoted: Uint8Array, capacity: number): Uint8Array {
  const out = new Uint8Array(capacity);
  const n = build(out, 0, capacity, src.slice(), 0, dst.slice(), 0, 3, 1, 0xdeadbeef, quoted.slice(), 0, quoted.length);
  return out.subarray(0, n);
}

describe('quote sharing memory with the output', () => {
  for (const [family, build, src, dst, make] of FAMILIES) {
    test(`${family}: in place (quote at the output offset, moves forward)`, () => {
      const q = make(300);
      const want = reference(build, src, dst, q, 400);
      const buf = poisoned(500);
      buf.set(q, 50);
      const n = build(buf, 50, 400, src, 0, dst, 0, 3, 1, 0xdeadbeef, buf, 50, 300);
      assert.equal(toHex(buf, 50, n), toHex(want));
    });
    test(`${family}: quote after the output (moves backward)`, () => {
      const q = make(300);
      const want = reference(build, src, dst, q, 400);
      const buf = poisoned(800);
      buf.set(q, 60);
      const n = build(buf, 10, 400, src, 0, dst, 0, 3, 1, 0xdeadbeef, buf, 60, 300);
      assert.equal(toHex(buf, 10, n), toHex(want));
    });
    test(`${family}: distinct views over one ArrayBuffer, both directions`, () => {
      const q = make(300);
      const want = reference(build, src, dst, q, 400);
      for (const [outAt, quoteAt] of [[40, 40], [40, 20], [20, 90]] as const) {
        const ab = new ArrayBuffer(1000);
        const outView = new Uint8Array(ab, 16, 900);
        const quoteView = new Uint8Array(ab, 32, 900);
        outView.fill(0xa5);
        quoteView.set(q, quoteAt);
        const n = build(outView, outAt, 400, src, 0, dst, 0, 3, 1, 0xdeadbeef, quoteView, quoteAt, 300);
        assert.equal(toHex(outView, outAt, n), toHex(want), `out at ${outAt}, quote at ${quoteAt}`);
      }
    });
    test(`${family}: addresses read from inside the quote that the output overwrites`, () => {
      const q = make(300);
      const addrLen = src.length;
      const srcAt = family === 'IPv4' ? 16 : 24; // the quoted packet's destination
      const dstAt = family === 'IPv4' ? 12 : 8; // the quoted packet's source
      const want = reference(build, q.subarray(srcAt, srcAt + addrLen), q.subarray(dstAt, dstAt + addrLen), q, 400);
      const buf = poisoned(500);
      buf.set(q, 0);
      const n = build(buf, 0, 400, buf, srcAt, buf, dstAt, 3, 1, 0xdeadbeef, buf, 0, 300);
      assert.equal(toHex(buf, 0, n), toHex(want));
    });
  }

  test('property: any overlap gives the same bytes as building from copies', () => {
    fc.assert(fc.property(
      fc.boolean(), fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 1500 }), fc.integer({ min: 0, max: 1400 }),
      (v6, outAt, quoteAt, quoteLen, capacity) => {
        const [, build, src, dst] = FAMILIES[v6 ? 1 : 0]!;
        const buf = new Uint8Array(2200);
        for (let i = 0; i < buf.length; i++) buf[i] = (i * 7 + 3) & 0xff;
        const q = buf.slice(quoteAt, quoteAt + quoteLen);
        const want = reference(build, src, dst, q, capacity);
        const n = build(buf, outAt, capacity, src, 0, dst, 0, 3, 1, 0xdeadbeef, buf, quoteAt, quoteLen);
        assert.equal(n, want.length);
        assert.equal(toHex(buf, outAt, n), toHex(want));
      }), { numRuns: 300 });
  });

  test('property: random arguments never throw and never write outside [outOff, outOff+capacity)', () => {
    fc.assert(fc.property(
      fc.boolean(), fc.integer({ min: -5, max: 300 }), fc.integer({ min: -5, max: 400 }), fc.uint8Array({ maxLength: 400 }),
      fc.integer({ min: -5, max: 400 }), fc.integer({ min: -5, max: 2000 }), fc.nat({ max: 255 }), fc.nat({ max: 255 }), fc.nat(),
      (v6, outOff, capacity, quoted, quotedOff, quotedLen, type, code, rest) => {
        const [, build, src, dst] = FAMILIES[v6 ? 1 : 0]!;
        const out = poisoned(256);
        const n = build(out, outOff, capacity, src, 0, dst, 0, type, code, rest, quoted, quotedOff, quotedLen);
        assert.ok(n >= 0);
        for (let i = 0; i < out.length; i++) {
          if (n > 0 && i >= outOff && i < outOff + n) continue;
          assert.equal(out[i], 0xa5, `byte ${i} written outside the packet`);
        }
        if (n > 0) assert.ok(n <= capacity && outOff + n <= out.length);
      }), { numRuns: 300 });
  });
});

// ---------------------------------------------------------------------------------------------

/** IPv4 header bytes with the given ICMP type after it. */
function icmp4(type: number, opts: { fragWord?: number; src?: Uint8Array; dst?: Uint8Array } = {}): Uint8Array {
  return udp4(36, { ...opts, protocol: 1, l4: Uint8Array.of(type, 0, 0, 0, 0, 0, 0, 0) });
}

describe('mayGenerateIcmpv4Error (RFC 1812 §4.3.2.7)', () => {
  const cases: readonly (readonly [string, Uint8Array, boolean, number?])[] = [
    ['a UDP datagram: yes', udp4(60), true],
    ['an Echo Request: yes (query, not an error)', icmp4(8), true],
    ['an Echo Reply: yes', icmp4(0), true],
    ['a Timestamp: yes', icmp4(13), true],
    ['a Destination Unreachable: no (ICMP error)', icmp4(3), false],
    ['a Source Quench: no (ICMP error)', icmp4(4), false],
    ['a Redirect: no (ICMP error)', icmp4(5), false],
    ['a Time Exceeded: no (ICMP error)', icmp4(11), false],
    ['a Parameter Problem: no (ICMP error)', icmp4(12), false],
    ['an unknown ICMP type 42: no (may be an error)', icmp4(42), false],
    ['an ICMP header cut before its type: no (cannot tell)', icmp4(8), false, 20],
    ['a first fragment (MF, offset 0): yes', udp4(60, { fragWord: 0x2000 }), true],
    ['a non-initial fragment: no', udp4(60, { fragWord: 0x0003 }), false],
    ['a non-initial last fragment of an ICMP error: no', udp4(60, { fragWord: 0x0010, protocol: 1 }), false],
    ['destined to a multicast address: no', udp4(60, { dst: Uint8Array.of(224, 0, 0, 251) }), false],
    ['destined to 239.255.255.250: no', udp4(60, { dst: Uint8Array.of(239, 255, 255, 250) }), false],
    ['destined to the limited broadcast: no', udp4(60, { dst: Uint8Array.of(255, 255, 255, 255) }), false],
    ['from 0.0.0.0: no (zero address)', udp4(60, { src: Uint8Array.of(0, 0, 0, 0) }), false],
    ['from 0.1.2.3 ("this network"): no', udp4(60, { src: Uint8Array.of(0, 1, 2, 3) }), false],
    ['from loopback 127.0.0.1: no', udp4(60, { src: Uint8Array.of(127, 0, 0, 1) }), false],
    ['from a multicast address: no', udp4(60, { src: Uint8Array.of(224, 1, 2, 3) }), false],
    ['from Class E 240.0.0.1: no', udp4(60, { src: Uint8Array.of(240, 0, 0, 1) }), false],
    ['from the broadcast address: no', udp4(60, { src: Uint8Array.of(255, 255, 255, 255) }), false],
    ['an IPv6 packet: no', pkt6(60), false],
    ['a header shorter than 20 bytes: no', udp4(60), false, 19],
  ];
  for (const [name, bytes, want, len] of cases) {
    test(name, () => {
      const buf = poisoned(bytes.length + 9);
      buf.set(bytes, 9);
      assert.equal(mayGenerateIcmpv4Error(buf, 9, len ?? bytes.length), want);
    });
  }
  test('IHL past the length: no', () => {
    const p = udp4(60);
    p[0] = 0x4f;
    assert.equal(mayGenerateIcmpv4Error(p, 0, 40), false);
  });
  test('ICMP type found after IPv4 options', () => {
    const p = new Uint8Array(32);
    p.set(udp4(24, { protocol: 1 }).subarray(0, 20));
    p[0] = 0x46;
    p[20] = 1; p[21] = 1; p[22] = 1; p[23] = 0; // NOP NOP NOP EOL
    p[24] = 3;
    assert.equal(mayGenerateIcmpv4Error(p, 0, 32), false);
    p[24] = 8;
    assert.equal(mayGenerateIcmpv4Error(p, 0, 32), true);
  });
});

/** Extension header of 8 bytes with the given next header. */
function ext8(next: number): number[] {
  return [next, 0, 0, 0, 0, 0, 0, 0];
}

describe('mayGenerateIcmpv6Error (RFC 4443 §2.4 (e))', () => {
  const icmpv6 = (type: number) => [type, 0, 0, 0, 0, 0, 0, 0];
  const frag = (next: number, offsetFlags: number) => [next, 0, offsetFlags >>> 8, offsetFlags & 0xff, 0, 0, 0, 1];
  const cases: readonly (readonly [string, Uint8Array, boolean, number?])[] = [
    ['a UDP packet: yes', pkt6(80), true],
    ['an Echo Request: yes', pkt6(80, 58, Uint8Array.from(icmpv6(128))), true],
    ['an MLD query: yes (informational)', pkt6(80, 58, Uint8Array.from(icmpv6(130))), true],
    ['(e.1) a Destination Unreachable: no', pkt6(80, 58, Uint8Array.from(icmpv6(1))), false],
    ['(e.1) a Packet Too Big: no', pkt6(80, 58, Uint8Array.from(icmpv6(2))), false],
    ['(e.1) an unknown error type 100: no', pkt6(80, 58, Uint8Array.from(icmpv6(100))), false],
    ['(e.2) a Redirect: no', pkt6(80, 58, Uint8Array.from(icmpv6(137))), false],
    ['(e.1) an error behind Hop-by-Hop and Destination Options headers: no',
      pkt6(80, 0, Uint8Array.from([...ext8(60), ...ext8(58), ...icmpv6(3)])), false],
    ['an echo behind a 16-byte Routing header: yes',
      pkt6(80, 43, Uint8Array.from([58, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...icmpv6(129)])), true],
    ['(e.1) an error behind an AH header (RFC 4302 length units): no',
      pkt6(80, 51, Uint8Array.from([58, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...icmpv6(4)])), false],
    ['(e.1) first fragment of an ICMPv6 error: no', pkt6(80, 44, Uint8Array.from([...frag(58, 0x0001), ...icmpv6(1)])), false],
    ['first fragment of a UDP packet: yes', pkt6(80, 44, Uint8Array.from(frag(17, 0x0001))), true],
    ['a non-first fragment: no', pkt6(80, 44, Uint8Array.from(frag(17, 0x0008))), false],
    ['an atomic fragment (offset 0, M 0) of UDP: yes', pkt6(80, 44, Uint8Array.from(frag(17, 0))), true],
    ['ESP: yes (not ICMPv6)', pkt6(80, 50), true],
    ['No Next Header: yes', pkt6(80, 59), true],
    ['(e.3) destined to a multicast address: no', pkt6(80, 17, undefined, { dst: hex('ff020000000000000000000000000001') }), false],
    ['(e.6) from the unspecified address: no', pkt6(80, 17, undefined, { src: new Uint8Array(16) }), false],
    ['(e.6) from a multicast address: no', pkt6(80, 17, undefined, { src: hex('ff0e0000000000000000000000000001') }), false],
    ['an ICMPv6 header cut before its type: no', pkt6(80, 58, Uint8Array.from(icmpv6(128))), false, 40],
    ['an extension header cut short: no', pkt6(80, 0, Uint8Array.from(ext8(58))), false, 41],
    ['an extension header claiming more than the packet: no', pkt6(80, 0, Uint8Array.from([58, 200, 0, 0, 0, 0, 0, 0])), false],
    ['an IPv4 packet: no', udp4(60), false],
    ['shorter than the IPv6 header: no', pkt6(80), false, 39],
  ];
  for (const [name, bytes, want, len] of cases) {
    test(name, () => {
      const buf = poisoned(bytes.length + 3);
      buf.set(bytes, 3);
      assert.equal(mayGenerateIcmpv6Error(buf, 3, len ?? bytes.length), want);
    });
  }
  test('an endless chain of Destination Options headers: no, and the walk is bounded', () => {
    const chain: number[] = [];
    for (let i = 0; i < 40; i++) chain.push(...ext8(60));
    assert.equal(mayGenerateIcmpv6Error(pkt6(40 + chain.length + 8, 60, Uint8Array.from(chain)), 0, 40 + chain.length + 8), false);
  });
  test('property: random bytes never throw', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat({ max: 210 }), fc.nat({ max: 210 }), (b, off, len) => {
      assert.equal(typeof mayGenerateIcmpv6Error(b, off, len), 'boolean');
      assert.equal(typeof mayGenerateIcmpv4Error(b, off, len), 'boolean');
    }), { numRuns: 1000 });
  });
});

// ---------------------------------------------------------------------------------------------
// Cross-check with independent dissectors: tshark validates checksums and reads the fields;
// scapy rebuilds each packet with its own checksums and must produce the same bytes.

const TSHARK = '/usr/bin/tshark';
const SCAPY_PYTHON = '/usr/bin/python3';
const workDir = mkdtempSync(join(tmpdir(), 'natmesh-icmp-error-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

/** Classic libpcap file, LINKTYPE_RAW (101): each record starts at the IP header. */
function writePcap(path: string, packets: readonly Uint8Array[]): void {
  let size = 24;
  for (const p of packets) size += 16 + p.length;
  const b = Buffer.alloc(size);
  b.writeUInt32LE(0xa1b2c3d4, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeUInt32LE(65535, 16);
  b.writeUInt32LE(101, 20);
  let o = 24;
  packets.forEach((p, i) => {
    b.writeUInt32LE(1700000000 + i, o);
    b.writeUInt32LE(p.length, o + 8);
    b.writeUInt32LE(p.length, o + 12);
    b.set(p, o + 16);
    o += 16 + p.length;
  });
  writeFileSync(path, b);
}

interface Built { name: string; bytes: Uint8Array; v6: boolean; type: number; code: number; rest: number }

function buildSamples(): Built[] {
  const samples: Built[] = [];
  const add4 = (name: string, type: number, code: number, rest: number, quoted: Uint8Array) => {
    const out = poisoned(700);
    const n = buildIcmpv4Error(out, 11, 689, ADDR4_TRANSLATOR, 0, ADDR4_HOST, 0, type, code, rest, quoted, 0, quoted.length);
    samples.push({ name, bytes: out.slice(11, 11 + n), v6: false, type, code, rest });
  };
  const add6 = (name: string, type: number, code: number, rest: number, quoted: Uint8Array) => {
    const out = poisoned(1400);
    const n = buildIcmpv6Error(out, 13, 1387, ADDR6_TRANSLATOR, 0, ADDR6_HOST, 0, type, code, rest, quoted, 0, quoted.length);
    samples.push({ name, bytes: out.slice(13, 13 + n), v6: true, type, code, rest });
  };
  add4('ICMPv4 admin prohibited', 3, 13, 0, udp4(100));
  add4('ICMPv4 fragmentation needed, MTU 1260', 3, 4, 1260, udp4(1400));
  add4('ICMPv4 parameter problem, pointer 9', 12, 0, 9 << 24, udp4(64));
  add4('ICMPv4 time exceeded, truncated to 576', 11, 0, 0, udp4(1500));
  add4('ICMPv4 odd-length quote', 3, 13, 0, udp4(61));
  add6('ICMPv6 admin prohibited', 1, 1, 0, pkt6(120));
  add6('ICMPv6 packet too big, MTU 1280', 2, 0, 1280, pkt6(1300));
  add6('ICMPv6 parameter problem, pointer 40', 4, 0, 40, pkt6(64));
  add6('ICMPv6 time exceeded, truncated to 1280', 3, 0, 0, pkt6(1500));
  add6('ICMPv6 odd-length quote', 1, 4, 0, pkt6(71));
  return samples;
}

const haveTshark = existsSync(TSHARK);
test('tshark: every built error has good IP/ICMP checksums and the intended fields', { skip: haveTshark ? false : 'tshark not installed' }, () => {
  const samples = buildSamples();
  const pcap = join(workDir, 'errors.pcap');
  writePcap(pcap, samples.map((s) => s.bytes));
  const fields = ['ip.checksum.status', 'icmp.checksum.status', 'icmpv6.checksum.status', 'ip.ttl', 'ipv6.hlim', 'ip.len', 'ipv6.plen',
    'ip.dsfield', 'ip.flags.df', 'icmp.type', 'icmp.code', 'icmp.mtu', 'icmp.pointer', 'icmpv6.type', 'icmpv6.code', 'icmpv6.mtu', 'icmpv6.pointer',
    'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'udp.checksum.status'];
  const r = spawnSync(TSHARK, ['-r', pcap, '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-T', 'fields', '-E', 'separator=|',
    ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, samples.length);
  samples.forEach((s, i) => {
    const row = Object.fromEntries(lines[i]!.split('|').map((v, j) => [fields[j]!, v.split(',')]));
    const first = (f: string) => row[f]![0]!;
    const msg = `${s.name}: ${lines[i]}`;
    if (!s.v6) {
      // Outer and quoted IPv4 headers both verify (1 = Good).
      assert.ok(row['ip.checksum.status']!.every((v) => v === '1'), msg);
      assert.equal(first('icmp.checksum.status'), '1', msg);
      assert.equal(first('ip.ttl'), '64', msg);
      assert.equal(first('ip.len'), String(s.bytes.length), msg);
      assert.ok(s.bytes.length <= 576, msg);
      assert.equal(first('ip.dsfield'), '0xc0', msg);
      assert.equal(first('ip.flags.df'), '1', msg);
      assert.equal(first('ip.src'), '192.0.2.1', msg);
      assert.equal(first('ip.dst'), '198.51.100.7', msg);
      assert.equal(first('icmp.type'), String(s.type), msg);
      assert.equal(first('icmp.code'), String(s.code), msg);
      if (s.type === 3 && s.code === 4) assert.equal(first('icmp.mtu'), String(s.rest), msg);
      if (s.type === 12) assert.equal(first('icmp.pointer'), String(s.rest >>> 24), msg);
    } else {
      assert.equal(first('icmpv6.checksum.status'), '1', msg);
      assert.equal(first('ipv6.hlim'), '64', msg);
      assert.equal(first('ipv6.plen'), String(s.bytes.length - 40), msg);
      assert.ok(s.bytes.length <= 1280, msg);
      assert.equal(first('ipv6.src'), '2001:db8::1', msg);
      assert.equal(first('ipv6.dst'), '2001:db8::abc', msg);
      assert.equal(first('icmpv6.type'), String(s.type), msg);
      assert.equal(first('icmpv6.code'), String(s.code), msg);
      if (s.type === 2) assert.equal(first('icmpv6.mtu'), String(s.rest), msg);
      if (s.type === 4) assert.equal(first('icmpv6.pointer'), String(s.rest), msg);
    }
    // Whole quotes keep a verifiable UDP checksum; truncated ones cannot be checked.
    const udp = first('udp.checksum.status');
    if (udp !== '') assert.ok(udp === '1' || udp === '2', msg);
  });
});

const haveScapy = existsSync(SCAPY_PYTHON) && spawnSync(SCAPY_PYTHON, ['-c', 'import scapy'], { encoding: 'utf8' }).status === 0;
test('scapy: rebuilding each error with scapy-computed checksums gives identical bytes', { skip: haveScapy ? false : 'scapy not installed' }, () => {
  const samples = buildSamples();
  const script = [
    'import sys',
    'from scapy.all import IP, IPv6',
    'for line in sys.stdin.read().split():',
    '    v6, h = line.split(":")',
    '    raw = bytes.fromhex(h)',
    '    if v6 == "1":',
    '        p = IPv6(raw); del p.payload.cksum',
    '    else:',
    '        p = IP(raw); del p.chksum; del p.payload.chksum',
    '    print("same" if bytes(p) == raw else "differs " + bytes(p).hex())',
  ].join('\n');
  const input = samples.map((s) => `${s.v6 ? 1 : 0}:${toHex(s.bytes)}`).join('\n');
  const r = spawnSync(SCAPY_PYTHON, ['-c', script], { input, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, samples.length);
  samples.forEach((s, i) => assert.equal(lines[i], 'same', s.name));
});

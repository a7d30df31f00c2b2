import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leastHeapGrowth } from '../heap-growth.js';
import fc from 'fast-check';
import {
  MAP_CTX_HAIRPIN, MAP_CTX_ICMP_ERROR, MAP_CTX_INNER, MAP_CTX_SRC_IS_INNER_DST, MAPPED_EAMT, MAPPED_NONE, MAPPED_RFC6052,
  SiitAddressMapper, type EamHairpinMode,
} from '../../src/xlat/siit-address-mapper.js';
import type { AddressMapper } from '../../src/xlat/address-mapper.js';
import { Eamt } from '../../src/xlat/eamt.js';
import { Rfc6052PrefixLengthError } from '../../src/xlat/rfc6052.js';
import { Ipv6Prefix } from '../../src/addr/ipv6-prefix.js';
import { formatIpv6, parseIpv6 } from '../../src/addr/ipv6-address.js';
import { formatIpv4Bytes, ipv4Bytes, parseIpv4 } from '../../src/addr/ipv4-address.js';

type Dir = 'source6to4' | 'destination6to4' | 'source4to6' | 'destination4to6';

/** Runs one mapper call through poisoned buffers at offsets; null when untranslatable (nothing written). */
function map(m: AddressMapper, dir: Dir, addr: string): string | null {
  const to4 = dir.endsWith('6to4');
  const srcBytes = to4 ? parseIpv6(addr) : ipv4Bytes(parseIpv4(addr));
  const src = new Uint8Array(srcBytes.length + 6).fill(0xa5);
  src.set(srcBytes, 5);
  const outLen = to4 ? 4 : 16;
  const out = new Uint8Array(outLen + 5).fill(0xa5);
  const ok = m[dir](src, 5, out, 3);
  assert.ok(out[0] === 0xa5 && out[1] === 0xa5 && out[2] === 0xa5 && out[outLen + 3] === 0xa5 && out[outLen + 4] === 0xa5, 'wrote outside the address');
  if (!ok) {
    assert.ok(out.every((x) => x === 0xa5), dir + ' ' + addr + ': wrote although untranslatable');
    return null;
  }
  return to4 ? formatIpv4Bytes(out, 3) : formatIpv6(out, 3);
}

const EAMT = [
  { ipv4: '192.0.2.0/24', ipv6: '2001:db8:6::/120' },
  { ipv4: '198.51.100.7/32', ipv6: '2001:db8:77::7/128' },
];

function mapper(hairpinning?: EamHairpinMode, pool6: string | null = '2001:db8:64::/96'): SiitAddressMapper {
  return new SiitAddressMapper({ pool6: pool6 === null ? null : Ipv6Prefix.parse(pool6), eamt: Eamt.fromConfig(EAMT), ...(hairpinning ? { hairpinning } : {}) });
}

test('RFC 7915 §6 with only an RFC 6052 prefix: §2.4 example prefix, every role', () => {
  const m = new SiitAddressMapper({ pool6: Ipv6Prefix.parse('2001:db8:122::/48'), eamt: new Eamt() });
  for (const dir of ['source4to6', 'destination4to6'] as const) assert.equal(map(m, dir, '192.0.2.33'), '2001:db8:122:c000:2:2100::');
  for (const dir of ['source6to4', 'destination6to4'] as const) {
    assert.equal(map(m, dir, '2001:db8:122:c000:2:2100::'), '192.0.2.33');
    assert.equal(m.lastMethod, MAPPED_RFC6052);
    assert.equal(map(m, dir, '2001:db8:123:c000:2:2100::'), null);
    assert.equal(m.lastMethod, MAPPED_NONE);
  }
});

test('RFC 7757 §3.2: the EAMT takes precedence over the RFC 6052 prefix', () => {
  const m = mapper();
  const cases: [Dir, string, string | null, number][] = [
    ['source4to6', '192.0.2.8', '2001:db8:6::8', MAPPED_EAMT],
    ['destination4to6', '198.51.100.7', '2001:db8:77::7', MAPPED_EAMT],
    ['destination4to6', '198.51.100.8', '2001:db8:64::c633:6408', MAPPED_RFC6052],
    ['source6to4', '2001:db8:6::8', '192.0.2.8', MAPPED_EAMT],
    ['destination6to4', '2001:db8:64::c633:6408', '198.51.100.8', MAPPED_RFC6052],
    // An address under pool6 that embeds an EAM'd IPv4 address still translates by pool6.
    ['destination6to4', '2001:db8:64::192.0.2.9', '192.0.2.9', MAPPED_RFC6052],
    // Untranslatable: neither under pool6 nor in the EAMT.
    ['destination6to4', '2001:db8:65::1', null, MAPPED_NONE],
    ['source6to4', '2001:db8:6::100', null, MAPPED_NONE],
  ];
  for (const [dir, input, want, method] of cases) {
    assert.equal(map(m, dir, input), want, dir + ' ' + input);
    assert.equal(m.lastMethod, method, dir + ' ' + input);
  }
});

test('EAMT only (no pool6): addresses without an EAM are untranslatable in both directions', () => {
  const m = mapper('off', null);
  assert.equal(m.pool6, null);
  assert.equal(map(m, 'source4to6', '192.0.2.1'), '2001:db8:6::1');
  assert.equal(map(m, 'destination4to6', '203.0.113.1'), null);
  assert.equal(map(m, 'source4to6', '203.0.113.1'), null);
  assert.equal(map(m, 'destination6to4', '2001:db8:64::cb00:7101'), null);
  assert.equal(map(m, 'destination6to4', '2001:db8:77::7'), '198.51.100.7');
});

test('refuses an RFC 6052 prefix of the wrong length, naming the field', () => {
  assert.throws(() => new SiitAddressMapper({ pool6: Ipv6Prefix.parse('2001:db8::/80'), eamt: new Eamt(), path: 'tenants[2].siit' }), (e: unknown) => {
    assert.ok(e instanceof Rfc6052PrefixLengthError);
    assert.equal(e.path, 'tenants[2].siit.pool6');
    return true;
  });
  assert.throws(() => new SiitAddressMapper({ pool6: null, eamt: new Eamt(), hairpinning: 'sometimes' as EamHairpinMode }), RangeError);
});

test('RFC 6052 §3.1: the Well-Known Prefix never carries a non-global IPv4 address', () => {
  const m = new SiitAddressMapper({ pool6: Ipv6Prefix.parse('64:ff9b::/96'), eamt: Eamt.fromConfig([{ ipv4: '10.0.0.0/24', ipv6: '2001:db8:a::/120' }]) });
  for (const v4 of ['10.1.1.1', '172.16.0.1', '192.168.1.1', '127.0.0.1', '169.254.1.1', '100.64.0.1', '0.1.2.3', '240.0.0.1', '255.255.255.255', '192.0.2.1']) {
    assert.equal(map(m, 'destination4to6', v4), null, v4);
    assert.equal(map(m, 'source6to4', '64:ff9b::' + v4), null, v4);
  }
  assert.equal(map(m, 'destination4to6', '8.8.8.8'), '64:ff9b::808:808');
  assert.equal(map(m, 'destination6to4', '64:ff9b::8.8.8.8'), '8.8.8.8');
  // An EAM is not the Well-Known Prefix: private space behind an EAM still translates.
  assert.equal(map(m, 'source4to6', '10.0.0.5'), '2001:db8:a::5');
  assert.equal(map(m, 'source6to4', '2001:db8:a::5'), '10.0.0.5');
  // A Network-Specific Prefix may carry any IPv4 address; so may the WKP when the operator says so.
  const lab = new SiitAddressMapper({ pool6: Ipv6Prefix.parse('64:ff9b::/96'), eamt: new Eamt(), allowNonGlobalWithWkp: true });
  assert.equal(map(lab, 'destination4to6', '192.0.2.1'), '64:ff9b::c000:201');
  assert.equal(map(mapper(), 'destination4to6', '10.1.1.1'), '2001:db8:64::a01:101');
});

// RFC 7757 §4 hairpinning. Nodes A (2001:db8:6::8 = 192.0.2.8) and B (2001:db8:6::9 = 192.0.2.9)
// both have EAMs; A talks to B through pool6, i.e. to 2001:db8:64::192.0.2.9.
const A6 = '2001:db8:6::8';
const A4 = '192.0.2.8';
const B4 = '192.0.2.9';
const B_VIA_POOL6 = '2001:db8:64::c000:209';
const A_VIA_POOL6 = '2001:db8:64::c000:208';

test('RFC 7757 §4.2.2 intrinsic: a pool6 destination that lands in an EAM is a hairpin', () => {
  const m = mapper('intrinsic');
  assert.equal(m.hairpinning, 'intrinsic');
  const out = new Uint8Array(4);
  assert.ok(m.destination6to4(parseIpv6(B_VIA_POOL6), 0, out, 0));
  assert.equal(formatIpv4Bytes(out), B4);
  assert.ok(m.isIntrinsicHairpin(out, 0, m.lastMethod));
  assert.ok(m.source6to4(parseIpv6(A6), 0, out, 0));
  assert.equal(formatIpv4Bytes(out), A4);
  // An EAM-translated address is not a hairpin, nor is a pool6 address outside the EAMT.
  assert.ok(!m.isIntrinsicHairpin(ipv4Bytes(parseIpv4(A4)), 0, MAPPED_EAMT));
  assert.ok(!m.isIntrinsicHairpin(ipv4Bytes(parseIpv4('203.0.113.1')), 0, MAPPED_RFC6052));
  // The way back: the destination by EAM, the source by pool6 so B answers through the translator.
  m.context = MAP_CTX_HAIRPIN;
  assert.equal(map(m, 'destination4to6', B4), '2001:db8:6::9');
  assert.equal(map(m, 'source4to6', A4), A_VIA_POOL6);
  // Without the hairpin bit the same packet maps as usual.
  m.context = 0;
  assert.equal(map(m, 'source4to6', A4), A6);
  // The default mode is intrinsic.
  assert.equal(mapper().hairpinning, 'intrinsic');
});

test('RFC 7757 §4.2.1 simple: every IPv4→IPv6 source skips the EAMT, destinations do not', () => {
  const m = mapper('simple');
  assert.ok(!m.isIntrinsicHairpin(ipv4Bytes(parseIpv4(B4)), 0, MAPPED_RFC6052));
  assert.equal(map(m, 'source4to6', A4), A_VIA_POOL6);
  assert.equal(map(m, 'destination4to6', B4), '2001:db8:6::9');
  // IPv6→IPv4 is unaffected.
  assert.equal(map(m, 'source6to4', A6), A4);
});

test('RFC 7757 §4.2: hairpinned ICMP errors (rules as Jool applies them)', () => {
  const cases: [number, Dir, string, string][] = [
    // Outer header of an ICMPv4 error sent by some router: its source keeps its EAM.
    [MAP_CTX_ICMP_ERROR, 'source4to6', A4, A6],
    // ... unless the error comes from the quoted packet's destination, itself hairpinned.
    [MAP_CTX_ICMP_ERROR | MAP_CTX_SRC_IS_INNER_DST, 'source4to6', A4, A_VIA_POOL6],
    // Quoted packet: its destination (the original hairpinned sender) goes through pool6 ...
    [MAP_CTX_ICMP_ERROR | MAP_CTX_INNER, 'destination4to6', A4, A_VIA_POOL6],
    // ... and its source keeps its EAM.
    [MAP_CTX_ICMP_ERROR | MAP_CTX_INNER, 'source4to6', B4, '2001:db8:6::9'],
  ];
  for (const mode of ['simple', 'intrinsic'] as const) {
    const m = mapper(mode);
    for (const [ctx, dir, input, want] of cases) {
      m.context = ctx | (mode === 'intrinsic' ? MAP_CTX_HAIRPIN : 0);
      assert.equal(map(m, dir, input), want, mode + ' ctx=' + ctx + ' ' + dir);
    }
  }
  const off = mapper('off');
  for (const [ctx, dir, input] of cases) {
    off.context = ctx | MAP_CTX_HAIRPIN;
    assert.equal(map(off, dir, input), input === A4 ? A6 : '2001:db8:6::9', 'off ctx=' + ctx + ' ' + dir);
  }
  assert.ok(!off.isIntrinsicHairpin(ipv4Bytes(parseIpv4(B4)), 0, MAPPED_RFC6052));
});

test('mapping in place (source and destination in one buffer) works for 4→6 and 6→4', () => {
  const m = mapper();
  const buf = new Uint8Array(16);
  buf.set(ipv4Bytes(parseIpv4('198.51.100.8')), 12);
  assert.ok(m.destination4to6(buf, 12, buf, 0));
  assert.equal(formatIpv6(buf), '2001:db8:64::c633:6408');
  assert.ok(m.destination6to4(buf, 0, buf, 12));
  assert.equal(formatIpv4Bytes(buf, 12), '198.51.100.8');
  buf.set(ipv4Bytes(parseIpv4('192.0.2.77')), 12);
  assert.ok(m.source4to6(buf, 12, buf, 0));
  assert.equal(formatIpv6(buf), '2001:db8:6::4d');
});

test('mapping allocates nothing', () => {
  const m = mapper();
  const v6 = parseIpv6('2001:db8:64::c633:6408');
  const v6e = parseIpv6('2001:db8:6::8');
  const v4 = new Uint8Array(4);
  const out6 = new Uint8Array(16);
  const run = (n: number): void => {
    for (let i = 0; i < n; i++) {
      m.destination6to4(v6, 0, v4, 0);
      m.source6to4(v6e, 0, v4, 0);
      m.source4to6(v4, 0, out6, 0);
      m.destination4to6(v4, 0, out6, 0);
    }
  };
  const grown = leastHeapGrowth(() => run(100000));
  assert.ok(grown < 1_000_000, 'heap grew by ' + grown + ' bytes');
});

test('property: with pool6 only, 6→4∘4→6 is the identity for every RFC 6052 length', () => {
  fc.assert(fc.property(fc.constantFrom(32, 40, 48, 56, 64, 96), fc.integer({ min: 0, max: 0xffffffff }), (len, a) => {
    const bytes = parseIpv6('2001:db8:122:344::');
    bytes.fill(0, len / 8);
    const prefix = new Ipv6Prefix(bytes, len);
    const m = new SiitAddressMapper({ pool6: prefix, eamt: new Eamt() });
    const v4 = ipv4Bytes(a);
    const v6 = new Uint8Array(16);
    const back = new Uint8Array(4);
    assert.ok(m.source4to6(v4, 0, v6, 0));
    assert.ok(m.destination6to4(v6, 0, back, 0));
    assert.deepEqual(back, v4);
  }));
});

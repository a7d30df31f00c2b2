import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_MTU_PLATEAUS, mtuForFragmentationNeeded, mtuForPacketTooBig } from '../../src/xlat/mtu.js';

const INF = Number.POSITIVE_INFINITY;

test('RFC 1191 §7 Table 7-1 plateaus, largest first', () => {
  assert.deepEqual([...DEFAULT_MTU_PLATEAUS], [65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68]);
  assert.ok(Object.isFrozen(DEFAULT_MTU_PLATEAUS));
});

// [name, advertised, IPv4 next hop, IPv6 next hop, quoted Total Length, plateaus, floor, expected]
type PtbCase = readonly [string, number, number, number, number, ArrayLike<number>, number, number];

const PTB_CASES: readonly PtbCase[] = [
  ['§4.2: advertised MTU + 20 is the minimum', 1400, 1500, 1500, 1500, DEFAULT_MTU_PLATEAUS, 1280, 1420],
  ['§4.2: MTU_of_IPv6_nexthop is the minimum', 1500, 9000, 1450, 1600, DEFAULT_MTU_PLATEAUS, 1280, 1450],
  ['§4.2: MTU_of_IPv4_nexthop + 20 is the minimum', 9000, 1400, 9000, 9000, DEFAULT_MTU_PLATEAUS, 1280, 1420],
  ['§4.2: unknown link MTUs leave the advertised MTU + 20', 4000, INF, INF, 4500, DEFAULT_MTU_PLATEAUS, 1280, 4020],
  ['§4.2: all three equal after the +20', 1480, 1480, 1500, 1500, DEFAULT_MTU_PLATEAUS, 1280, 1500],
  ['§4.2 + RFC 1191 §7: MTU 0, Total Length 1500 → plateau 1492 → 1512', 0, INF, INF, 1500, DEFAULT_MTU_PLATEAUS, 1280, 1512],
  ['§4.2 + RFC 1191 §7: plateau strictly less than Total Length (1492 → 1006 → floor 1280)', 0, INF, INF, 1492, DEFAULT_MTU_PLATEAUS, 1280, 1280],
  ['§4.2 + RFC 1191 §7: MTU 0, Total Length 4000 → plateau 2002 → 2022', 0, INF, INF, 4000, DEFAULT_MTU_PLATEAUS, 1280, 2022],
  ['§4.2 + RFC 1191 §7: MTU 0, Total Length 65535 → plateau 32000, capped by the IPv6 link', 0, INF, 9000, 65535, DEFAULT_MTU_PLATEAUS, 1280, 9000],
  ['§4.2 + RFC 1191 §7: MTU 0, plateau guess then capped by the IPv4 link + 20', 0, 1400, INF, 8000, DEFAULT_MTU_PLATEAUS, 1280, 1420],
  ['§4.2 + RFC 1191 §7: no plateau below Total Length 68 → floor', 0, INF, INF, 68, DEFAULT_MTU_PLATEAUS, 1280, 1280],
  ['§4.2 + RFC 1191 §7: configured plateau table in any order', 0, INF, INF, 3000, [1400, 2900, 1200, 3000], 1280, 2920],
  ['§4.2: an empty plateau table falls to the floor', 0, INF, INF, 3000, [], 1280, 1280],
  ['§6 item 1: advertised 576 + 20 is raised to 1280', 576, 1500, 1500, 600, DEFAULT_MTU_PLATEAUS, 1280, 1280],
  ['§6 item 1: a small IPv4 link raises to 1280', 1500, 1000, 1500, 1500, DEFAULT_MTU_PLATEAUS, 1280, 1280],
  ['§6 item 1: floor applies even when the IPv6 link reports less', 1500, 1500, 1200, 1500, DEFAULT_MTU_PLATEAUS, 1280, 1280],
  ['configured floor above 1280', 1300, 1500, 1500, 1500, DEFAULT_MTU_PLATEAUS, 1400, 1400],
  ['a non-zero advertised MTU ignores the plateaus', 1000, INF, INF, 1500, [1400], 0, 1020],
];

describe('mtuForPacketTooBig (RFC 7915 §4.2, Fragmentation Needed → Packet Too Big)', () => {
  for (const [name, adv, nh4, nh6, total, plateaus, floor, want] of PTB_CASES) {
    test(name, () => {
      assert.equal(mtuForPacketTooBig(adv, nh4, nh6, total, plateaus, floor), want);
    });
  }
});

// [name, advertised, IPv4 next hop, IPv6 next hop, expected]
const FN_CASES: readonly (readonly [string, number, number, number, number])[] = [
  ['§5.2: advertised MTU - 20 is the minimum', 1400, 1500, 1500, 1380],
  ['§5.2: MTU_of_IPv4_nexthop is the minimum', 1500, 1300, 9000, 1300],
  ['§5.2: MTU_of_IPv6_nexthop - 20 is the minimum', 9000, 9000, 1350, 1330],
  ['§5.2: the IPv6 minimum MTU becomes 1260', 1280, 1500, 1500, 1260],
  ['§5.2: unknown link MTUs leave the advertised MTU - 20', 1500, INF, INF, 1480],
  ['§5.2: all three equal', 1500, 1480, 1500, 1480],
  ['RFC 1191 §4: a jumbo-path MTU is cut to the 16-bit field', 100000, INF, INF, 0xffff],
  ['RFC 791: a bogus tiny MTU is raised to 68', 40, INF, INF, 68],
  ['RFC 791: a zero MTU never reaches the sender as 0 (RFC 1191 "unknown")', 0, INF, INF, 68],
];

describe('mtuForFragmentationNeeded (RFC 7915 §5.2, Packet Too Big → Fragmentation Needed)', () => {
  for (const [name, adv, nh4, nh6, want] of FN_CASES) {
    test(name, () => {
      assert.equal(mtuForFragmentationNeeded(adv, nh4, nh6), want);
    });
  }
});

test('property: Packet Too Big MTU is min(adv+20, IPv6 link, IPv4 link+20), floored', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 0xffff }), fc.integer({ min: 68, max: 0xffff }), fc.integer({ min: 1280, max: 0xffff }),
    fc.integer({ min: 0, max: 0xffff }),
    (adv, nh4, nh6, total) => {
      const got = mtuForPacketTooBig(adv, nh4, nh6, total, DEFAULT_MTU_PLATEAUS, 1280);
      assert.equal(got, Math.max(1280, Math.min(adv + 20, nh6, nh4 + 20)));
    }), { numRuns: 500 });
});

test('property: with MTU 0 the result never exceeds the Total Length that did not fit + 20, unless floored', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff }), (total) => {
    const got = mtuForPacketTooBig(0, INF, INF, total, DEFAULT_MTU_PLATEAUS, 1280);
    assert.ok(got === 1280 || got < total + 20, `total ${total} → ${got}`);
    assert.ok(got >= 1280);
  }), { numRuns: 500 });
});

test('property: Fragmentation Needed MTU fits the 16-bit field and is a real IPv4 MTU', () => {
  fc.assert(fc.property(fc.nat(), fc.integer({ min: 68, max: 0xffff }), fc.integer({ min: 1280, max: 0xfffff }), (adv, nh4, nh6) => {
    const got = mtuForFragmentationNeeded(adv, nh4, nh6);
    assert.ok(got >= 68 && got <= 0xffff);
    assert.equal(got, Math.min(0xffff, Math.max(68, Math.min(adv - 20, nh4, nh6 - 20))));
  }), { numRuns: 500 });
});

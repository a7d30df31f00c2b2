import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ICMP_MAP_DROP,
  PROTOCOL_UNREACHABLE_POINTER6,
  isIcmpv4Error,
  isIcmpv4Informational,
  isIcmpv6Error,
  isIcmpv6Informational,
  mapIcmp4to6,
  mapIcmp6to4,
  mapParamProblemPointer4to6,
  mapParamProblemPointer6to4,
  mappedCode,
  mappedType,
} from '../../src/xlat/icmp-mapping.js';

/** [name (RFC 7915 wording), type, code, new type, new code]; null = silently drop. */
type Row = readonly [string, number, number, number | null, number | null];

// RFC 7915 §4.2, every rule with its own wording.
const RULES_4TO6: readonly Row[] = [
  ['Echo (Type 8) → 128', 8, 0, 128, 0],
  ['Echo Reply (Type 0) → 129', 0, 0, 129, 0],
  ['Information Request (Type 15): obsoleted in ICMPv6, silently drop', 15, 0, null, null],
  ['Information Reply (Type 16): obsoleted in ICMPv6, silently drop', 16, 0, null, null],
  ['Timestamp (Type 13): obsoleted in ICMPv6, silently drop', 13, 0, null, null],
  ['Timestamp Reply (Type 14): obsoleted in ICMPv6, silently drop', 14, 0, null, null],
  ['Address Mask Request (Type 17): obsoleted in ICMPv6, silently drop', 17, 0, null, null],
  ['Address Mask Reply (Type 18): obsoleted in ICMPv6, silently drop', 18, 0, null, null],
  ['ICMP Router Advertisement (Type 9): single-hop message, silently drop', 9, 0, null, null],
  ['ICMP Router Solicitation (Type 10): single-hop message, silently drop', 10, 0, null, null],
  ['Unknown ICMPv4 types (Type 42): silently drop', 42, 0, null, null],
  ['Destination Unreachable Code 0 (Net Unreachable) → Code 0 (No route to destination)', 3, 0, 1, 0],
  ['Destination Unreachable Code 1 (Host Unreachable) → Code 0 (No route to destination)', 3, 1, 1, 0],
  ['Destination Unreachable Code 2 (Protocol Unreachable) → Parameter Problem (Type 4, Code 1)', 3, 2, 4, 1],
  ['Destination Unreachable Code 3 (Port Unreachable) → Code 4 (Port unreachable)', 3, 3, 1, 4],
  ['Destination Unreachable Code 4 (Fragmentation Needed and DF was Set) → Packet Too Big (Type 2) Code 0', 3, 4, 2, 0],
  ['Destination Unreachable Code 5 (Source Route Failed) → Code 0 (No route to destination)', 3, 5, 1, 0],
  ['Destination Unreachable Code 6 → Code 0 (No route to destination)', 3, 6, 1, 0],
  ['Destination Unreachable Code 7 → Code 0 (No route to destination)', 3, 7, 1, 0],
  ['Destination Unreachable Code 8 → Code 0 (No route to destination)', 3, 8, 1, 0],
  ['Destination Unreachable Code 9 (Communication with Destination Host Administratively Prohibited) → Code 1', 3, 9, 1, 1],
  ['Destination Unreachable Code 10 (Communication with Destination Host Administratively Prohibited) → Code 1', 3, 10, 1, 1],
  ['Destination Unreachable Code 11 → Code 0 (No route to destination)', 3, 11, 1, 0],
  ['Destination Unreachable Code 12 → Code 0 (No route to destination)', 3, 12, 1, 0],
  ['Destination Unreachable Code 13 (Communication Administratively Prohibited) → Code 1', 3, 13, 1, 1],
  ['Destination Unreachable Code 14 (Host Precedence Violation): silently drop', 3, 14, null, null],
  ['Destination Unreachable Code 15 (Precedence cutoff in effect) → Code 1', 3, 15, 1, 1],
  ['Destination Unreachable other Code values (16): silently drop', 3, 16, null, null],
  ['Redirect (Type 5): single-hop message, silently drop', 5, 0, null, null],
  ['Alternative Host Address (Type 6): silently drop', 6, 0, null, null],
  ['Source Quench (Type 4): obsoleted in ICMPv6, silently drop', 4, 0, null, null],
  ['Time Exceeded (Type 11) Code 0 → Type 3, Code unchanged', 11, 0, 3, 0],
  ['Time Exceeded (Type 11) Code 1 → Type 3, Code unchanged', 11, 1, 3, 1],
  ['Parameter Problem Code 0 (Pointer indicates the error) → Code 0 (Erroneous header field encountered)', 12, 0, 4, 0],
  ['Parameter Problem Code 1 (Missing a required option): silently drop', 12, 1, null, null],
  ['Parameter Problem Code 2 (Bad length) → Code 0 (Erroneous header field encountered)', 12, 2, 4, 0],
  ['Parameter Problem other Code values (3): silently drop', 12, 3, null, null],
  ['Unknown ICMPv4 types (Type 2, unassigned): silently drop', 2, 0, null, null],
];

// RFC 7915 §5.2.
const RULES_6TO4: readonly Row[] = [
  ['Echo Request (Type 128) → 8', 128, 0, 8, 0],
  ['Echo Reply (Type 129) → 0', 129, 0, 0, 0],
  ['MLD Multicast Listener Query (Type 130): single-hop message, silently drop', 130, 0, null, null],
  ['MLD Multicast Listener Report (Type 131): single-hop message, silently drop', 131, 0, null, null],
  ['MLD Multicast Listener Done (Type 132): single-hop message, silently drop', 132, 0, null, null],
  ['Neighbor Discover Router Solicitation (Type 133): single-hop message, silently drop', 133, 0, null, null],
  ['Neighbor Discover Router Advertisement (Type 134): single-hop message, silently drop', 134, 0, null, null],
  ['Neighbor Discover Neighbor Solicitation (Type 135): single-hop message, silently drop', 135, 0, null, null],
  ['Neighbor Discover Neighbor Advertisement (Type 136): single-hop message, silently drop', 136, 0, null, null],
  ['Neighbor Discover Redirect (Type 137): single-hop message, silently drop', 137, 0, null, null],
  ['Unknown informational messages (Type 143, MLDv2 Report): silently drop', 143, 0, null, null],
  ['Unknown informational messages (Type 200): silently drop', 200, 0, null, null],
  ['Destination Unreachable Code 0 (No route to destination) → Code 1 (Host unreachable)', 1, 0, 3, 1],
  ['Destination Unreachable Code 1 (Communication with destination administratively prohibited) → Code 10', 1, 1, 3, 10],
  ['Destination Unreachable Code 2 (Beyond scope of source address) → Code 1 (Host unreachable)', 1, 2, 3, 1],
  ['Destination Unreachable Code 3 (Address unreachable) → Code 1 (Host unreachable)', 1, 3, 3, 1],
  ['Destination Unreachable Code 4 (Port unreachable) → Code 3 (Port unreachable)', 1, 4, 3, 3],
  ['Destination Unreachable other Code values (5, source address failed policy): silently drop', 1, 5, null, null],
  ['Destination Unreachable other Code values (6, reject route): silently drop', 1, 6, null, null],
  ['Packet Too Big (Type 2) → Destination Unreachable (Type 3) Code 4', 2, 0, 3, 4],
  ['Time Exceeded (Type 3) Code 0 → Type 11, Code unchanged', 3, 0, 11, 0],
  ['Time Exceeded (Type 3) Code 1 → Type 11, Code unchanged', 3, 1, 11, 1],
  ['Parameter Problem Code 0 (Erroneous header field encountered) → Type 12, Code 0', 4, 0, 12, 0],
  ['Parameter Problem Code 1 (Unrecognized Next Header type encountered) → protocol unreachable (Type 3, Code 2)', 4, 1, 3, 2],
  ['Parameter Problem Code 2 (Unrecognized IPv6 option encountered): silently drop', 4, 2, null, null],
  ['Parameter Problem Code 3 (RFC 7112 incomplete header chain): unknown error message, silently drop', 4, 3, null, null],
  ['Unknown error messages (Type 5): silently drop', 5, 0, null, null],
  ['Unknown error messages (Type 100, private experimentation): silently drop', 100, 0, null, null],
];

function expect(row: Row): number {
  return row[3] === null ? ICMP_MAP_DROP : (row[3] << 8) | row[4]!;
}

describe('RFC 7915 §4.2 ICMPv4 → ICMPv6 type/code', () => {
  for (const row of RULES_4TO6) {
    test(row[0], () => {
      const m = mapIcmp4to6(row[1], row[2]);
      assert.equal(m, expect(row));
      if (row[3] !== null) {
        assert.equal(mappedType(m), row[3]);
        assert.equal(mappedCode(m), row[4]);
      }
    });
  }
});

describe('RFC 7915 §5.2 ICMPv6 → ICMPv4 type/code', () => {
  for (const row of RULES_6TO4) {
    test(row[0], () => {
      const m = mapIcmp6to4(row[1], row[2]);
      assert.equal(m, expect(row));
      if (row[3] !== null) {
        assert.equal(mappedType(m), row[3]);
        assert.equal(mappedCode(m), row[4]);
      }
    });
  }
});

/** The rules above as a total function over all 256×256 pairs: codes the RFC carries over
 * ("The Code is unchanged", echo) keep any value; everything not listed drops. */
function reference(rows: readonly Row[], keepCodeTypes: readonly (readonly [number, number])[], type: number, code: number): number {
  for (const [from, to] of keepCodeTypes) if (type === from) return (to << 8) | code;
  for (const row of rows) if (row[1] === type && row[2] === code) return expect(row);
  return ICMP_MAP_DROP;
}

test('§4.2: every one of the 65536 ICMPv4 type/code pairs maps exactly as the rule table says', () => {
  const keep = [[8, 128], [0, 129], [11, 3]] as const;
  for (let type = 0; type < 256; type++) {
    for (let code = 0; code < 256; code++) {
      const got = mapIcmp4to6(type, code);
      const want = reference(RULES_4TO6, keep, type, code);
      if (got !== want) assert.fail(`type ${type} code ${code}: got ${got}, want ${want}`);
    }
  }
});

test('§5.2: every one of the 65536 ICMPv6 type/code pairs maps exactly as the rule table says', () => {
  const keep = [[128, 8], [129, 0], [3, 11]] as const;
  for (let type = 0; type < 256; type++) {
    for (let code = 0; code < 256; code++) {
      const got = mapIcmp6to4(type, code);
      // Packet Too Big translates whatever its (always zero) Code says.
      const want = type === 2 ? (3 << 8) | 4 : reference(RULES_6TO4, keep, type, code);
      if (got !== want) assert.fail(`type ${type} code ${code}: got ${got}, want ${want}`);
    }
  }
});

test('out-of-range codes drop instead of corrupting the packed type', () => {
  assert.equal(mapIcmp4to6(8, 256), ICMP_MAP_DROP);
  assert.equal(mapIcmp4to6(11, -1), ICMP_MAP_DROP);
  assert.equal(mapIcmp6to4(128, 300), ICMP_MAP_DROP);
  assert.equal(mapIcmp6to4(3, -5), ICMP_MAP_DROP);
});

test('§4.2 Protocol Unreachable: the Parameter Problem pointer is the IPv6 Next Header field (offset 6)', () => {
  assert.equal(PROTOCOL_UNREACHABLE_POINTER6, 6);
});

describe('round trips through both directions land on the original message', () => {
  const cases: readonly (readonly [string, number, number])[] = [
    ['Echo', 8, 0],
    ['Echo Reply', 0, 0],
    ['Port Unreachable', 3, 3],
    ['Protocol Unreachable (via Parameter Problem Code 1)', 3, 2],
    ['Fragmentation Needed (via Packet Too Big)', 3, 4],
    ['Time Exceeded in transit', 11, 0],
    ['Fragment reassembly time exceeded', 11, 1],
    ['Parameter Problem, pointer indicates the error', 12, 0],
  ];
  for (const [name, type, code] of cases) {
    test(name, () => {
      const v6 = mapIcmp4to6(type, code);
      assert.notEqual(v6, ICMP_MAP_DROP);
      assert.equal(mapIcmp6to4(mappedType(v6), mappedCode(v6)), (type << 8) | code);
    });
  }
  test('Communication Administratively Prohibited (13) comes back as host prohibited (10)', () => {
    const v6 = mapIcmp4to6(3, 13);
    assert.equal(mapIcmp6to4(mappedType(v6), mappedCode(v6)), (3 << 8) | 10);
  });
});

test('property: a translated error stays an error and a translated query stays a query', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), (type, code) => {
    const v6 = mapIcmp4to6(type, code);
    if (v6 !== ICMP_MAP_DROP) {
      assert.equal(isIcmpv6Error(mappedType(v6)), isIcmpv4Error(type));
      assert.equal(isIcmpv6Informational(mappedType(v6)), isIcmpv4Informational(type));
    }
    const v4 = mapIcmp6to4(type, code);
    if (v4 !== ICMP_MAP_DROP) {
      assert.equal(isIcmpv4Error(mappedType(v4)), isIcmpv6Error(type));
      assert.equal(isIcmpv4Informational(mappedType(v4)), isIcmpv6Informational(type));
    }
  }), { numRuns: 2000 });
});

// RFC 7915 Figure 3: [IPv4 pointer, IPv4 field, IPv6 pointer or null for n/a].
const FIGURE_3: readonly (readonly [number, string, number | null])[] = [
  [0, 'Version/IHL', 0],
  [1, 'Type Of Service', 1],
  [2, 'Total Length', 4], [3, 'Total Length', 4],
  [4, 'Identification', null], [5, 'Identification', null],
  [6, 'Flags/Fragment Offset', null],
  [7, 'Fragment Offset', null],
  [8, 'Time to Live', 7],
  [9, 'Protocol', 6],
  [10, 'Header Checksum', null], [11, 'Header Checksum', null],
  [12, 'Source Address', 8], [13, 'Source Address', 8], [14, 'Source Address', 8], [15, 'Source Address', 8],
  [16, 'Destination Address', 24], [17, 'Destination Address', 24], [18, 'Destination Address', 24], [19, 'Destination Address', 24],
];

describe('RFC 7915 Figure 3: Parameter Problem pointer IPv4 → IPv6', () => {
  for (const [ptr, field, want] of FIGURE_3) {
    test(`${ptr} ${field} → ${want ?? 'n/a (drop)'}`, () => {
      assert.equal(mapParamProblemPointer4to6(ptr), want ?? ICMP_MAP_DROP);
    });
  }
  test('pointers into IPv4 options (20..255) are not listed: drop', () => {
    for (let p = 20; p < 256; p++) assert.equal(mapParamProblemPointer4to6(p), ICMP_MAP_DROP, `pointer ${p}`);
  });
  test('negative or fractional garbage drops', () => {
    assert.equal(mapParamProblemPointer4to6(-1), ICMP_MAP_DROP);
    assert.equal(mapParamProblemPointer4to6(Number.NaN), ICMP_MAP_DROP);
  });
});

// RFC 7915 Figure 6: [IPv6 pointer range, IPv6 field, IPv4 pointer or null for n/a].
const FIGURE_6: readonly (readonly [number, number, string, number | null])[] = [
  [0, 0, 'Version/Traffic Class', 0],
  [1, 1, 'Traffic Class/Flow Label', 1],
  [2, 3, 'Flow Label', null],
  [4, 5, 'Payload Length', 2],
  [6, 6, 'Next Header', 9],
  [7, 7, 'Hop Limit', 8],
  [8, 23, 'Source Address', 12],
  [24, 39, 'Destination Address', 16],
];

describe('RFC 7915 Figure 6: Parameter Problem pointer IPv6 → IPv4', () => {
  for (const [lo, hi, field, want] of FIGURE_6) {
    test(`${lo}${hi === lo ? '' : '-' + hi} ${field} → ${want ?? 'n/a (drop)'}`, () => {
      for (let p = lo; p <= hi; p++) assert.equal(mapParamProblemPointer6to4(p), want ?? ICMP_MAP_DROP, `pointer ${p}`);
    });
  }
  test('pointers past the fixed header (extension headers, 40 and up) are not listed: drop', () => {
    for (const p of [40, 41, 100, 1279, 0xffffffff]) assert.equal(mapParamProblemPointer6to4(p), ICMP_MAP_DROP, `pointer ${p}`);
  });
  test('negative garbage drops', () => {
    assert.equal(mapParamProblemPointer6to4(-1), ICMP_MAP_DROP);
  });
});

test('pointer round trip lands on the first byte of the same field', () => {
  for (const [ptr, , v6] of FIGURE_3) {
    if (v6 === null) continue;
    const back = mapParamProblemPointer6to4(v6);
    const fieldStart = FIGURE_3.find(([, f]) => f === FIGURE_3[ptr]![1])![0];
    assert.equal(back, fieldStart, `IPv4 pointer ${ptr}`);
  }
});

describe('informational / error classifiers', () => {
  test('ICMPv4 queries of RFC 7915 §4.2', () => {
    for (const t of [0, 8, 9, 10, 13, 14, 15, 16, 17, 18]) {
      assert.ok(isIcmpv4Informational(t), `type ${t}`);
      assert.ok(!isIcmpv4Error(t), `type ${t}`);
    }
  });
  test('ICMPv4 errors of RFC 7915 §4.2', () => {
    for (const t of [3, 4, 5, 6, 11, 12]) {
      assert.ok(isIcmpv4Error(t), `type ${t}`);
      assert.ok(!isIcmpv4Informational(t), `type ${t}`);
    }
  });
  test('unknown ICMPv4 types are neither', () => {
    for (const t of [1, 2, 7, 19, 30, 40, 255]) {
      assert.ok(!isIcmpv4Error(t) && !isIcmpv4Informational(t), `type ${t}`);
    }
  });
  test('ICMPv6 split at 128 (RFC 4443 §2.1)', () => {
    for (let t = 0; t < 256; t++) {
      assert.equal(isIcmpv6Error(t), t < 128, `type ${t}`);
      assert.equal(isIcmpv6Informational(t), t >= 128, `type ${t}`);
    }
    assert.ok(!isIcmpv6Error(-1) && !isIcmpv6Informational(256));
  });
});

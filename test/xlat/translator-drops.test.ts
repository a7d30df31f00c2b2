import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TranslatorConfig } from '../../src/xlat/translator-config.js';
import { XlatDrop, type XlatDropName } from '../../src/xlat/xlat-drop.js';
import { XlatOutput, XlatOutputKind } from '../../src/xlat/xlat-output.js';
import {
  concat, D4, ERROR_SOURCE6, extHeader, fixIpv4Checksum, fragHeader, icmp4, icmp6, icmpMsg, ip4, ip6, ipv4Number, ipv6, pattern,
  PrefixMapper, put16, R4, run, S4, translator, udp4, udp6, udpHeader, v6, withChecksum,
} from './translator-fixtures.js';

// Every XlatDrop reason, provoked by a packet that has exactly that fault, with its counter read
// back (STYLE.md rule 4), and the ICMP error the RFC asks for when there is one.

interface DropCase {
  name: string;
  reason: XlatDropName;
  dir: '4to6' | '6to4';
  pkt: () => Uint8Array;
  config?: Partial<TranslatorConfig>;
  mapper?: (m: PrefixMapper) => void;
  /** [type, code] of the ICMP error sent back, or undefined for a silent drop. */
  error?: [number, number];
  outCapacity?: number;
  /** Bytes handed to the translator, when not the whole packet. */
  len?: (p: Uint8Array) => number;
}

const quotedUdp4 = (): Uint8Array => udp4({ src: S4, dst: D4, ttl: 3, body: pattern(12) });
const quotedUdp6 = (): Uint8Array => udp6({ src: v6(S4), dst: v6(D4), hlim: 3, body: pattern(12) });

const cases: DropCase[] = [
  { name: 'shorter than an IPv4 header', reason: 'ipv4Truncated', dir: '4to6', pkt: () => udp4(), len: () => 19 },
  { name: 'total length beyond the buffer', reason: 'ipv4Truncated', dir: '4to6', pkt: () => udp4(), len: (p) => p.length - 1 },
  { name: 'version 5', reason: 'ipv4BadVersion', dir: '4to6', pkt: () => fixIpv4Checksum(Object.assign(udp4(), { 0: 0x55 })) },
  { name: 'IHL 4', reason: 'ipv4BadHeaderLength', dir: '4to6', pkt: () => fixIpv4Checksum(Object.assign(udp4(), { 0: 0x44 })) },
  {
    name: 'total length below the header', reason: 'ipv4BadHeaderLength', dir: '4to6',
    pkt: () => { const p = udp4(); put16(p, 2, 16); return fixIpv4Checksum(p); },
  },
  { name: 'header checksum off by one', reason: 'ipv4BadChecksum', dir: '4to6', pkt: () => { const p = udp4(); p[11]! ^= 1; return p; } },
  { name: 'reserved flag set', reason: 'ipv4BadFragment', dir: '4to6', pkt: () => udp4({ flagsFrag: 0x8000 }) },
  { name: 'non-final fragment of 44 bytes', reason: 'ipv4BadFragment', dir: '4to6', pkt: () => udp4({ flagsFrag: 0x2000 }) },
  { name: 'fragment reaching past 65535', reason: 'ipv4BadFragment', dir: '4to6', pkt: () => ip4({ flagsFrag: 0x1fff, proto: 17, payload: pattern(64) }) },
  {
    name: 'option length running past the header', reason: 'ipv4BadOption', dir: '4to6',
    pkt: () => withChecksum(ip4({ proto: 17, options: Uint8Array.of(7, 12, 4, 0), payload: udpHeader(1, 2, pattern(8)) })),
  },
  {
    name: 'unexpired loose source route (§4.1)', reason: 'ipv4SourceRoute', dir: '4to6', error: [3, 5],
    pkt: () => withChecksum(ip4({ proto: 17, options: Uint8Array.of(131, 7, 4, 198, 51, 100, 9, 0), payload: udpHeader(1, 2, pattern(8)) })),
  },
  { name: 'protocol 58 in IPv4', reason: 'ipv4UnsupportedProtocol', dir: '4to6', pkt: () => ip4({ proto: 58, payload: pattern(16) }) },
  { name: 'protocol 0 in IPv4', reason: 'ipv4UnsupportedProtocol', dir: '4to6', pkt: () => ip4({ proto: 0, payload: pattern(16) }) },

  { name: 'shorter than an IPv6 header', reason: 'ipv6Truncated', dir: '6to4', pkt: () => udp6(), len: () => 39 },
  { name: 'payload length beyond the buffer', reason: 'ipv6Truncated', dir: '6to4', pkt: () => udp6(), len: (p) => p.length - 1 },
  { name: 'version 4 in the IPv6 path', reason: 'ipv6BadVersion', dir: '6to4', pkt: () => Object.assign(udp6(), { 0: 0x40 }) },
  {
    name: 'jumbogram (payload length 0 behind Hop-by-Hop)', reason: 'ipv6BadPayloadLength', dir: '6to4',
    pkt: () => { const p = ip6({ nh: 0, payload: concat(extHeader(17), udpHeader(1, 2, pattern(8))) }); put16(p, 4, 0); return p; },
  },
  {
    name: 'Hop-by-Hop header longer than the packet', reason: 'ipv6BadExtensionHeader', dir: '6to4',
    pkt: () => ip6({ nh: 0, payload: concat(extHeader(17, 8), udpHeader(1, 2, pattern(8))).map((b, i) => (i === 1 ? 9 : b)) }),
  },
  {
    name: 'Hop-by-Hop not first', reason: 'ipv6BadExtensionHeader', dir: '6to4',
    pkt: () => ip6({ nh: 60, payload: concat(extHeader(0), extHeader(17), udpHeader(1, 2, pattern(8))) }),
  },
  {
    name: 'two Fragment headers (a fragment of a fragment)', reason: 'ipv6TwoFragmentHeaders', dir: '6to4',
    pkt: () => ip6({ nh: 44, payload: concat(fragHeader(44, 0, true, 1), fragHeader(17, 0, true, 2), pattern(16)) }),
  },
  {
    name: 'Destination Options after the Fragment header (§5.1)', reason: 'ipv6HeaderAfterFragment', dir: '6to4',
    pkt: () => ip6({ nh: 44, payload: concat(fragHeader(60, 0, true, 1), extHeader(17), pattern(16)) }),
  },
  {
    name: 'non-final fragment of 20 bytes', reason: 'ipv6BadFragment', dir: '6to4',
    pkt: () => ip6({ nh: 44, payload: concat(fragHeader(17, 0, true, 1), pattern(20)) }),
  },
  {
    name: 'fragment reaching past what IPv4 can carry', reason: 'ipv6BadFragment', dir: '6to4',
    pkt: () => ip6({ nh: 44, payload: concat(fragHeader(17, 65528, false, 1), pattern(16)) }),
  },
  {
    name: 'Routing header with segments left 1 (§5.1)', reason: 'ipv6RoutingHeader', dir: '6to4', error: [4, 0],
    config: { ipv6SourceForErrors: ERROR_SOURCE6 },
    pkt: () => {
      const rh = new Uint8Array(24);
      rh[0] = 17; rh[1] = 2; rh[2] = 0; rh[3] = 1;
      rh.set(ipv6('2001:db8::9'), 8);
      return ip6({ nh: 43, payload: concat(rh, udpHeader(1, 2, pattern(8))) });
    },
  },
  { name: 'Mobility header', reason: 'ipv6UnsupportedNextHeader', dir: '6to4', pkt: () => ip6({ nh: 135, payload: pattern(16) }) },
  { name: 'ICMPv4 inside IPv6', reason: 'ipv6UnsupportedNextHeader', dir: '6to4', pkt: () => ip6({ nh: 1, payload: pattern(16) }) },

  { name: 'TTL 1', reason: 'ttlExpired', dir: '4to6', pkt: () => udp4({ ttl: 1 }), error: [11, 0] },
  { name: 'TTL 0', reason: 'ttlExpired', dir: '4to6', pkt: () => udp4({ ttl: 0 }), error: [11, 0] },
  { name: 'hop limit 1', reason: 'ttlExpired', dir: '6to4', pkt: () => udp6({ hlim: 1 }), error: [3, 0], config: { ipv6SourceForErrors: ERROR_SOURCE6 } },
  { name: 'hop limit 1, no IPv6 error source configured', reason: 'ttlExpired', dir: '6to4', pkt: () => udp6({ hlim: 1 }) },
  { name: 'IPv4 source with no IPv6 form', reason: 'untranslatableSource', dir: '4to6', pkt: () => udp4(), mapper: (m) => m.deny4.add(ipv4Number(S4)) },
  { name: 'IPv6 source outside the prefix', reason: 'untranslatableSource', dir: '6to4', pkt: () => udp6({ src: ipv6('2001:db8:ffff::1') }) },
  {
    name: 'IPv4 destination with no IPv6 form', reason: 'untranslatableDestination', dir: '4to6', error: [3, 1],
    pkt: () => udp4(), mapper: (m) => m.deny4.add(ipv4Number(D4)),
  },
  {
    name: 'IPv6 destination outside the prefix', reason: 'untranslatableDestination', dir: '6to4', error: [1, 3],
    config: { ipv6SourceForErrors: ERROR_SOURCE6 }, pkt: () => udp6({ dst: ipv6('2001:db8:ffff::2') }),
  },
  {
    name: 'DF set, too big for the IPv6 link', reason: 'packetTooBig', dir: '4to6', error: [3, 4],
    config: { ipv6LinkMtu: 1400 }, pkt: () => udp4({ flagsFrag: 0x4000, body: pattern(1400 - 28) }),
  },
  {
    name: 'DF set by the 1260 rule, too big for the IPv4 link', reason: 'packetTooBig', dir: '6to4', error: [2, 0],
    config: { ipv4LinkMtu: 1400, ipv6SourceForErrors: ERROR_SOURCE6 }, pkt: () => udp6({ body: pattern(1500 - 48) }),
  },
  { name: 'UDP header cut short', reason: 'transportTruncated', dir: '4to6', pkt: () => ip4({ proto: 17, payload: pattern(6) }) },
  { name: 'TCP header cut short', reason: 'transportTruncated', dir: '6to4', pkt: () => ip6({ nh: 6, payload: pattern(19) }) },
  { name: 'ICMP header cut short', reason: 'transportTruncated', dir: '4to6', pkt: () => ip4({ proto: 1, payload: pattern(7) }) },
  {
    name: 'UDP checksum zero, drop mode (§4.5)', reason: 'udpZeroChecksum', dir: '4to6', error: [3, 13],
    pkt: () => { const p = udp4(); put16(p, 26, 0); return p; },
  },
  {
    name: 'UDP checksum zero in a first fragment, compute mode (§4.5)', reason: 'udpZeroChecksum', dir: '4to6', error: [3, 13],
    config: { udpZeroChecksum: 'compute' }, pkt: () => ip4({ proto: 17, flagsFrag: 0x2000, payload: udpHeader(1, 2, pattern(40)) }),
  },
  {
    name: 'fragmented ICMPv4 echo', reason: 'fragmentedIcmp', dir: '4to6',
    pkt: () => ip4({ proto: 1, flagsFrag: 0x2000, payload: icmpMsg(8, 0, 0, pattern(24)) }),
  },
  {
    name: 'fragmented ICMPv6 echo', reason: 'fragmentedIcmp', dir: '6to4',
    pkt: () => ip6({ nh: 44, payload: concat(fragHeader(58, 0, true, 9), icmpMsg(128, 0, 0, pattern(24))) }),
  },
  {
    name: 'ICMPv4 error with a bad checksum', reason: 'icmpBadChecksum', dir: '4to6',
    pkt: () => { const p = icmp4({ src: R4, type: 11, code: 0, body: quotedUdp4() }); p[23]! ^= 0x10; return p; },
  },
  {
    name: 'ICMPv6 error with a bad checksum', reason: 'icmpBadChecksum', dir: '6to4',
    pkt: () => { const p = icmp6({ src: v6(R4), dst: v6(S4), type: 3, code: 0, body: quotedUdp6() }); p[43]! ^= 0x10; return p; },
  },
  { name: 'ICMPv4 timestamp', reason: 'icmpUntranslatableType', dir: '4to6', pkt: () => icmp4({ type: 13, code: 0, body: pattern(12) }) },
  { name: 'ICMPv6 neighbor solicitation', reason: 'icmpUntranslatableType', dir: '6to4', pkt: () => icmp6({ type: 135, code: 0, body: pattern(16) }) },
  {
    name: 'ICMPv4 parameter problem pointing at the Identification', reason: 'icmpUntranslatablePointer', dir: '4to6',
    pkt: () => icmp4({ src: R4, type: 12, code: 0, rest: 4 << 24, body: quotedUdp4() }),
  },
  {
    name: 'ICMPv6 parameter problem pointing at the flow label', reason: 'icmpUntranslatablePointer', dir: '6to4',
    pkt: () => icmp6({ src: v6(R4), dst: v6(S4), type: 4, code: 0, rest: 2, body: quotedUdp6() }),
  },
  {
    name: 'ICMPv4 error quoting an ICMPv4 error', reason: 'icmpErrorAboutIcmpError', dir: '4to6',
    pkt: () => icmp4({ src: R4, type: 11, code: 0, body: icmp4({ src: S4, dst: D4, type: 3, code: 3, body: quotedUdp4() }) }),
  },
  {
    name: 'ICMPv6 error quoting an ICMPv6 error', reason: 'icmpErrorAboutIcmpError', dir: '6to4',
    pkt: () => icmp6({ src: v6(R4), dst: v6(S4), type: 3, code: 0, body: icmp6({ src: v6(S4), dst: v6(D4), type: 1, code: 4, body: quotedUdp6() }) }),
  },
  {
    name: 'ICMPv4 error quoting 12 bytes', reason: 'icmpInnerBad', dir: '4to6',
    pkt: () => icmp4({ src: R4, type: 11, code: 0, body: quotedUdp4().subarray(0, 12) }),
  },
  {
    name: 'ICMPv6 error quoting an IPv4 header', reason: 'icmpInnerBad', dir: '6to4',
    pkt: () => icmp6({ src: v6(R4), dst: v6(S4), type: 3, code: 0, body: concat(quotedUdp4(), pattern(20)) }),
  },
  {
    name: 'ICMPv4 error quoting a packet to an address with no IPv6 form', reason: 'icmpInnerUntranslatable', dir: '4to6',
    pkt: () => icmp4({ src: R4, type: 11, code: 0, body: udp4({ src: S4, dst: '203.0.113.77', ttl: 1 }) }),
    mapper: (m) => m.deny4.add(ipv4Number('203.0.113.77')),
  },
  {
    name: 'ICMPv6 error quoting a packet to an address outside the prefix', reason: 'icmpInnerUntranslatable', dir: '6to4',
    pkt: () => icmp6({ src: v6(R4), dst: v6(S4), type: 3, code: 0, body: udp6({ src: v6(S4), dst: ipv6('2001:db8:ffff::7'), hlim: 1 }) }),
  },
  { name: 'loopback source', reason: 'ipv4IllegalAddress', dir: '4to6', pkt: () => udp4({ src: '127.0.0.1' }) },
  { name: 'multicast destination', reason: 'ipv4IllegalAddress', dir: '4to6', pkt: () => udp4({ dst: '224.0.0.251' }) },
  { name: 'limited broadcast destination', reason: 'ipv4IllegalAddress', dir: '4to6', pkt: () => udp4({ dst: '255.255.255.255' }) },
  { name: 'unspecified source', reason: 'ipv6IllegalAddress', dir: '6to4', pkt: () => udp6({ src: ipv6('::') }) },
  { name: 'loopback destination', reason: 'ipv6IllegalAddress', dir: '6to4', pkt: () => udp6({ dst: ipv6('::1') }) },
  { name: 'multicast destination', reason: 'ipv6IllegalAddress', dir: '6to4', pkt: () => udp6({ dst: ipv6('ff02::1') }) },
  { name: 'output area of 50 bytes', reason: 'outputFull', dir: '4to6', pkt: () => udp4(), outCapacity: 50 },
  { name: 'output area of 50 bytes', reason: 'outputFull', dir: '6to4', pkt: () => udp6({ body: pattern(40) }), outCapacity: 50 },
];

for (const c of cases) {
  test(c.dir + ' drop ' + c.reason + ': ' + c.name, () => {
    const mapper = new PrefixMapper();
    c.mapper?.(mapper);
    const t = translator(c.config ?? {}, mapper);
    const pkt = c.pkt();
    const len = c.len ? c.len(pkt) : pkt.length;
    const out = new XlatOutput(c.outCapacity ?? 1 << 16, 8);
    const r = run(t, c.dir, pkt.subarray(0, len), 5, out);
    assert.equal(r.code, XlatDrop.code[c.reason], 'returned ' + XlatDrop.names[r.code]);
    assert.equal(t.drops.get(c.reason), 1, 'counted');
    assert.equal(t.drops.total(), 1, 'counted once');
    const translated = r.kinds.filter((k) => k === XlatOutputKind.Translated).length;
    assert.equal(translated, 0, 'nothing translated');
    if (c.error) {
      assert.equal(r.outs.length, 1, 'one ICMP error');
      assert.equal(r.kinds[0], XlatOutputKind.IcmpError);
      const e = r.outs[0]!;
      const at = e[0]! >>> 4 === 4 ? 20 : 40;
      assert.equal(e[0]! >>> 4, c.dir === '4to6' ? 4 : 6, 'error in the family of the sender');
      assert.deepEqual([e[at], e[at + 1]], c.error, 'type and code');
    } else {
      assert.equal(r.outs.length, 0, 'silent');
    }
  });
}

test('every XlatDrop reason has a case', () => {
  const covered = new Set(cases.map((c) => c.reason));
  const missing = XlatDrop.names.filter((n) => n !== 'none' && !covered.has(n as XlatDropName));
  assert.deepEqual(missing, []);
});

test('generateIcmpErrors false: drops stay silent', () => {
  const mapper = new PrefixMapper();
  const t = translator({ generateIcmpErrors: false, ipv6SourceForErrors: ERROR_SOURCE6 }, mapper);
  assert.equal(run(t, '4to6', udp4({ ttl: 1 })).outs.length, 0);
  assert.equal(run(t, '6to4', udp6({ hlim: 1 })).outs.length, 0);
  assert.equal(t.drops.get('ttlExpired'), 2);
});

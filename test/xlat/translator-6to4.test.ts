import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XlatOutputKind } from '../../src/xlat/xlat-output.js';
import {
  assertIpv4HeaderChecksum, assertTransportChecksum, concat, D4, ERROR_SOURCE6, extHeader, fragHeader, hex, ip6, ipv4, ipv6, ocSum,
  pattern, put16, run, S4, translator, u16, u32, udp6, udpHeader, v6, withChecksum,
} from './translator-fixtures.js';

// RFC 7915 §5: IPv6 → IPv4 rules beyond the golden vectors.

test('RFC 7915 §5.1 DF: set above 1260 bytes, clear at 1260 and below', () => {
  const at = run(translator(), '6to4', udp6({ body: pattern(1260 - 28) })).outs[0]!;
  const over = run(translator(), '6to4', udp6({ body: pattern(1261 - 28) })).outs[0]!;
  assert.equal(at.length, 1260);
  assert.equal(u16(at, 6), 0, 'DF clear, not a fragment');
  assert.equal(over.length, 1261);
  assert.equal(u16(over, 6), 0x4000, 'DF set');
  assert.equal(u16(over, 4), 0, 'atomic datagram: ID zero (RFC 6864 §4.1)');
  for (const p of [at, over]) {
    assertIpv4HeaderChecksum(p);
    assertTransportChecksum(p);
  }
});

test('RFC 7915 §5.1 Identification: DF-clear packets to one destination get distinct IDs (RFC 6864 §4.2)', () => {
  const t = translator({ hashSeed: 12345 });
  const ids = new Set<number>();
  for (let i = 0; i < 1000; i++) ids.add(u16(run(t, '6to4', udp6()).outs[0]!, 4));
  assert.equal(ids.size, 1000);
  // The seed changes the sequence.
  const a = u16(run(translator({ hashSeed: 1 }), '6to4', udp6()).outs[0]!, 4);
  const b = u16(run(translator({ hashSeed: 2 }), '6to4', udp6()).outs[0]!, 4);
  assert.notEqual(a, b);
});

test('RFC 7915 §5.1 Type of Service: zeroed when resetTrafficClass is set', () => {
  const p = run(translator({ resetTrafficClass: true }), '6to4', udp6({ tc: 0xb8 })).outs[0]!;
  assert.equal(p[1], 0);
  assert.equal(run(translator(), '6to4', udp6({ tc: 0xb8 })).outs[0]![1], 0xb8);
});

test('RFC 7915 §5.1 TTL: hop limit 1 answered with ICMPv6 Time Exceeded from the configured source', () => {
  const t = translator({ ipv6SourceForErrors: ERROR_SOURCE6 });
  const pkt = udp6({ hlim: 1, body: pattern(100) });
  const r = run(t, '6to4', pkt);
  assert.deepEqual(r.kinds, [XlatOutputKind.IcmpError]);
  const e = r.outs[0]!;
  assert.equal(hex(e.subarray(8, 24)), hex(ERROR_SOURCE6));
  assert.equal(hex(e.subarray(24, 40)), hex(v6(S4)), 'back to the sender');
  assert.deepEqual([e[6], e[40], e[41]], [58, 3, 0]);
  assert.equal(hex(e.subarray(48)), hex(pkt), 'quotes the packet');
  assertTransportChecksum(e);
});

test('RFC 7915 §5.1: Routing header with segments left: Parameter Problem pointing at Segments Left', () => {
  const rh = new Uint8Array(24);
  rh[0] = 60; rh[1] = 2; rh[3] = 1;
  rh.set(ipv6('2001:db8::9'), 8);
  const pkt = ip6({ nh: 0, payload: concat(extHeader(43), rh, extHeader(17), udpHeader(1, 2, pattern(8))) });
  const r = run(translator({ ipv6SourceForErrors: ERROR_SOURCE6 }), '6to4', pkt);
  const e = r.outs[0]!;
  assert.deepEqual([e[40], e[41]], [4, 0]);
  assert.equal(u32(e, 44), 40 + 8 + 3, 'pointer: offset of Segments Left from the IPv6 header');
  assertTransportChecksum(e);
});

test('RFC 7915 §5.1: Total Length is the payload length minus the extension headers', () => {
  const pkt = ip6({ nh: 0, payload: concat(extHeader(60, 16), extHeader(17, 24), udpHeader(1, 2, pattern(30))) });
  withChecksumAfterExt(pkt, 40 + 16 + 24);
  const p = run(translator(), '6to4', pkt).outs[0]!;
  assert.equal(u16(p, 2), 20 + 38);
  assert.equal(p[9], 17);
  assertTransportChecksum(p);
});

test('RFC 7915 §5.1 Packet Too Big: MTU of the IPv4 link plus 20, never below 1280', () => {
  const t = translator({ ipv4LinkMtu: 1400, ipv6SourceForErrors: ERROR_SOURCE6 });
  const e = run(t, '6to4', udp6({ body: pattern(1500 - 48) })).outs[0]!;
  assert.deepEqual([e[40], e[41], u32(e, 44)], [2, 0, 1420]);
  assertTransportChecksum(e);
  // A 1000-byte IPv4 link would ask for 1020: IPv6 hosts ignore that (RFC 8200 §5), so 1280,
  // and the 1260-byte packets that follow are fragmented by the rule below.
  const small = translator({ ipv4LinkMtu: 1000, ipv6SourceForErrors: ERROR_SOURCE6 });
  assert.equal(u32(run(small, '6to4', udp6({ body: pattern(1400 - 48) })).outs[0]!, 44), 1280);
  assert.equal(run(small, '6to4', udp6({ body: pattern(1280 - 48) })).outs.length, 2);
});

test('RFC 7915 §5 / RFC 791: DF clear (≤ 1260) but the IPv4 link is smaller: IPv4 fragments', () => {
  const t = translator({ ipv4LinkMtu: 576 });
  const body = pattern(1200 - 8, 2);
  const r = run(t, '6to4', udp6({ body }));
  assert.equal(r.outs.length, 3);
  const ids = new Set(r.outs.map((f) => u16(f, 4)));
  assert.equal(ids.size, 1, 'one Identification');
  const offs = r.outs.map((f) => (u16(f, 6) & 0x1fff) * 8);
  assert.deepEqual(offs, [0, 552, 1104]);
  assert.deepEqual(r.outs.map((f) => (u16(f, 6) & 0x2000) !== 0), [true, true, false]);
  for (const f of r.outs) {
    assert.ok(f.length <= 576);
    assertIpv4HeaderChecksum(f);
  }
  const data = concat(...r.outs.map((f) => f.subarray(20)));
  assert.equal(hex(data.subarray(8)), hex(body));
  const f0 = r.outs[0]!;
  assert.equal(ocSum([[f0, 12, 8], [data, 0, data.length]], 17 + data.length), 0xffff, 'UDP checksum of the datagram');
});

test('RFC 7915 §5.1.1: a non-first IPv6 fragment carries its bytes unchanged', () => {
  const body = pattern(48, 5);
  const p = run(translator(), '6to4', ip6({ nh: 44, payload: concat(fragHeader(6, 1024, true, 0xdeadbeef), body) })).outs[0]!;
  assert.equal(u16(p, 4), 0xbeef);
  assert.equal(u16(p, 6), 0x2000 | 128);
  assert.equal(p[9], 6);
  assert.equal(hex(p.subarray(20)), hex(body));
});

test('RFC 7915 §5.1: a zero UDP checksum (RFC 6935) stays zero, meaning none in IPv4', () => {
  const pkt = udp6();
  put16(pkt, 46, 0);
  const p = run(translator(), '6to4', pkt).outs[0]!;
  assert.equal(u16(p, 26), 0);
});

test('RFC 7915 §5.2: ICMPv6 echo request from an untranslatable source is dropped, not sourced from the pool', () => {
  const r = run(translator(), '6to4', withChecksum(ip6({ src: ipv6('2001:db8:ffff::1'), nh: 58, payload: concat(Uint8Array.of(128, 0, 0, 0, 0, 1, 0, 1), pattern(8)) })));
  assert.equal(r.code, translator().drops.table.code.untranslatableSource);
});

test('RFC 6791: the pool address for an untranslatable router is chosen by hashing, stable per router', () => {
  const pool = concat(ipv4('192.0.0.8'), ipv4('192.0.0.9'), ipv4('192.0.0.10'));
  const t = translator({ pool6791: pool });
  const quote = udp6({ src: v6(S4), dst: v6(D4), hlim: 1, body: pattern(8) });
  const seen = new Set<string>();
  for (let i = 1; i <= 30; i++) {
    const router = ipv6('2001:db8:ffff::' + i.toString(16));
    const err = withChecksum(ip6({ src: router, dst: v6(S4), nh: 58, payload: concat(Uint8Array.of(3, 0, 0, 0, 0, 0, 0, 0), quote) }));
    const a = hex(run(t, '6to4', err).outs[0]!.subarray(12, 16));
    const b = hex(run(t, '6to4', err).outs[0]!.subarray(12, 16));
    assert.equal(a, b);
    seen.add(a);
  }
  assert.equal(seen.size, 3, 'every pool address used');
});

test('RFC 7915 §5.1: IPv6 destination mapped by role; source mapped by role', () => {
  const p = run(translator(), '6to4', udp6({ src: v6('203.0.113.5'), dst: v6(D4) })).outs[0]!;
  assert.equal(hex(p.subarray(12, 20)), hex(concat(ipv4('203.0.113.5'), ipv4(D4))));
});

/** Fills the UDP checksum of a packet whose UDP header starts at `at`. */
function withChecksumAfterExt(p: Uint8Array, at: number): void {
  const len = p.length - at;
  put16(p, at + 6, 0);
  put16(p, at + 6, ~ocSum([[p, 8, 32], [p, at, len]], 17 + len) & 0xffff);
}

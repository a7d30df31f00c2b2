import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XlatOutputKind } from '../../src/xlat/xlat-output.js';
import {
  assertIpv4HeaderChecksum, assertTransportChecksum, concat, D4, fromHex, goldenVector, hex, icmp4, ip4, ipv4, ipv4Number, ocSum,
  pattern, PrefixMapper, put16, R4, run, S4, translator, u16, u32, udp4, udpHeader, v6, withChecksum,
} from './translator-fixtures.js';

// RFC 7915 §4: IPv4 → IPv6 rules beyond the golden vectors (options, errors the translator
// originates, sizes and fragmentation).

/** Payload bytes of a set of IPv6 fragments (one Fragment header each), put back in order. */
function reassemble6(frags: Uint8Array[]): { data: Uint8Array; nh: number; ident: number } {
  const parts = frags.map((f) => {
    assert.equal(f[6], 44, 'Fragment header');
    const offFlags = u16(f, 42);
    return { off: offFlags & 0xfff8, m: (offFlags & 1) === 1, data: f.subarray(48, 40 + u16(f, 4)), nh: f[40]!, ident: u32(f, 44) };
  }).sort((a, b) => a.off - b.off);
  let at = 0;
  for (const p of parts) {
    assert.equal(p.off, at, 'contiguous');
    at += p.data.length;
  }
  assert.equal(parts.at(-1)!.m, false, 'last fragment has M clear');
  assert.ok(parts.slice(0, -1).every((p) => p.m && p.data.length % 8 === 0), 'others have M set and 8-octet multiples');
  return { data: concat(...parts.map((p) => p.data)), nh: parts[0]!.nh, ident: parts[0]!.ident };
}

test('RFC 7915 §4.1 traffic class: zeroed when resetTrafficClass is set', () => {
  const v = goldenVector('udp 64 bytes, TOS copied, TTL decremented');
  const copied = run(translator(), '4to6', fromHex(v.in)).outs[0]!;
  const reset = run(translator({ resetTrafficClass: true }), '4to6', fromHex(v.in)).outs[0]!;
  assert.equal(((copied[0]! & 0x0f) << 4) | (copied[1]! >>> 4), 0xb8);
  assert.equal(((reset[0]! & 0x0f) << 4) | (reset[1]! >>> 4), 0);
  assert.equal(u32(reset, 0) & 0xfffff, 0, 'flow label 0');
  assert.equal(hex(reset.subarray(4)), hex(copied.subarray(4)), 'nothing else differs');
});

test('RFC 7915 §4.1 hop limit: TTL 1 answered with Time Exceeded from the configured source, quoting the packet', () => {
  const t = translator({ ipv4SourceForErrors: ipv4('192.0.2.254') });
  const pkt = udp4({ ttl: 1, body: pattern(100) });
  const r = run(t, '4to6', pkt);
  assert.equal(r.code, t.drops.table.code.ttlExpired);
  assert.deepEqual(r.kinds, [XlatOutputKind.IcmpError]);
  const e = r.outs[0]!;
  assertIpv4HeaderChecksum(e);
  assertTransportChecksum(e);
  assert.equal(hex(e.subarray(12, 16)), hex(ipv4('192.0.2.254')), 'source');
  assert.equal(hex(e.subarray(16, 20)), hex(ipv4(S4)), 'back to the sender');
  assert.equal(e[9], 1);
  assert.deepEqual([e[20], e[21]], [11, 0]);
  assert.equal(hex(e.subarray(28)), hex(pkt), 'quotes the whole packet (it fits 576 bytes)');
});

test('RFC 7915 §4.4: errors come from the RFC 6791 pool when no IPv4 error source is configured', () => {
  const e = run(translator({ pool6791: ipv4('100.64.0.9') }), '4to6', udp4({ ttl: 1 })).outs[0]!;
  assert.equal(hex(e.subarray(12, 16)), hex(ipv4('100.64.0.9')));
});

test('RFC 7915 §4.1: with decrementTtl false a TTL of 1 passes unchanged', () => {
  const r = run(translator({ decrementTtl: false }), '4to6', udp4({ ttl: 1 }));
  assert.equal(r.code, 0);
  assert.equal(r.outs[0]![7], 1);
});

test('RFC 7915 §4.1: an expired source route is ignored like any option', () => {
  // Pointer 8 > length 7: the route is used up.
  const pkt = withChecksum(ip4({ proto: 17, options: Uint8Array.of(131, 7, 8, 198, 51, 100, 9, 0), payload: udpHeader(1, 2, pattern(8)) }));
  const r = run(translator(), '4to6', pkt);
  assert.equal(r.code, 0);
  assert.equal(u16(r.outs[0]!, 4), 16, 'payload length excludes the options');
  assertTransportChecksum(r.outs[0]!);
});

test('RFC 7915 §4.1: an ICMPv4 error from an illegal source is still translated, for trouble shooting', () => {
  const err = icmp4({ src: '127.0.0.1', dst: S4, type: 3, code: 3, body: udp4({ src: S4, dst: D4, ttl: 3 }) });
  const r = run(translator(), '4to6', err);
  assert.equal(r.code, 0);
  assert.equal(hex(r.outs[0]!.subarray(8, 24)), hex(v6('127.0.0.1')));
});

test('RFC 1812 §4.3.2.7: no ICMP error about an untranslatable destination when the sender is not a single host', () => {
  const mapper = new PrefixMapper();
  mapper.deny4.add(ipv4Number(D4));
  const r = run(translator({}, mapper), '4to6', udp4({ src: '169.254.0.1', dst: D4 }));
  assert.equal(r.outs.length, 1, 'link-local sender: answered');
  const r2 = run(translator({}, mapper), '4to6', udp4({ src: S4, dst: D4, flagsFrag: 64 / 8 }));
  assert.equal(r2.outs.length, 0, 'non-first fragment: not answered');
});

test('RFC 7915 §4.1: DF set and too big for the next hop: Fragmentation Needed with the IPv6 link MTU less 20', () => {
  const pkt = udp4({ flagsFrag: 0x4000, body: pattern(1400 - 28) });
  const r = run(translator({ ipv6LinkMtu: 1400 }), '4to6', pkt);
  const e = r.outs[0]!;
  assert.deepEqual([e[20], e[21]], [3, 4]);
  assert.equal(u16(e, 26), 1380, 'next-hop MTU (RFC 1191 §4)');
  assertTransportChecksum(e);
  // One byte less fits exactly: 1379 + 20 = 1399 ≤ 1400... and 1380 + 20 = 1400 fits.
  assert.equal(run(translator({ ipv6LinkMtu: 1400 }), '4to6', udp4({ flagsFrag: 0x4000, body: pattern(1380 - 28) })).code, 0);
});

test('RFC 7915 §4.1: a DF fragment too big for the next hop counts its Fragment header (MTU less 28)', () => {
  const pkt = ip4({ proto: 17, flagsFrag: 0x4000 | 0x2000, payload: pattern(1360) });
  const e = run(translator({ ipv6LinkMtu: 1400 }), '4to6', pkt).outs[0]!;
  assert.deepEqual([e[20], e[21], u16(e, 26)], [3, 4, 1372]);
});

test('RFC 7915 §4.1: DF set, larger than the lowest IPv6 MTU but within the link: one packet, no Fragment header', () => {
  const r = run(translator(), '4to6', udp4({ flagsFrag: 0x4000, body: pattern(1400) }));
  assert.equal(r.outs.length, 1);
  assert.equal(r.outs[0]![6], 17);
  assert.equal(r.outs[0]!.length, 40 + 8 + 1400);
  assertTransportChecksum(r.outs[0]!);
});

test('RFC 7915 §4.1: DF clear and at most the lowest IPv6 MTU: no Fragment header (RFC 8021)', () => {
  const r = run(translator(), '4to6', udp4({ body: pattern(1280 - 48) }));
  assert.equal(r.outs.length, 1);
  assert.equal(r.outs[0]!.length, 1280);
  assert.equal(r.outs[0]![6], 17);
});

test('RFC 7915 §4.1: DF clear, one byte over 1280: two fragments that reassemble to the translation', () => {
  const pkt = udp4({ id: 0x4321, body: pattern(1280 - 48 + 1, 4) });
  const r = run(translator(), '4to6', pkt);
  assert.equal(r.outs.length, 2);
  for (const f of r.outs) assert.ok(f.length <= 1280);
  const { data, nh, ident } = reassemble6(r.outs);
  assert.equal(nh, 17);
  assert.equal(ident, 0x4321, 'IPv4 ID zero-extended');
  assert.equal(hex(data.subarray(8)), hex(pattern(1280 - 48 + 1, 4)));
  // The UDP checksum of the reassembled datagram verifies under the IPv6 pseudo-header.
  const f0 = r.outs[0]!;
  assert.equal(ocSum([[f0, 8, 32], [data, 0, data.length]], 17 + data.length), 0xffff);
});

test('RFC 7915 §4.1: the lowest IPv6 MTU is configurable (1500: fragments of at most 1500 bytes)', () => {
  const r = run(translator({ lowestIpv6Mtu: 1500, ipv6LinkMtu: 9000 }), '4to6', udp4({ body: pattern(3000) }));
  assert.deepEqual(r.outs.map((f) => f.length), [1496, 1496, 48 + 3008 - 2 * 1448]);
  assert.equal(reassemble6(r.outs).data.length, 3008);
});

test('RFC 7915 §4.1: an IPv4 fragment larger than the lowest MTU is cut again, keeping its offset and M', () => {
  const pkt = ip4({ proto: 17, id: 0x77, flagsFrag: 0x2000 | (800 / 8), payload: pattern(2000, 8) });
  const r = run(translator(), '4to6', pkt);
  assert.equal(r.outs.length, 2);
  assert.deepEqual(r.outs.map((f) => u16(f, 42)), [800 | 1, (800 + 1232) | 1], 'offsets from 800, M on both (MF was set)');
  assert.equal(hex(concat(...r.outs.map((f) => f.subarray(48)))), hex(pattern(2000, 8)), 'payload copied, not touched');
});

test('RFC 7915 §4.1: a non-first fragment carries its bytes unchanged (no transport header to adjust)', () => {
  const body = pattern(64, 3);
  const pkt = ip4({ proto: 6, id: 5, flagsFrag: 64 / 8, payload: body });
  const r = run(translator(), '4to6', pkt);
  assert.equal(hex(r.outs[0]!.subarray(48)), hex(body));
  assert.equal(u16(r.outs[0]!, 42), 64);
});

test('RFC 7915 §4.5: UDP checksum zero computed in compute mode, verifiable from scratch', () => {
  const pkt = udp4({ body: pattern(33) });
  put16(pkt, 26, 0);
  const r = run(translator({ udpZeroChecksum: 'compute' }), '4to6', pkt);
  assert.equal(r.code, 0);
  assert.notEqual(u16(r.outs[0]!, 46), 0);
  assertTransportChecksum(r.outs[0]!);
});

test('RFC 768: a UDP checksum that adjusts to zero is sent as 0xffff', () => {
  // Search payloads whose translated UDP checksum would be 0x0000.
  let hit = 0;
  for (let i = 0; i < 70000 && hit === 0; i++) {
    const body = Uint8Array.of(i >>> 8, i & 0xff);
    const r = run(translator(), '4to6', udp4({ body }));
    const ck = u16(r.outs[0]!, 46);
    assert.notEqual(ck, 0);
    if (ck === 0xffff) hit = 1;
    if (ck === 0xffff) assertTransportChecksum(r.outs[0]!);
  }
  assert.equal(hit, 1, 'a payload with that checksum exists among 2-byte payloads');
});

test('RFC 7915 §4.1: every output of the DF-clear path is written completely (no 0xa5 left from the poisoned area)', () => {
  const r = run(translator(), '4to6', udp4({ body: pattern(3000).fill(0) }));
  for (const f of r.outs) assert.ok(!f.subarray(0, 48).includes(0xa5), 'headers written');
});

test('RFC 7915 §4.1 addresses: destination and source mapped by role through the AddressMapper', () => {
  const r = run(translator(), '4to6', udp4({ src: R4, dst: D4 }));
  assert.equal(hex(r.outs[0]!.subarray(8, 24)), hex(v6(R4)));
  assert.equal(hex(r.outs[0]!.subarray(24, 40)), hex(v6(D4)));
});

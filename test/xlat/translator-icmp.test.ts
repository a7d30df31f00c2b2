import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertIpv4HeaderChecksum, assertTransportChecksum, concat, D4, hex, icmp4, icmp6, pattern, R4, run, S4, translator, u16, u32,
  udp4, udp6, v6,
} from './translator-fixtures.js';

// RFC 7915 §4.2/§5.2: every type/code rule, run end to end on a real packet (errors quote a UDP
// datagram, queries carry data), and the Parameter Problem pointer tables (Figures 3 and 6).

const quote4 = (): Uint8Array => udp4({ src: S4, dst: D4, ttl: 3, body: pattern(24) });
const quote6 = (): Uint8Array => udp6({ src: v6(S4), dst: v6(D4), hlim: 3, body: pattern(24) });

/** [type, code] → [type, code], or null for "silently drop". */
type Rule = [number, number, [number, number] | null];

// §4.2, ICMPv4 → ICMPv6.
const rules4to6: Rule[] = [
  [8, 0, [128, 0]], [0, 0, [129, 0]],
  // Information/timestamp/address mask ("Obsoleted in ICMPv6"), router discovery, source quench,
  // redirect, alternative host address, unknown types.
  [13, 0, null], [14, 0, null], [15, 0, null], [16, 0, null], [17, 0, null], [18, 0, null], [9, 0, null], [10, 0, null],
  [4, 0, null], [5, 0, null], [6, 0, null], [1, 0, null], [19, 0, null], [255, 0, null],
  [3, 0, [1, 0]], [3, 1, [1, 0]], [3, 2, [4, 1]], [3, 3, [1, 4]], [3, 4, [2, 0]], [3, 5, [1, 0]], [3, 6, [1, 0]], [3, 7, [1, 0]],
  [3, 8, [1, 0]], [3, 9, [1, 1]], [3, 10, [1, 1]], [3, 11, [1, 0]], [3, 12, [1, 0]], [3, 13, [1, 1]], [3, 14, null], [3, 15, [1, 1]],
  [3, 16, null],
  [11, 0, [3, 0]], [11, 1, [3, 1]],
  [12, 0, [4, 0]], [12, 1, null], [12, 2, [4, 0]], [12, 3, null],
];

// §5.2, ICMPv6 → ICMPv4.
const rules6to4: Rule[] = [
  [128, 0, [8, 0]], [129, 0, [0, 0]],
  [130, 0, null], [131, 0, null], [132, 0, null], [133, 0, null], [134, 0, null], [135, 0, null], [136, 0, null], [137, 0, null],
  [143, 0, null], [200, 0, null],
  [1, 0, [3, 1]], [1, 1, [3, 10]], [1, 2, [3, 1]], [1, 3, [3, 1]], [1, 4, [3, 3]], [1, 5, null], [1, 6, null], [1, 7, null],
  [2, 0, [3, 4]],
  [3, 0, [11, 0]], [3, 1, [11, 1]],
  [4, 0, [12, 0]], [4, 1, [3, 2]], [4, 2, null], [4, 3, null],
  [5, 0, null], [100, 0, null],
];

const isError4 = (type: number): boolean => type !== 0 && type !== 8 && !(type >= 13 && type <= 18) && type !== 9 && type !== 10;

for (const [type, code, expect] of rules4to6) {
  test('RFC 7915 §4.2 ICMPv4 ' + type + '/' + code + ' → ' + (expect ? expect.join('/') : 'drop'), () => {
    const rest = type === 3 && code === 4 ? 1400 : 0;
    const body = isError4(type) ? quote4() : pattern(20);
    const src = isError4(type) ? R4 : S4;
    const t = translator();
    const r = run(t, '4to6', icmp4({ src, dst: isError4(type) ? S4 : D4, type, code, rest, body }));
    if (expect === null) {
      assert.equal(r.code, t.drops.table.code.icmpUntranslatableType);
      assert.equal(r.outs.length, 0);
      return;
    }
    assert.equal(r.code, 0);
    const p = r.outs[0]!;
    assert.deepEqual([p[6], p[40], p[41]], [58, ...expect]);
    assertTransportChecksum(p);
    if (isError4(type)) {
      // The quoted datagram became IPv6 with the quoted addresses mapped.
      assert.equal(p[48]! >>> 4, 6);
      assert.equal(hex(p.subarray(48 + 8, 48 + 40)), hex(concat(v6(S4), v6(D4))));
    } else {
      assert.equal(hex(p.subarray(44)), hex(concat(Uint8Array.of(0, 0, 0, 0), pattern(20))), 'rest and data carried');
    }
  });
}

for (const [type, code, expect] of rules6to4) {
  test('RFC 7915 §5.2 ICMPv6 ' + type + '/' + code + ' → ' + (expect ? expect.join('/') : 'drop'), () => {
    const error = type < 128;
    const rest = type === 2 ? 1400 : 0;
    const t = translator();
    const r = run(t, '6to4', icmp6({ src: error ? v6(R4) : v6(S4), dst: error ? v6(S4) : v6(D4), type, code, rest, body: error ? quote6() : pattern(20) }));
    if (expect === null) {
      assert.equal(r.code, t.drops.table.code.icmpUntranslatableType);
      assert.equal(r.outs.length, 0);
      return;
    }
    assert.equal(r.code, 0);
    const p = r.outs[0]!;
    assert.deepEqual([p[9], p[20], p[21]], [1, ...expect]);
    assertIpv4HeaderChecksum(p);
    assertTransportChecksum(p);
    if (error) {
      assert.equal(p[28]! >>> 4, 4);
      assertIpv4HeaderChecksum(p.subarray(28), 'quoted header');
      assert.equal(hex(p.subarray(28 + 12, 28 + 20)), hex(Uint8Array.of(192, 0, 2, 1, 198, 51, 100, 2)));
    }
  });
}

// RFC 7915 Figure 3: IPv4 pointer → IPv6 pointer ("n/a" and unlisted: drop).
const figure3 = [0, 1, 4, 4, -1, -1, -1, -1, 7, 6, -1, -1, 8, 8, 8, 8, 24, 24, 24, 24, -1, -1, -1, -1];
test('RFC 7915 §4.2 Figure 3: every IPv4 Parameter Problem pointer end to end', () => {
  for (let ptr = 0; ptr < figure3.length; ptr++) {
    const t = translator();
    const r = run(t, '4to6', icmp4({ src: R4, dst: S4, type: 12, code: 0, rest: ptr << 24, body: quote4() }));
    if (figure3[ptr] === -1) {
      assert.equal(r.code, t.drops.table.code.icmpUntranslatablePointer, 'pointer ' + ptr);
    } else {
      assert.equal(u32(r.outs[0]!, 44), figure3[ptr], 'pointer ' + ptr);
      assertTransportChecksum(r.outs[0]!);
    }
  }
});

// RFC 7915 Figure 6: IPv6 pointer → IPv4 pointer.
const figure6 = [0, 1, -1, -1, 2, 2, 9, 8, ...new Array<number>(16).fill(12), ...new Array<number>(16).fill(16), -1, -1, -1];
test('RFC 7915 §5.2 Figure 6: every IPv6 Parameter Problem pointer end to end', () => {
  for (let ptr = 0; ptr < figure6.length; ptr++) {
    const t = translator();
    const r = run(t, '6to4', icmp6({ src: v6(R4), dst: v6(S4), type: 4, code: 0, rest: ptr, body: quote6() }));
    if (figure6[ptr] === -1) {
      assert.equal(r.code, t.drops.table.code.icmpUntranslatablePointer, 'pointer ' + ptr);
    } else {
      assert.equal(r.outs[0]![24], figure6[ptr], 'pointer ' + ptr);
      assertTransportChecksum(r.outs[0]!);
    }
  }
});

test('RFC 7915 §4.2: Packet Too Big MTU takes the smallest of the three terms', () => {
  const frag = (mtu: number): Uint8Array => icmp4({ src: R4, dst: S4, type: 3, code: 4, rest: mtu, body: quote4() });
  // advertised + 20
  assert.equal(u32(run(translator({ ipv6LinkMtu: 9000, ipv4LinkMtu: 9000 }), '4to6', frag(4000)).outs[0]!, 44), 4020);
  // MTU of the IPv6 next hop
  assert.equal(u32(run(translator({ ipv6LinkMtu: 2000, ipv4LinkMtu: 9000 }), '4to6', frag(4000)).outs[0]!, 44), 2000);
  // MTU of the IPv4 next hop + 20
  assert.equal(u32(run(translator({ ipv6LinkMtu: 9000, ipv4LinkMtu: 1500 }), '4to6', frag(4000)).outs[0]!, 44), 1520);
});

test('RFC 7915 §5.2: Fragmentation Needed MTU takes the smallest of the three terms', () => {
  const ptb = (mtu: number): Uint8Array => icmp6({ src: v6(R4), dst: v6(S4), type: 2, code: 0, rest: mtu, body: quote6() });
  assert.equal(u16(run(translator({ ipv6LinkMtu: 9000, ipv4LinkMtu: 9000 }), '6to4', ptb(4000)).outs[0]!, 26), 3980);
  assert.equal(u16(run(translator({ ipv6LinkMtu: 9000, ipv4LinkMtu: 1500 }), '6to4', ptb(4000)).outs[0]!, 26), 1500);
  assert.equal(u16(run(translator({ ipv6LinkMtu: 2000, ipv4LinkMtu: 9000 }), '6to4', ptb(4000)).outs[0]!, 26), 1980);
});

test('RFC 7915 §4.2 ICMP Error Payload: an RFC 4884 extension that would not fit 1280 bytes is left out', () => {
  const orig = concat(quote4(), new Uint8Array(128 - quote4().length));
  const ext = pattern(1200, 11);
  const r = run(translator(), '4to6', icmp4({ src: R4, dst: S4, type: 11, code: 0, rest: (128 / 4) << 16, body: concat(orig, ext) }));
  const p = r.outs[0]!;
  assert.equal(p[44], 0, 'no RFC 4884 length');
  assert.equal(p.length, 40 + 8 + 40 + 8 + 24, 'quoted datagram only, without padding or extension');
  assertTransportChecksum(p);
});

test('RFC 4884: a length field pointing past the message is not an extension (whole rest is the quote)', () => {
  const q = quote4();
  const r = run(translator(), '4to6', icmp4({ src: R4, dst: S4, type: 11, code: 0, rest: 200 << 16, body: q }));
  const p = r.outs[0]!;
  assert.equal(p[44], 0);
  assert.equal(p.length, 40 + 8 + 40 + q.length - 20);
});

test('RFC 7915 §4.2: the extension of a Parameter Problem (no ICMPv6 length field) is left out', () => {
  const orig = concat(quote4(), new Uint8Array(128 - quote4().length));
  const r = run(translator(), '4to6', icmp4({ src: R4, dst: S4, type: 12, code: 0, rest: (9 << 24) | ((128 / 4) << 16), body: concat(orig, pattern(16)) }));
  const p = r.outs[0]!;
  assert.equal(u32(p, 44), 6, 'pointer only');
  assert.equal(p.length, 40 + 8 + 40 + 8 + 24);
});

test('RFC 7915 §4.3: the quoted TTL is not decremented, the outer one is', () => {
  const p = run(translator(), '4to6', icmp4({ src: R4, dst: S4, ttl: 30, type: 11, code: 0, body: quote4() })).outs[0]!;
  assert.equal(p[7], 29);
  assert.equal(p[48 + 7], 3);
});

test('RFC 7915 §5.3: the outer IPv4 header of a translated error has DF clear and a generated ID', () => {
  const p = run(translator(), '6to4', icmp6({ src: v6(R4), dst: v6(S4), type: 3, code: 0, body: quote6() })).outs[0]!;
  assert.equal(u16(p, 6), 0);
  assertIpv4HeaderChecksum(p);
});

test('RFC 7915 §4.3: an ICMPv4 error quoting an echo reply quotes an ICMPv6 echo reply', () => {
  const echo = icmp4({ src: S4, dst: D4, ttl: 3, type: 0, code: 0, rest: 0x00010002, body: pattern(12) });
  const p = run(translator(), '4to6', icmp4({ src: R4, dst: S4, type: 11, code: 0, body: echo })).outs[0]!;
  assert.equal(p[48 + 40], 129);
  assertTransportChecksum(p.subarray(48), 'quoted echo reply, whole in the quote');
});

test('RFC 1812 §4.3.2.3: a translated ICMPv4 error is cut to a smaller IPv4 link MTU', () => {
  const big = udp6({ src: v6(S4), dst: v6(D4), hlim: 3, body: pattern(900) });
  const p = run(translator({ ipv4LinkMtu: 400 }), '6to4', icmp6({ src: v6(R4), dst: v6(S4), type: 3, code: 0, body: big })).outs[0]!;
  assert.equal(p.length, 400);
  assert.equal(u16(p, 2), 400);
  assertIpv4HeaderChecksum(p);
  assertTransportChecksum(p);
});

test('RFC 1812 §4.3.2.3: an ICMPv4 error the translator originates fits the IPv4 link MTU', () => {
  const p = run(translator({ ipv4LinkMtu: 300 }), '4to6', udp4({ ttl: 1, body: pattern(900) })).outs[0]!;
  assert.equal(p.length, 300);
  assertTransportChecksum(p);
});

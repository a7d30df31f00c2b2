import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DropCounters } from '../../src/wire/drop-reasons.js';
import { FlowDrop, type FlowDropName } from '../../src/xlat/flow-drop.js';
import { extractFlowTuple, FlowTuple } from '../../src/xlat/flow-tuple.js';
import { fromHex, naptVectors, type NaptTuple } from '../golden/napt/vectors.js';
import { leastHeapGrowth } from '../heap-growth.js';

function snapshot(t: FlowTuple): NaptTuple {
  return {
    family: t.family, proto: t.proto, src: [...t.src], dst: [...t.dst], srcPort: t.srcPort, dstPort: t.dstPort,
    icmpError: t.icmpError, icmpQueryRequest: t.icmpQueryRequest, tcpFlags: t.tcpFlags, l4Off: t.l4Off,
    innerL3Off: t.innerL3Off, innerL4Off: t.innerL4Off, l3End: t.l3End,
  };
}

/** Every reason a case below produced, to prove each extract reason is reachable and counted. */
const seen = new DropCounters(FlowDrop);

function extract(pkt: Uint8Array, off = 0, len = pkt.length - off): { code: number; tuple: FlowTuple } {
  const tuple = new FlowTuple();
  const code = extractFlowTuple(pkt, off, len, tuple);
  seen.add(code);
  return { code, tuple };
}

function expectDrop(pkt: Uint8Array, name: FlowDropName, off = 0, len = pkt.length - off): void {
  const { code } = extract(pkt, off, len);
  assert.equal(FlowDrop.names[code], name);
}

/** `pkt` at offset `off` inside a buffer of `pad` extra bytes of `fill` after it. */
function embed(pkt: Uint8Array, off: number, pad: number, fill: number): Uint8Array {
  const b = new Uint8Array(off + pkt.length + pad).fill(fill);
  b.set(pkt, off);
  return b;
}

function vector(name: string): Uint8Array {
  const v = naptVectors.find((x) => x.name === name);
  assert.ok(v, name);
  return fromHex(v.hex);
}

function setU16(b: Uint8Array, off: number, v: number): void {
  b[off] = v >>> 8;
  b[off + 1] = v & 0xff;
}

// --- scapy golden vectors --------------------------------------------------------------------

for (const v of naptVectors) {
  test(`golden ${v.name}: ${v.drop ?? 'tuple'} (scapy)`, () => {
    const pkt = fromHex(v.hex);
    const { code, tuple } = extract(pkt);
    if (v.drop !== undefined) {
      assert.equal(FlowDrop.names[code], v.drop);
      return;
    }
    assert.equal(FlowDrop.names[code], 'none');
    assert.deepEqual(snapshot(tuple), v.tuple);
  });
}

test('golden vectors at a non-zero offset inside a larger buffer give the same tuple, offsets shifted', () => {
  for (const v of naptVectors) {
    if (v.tuple === undefined) continue;
    const pkt = fromHex(v.hex);
    const { code, tuple } = extract(embed(pkt, 37, 11, 0xa5), 37, pkt.length);
    assert.equal(code, 0, v.name);
    const t = v.tuple;
    assert.deepEqual(snapshot(tuple), {
      ...t, l4Off: t.l4Off + 37, l3End: t.l3End + 37,
      innerL3Off: t.icmpError ? t.innerL3Off + 37 : 0, innerL4Off: t.icmpError ? t.innerL4Off + 37 : 0,
    }, v.name);
  }
});

test('link padding after the IP packet is not part of it: l3End is where the header says it ends', () => {
  const pkt = vector('icmp4-unreach-quoting-tcp-8-bytes');
  const padded = embed(pkt, 0, 18, 0);
  const { code, tuple } = extract(padded, 0, padded.length);
  assert.equal(code, 0);
  assert.equal(tuple.l3End, pkt.length);
  const p6 = vector('udp6-hop-by-hop-and-dest-opts');
  const r6 = extract(embed(p6, 0, 7, 0xff), 0, p6.length + 7);
  assert.equal(r6.code, 0);
  assert.equal(r6.tuple.l3End, p6.length);
});

test('a refilled tuple forgets the previous packet (ICMP error, then TCP)', () => {
  const t = new FlowTuple();
  assert.equal(extractFlowTuple(vector('icmp4-time-exceeded-quoting-echo-request'), 0, vector('icmp4-time-exceeded-quoting-echo-request').length, t), 0);
  assert.equal(t.icmpError, true);
  assert.equal(t.icmpQueryRequest, true);
  const tcp = vector('tcp4-synack-inbound');
  assert.equal(extractFlowTuple(tcp, 0, tcp.length, t), 0);
  assert.equal(t.icmpError, false);
  assert.equal(t.icmpQueryRequest, false);
  assert.equal(t.innerL3Off, 0);
  assert.equal(t.innerL4Off, 0);
  assert.equal(t.tcpFlags, 0x12);
  assert.equal(t.proto, 6);
});

// --- malformed and truncated input, one named case per reason --------------------------------

test('ipTruncated: buffer shorter than the header or the total length; range outside the buffer', () => {
  const pkt = vector('tcp4-syn-outbound');
  expectDrop(pkt, 'ipTruncated', 0, 19);
  expectDrop(pkt, 'ipTruncated', 0, pkt.length - 1);
  expectDrop(pkt, 'ipTruncated', 0, 0);
  expectDrop(pkt, 'ipTruncated', 1, pkt.length);
  expectDrop(pkt, 'ipTruncated', -1, 20);
  const p6 = vector('tcp6-outbound');
  expectDrop(p6, 'ipTruncated', 0, 39);
  expectDrop(p6, 'ipTruncated', 0, p6.length - 1);
});

test('ipBadVersion: neither 4 nor 6', () => {
  for (const version of [0, 5, 7, 15]) {
    const pkt = vector('tcp4-syn-outbound');
    pkt[0] = (version << 4) | 5;
    expectDrop(pkt, 'ipBadVersion');
  }
});

test('ipv4BadHeaderLength: IHL below 5, total length below the header length', () => {
  const pkt = vector('udp4-outbound');
  pkt[0] = 0x44;
  expectDrop(pkt, 'ipv4BadHeaderLength');
  const short = vector('udp4-outbound');
  setU16(short, 2, 19);
  expectDrop(short, 'ipv4BadHeaderLength');
  const opts = vector('tcp4-ip-options-payload');
  setU16(opts, 2, 20);
  expectDrop(opts, 'ipv4BadHeaderLength');
});

test('ipv6BadPayloadLength: zero payload length behind Hop-by-Hop (jumbogram)', () => {
  const pkt = vector('udp6-hop-by-hop-and-dest-opts');
  setU16(pkt, 4, 0);
  expectDrop(pkt, 'ipv6BadPayloadLength');
});

test('ipv6BadExtensionHeader: a header running past the packet, Hop-by-Hop not first', () => {
  const pkt = vector('udp6-hop-by-hop-and-dest-opts');
  pkt[41] = 200;
  expectDrop(pkt, 'ipv6BadExtensionHeader');
  const late = vector('udp6-hop-by-hop-and-dest-opts');
  late[40] = 0; // Hop-by-Hop's next header: another Hop-by-Hop
  expectDrop(late, 'ipv6BadExtensionHeader');
});

test('badFragment: IPv6 fragment with M set and a length not a multiple of 8', () => {
  const pkt = vector('udp6-first-fragment');
  const cut = pkt.subarray(0, pkt.length - 3);
  setU16(cut, 4, cut.length - 40);
  expectDrop(cut, 'badFragment');
});

test('unsupportedProtocol is judged before the fragment offset', () => {
  const pkt = vector('ipv4-non-first-fragment');
  pkt[9] = 47;
  expectDrop(pkt, 'unsupportedProtocol');
});

test('fragmentNoPorts: non-first IPv4 and IPv6 fragments; first fragments keep their ports', () => {
  expectDrop(vector('ipv4-non-first-fragment'), 'fragmentNoPorts');
  expectDrop(vector('ipv6-non-first-fragment'), 'fragmentNoPorts');
  // Offset 8 with MF clear: the last fragment.
  const last = vector('udp4-outbound');
  setU16(last, 6, 1);
  expectDrop(last, 'fragmentNoPorts');
  assert.equal(extract(vector('udp4-first-fragment')).tuple.srcPort, 5004);
  assert.equal(extract(vector('udp6-first-fragment')).tuple.dstPort, 53);
});

test('transportTruncated: TCP under 20 bytes or data offset out of range, UDP and ICMP under 8', () => {
  const tcp = vector('tcp4-synack-inbound');
  setU16(tcp, 2, 20 + 19);
  expectDrop(tcp, 'transportTruncated');
  const doff = vector('tcp4-synack-inbound');
  doff[20 + 12] = 0x40;
  expectDrop(doff, 'transportTruncated');
  const past = vector('tcp4-synack-inbound');
  past[20 + 12] = 0xf0;
  expectDrop(past, 'transportTruncated');
  // A first fragment holding 8 bytes of TCP (RFC 1858 tiny fragment) shows ports but no flags.
  const tiny = vector('tcp4-synack-inbound');
  setU16(tiny, 2, 28);
  setU16(tiny, 6, 0x2000);
  expectDrop(tiny, 'transportTruncated', 0, 28);
  const udp = vector('udp4-outbound');
  setU16(udp, 2, 27);
  expectDrop(udp, 'transportTruncated');
  const icmp = vector('icmp4-echo-request');
  setU16(icmp, 2, 26);
  expectDrop(icmp, 'transportTruncated');
  const icmp6 = vector('icmp6-echo-request');
  setU16(icmp6, 4, 7);
  expectDrop(icmp6, 'transportTruncated', 0, 47);
});

test('icmpInnerBadHeader: quoted IHL below 5, quoted IPv6 chain malformed', () => {
  const pkt = vector('icmp4-time-exceeded-quoting-udp');
  pkt[28] = 0x44;
  expectDrop(pkt, 'icmpInnerBadHeader');
  const p6 = vector('icmp6-time-exceeded-quoting-tcp-whole-with-dest-opts');
  // Quoted Destination Options followed by Hop-by-Hop.
  p6[48 + 40] = 0;
  expectDrop(p6, 'icmpInnerBadHeader');
});

test('icmpInnerTruncated: quote cut inside the quoted IP header, IPv4 options, ports or identifier', () => {
  const pkt = vector('icmp4-unreach-quoting-tcp-8-bytes');
  for (const keep of [0, 1, 19, 20, 23]) {
    const cut = pkt.slice(0, 28 + keep);
    setU16(cut, 2, cut.length);
    expectDrop(cut, 'icmpInnerTruncated');
  }
  const opts = vector('icmp4-param-problem-quoting-udp-with-options');
  const cut = opts.slice(0, 28 + 22);
  setU16(cut, 2, cut.length);
  expectDrop(cut, 'icmpInnerTruncated');
  const p6 = vector('icmp6-packet-too-big-quoting-tcp-8-bytes');
  for (const keep of [0, 39, 43]) {
    const c6 = p6.slice(0, 48 + keep);
    setU16(c6, 4, c6.length - 40);
    expectDrop(c6, 'icmpInnerTruncated');
  }
  // Exactly the ports are enough: RFC 792 promises 8 bytes, a NAT needs 4.
  const four = pkt.slice(0, 28 + 24);
  setU16(four, 2, four.length);
  assert.equal(extract(four).code, 0);
});

test('every extract drop reason is reached by some case above or a golden vector', () => {
  const rewriteOnly = new Set(['rewriteIpv6Address', 'rewriteTupleMismatch']);
  for (const name of FlowDrop.names.slice(1)) {
    if (rewriteOnly.has(name)) continue;
    assert.ok(seen.get(name as FlowDropName) > 0, `${name} never counted`);
  }
});

// --- properties ------------------------------------------------------------------------------

const codes = FlowDrop.size;

/** Extracts `pkt` embedded at `off` twice, with different bytes around it: a read outside
 * [off, off + len) would make the two disagree. */
function extractIsolated(pkt: Uint8Array, off: number, fillA: number, fillB: number, len = pkt.length): void {
  const a = new FlowTuple();
  const b = new FlowTuple();
  const ca = extractFlowTuple(embed(pkt, off, 16, fillA).fill(fillA, 0, off), off, len, a);
  const cb = extractFlowTuple(embed(pkt, off, 16, fillB).fill(fillB, 0, off), off, len, b);
  assert.ok(Number.isInteger(ca) && ca >= 0 && ca < codes);
  assert.equal(ca, cb);
  if (ca === 0) {
    assert.deepEqual(snapshot(a), snapshot(b));
    assert.ok(a.l4Off >= off && a.l3End <= off + len);
    if (a.icmpError) assert.ok(a.innerL3Off >= a.l4Off + 8 && a.innerL4Off > a.innerL3Off && a.innerL4Off < a.l3End);
  }
}

test('property: random bytes never throw and never read outside the given range', () => {
  fc.assert(fc.property(
    fc.uint8Array({ minLength: 0, maxLength: 160, size: 'max' }), fc.nat(40), fc.nat(255), fc.nat(255),
    fc.constantFrom(0, 4, 6), fc.constantFrom(-1, 1, 6, 17, 58), fc.boolean(),
    (bytes, off, fa, fb, version, proto, plainHeader) => {
      // Mostly-plausible headers reach the deeper paths: a version, a length that fits, a
      // protocol with ports, no options or fragment offset.
      if (version === 4 && bytes.length >= 20) {
        bytes[0] = plainHeader ? 0x45 : 0x40 | (bytes[0]! & 0x0f);
        setU16(bytes, 2, bytes.length);
        bytes[6]! &= 0xe0;
        bytes[7] = 0;
        if (proto >= 0) bytes[9] = proto;
      } else if (version === 6 && bytes.length >= 40) {
        bytes[0] = 0x60;
        setU16(bytes, 4, bytes.length - 40);
        if (proto >= 0) bytes[6] = proto;
      }
      extractIsolated(bytes, off, fa, fb);
    }), { numRuns: 5000 });
});

test('property: mutated and cut golden packets never throw and never read outside the range', () => {
  const packets = naptVectors.map((v) => fromHex(v.hex));
  fc.assert(fc.property(
    fc.constantFrom(...packets), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 4 }), fc.nat(), fc.nat(20),
    fc.nat(255), fc.nat(255),
    (pkt, flips, cutSeed, off, fa, fb) => {
      const m = pkt.slice();
      for (const [at, v] of flips) m[at % m.length] = v;
      const len = cutSeed % (m.length + 1);
      extractIsolated(m.subarray(0, len), off, fa, fb, len);
    }), { numRuns: 5000 });
});

test('extract allocates nothing per packet', () => {
  const packets = naptVectors.map((v) => fromHex(v.hex));
  const t = new FlowTuple();
  let sum = 0;
  const grown = leastHeapGrowth(() => {
    for (let i = 0; i < 200000; i++) {
      const p = packets[i % packets.length]!;
      sum += extractFlowTuple(p, 0, p.length, t) + t.srcPort;
    }
  });
  assert.ok(sum > 0);
  assert.ok(grown < 200000, `heap grew ${grown} bytes over 200000 extractions`);
});

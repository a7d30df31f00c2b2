import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { internetChecksum, pseudoHeaderSum4, pseudoHeaderSum6 } from '../../src/wire/checksum.js';
import { DropCounters } from '../../src/wire/drop-reasons.js';
import { FlowDrop } from '../../src/xlat/flow-drop.js';
import { extractFlowTuple, FlowTuple } from '../../src/xlat/flow-tuple.js';
import { rewriteDestination, rewriteSource } from '../../src/xlat/napt-rewrite.js';
import { fromHex, mapped4, naptVectors, toHex } from '../golden/napt/vectors.js';
import { leastHeapGrowth } from '../heap-growth.js';

const TCP = 6;
const UDP = 17;
const ICMP = 1;
const ICMP6 = 58;

function u16(b: Uint8Array, off: number): number {
  return (b[off]! << 8) | b[off + 1]!;
}

function setU16(b: Uint8Array, off: number, v: number): void {
  b[off] = v >>> 8;
  b[off + 1] = v & 0xff;
}

// --- checksums from scratch ------------------------------------------------------------------

/**
 * Recomputes the checksum stored at `ck` over `buf[off, off+len)` (plus `pseudo`) with the field
 * zeroed, as a sender would, and compares it with the stored value: exact, so a 0x0000 where a
 * sender writes 0xffff (or the reverse) fails. UDP: a computed zero is sent as 0xffff (RFC 768).
 */
function checkField(errors: string[], what: string, buf: Uint8Array, ck: number, off: number, len: number,
  pseudo: (b: Uint8Array) => number, udp = false): void {
  const copy = buf.slice();
  copy[ck] = 0;
  copy[ck + 1] = 0;
  let want = internetChecksum(copy, off, len, pseudo(copy));
  if (udp && want === 0) want = 0xffff;
  const have = u16(buf, ck);
  if (have !== want) errors.push(`${what}: stored ${have.toString(16)}, computed ${want.toString(16)}`);
}

/** Offset of the upper layer after the IPv6 header at `p` and its protocol, and whether the
 * packet is a fragment (offset or M set). */
function walk6(b: Uint8Array, p: number, end: number): { nh: number; off: number; frag: boolean } {
  let nh = b[p + 6]!;
  let off = p + 40;
  let frag = false;
  while ((nh === 0 || nh === 43 || nh === 60 || nh === 44) && off + 8 <= end) {
    if (nh === 44) frag = (u16(b, off + 2) & 0xfff9) !== 0;
    const len = nh === 44 ? 8 : (b[off + 1]! + 1) * 8;
    nh = b[off]!;
    off += len;
  }
  return { nh, off, frag };
}

/**
 * Every checksum of an IP packet, recomputed: IPv4 header, TCP/UDP/ICMP(v6) of a whole (not
 * fragmented) packet, and inside an ICMP error the quoted IPv4 header and, when the quote holds
 * the whole quoted packet, its transport checksum. Returns what disagrees.
 */
function checksumErrors(b: Uint8Array, quoted = false, avail = b.length): string[] {
  const errors: string[] = [];
  const v = b[0]! >>> 4;
  let l4: number;
  let proto: number;
  let end: number;
  let frag: boolean;
  let pseudo: (c: Uint8Array, len: number) => number;
  const where = quoted ? 'quoted ' : '';
  if (v === 4) {
    const hl = (b[0]! & 15) * 4;
    checkField(errors, `${where}IPv4 header`, b, 10, 0, hl, () => 0);
    end = u16(b, 2);
    l4 = hl;
    proto = b[9]!;
    frag = (u16(b, 6) & 0x3fff) !== 0;
    pseudo = (c, len) => pseudoHeaderSum4(c, 12, 16, proto, len);
  } else {
    end = 40 + u16(b, 4);
    const w = walk6(b, 0, Math.min(end, avail));
    l4 = w.off;
    proto = w.nh;
    frag = w.frag;
    pseudo = (c, len) => pseudoHeaderSum6(c, 8, 24, proto, len);
  }
  // A quote cut short cannot be summed; its checksums were checked whole by the builder.
  if (frag || end > avail) return errors;
  const len = end - l4;
  if (proto === TCP) checkField(errors, `${where}TCP`, b, l4 + 16, l4, len, (c) => pseudo(c, len));
  if (proto === UDP && !(v === 4 && u16(b, l4 + 6) === 0)) checkField(errors, `${where}UDP`, b, l4 + 6, l4, len, (c) => pseudo(c, len), true);
  if (proto === ICMP) checkField(errors, `${where}ICMP`, b, l4 + 2, l4, len, () => 0);
  if (proto === ICMP6) checkField(errors, `${where}ICMPv6`, b, l4 + 2, l4, len, (c) => pseudo(c, len));
  if (!quoted && (proto === ICMP ? b[l4] !== 0 && b[l4] !== 8 : proto === ICMP6 && b[l4]! < 128)) {
    const q = b.subarray(l4 + 8, end);
    if (q.length >= 20) errors.push(...checksumErrors(q, true, q.length));
  }
  return errors;
}

function assertChecksums(pkt: Uint8Array, what: string): void {
  assert.deepEqual(checksumErrors(pkt), [], what);
}

// --- scapy golden vectors --------------------------------------------------------------------

function rewrite(side: 'source' | 'destination', pkt: Uint8Array, off: number, len: number, t: FlowTuple,
  addr: Uint32Array | null, port: number): number {
  return side === 'source' ? rewriteSource(pkt, off, len, t, addr, port) : rewriteDestination(pkt, off, len, t, addr, port);
}

/** The packet's current values at the rewritten side, to rewrite back with. */
function current(t: FlowTuple, side: 'source' | 'destination'): { addr: Uint32Array | null; port: number } {
  // An ICMP error's tuple is the quoted packet's, which runs the other way.
  const src = (side === 'source') !== t.icmpError;
  const addr = t.family === 4 ? Uint32Array.from(src ? t.src : t.dst) : null;
  return { addr, port: src ? t.srcPort : t.dstPort };
}

for (const v of naptVectors) {
  for (const r of v.rewrites ?? []) {
    test(`golden ${v.name}: rewrite ${r.side} to ${r.addr ?? '(address kept)'} port ${r.port} matches scapy`, () => {
      const pkt = fromHex(v.hex);
      const original = pkt.slice();
      const t = new FlowTuple();
      assert.equal(extractFlowTuple(pkt, 0, pkt.length, t), 0);
      const back = current(t, r.side);
      assert.equal(rewrite(r.side, pkt, 0, pkt.length, t, r.addr === null ? null : mapped4(r.addr), r.port), 0);
      assert.equal(toHex(pkt), r.hex);
      assertChecksums(pkt, v.name);
      // The tuple keeps describing the bytes.
      const again = new FlowTuple();
      assert.equal(extractFlowTuple(pkt, 0, pkt.length, again), 0);
      assert.deepEqual({ ...t, src: [...t.src], dst: [...t.dst] }, { ...again, src: [...again.src], dst: [...again.dst] });
      // And back.
      assert.equal(rewrite(r.side, pkt, 0, pkt.length, t, back.addr, back.port), 0);
      assert.equal(toHex(pkt), toHex(original));
    });
  }
}

test('golden inputs verify before any rewrite (the checker is sound)', () => {
  for (const v of naptVectors) if (v.tuple) assertChecksums(fromHex(v.hex), v.name);
});

test('the checker catches a checksum left stale (IPv4 header, TCP, quoted TCP, ICMP)', () => {
  const syn = fromHex(naptVectors.find((v) => v.name === 'tcp4-syn-outbound')!.hex);
  syn[12] ^= 1;
  assert.equal(checksumErrors(syn).length, 2);
  const err = fromHex(naptVectors.find((v) => v.name === 'icmp4-unreach-quoting-tcp-whole')!.hex);
  err[28 + 20 + 1] ^= 1; // quoted source port
  assert.deepEqual(checksumErrors(err).map((e) => e.split(':')[0]), ['ICMP', 'quoted TCP']);
});

test('a rewrite at a non-zero offset touches only the packet', () => {
  for (const v of naptVectors) {
    for (const r of v.rewrites ?? []) {
      const pkt = fromHex(v.hex);
      const buf = new Uint8Array(pkt.length + 50).fill(0x5a);
      buf.set(pkt, 29);
      const t = new FlowTuple();
      assert.equal(extractFlowTuple(buf, 29, pkt.length, t), 0);
      assert.equal(rewrite(r.side, buf, 29, pkt.length, t, r.addr === null ? null : mapped4(r.addr), r.port), 0);
      assert.equal(toHex(buf.subarray(29, 29 + pkt.length)), r.hex, v.name);
      assert.ok(buf.subarray(0, 29).every((x) => x === 0x5a) && buf.subarray(29 + pkt.length).every((x) => x === 0x5a), v.name);
    }
  }
});

// --- named cases -----------------------------------------------------------------------------

const counted = new DropCounters(FlowDrop);

function golden(name: string): { pkt: Uint8Array; t: FlowTuple } {
  const pkt = fromHex(naptVectors.find((v) => v.name === name)!.hex);
  const t = new FlowTuple();
  assert.equal(extractFlowTuple(pkt, 0, pkt.length, t), 0, name);
  return { pkt, t };
}

test('UDP over IPv4 with checksum zero: the address and port change, the checksum stays "none"', () => {
  const { pkt, t } = golden('udp4-zero-checksum-stays-zero');
  assert.equal(rewriteSource(pkt, 0, pkt.length, t, mapped4('203.0.113.9'), 62001), 0);
  assert.equal(u16(pkt, 26), 0);
  assert.equal(u16(pkt, 20), 62001);
  assertChecksums(pkt, 'udp zero');
});

test('UDP checksum that adjusts to 0x0000 is sent as 0xffff; TCP keeps 0x0000', () => {
  const udp = naptVectors.find((v) => v.name === 'udp4-checksum-becomes-ffff')!;
  const { pkt, t } = golden(udp.name);
  assert.equal(rewriteSource(pkt, 0, pkt.length, t, mapped4('203.0.113.9'), udp.rewrites![0]!.port), 0);
  assert.equal(u16(pkt, 26), 0xffff);
  const tcp = naptVectors.find((v) => v.name === 'tcp4-checksum-becomes-zero')!;
  const g = golden(tcp.name);
  assert.equal(rewriteSource(g.pkt, 0, g.pkt.length, g.t, mapped4('203.0.113.9'), tcp.rewrites![0]!.port), 0);
  assert.equal(u16(g.pkt, 36), 0);
});

test('ICMPv4 Echo Reply rewritten to all zero gets checksum 0xffff, as a full computation gives', () => {
  const { pkt, t } = golden('icmp4-echo-reply-all-zero');
  assert.equal(rewriteDestination(pkt, 0, pkt.length, t, mapped4('10.0.0.5'), 0), 0);
  assert.equal(toHex(pkt.subarray(20)), '0000ffff00000000');
});

test('ICMP error toward the inside: outer destination, quoted source and port, every checksum', () => {
  const { pkt, t } = golden('icmp4-unreach-quoting-tcp-whole');
  assert.equal(rewriteDestination(pkt, 0, pkt.length, t, mapped4('10.0.0.5'), 40000), 0);
  assert.equal(toHex(pkt.subarray(16, 20)), '0a000005');
  assert.equal(toHex(pkt.subarray(28 + 12, 28 + 16)), '0a000005');
  assert.equal(u16(pkt, 48), 40000);
  assert.equal(t.src[3], 0x0a000005);
  assert.equal(t.srcPort, 40000);
  assertChecksums(pkt, 'error');
});

test('ICMP error from the inside: outer source, quoted destination and port', () => {
  const { pkt, t } = golden('icmp4-port-unreach-from-inside-quoting-udp');
  assert.equal(rewriteSource(pkt, 0, pkt.length, t, mapped4('203.0.113.9'), 62000), 0);
  assert.equal(toHex(pkt.subarray(12, 16)), 'cb007109');
  assert.equal(toHex(pkt.subarray(28 + 16, 28 + 20)), 'cb007109');
  assert.equal(u16(pkt, 50), 62000);
  assert.equal(t.dst[3], 0xcb007109);
  assert.equal(t.dstPort, 62000);
  assertChecksums(pkt, 'error');
});

test('a quote of 8 TCP bytes has no checksum to adjust; the quoted IPv4 header and ICMP checksums still follow', () => {
  const { pkt, t } = golden('icmp4-unreach-quoting-tcp-8-bytes');
  const before = pkt.slice();
  assert.equal(rewriteDestination(pkt, 0, pkt.length, t, mapped4('10.0.0.5'), 40000), 0);
  assert.equal(pkt.length, before.length);
  assertChecksums(pkt, '8 bytes');
  assert.notEqual(u16(pkt, 38), u16(before, 38));
});

test('rewriteIpv6Address: an IPv6 packet takes ports only, and nothing is written', () => {
  const { pkt, t } = golden('tcp6-outbound');
  const before = toHex(pkt);
  const code = rewriteSource(pkt, 0, pkt.length, t, mapped4('203.0.113.9'), 1);
  assert.equal(FlowDrop.names[code], 'rewriteIpv6Address');
  assert.equal(toHex(pkt), before);
  counted.add(code);
});

test('rewriteTupleMismatch: tuple of another packet, range outside the buffer, nothing written', () => {
  const { pkt } = golden('udp4-outbound');
  const before = toHex(pkt);
  const six = golden('tcp6-outbound').t;
  const codes = [
    rewriteSource(pkt, 0, pkt.length, six, null, 1),
    rewriteSource(pkt, 0, pkt.length + 1, golden('udp4-outbound').t, null, 1),
    rewriteSource(pkt, 0, pkt.length, golden('icmp4-unreach-quoting-tcp-whole').t, null, 1),
    rewriteDestination(pkt, 0, pkt.length, new FlowTuple(), null, 1),
  ];
  for (const code of codes) {
    assert.equal(FlowDrop.names[code], 'rewriteTupleMismatch');
    counted.add(code);
  }
  assert.equal(toHex(pkt), before);
});

test('both rewrite drop reasons were counted', () => {
  assert.ok(counted.get('rewriteIpv6Address') > 0);
  assert.ok(counted.get('rewriteTupleMismatch') > 0);
});

// --- packets built here, checksummed from scratch --------------------------------------------

interface ErrorSpec {
  src: number[];
  dst: number[];
  type: number;
  code: number;
  /** Bytes of the quoted packet kept after its IP header (the quote's cut). */
  quoteL4: number;
}

/** A TCP, UDP or Echo packet, or (with `error`) an ICMP error quoting it. */
interface PacketSpec {
  family: 4 | 6;
  kind: 'tcp' | 'udp' | 'echo';
  src: number[];
  dst: number[];
  /** Echo: the identifier. */
  sport: number;
  dport: number;
  echoRequest: boolean;
  seq: number;
  udpNoChecksum: boolean;
  ipOptionWords: number;
  payload: number[];
  error: ErrorSpec | null;
}

function fillChecksums(b: Uint8Array, family: 4 | 6, l4: number, proto: number, udpNone: boolean): void {
  const len = b.length - l4;
  const pseudo = family === 4 ? pseudoHeaderSum4(b, 12, 16, proto, len) : pseudoHeaderSum6(b, 8, 24, proto, len);
  if (proto === TCP) setU16(b, l4 + 16, internetChecksum(b, l4, len, pseudo));
  if (proto === UDP && !udpNone) setU16(b, l4 + 6, internetChecksum(b, l4, len, pseudo) || 0xffff);
  if (proto === ICMP) setU16(b, l4 + 2, internetChecksum(b, l4, len, 0));
  if (proto === ICMP6) setU16(b, l4 + 2, internetChecksum(b, l4, len, pseudo));
}

function ipPacket(family: 4 | 6, src: number[], dst: number[], proto: number, l4: Uint8Array, optionWords: number, udpNone: boolean): Uint8Array {
  const hl = family === 4 ? 20 + optionWords * 4 : 40;
  const b = new Uint8Array(hl + l4.length);
  if (family === 4) {
    b[0] = 0x40 | (hl >>> 2);
    setU16(b, 2, b.length);
    setU16(b, 4, 0x1234);
    b[8] = 64;
    b[9] = proto;
    b.set(src, 12);
    b.set(dst, 16);
    b.fill(1, 20, hl); // NOP options
    setU16(b, 10, internetChecksum(b, 0, hl));
  } else {
    b[0] = 0x60;
    setU16(b, 4, l4.length);
    b[6] = proto;
    b[7] = 64;
    b.set(src, 8);
    b.set(dst, 24);
  }
  b.set(l4, hl);
  fillChecksums(b, family, hl, proto, udpNone);
  return b;
}

function build(s: PacketSpec): Uint8Array {
  let l4: Uint8Array;
  let proto: number;
  if (s.kind === 'tcp') {
    l4 = new Uint8Array(20 + s.payload.length);
    setU16(l4, 0, s.sport);
    setU16(l4, 2, s.dport);
    l4.set([0, 1, 2, 3, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff], 4);
    proto = TCP;
  } else if (s.kind === 'udp') {
    l4 = new Uint8Array(8 + s.payload.length);
    setU16(l4, 0, s.sport);
    setU16(l4, 2, s.dport);
    setU16(l4, 4, l4.length);
    proto = UDP;
  } else {
    l4 = new Uint8Array(8 + s.payload.length);
    l4[0] = s.family === 4 ? (s.echoRequest ? 8 : 0) : (s.echoRequest ? 128 : 129);
    setU16(l4, 4, s.sport);
    setU16(l4, 6, s.seq);
    proto = s.family === 4 ? ICMP : ICMP6;
  }
  l4.set(s.payload, l4.length - s.payload.length);
  const inner = ipPacket(s.family, s.src, s.dst, proto, l4, s.ipOptionWords, s.udpNoChecksum);
  if (s.error === null) return inner;
  const e = s.error;
  const innerHl = s.family === 4 ? 20 + s.ipOptionWords * 4 : 40;
  const quote = inner.subarray(0, Math.min(inner.length, innerHl + e.quoteL4));
  const icmp = new Uint8Array(8 + quote.length);
  icmp[0] = e.type;
  icmp[1] = e.code;
  icmp.set(quote, 8);
  return ipPacket(s.family, e.src, e.dst, s.family === 4 ? ICMP : ICMP6, icmp, 0, false);
}

/** The spec as a rewrite of `side` to `addr` (IPv4 bytes or null) and `port` should leave it. */
function rewritten(s: PacketSpec, side: 'source' | 'destination', addr: number[] | null, port: number): PacketSpec {
  const r: PacketSpec = { ...s, error: s.error && { ...s.error } };
  const toSrc = side === 'source';
  if (r.error !== null) {
    // The quoted packet runs the other way.
    if (addr !== null) {
      if (toSrc) { r.error.src = addr; r.dst = addr; } else { r.error.dst = addr; r.src = addr; }
    }
    if (r.kind === 'echo' || !toSrc) r.sport = port; else r.dport = port;
  } else {
    if (addr !== null) {
      if (toSrc) r.src = addr; else r.dst = addr;
    }
    if (r.kind === 'echo' || toSrc) r.sport = port; else r.dport = port;
  }
  return r;
}

const bytesOf = (n: number) => fc.array(fc.nat(255), { minLength: n, maxLength: n });
const port = fc.integer({ min: 0, max: 0xffff });

const specArb: fc.Arbitrary<PacketSpec> = fc.constantFrom<4 | 6>(4, 6).chain((family) => {
  const addr = bytesOf(family === 4 ? 4 : 16);
  return fc.record({
    family: fc.constant(family),
    kind: fc.constantFrom<PacketSpec['kind']>('tcp', 'udp', 'echo'),
    src: addr,
    dst: addr,
    sport: port,
    dport: port,
    echoRequest: fc.boolean(),
    // A quote cut inside an all-zero Echo Reply cannot show that it is all zero (see
    // napt-rewrite.ts); a non-zero sequence number keeps every generated message clear of it.
    seq: fc.integer({ min: 1, max: 0xffff }),
    udpNoChecksum: family === 4 ? fc.boolean() : fc.constant(false),
    ipOptionWords: family === 4 ? fc.nat(3) : fc.constant(0),
    payload: fc.array(fc.nat(255), { maxLength: 40 }),
    error: fc.option(fc.record({
      src: addr,
      dst: addr,
      type: family === 4 ? fc.constantFrom(3, 11, 12) : fc.constantFrom(1, 2, 3, 4),
      code: fc.nat(5),
      // A cut inside the quoted checksum leaves its one quoted byte alone (napt-rewrite.ts);
      // routers cut at 8 bytes or at a size limit far beyond it.
      quoteL4: fc.integer({ min: 6, max: 80 }).filter((n) => n !== 17 && n !== 7),
    }), { freq: 2 }),
  });
});

const sideArb = fc.constantFrom<'source' | 'destination'>('source', 'destination');

test('property: a rewrite gives the packet built with the new fields, checksums computed whole', () => {
  fc.assert(fc.property(specArb, sideArb, bytesOf(4), port, fc.boolean(), (spec, side, newAddr, newPort, keepAddr) => {
    const addr = spec.family === 4 && !keepAddr ? newAddr : null;
    const pkt = build(spec);
    const t = new FlowTuple();
    assert.equal(FlowDrop.names[extractFlowTuple(pkt, 0, pkt.length, t)], 'none');
    const a = addr === null ? null : Uint32Array.of(0, 0, 0xffff, ((addr[0]! << 24) | (addr[1]! << 16) | (addr[2]! << 8) | addr[3]!) >>> 0);
    assert.equal(rewrite(side, pkt, 0, pkt.length, t, a, newPort), 0);
    const want = build(rewritten(spec, side, addr, newPort));
    assert.equal(toHex(pkt), toHex(want));
    assert.deepEqual(checksumErrors(pkt), []);
  }), { numRuns: 3000 });
});

test('property: rewrite then rewrite back restores the original bytes', () => {
  fc.assert(fc.property(specArb, sideArb, bytesOf(4), port, (spec, side, newAddr, newPort) => {
    // One address sets the outer and the quoted one, so they start equal, as they are in an
    // error about a flow through this NAT (the quoted sender is the error's destination).
    if (spec.error !== null) {
      if (side === 'destination') spec.error.dst = spec.src;
      else spec.error.src = spec.dst;
    }
    const pkt = build(spec);
    const original = toHex(pkt);
    const t = new FlowTuple();
    assert.equal(extractFlowTuple(pkt, 0, pkt.length, t), 0);
    const back = current(t, side);
    const a = spec.family === 4 ? Uint32Array.of(0, 0, 0xffff, ((newAddr[0]! << 24) | (newAddr[1]! << 16) | (newAddr[2]! << 8) | newAddr[3]!) >>> 0) : null;
    assert.equal(rewrite(side, pkt, 0, pkt.length, t, a, newPort), 0);
    assert.equal(rewrite(side, pkt, 0, pkt.length, t, back.addr, back.port), 0);
    assert.equal(toHex(pkt), original);
  }), { numRuns: 3000 });
});

test('property: on mutated golden packets a rewrite never throws, writes only inside the packet, and its reverse restores the bytes up to the two zeros of ones\' complement', () => {
  const packets = naptVectors.map((v) => fromHex(v.hex));
  fc.assert(fc.property(
    fc.constantFrom(...packets), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 4 }), sideArb, bytesOf(4), port,
    (pkt, flips, side, newAddr, newPort) => {
      const m = pkt.slice();
      for (const [at, v] of flips) m[at % m.length] = v;
      const buf = new Uint8Array(m.length + 20).fill(0xee);
      buf.set(m, 10);
      const t = new FlowTuple();
      if (extractFlowTuple(buf, 10, m.length, t) !== 0) return;
      const back = current(t, side);
      // An error whose outer address differs from the quoted one it pairs with cannot be
      // restored by one address: check only that the rewrite stays inside the packet.
      const outer = 10 + (side === 'source' ? 12 : 16);
      const restorable = !t.icmpError || t.family === 6 ||
        ((buf[outer]! << 24) | (buf[outer + 1]! << 16) | (buf[outer + 2]! << 8) | buf[outer + 3]!) >>> 0 === back.addr![3];
      const a = t.family === 4 ? Uint32Array.of(0, 0, 0xffff, ((newAddr[0]! << 24) | (newAddr[1]! << 16) | (newAddr[2]! << 8) | newAddr[3]!) >>> 0) : null;
      assert.equal(rewrite(side, buf, 10, m.length, t, a, newPort), 0);
      assert.equal(rewrite(side, buf, 10, m.length, t, back.addr, back.port), 0);
      assert.ok(buf.subarray(0, 10).every((x) => x === 0xee) && buf.subarray(10 + m.length).every((x) => x === 0xee));
      if (!restorable) return;
      const got = buf.subarray(10, 10 + m.length);
      for (let i = 0; i < m.length; i += 2) {
        const x = u16(m, i);
        const y = i + 1 < m.length ? u16(got, i) : got[i]! << 8;
        // A stored 0xffff or 0x0000 checksum may come back as the other zero (RFC 1624 §3).
        if (x !== y && !((x === 0 && y === 0xffff) || (x === 0xffff && y === 0))) {
          assert.fail(`word at ${i}: ${x.toString(16)} became ${y.toString(16)}`);
        }
      }
    }), { numRuns: 5000 });
});

test('rewrite allocates nothing per packet', () => {
  const v = naptVectors.find((x) => x.name === 'icmp4-unreach-quoting-tcp-whole')!;
  const pkt = fromHex(v.hex);
  const t = new FlowTuple();
  assert.equal(extractFlowTuple(pkt, 0, pkt.length, t), 0);
  const a = mapped4('10.0.0.5');
  const b = Uint32Array.from(t.src);
  const tcp = fromHex(naptVectors.find((x) => x.name === 'tcp4-syn-outbound')!.hex);
  const tt = new FlowTuple();
  assert.equal(extractFlowTuple(tcp, 0, tcp.length, tt), 0);
  const grown = leastHeapGrowth(() => {
    for (let i = 0; i < 100000; i++) {
      rewriteDestination(pkt, 0, pkt.length, t, (i & 1) === 0 ? a : b, i & 0xffff);
      rewriteSource(tcp, 0, tcp.length, tt, (i & 1) === 0 ? a : b, i & 0xffff);
    }
  });
  assert.ok(grown < 200000, `heap grew ${grown} bytes over 200000 rewrites`);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GsoDrop } from '../../src/io/gso-drop.js';
import { segmentSuperPacket } from '../../src/io/gso.js';
import { TUN_COALESCE_MAX_DATAGRAMS, TunWriteQueue } from '../../src/io/tun-write-queue.js';
import { FrameBatch } from '../../src/pipeline/frame-batch.js';
import { LinkKind } from '../../src/pipeline/link-kind.js';
import { readU16, writeU16 } from '../../src/wire/byte-order.js';
import { internetChecksum, pseudoHeaderSum4, pseudoHeaderSum6, verifyChecksum } from '../../src/wire/checksum.js';
import { PacketArena } from '../../src/wire/packet-arena.js';
import { VIRTIO_NET_HDR_LEN, VirtioGsoType, VirtioNetHeader } from '../../src/wire/virtio-net-header.js';

const arena = new PacketArena(8 << 20);

interface Udp {
  family: 4 | 6;
  payload: number;
  /** IPv4 Identification. */
  ident?: number;
  srcPort?: number;
  ttl?: number;
  tos?: number;
  df?: boolean;
  fill?: number;
}

/** A UDP datagram with valid checksums: 192.0.2.1 → 198.51.100.2 or 2001:db8::1 → 2001:db8::2. */
function udp(o: Udp): Uint8Array {
  const l4 = o.family === 4 ? 20 : 40;
  const len = l4 + 8 + o.payload;
  const p = new Uint8Array(len);
  for (let i = 0; i < o.payload; i++) p[l4 + 8 + i] = ((o.fill ?? 0) + i * 13) & 0xff;
  if (o.family === 4) {
    p.set([0x45, o.tos ?? 0], 0);
    writeU16(p, 2, len);
    writeU16(p, 4, o.ident ?? 0x1234);
    p[6] = o.df === false ? 0 : 0x40;
    p[8] = o.ttl ?? 63;
    p[9] = 17;
    p.set([192, 0, 2, 1, 198, 51, 100, 2], 12);
    writeU16(p, 10, internetChecksum(p, 0, 20));
  } else {
    p.set([0x60, (o.tos ?? 0) >>> 4, 0, 0], 0);
    writeU16(p, 4, len - 40);
    p[6] = 17;
    p[7] = o.ttl ?? 63;
    p.set([0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 8);
    p.set([0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], 24);
  }
  writeU16(p, l4, o.srcPort ?? 40000);
  writeU16(p, l4 + 2, 5201);
  writeU16(p, l4 + 4, len - l4);
  const pseudo = o.family === 4 ? pseudoHeaderSum4(p, 12, 16, 17, len - l4) : pseudoHeaderSum6(p, 8, 24, 17, len - l4);
  const c = internetChecksum(p, l4, len - l4, pseudo);
  writeU16(p, l4 + 6, c === 0 ? 0xffff : c);
  return p;
}

function queue(): TunWriteQueue {
  return new TunWriteQueue(arena.alloc(256 * 1024), 16);
}

function push(q: TunWriteQueue, p: Uint8Array, gsoSize = 0): number {
  assert.equal(q.full(p.length), false);
  return q.push(p, 0, p.length, gsoSize);
}

/** Entry i as the kernel would cut it (`segmentSuperPacket` is Linux's segmentation in
 * software), or the entry's one packet. */
function writtenDatagrams(q: TunWriteQueue, i: number): Uint8Array[] {
  assert.equal(q.finish(i), 0);
  const o = q.offsets[i]!;
  const len = q.lengths[i]! - VIRTIO_NET_HDR_LEN;
  const hdr = new VirtioNetHeader().bind(q.bytes, o, VIRTIO_NET_HDR_LEN + len);
  if (!hdr.isGso()) return [q.bytes.slice(o + VIRTIO_NET_HDR_LEN, o + VIRTIO_NET_HDR_LEN + len)];
  const out = new FrameBatch(LinkKind.Ip, 1 << 20, 256);
  assert.equal(segmentSuperPacket(hdr, q.bytes, o + VIRTIO_NET_HDR_LEN, len, out, 0), 0);
  const segs: Uint8Array[] = [];
  for (let k = 0; k < out.count; k++) segs.push(out.bytes.slice(out.offsets[k]!, out.offsets[k]! + out.lengths[k]!));
  return segs;
}

for (const family of [4, 6] as const) {
  test(`IPv${family}: consecutive datagrams of one flow leave as one USO write that cuts back into them exactly`, () => {
    const q = queue();
    // IPv4 Identification numbered up from the first, as the kernel numbers the segments.
    const sent = [0, 1, 2, 3, 4].map((i) => udp({ family, payload: i === 4 ? 20 : 64, ident: 0x1234 + i, fill: i }));
    for (const p of sent) assert.equal(push(q, p), 0);
    assert.equal(q.count, 1);
    assert.equal(q.datagrams[0], 5);
    assert.equal(q.ipBytes[0], sent.reduce((a, p) => a + p.length, 0));
    assert.equal(q.coalesced, 4);
    const hdr = new VirtioNetHeader().bind(q.bytes, q.offsets[0]!, q.lengths[0]!);
    assert.equal(q.finish(0), 0);
    assert.equal(hdr.gsoKind(), VirtioGsoType.UdpL4);
    assert.equal(hdr.gsoSize(), 64);
    assert.equal(hdr.needsChecksum(), true);
    const ip = q.offsets[0]! + VIRTIO_NET_HDR_LEN;
    const len = q.lengths[0]! - VIRTIO_NET_HDR_LEN;
    const l4 = family === 4 ? 20 : 40;
    assert.equal(len, l4 + 8 + 4 * 64 + 20);
    if (family === 4) {
      assert.equal(readU16(q.bytes, ip + 2), len);
      assert.ok(verifyChecksum(q.bytes, ip, 20), 'IPv4 header checksum of the super-segment');
    } else assert.equal(readU16(q.bytes, ip + 4), len - 40);
    assert.equal(readU16(q.bytes, ip + l4 + 4), len - l4);
    assert.deepEqual(writtenDatagrams(q, 0), sent);
  });
}

test('a lone datagram is written as an ordinary packet with an empty virtio-net header', () => {
  const q = queue();
  const p = udp({ family: 4, payload: 64 });
  push(q, p);
  assert.equal(q.count, 1);
  assert.equal(q.datagrams[0], 1);
  assert.equal(q.finish(0), 0);
  assert.ok(q.bytes.subarray(q.offsets[0]!, q.offsets[0]! + VIRTIO_NET_HDR_LEN).every((b) => b === 0));
  assert.deepEqual(writtenDatagrams(q, 0), [p]);
});

const APART: [string, Udp, (p: Uint8Array) => void][] = [
  ['another source port', { family: 4, payload: 64, srcPort: 40001 }, () => {}],
  ['another TTL', { family: 4, payload: 64, ttl: 7 }, () => {}],
  ['another TOS', { family: 4, payload: 64, tos: 0xb8 }, () => {}],
  ['DF clear after DF set', { family: 4, payload: 64, df: false }, () => {}],
  ['a larger payload than the first', { family: 4, payload: 65 }, () => {}],
  ['a damaged payload (bad UDP checksum)', { family: 4, payload: 64 }, (p) => { p[40] = p[40]! ^ 0xff; }],
  ['no UDP checksum (IPv4 zero)', { family: 4, payload: 64 }, (p) => writeU16(p, 26, 0)],
  ['an IPv4 fragment (MF)', { family: 4, payload: 64 }, (p) => { p[6] = p[6]! | 0x20; }],
  ['an IPv4 Total Length that is not the packet\'s', { family: 4, payload: 64 }, (p) => writeU16(p, 2, p.length - 1)],
  ['another family', { family: 6, payload: 64 }, () => {}],
];

for (const [name, spec, spoil] of APART) {
  test('not coalesced: ' + name, () => {
    const q = queue();
    const first = udp({ family: 4, payload: 64 });
    const second = udp(spec);
    spoil(second);
    push(q, first);
    push(q, second);
    assert.equal(q.count, 2);
    assert.equal(q.coalesced, 0);
    assert.deepEqual([...writtenDatagrams(q, 0), ...writtenDatagrams(q, 1)], [first, second]);
  });
}

test('not coalesced: a first datagram whose checksum is wrong (verified when the second comes)', () => {
  const q = queue();
  const first = udp({ family: 6, payload: 64 });
  first[60] = first[60]! ^ 1;
  const second = udp({ family: 6, payload: 64 });
  const third = udp({ family: 6, payload: 64 });
  push(q, first);
  push(q, second);
  push(q, third);
  assert.equal(q.count, 2, 'the damaged one alone, the next two together');
  assert.equal(q.datagrams[1], 2);
  assert.deepEqual(writtenDatagrams(q, 0), [first]);
});

test('a short datagram ends the run; the next one starts another', () => {
  const q = queue();
  push(q, udp({ family: 4, payload: 64 }));
  push(q, udp({ family: 4, payload: 10 }));
  push(q, udp({ family: 4, payload: 64 }));
  assert.deepEqual([q.count, q.datagrams[0], q.datagrams[1]], [2, 2, 1]);
});

test(`at most ${TUN_COALESCE_MAX_DATAGRAMS} datagrams a write, and never past 64 KB of IP`, () => {
  const q = queue();
  for (let i = 0; i < TUN_COALESCE_MAX_DATAGRAMS + 1; i++) push(q, udp({ family: 4, payload: 64, ident: i }));
  assert.deepEqual([q.count, q.datagrams[0], q.datagrams[1]], [2, TUN_COALESCE_MAX_DATAGRAMS, 1]);
  const big = queue();
  for (let i = 0; i < 10; i++) push(big, udp({ family: 6, payload: 8000 }));
  // 40 + 8 + 8 x 8000 = 64 048 fits IPv6's 16-bit Payload Length; a ninth would not.
  assert.deepEqual([big.count, big.datagrams[0], big.datagrams[1]], [2, 8, 2]);
  assert.equal(writtenDatagrams(big, 0).length, 8);
});

test('TCP and super-segments are never joined; a super-segment is described when queued', () => {
  const q = queue();
  const tcp = udp({ family: 4, payload: 64 });
  tcp[9] = 6;
  push(q, tcp);
  push(q, tcp);
  assert.equal(q.count, 2);
  const seg = udp({ family: 4, payload: 3000 });
  assert.equal(push(q, seg, 1000), 0);
  push(q, udp({ family: 4, payload: 64 }));
  assert.equal(q.count, 4);
  assert.equal(q.segmentSizes[2], 1000);
  const hdr = new VirtioNetHeader().bind(q.bytes, q.offsets[2]!, q.lengths[2]!);
  assert.equal(hdr.gsoKind(), VirtioGsoType.UdpL4);
  // A super-segment whose IP length disagrees with its length is refused and not queued.
  const bad = udp({ family: 4, payload: 3000 });
  assert.equal(q.push(bad, 0, bad.length - 1, 1000), GsoDrop.code.badIpLength);
  assert.equal(q.count, 4);
});

test('full() says when an entry or the room runs out; reset empties the queue', () => {
  const q = new TunWriteQueue(arena.alloc(1000), 2);
  const p = udp({ family: 4, payload: 400 });
  assert.equal(q.full(p.length), false);
  q.push(p, 0, p.length, 0);
  q.push(udp({ family: 4, payload: 400, srcPort: 1 }), 0, p.length, 0);
  assert.equal(q.full(10), true, 'no entry left');
  q.reset();
  assert.equal(q.count, 0);
  assert.equal(q.full(990), false);
  assert.equal(q.full(991), true, 'no room for header and packet');
});

test('property: any run of datagrams of one flow is written as datagrams equal to them', () => {
  fc.assert(fc.property(fc.constantFrom(4, 6), fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 40 }), (family, sizes) => {
    const q = queue();
    // Identification numbered up, as the kernel numbers each run from its first datagram.
    const sent = sizes.map((payload, i) => udp({ family: family as 4 | 6, payload, ident: 0x100 + i, fill: i }));
    for (const p of sent) {
      assert.equal(q.full(p.length), false);
      q.push(p, 0, p.length, 0);
    }
    const written: Uint8Array[] = [];
    for (let i = 0; i < q.count; i++) written.push(...writtenDatagrams(q, i));
    assert.equal(written.length, sent.length);
    written.forEach((w, i) => assert.deepEqual(w, sent[i], 'datagram ' + i));
  }));
});

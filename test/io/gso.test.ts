import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { completeChecksum, locateTransport, retargetVirtioHeader, segmentSuperPacket, TransportLocation } from '../../src/io/gso.js';
import { GsoDrop } from '../../src/io/gso-drop.js';
import { PcapLinkType } from '../../src/io/pcap-link-type.js';
import { PcapWriter } from '../../src/io/pcap-writer.js';
import { FrameBatch } from '../../src/pipeline/frame-batch.js';
import { LinkKind } from '../../src/pipeline/link-kind.js';
import { readU16, writeU16 } from '../../src/wire/byte-order.js';
import { foldSum, pseudoHeaderSum4, pseudoHeaderSum6, verifyChecksum } from '../../src/wire/checksum.js';
import { DropCounters } from '../../src/wire/drop-reasons.js';
import { IpProtocol } from '../../src/wire/ip-protocol.js';
import {
  emitVirtioNetHeader, VIRTIO_NET_HDR_LEN, VirtioGsoType, VirtioNetFlag, VirtioNetHeader, VirtioNetHeaderRepr,
} from '../../src/wire/virtio-net-header.js';
import { gsoPayload, gsoSuperPacket, gsoVectors, type GsoVector } from '../golden/gso/vectors.js';
import { leastHeapGrowth } from '../heap-growth.js';

const work = mkdtempSync(join(tmpdir(), 'natmesh-gso-'));
after(() => rmSync(work, { recursive: true, force: true }));

const counters = new DropCounters(GsoDrop);
function expectDrop(code: number, reason: Parameters<typeof counters.get>[0]): void {
  const before = counters.get(reason);
  counters.add(code);
  assert.equal(GsoDrop.names[code], reason);
  assert.equal(counters.get(reason), before + 1);
}

function hex(b: Uint8Array, off: number, len: number): string {
  return Buffer.from(b.buffer, b.byteOffset + off, len).toString('hex');
}

/** A virtio-net header view over a fresh 10-byte buffer holding `f`. */
function header(f: GsoVector['vnet']): VirtioNetHeader {
  const r = new VirtioNetHeaderRepr();
  Object.assign(r, f);
  const v = new VirtioNetHeader().bind(new Uint8Array(VIRTIO_NET_HDR_LEN), 0, VIRTIO_NET_HDR_LEN);
  emitVirtioNetHeader(r, v);
  return v;
}

/** A batch whose every byte is poisoned, so a byte segmentation forgot to write shows up. */
function poisonedBatch(capacity = 1 << 18, frames = 128): FrameBatch {
  const b = new FrameBatch(LinkKind.Ip, capacity, frames);
  b.bytes.fill(0xa5);
  return b;
}

/** Unfolded pseudo-header sum of the IP packet at `off` for the transport at `l4`. */
function pseudo(pkt: Uint8Array, off: number, family: number, protocol: number, l4Len: number): number {
  return family === 4 ? pseudoHeaderSum4(pkt, off + 12, off + 16, protocol, l4Len) : pseudoHeaderSum6(pkt, off + 8, off + 24, protocol, l4Len);
}

/** True when the transport (and IPv4 header) checksums of the packet at `off` verify. */
function checksumsVerify(pkt: Uint8Array, off: number, len: number): boolean {
  const loc = new TransportLocation();
  assert.equal(locateTransport(pkt, off, len, loc), 0);
  if (loc.family === 4 && !verifyChecksum(pkt, off, loc.l4Off)) return false;
  return verifyChecksum(pkt, off + loc.l4Off, len - loc.l4Off, pseudo(pkt, off, loc.family, loc.protocol, len - loc.l4Off));
}

// Every segment of every vector (and of the retargeted translations below) goes to one capture
// that tshark checks at the end: checksums, sequence continuity and the reassembled payload.
const capture = PcapWriter.inMemory({ linkType: PcapLinkType.Raw });
const streams: { name: string; protocol: 'tcp' | 'udp'; payload: Uint8Array }[] = [];

describe('software segmentation of the golden super-segments', () => {
  for (const v of gsoVectors) {
    test(`${v.name}: ${v.segments.length} segments, byte for byte as scapy builds them`, () => {
      // The super-segment at an odd offset of a larger buffer; the batch already holds a frame.
      const sup = gsoSuperPacket(v);
      const buf = new Uint8Array(sup.length + 20).fill(0x5a);
      buf.set(sup, 13);
      const out = poisonedBatch();
      out.push(7, 0);
      const hdr = header(v.vnet);
      assert.equal(segmentSuperPacket(hdr, buf, 13, sup.length, out, VIRTIO_NET_HDR_LEN), 0);
      assert.equal(out.count, 1 + v.segments.length);
      const payload = gsoPayload(v.payloadLen, v.payloadSeed);
      for (let i = 0; i < v.segments.length; i++) {
        const s = v.segments[i]!;
        const off = out.offsets[i + 1]!;
        const hl = s.headersHex.length / 2;
        assert.equal(out.lengths[i + 1], VIRTIO_NET_HDR_LEN + hl + s.payloadLen, `segment ${i} length`);
        assert.equal(hex(out.bytes, off, VIRTIO_NET_HDR_LEN), '00'.repeat(VIRTIO_NET_HDR_LEN), `segment ${i} headroom is a plain virtio-net header`);
        assert.equal(hex(out.bytes, off + VIRTIO_NET_HDR_LEN, hl), s.headersHex, `segment ${i} headers`);
        assert.equal(hex(out.bytes, off + VIRTIO_NET_HDR_LEN + hl, s.payloadLen), hex(payload, s.payloadOff, s.payloadLen), `segment ${i} payload`);
        capture.write(out.bytes, off + VIRTIO_NET_HDR_LEN, hl + s.payloadLen, 1, i);
      }
      assert.equal(out.used, out.offsets[out.count - 1]! + out.lengths[out.count - 1]!);
      streams.push({ name: v.name, protocol: v.protocol, payload });
    });
  }
});

describe('retargeting the virtio-net header across translation', () => {
  /** The super-segment of `v` with its IP header replaced by one of the other family, as a
   * translator writes it; the transport checksum field keeps its old (now wrong) value. */
  function translated(v: GsoVector): { pkt: Uint8Array; l3: number } {
    const sup = gsoSuperPacket(v);
    const oldL3 = v.vnet.csumStart;
    const l4Len = sup.length - oldL3;
    const l3 = v.family === 6 ? 20 : 40;
    const pkt = new Uint8Array(l3 + l4Len);
    pkt.set(sup.subarray(oldL3), l3);
    const proto = v.protocol === 'tcp' ? IpProtocol.Tcp : IpProtocol.Udp;
    if (v.family === 6) {
      // RFC 7915 §5.1: IPv4 header, DF set, addresses from the embedded/mapped ones.
      pkt.set([0x45, 0, 0, 0, 0, 0, 0x40, 0, 63, proto, 0, 0, 192, 0, 2, 1, 198, 51, 100, 7]);
      writeU16(pkt, 2, pkt.length);
      writeU16(pkt, 10, ~foldSum(sumHeader(pkt, 20)) & 0xffff);
    } else {
      // RFC 7915 §4.1: IPv6 header with RFC 6052 addresses under 64:ff9b::/96.
      pkt.set([0x60, 0, 0, 0, 0, 0, proto, 63]);
      writeU16(pkt, 4, l4Len);
      pkt.set([0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 192, 0, 2, 1], 8);
      pkt.set([0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 198, 51, 100, 7], 24);
    }
    return { pkt, l3 };
  }

  function sumHeader(b: Uint8Array, n: number): number {
    let s = 0;
    for (let i = 0; i < n; i += 2) s += readU16(b, i);
    return s;
  }

  for (const v of gsoVectors.filter((x) => x.segments.length > 1)) {
    test(`${v.name} → IPv${v.family === 6 ? 4 : 6}: type, csum_start and hdr_len follow the header, csum_offset stays, the partial sum is the new pseudo-header's`, () => {
      const { pkt, l3 } = translated(v);
      const hdr = header(v.vnet);
      const delta = l3 - v.vnet.csumStart;
      assert.equal(retargetVirtioHeader(hdr, pkt, 0, pkt.length), 0);
      const expectType = v.protocol === 'udp' ? VirtioGsoType.UdpL4 : v.family === 6 ? VirtioGsoType.TcpV4 : VirtioGsoType.TcpV6;
      assert.equal(hdr.gsoType(), expectType);
      assert.equal(hdr.csumStart(), v.vnet.csumStart + delta);
      assert.equal(hdr.hdrLen(), v.vnet.hdrLen + delta);
      assert.equal(hdr.csumOffset(), v.vnet.csumOffset);
      assert.equal(hdr.gsoSize(), v.vnet.gsoSize);
      assert.equal(hdr.flags(), VirtioNetFlag.NeedsCsum);
      const proto = v.protocol === 'tcp' ? IpProtocol.Tcp : IpProtocol.Udp;
      const field = readU16(pkt, l3 + v.vnet.csumOffset);
      assert.equal(field, foldSum(pseudo(pkt, 0, v.family === 6 ? 4 : 6, proto, pkt.length - l3)));

      // The retargeted super-segment segments into packets whose checksums verify.
      const out = poisonedBatch();
      assert.equal(segmentSuperPacket(hdr, pkt, 0, pkt.length, out, 0), 0);
      assert.equal(out.count, v.segments.length);
      for (let i = 0; i < out.count; i++) {
        assert.ok(checksumsVerify(out.bytes, out.offsets[i]!, out.lengths[i]!), `segment ${i} checksums`);
        capture.write(out.bytes, out.offsets[i]!, out.lengths[i]!, 2, i);
      }
      streams.push({ name: v.name + ' translated', protocol: v.protocol, payload: gsoPayload(v.payloadLen, v.payloadSeed) });
    });
  }

  test('IPv4 → IPv6 with a 1500-byte MTU: the TCP segment size shrinks by the 20 bytes the header grew, the ECN modifier stays', () => {
    const v = gsoVectors.find((x) => x.name === 'tcp4-timestamps-cwr-fin')!;
    const { pkt } = translated(v);
    const hdr = header({ ...v.vnet, gsoType: VirtioGsoType.TcpV4 | VirtioGsoType.Ecn });
    assert.equal(retargetVirtioHeader(hdr, pkt, 0, pkt.length, 1500), 0);
    assert.equal(hdr.gsoType(), VirtioGsoType.TcpV6 | VirtioGsoType.Ecn);
    // 40 + 32 bytes of headers: 1448 + 72 = 1520 > 1500.
    assert.equal(hdr.gsoSize(), 1500 - 72);
    const out = poisonedBatch();
    assert.equal(segmentSuperPacket(hdr, pkt, 0, pkt.length, out, 0), 0);
    for (let i = 0; i < out.count; i++) assert.ok(out.lengths[i]! <= 1500);
  });

  test('the kernel\'s inflated hdr_len (skb linear length) moves with the header and is kept within the packet', () => {
    const v = gsoVectors.find((x) => x.name === 'tcp6-dest-options-exact')!;
    const { pkt } = translated(v);
    const hdr = header({ ...v.vnet, hdrLen: 200 });
    assert.equal(retargetVirtioHeader(hdr, pkt, 0, pkt.length), 0);
    assert.equal(hdr.hdrLen(), 200 - 28);
    const small = header({ ...v.vnet, hdrLen: 0 });
    assert.equal(retargetVirtioHeader(small, pkt, 0, pkt.length), 0);
    assert.equal(small.hdrLen(), 20 + 32, 'never less than the headers');
  });

  test('a non-GSO NEEDS_CSUM datagram gets its csum_start and partial sum moved, and then completes to a valid checksum', () => {
    const v = gsoVectors.find((x) => x.name === 'udp4-uso')!;
    const hdr = header({ ...v.vnet, gsoType: VirtioGsoType.None, gsoSize: 0, hdrLen: 0 });
    const { pkt } = translated(v);
    assert.equal(retargetVirtioHeader(hdr, pkt, 0, pkt.length), 0);
    assert.equal(hdr.csumStart(), 40);
    assert.equal(hdr.hdrLen(), 0);
    assert.equal(completeChecksum(hdr, pkt, 0, pkt.length), 0);
    assert.ok(checksumsVerify(pkt, 0, pkt.length));
  });

  test('a header without offload metadata is left alone', () => {
    const v = gsoVectors[0]!;
    const hdr = header({ flags: 0, gsoType: 0, hdrLen: 0, gsoSize: 0, csumStart: 0, csumOffset: 0 });
    const pkt = gsoSuperPacket(v);
    const before = hex(pkt, 0, pkt.length);
    assert.equal(retargetVirtioHeader(hdr, pkt, 0, pkt.length), 0);
    assert.equal(hex(pkt, 0, pkt.length), before);
    assert.equal(hex(hdr.buf, 0, 10), '00'.repeat(10));
  });

  test('drops: UFO, GSO type against the protocol, UDP segments over the MTU, bad offsets, not IP, fragments, bad lengths', () => {
    const udp = gsoVectors.find((x) => x.name === 'udp4-uso')!;
    const tcp = gsoVectors.find((x) => x.name === 'tcp4-timestamps-cwr-fin')!;
    const udpPkt = gsoSuperPacket(udp);
    const tcpPkt = gsoSuperPacket(tcp);
    expectDrop(retargetVirtioHeader(header({ ...udp.vnet, gsoType: VirtioGsoType.Udp }), udpPkt, 0, udpPkt.length), 'unsupportedGsoType');
    expectDrop(retargetVirtioHeader(header({ ...udp.vnet, gsoType: VirtioGsoType.TcpV4 }), udpPkt, 0, udpPkt.length), 'transportMismatch');
    expectDrop(retargetVirtioHeader(header({ ...tcp.vnet, gsoType: VirtioGsoType.UdpL4 }), tcpPkt, 0, tcpPkt.length), 'transportMismatch');
    expectDrop(retargetVirtioHeader(header(udp.vnet), udpPkt, 0, udpPkt.length, 1200), 'segmentTooBig');
    expectDrop(retargetVirtioHeader(header(tcp.vnet), tcpPkt, 0, tcpPkt.length, 52), 'badGsoSize');
    expectDrop(retargetVirtioHeader(header({ ...tcp.vnet, csumOffset: 0xfff0 }), tcpPkt, 0, tcpPkt.length), 'badChecksumOffset');
    const garbage = Uint8Array.from(tcpPkt);
    garbage[0] = 0x55;
    expectDrop(retargetVirtioHeader(header(tcp.vnet), garbage, 0, garbage.length), 'badIpVersion');
    const frag = Uint8Array.from(tcpPkt);
    frag[6] |= 0x20; // MF
    expectDrop(retargetVirtioHeader(header(tcp.vnet), frag, 0, frag.length), 'fragment');
    expectDrop(retargetVirtioHeader(header(tcp.vnet), tcpPkt, 0, tcpPkt.length - 1), 'badIpLength');
    const badTcp = Uint8Array.from(tcpPkt);
    badTcp[20 + 12] = 0x40; // data offset 4 words
    expectDrop(retargetVirtioHeader(header(tcp.vnet), badTcp, 0, badTcp.length), 'badTransportHeader');
  });
});

describe('segmentation refuses what it cannot cut', () => {
  const tcp = gsoVectors.find((x) => x.name === 'tcp4-ip-options-64k')!;
  const pkt = gsoSuperPacket(tcp);

  test('noRoom: too few frames or bytes, and nothing is appended', () => {
    for (const out of [poisonedBatch(1 << 18, 44), poisonedBatch(65535 + 44 * 44, 128)]) {
      out.push(3, 0);
      expectDrop(segmentSuperPacket(header(tcp.vnet), pkt, 0, pkt.length, out, 0), 'noRoom');
      assert.equal(out.count, 1);
      assert.equal(out.used, 3);
      assert.equal(out.bytes[3], 0xa5);
    }
  });

  test('notGso, unsupportedGsoType, transportMismatch (family), badGsoSize', () => {
    expectDrop(segmentSuperPacket(header({ ...tcp.vnet, gsoType: 0 }), pkt, 0, pkt.length, poisonedBatch()), 'notGso');
    expectDrop(segmentSuperPacket(header({ ...tcp.vnet, gsoType: VirtioGsoType.Udp }), pkt, 0, pkt.length, poisonedBatch()), 'unsupportedGsoType');
    expectDrop(segmentSuperPacket(header({ ...tcp.vnet, gsoType: VirtioGsoType.TcpV6 }), pkt, 0, pkt.length, poisonedBatch()), 'transportMismatch');
    const zero = header(tcp.vnet);
    zero.setGsoSize(0);
    expectDrop(segmentSuperPacket(zero, pkt, 0, pkt.length, poisonedBatch()), 'badGsoSize');
  });

  test('property: random bytes after a GSO header never throw', () => {
    const allowed = new Set(Object.values(GsoDrop.code).filter((c) => c !== 0));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(1, 4, 5), fc.integer({ min: 0, max: 2000 }), (b, gso, size) => {
      const hdr = header({ flags: 1, gsoType: gso, hdrLen: 0, gsoSize: size, csumStart: 20, csumOffset: 16 });
      const out = poisonedBatch(1 << 16, 16);
      const code = segmentSuperPacket(hdr, b, 0, b.length, out);
      assert.ok(code === 0 || allowed.has(code));
      const r = retargetVirtioHeader(hdr, b, 0, b.length, 1500);
      assert.ok(r === 0 || allowed.has(r));
    }));
  });
});

describe('checksum completion (NEEDS_CSUM)', () => {
  test('every scapy segment, made partial as the kernel leaves it, completes to scapy\'s checksum', () => {
    let n = 0;
    for (const v of gsoVectors) {
      const payload = gsoPayload(v.payloadLen, v.payloadSeed);
      for (const s of v.segments) {
        const h = Buffer.from(s.headersHex, 'hex');
        const pkt = new Uint8Array(h.length + s.payloadLen);
        pkt.set(h);
        pkt.set(payload.subarray(s.payloadOff, s.payloadOff + s.payloadLen), h.length);
        const want = hex(pkt, 0, pkt.length);
        const l4 = v.vnet.csumStart;
        const proto = v.protocol === 'tcp' ? IpProtocol.Tcp : IpProtocol.Udp;
        writeU16(pkt, l4 + v.vnet.csumOffset, foldSum(pseudo(pkt, 0, v.family, proto, pkt.length - l4)));
        const hdr = header({ ...v.vnet, gsoType: 0, gsoSize: 0 });
        assert.equal(completeChecksum(hdr, pkt, 0, pkt.length), 0);
        assert.equal(hex(pkt, 0, pkt.length), want);
        assert.equal(hdr.flags() & VirtioNetFlag.NeedsCsum, 0);
        n++;
      }
    }
    assert.ok(n > 60);
  });

  test('property: any UDP/IPv6 or TCP/IPv4 payload completes to a checksum that verifies', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (data, v6) => {
      const v = gsoVectors.find((x) => x.name === (v6 ? 'udp6-uso-odd' : 'tcp4-timestamps-cwr-fin'))!;
      const h = Buffer.from(v.headersHex, 'hex');
      const pkt = new Uint8Array(h.length + data.length);
      pkt.set(h);
      pkt.set(data, h.length);
      const l4 = v.vnet.csumStart;
      if (v6) { writeU16(pkt, 4, pkt.length - 40); writeU16(pkt, l4 + 4, pkt.length - l4); } else writeU16(pkt, 2, pkt.length);
      const proto = v6 ? IpProtocol.Udp : IpProtocol.Tcp;
      writeU16(pkt, l4 + v.vnet.csumOffset, foldSum(pseudo(pkt, 0, v.family, proto, pkt.length - l4)));
      const hdr = header({ ...v.vnet, gsoType: 0, gsoSize: 0 });
      assert.equal(completeChecksum(hdr, pkt, 0, pkt.length), 0);
      assert.ok(verifyChecksum(pkt, l4, pkt.length - l4, pseudo(pkt, 0, v.family, proto, pkt.length - l4)));
      assert.notEqual(readU16(pkt, l4 + v.vnet.csumOffset), 0);
    }));
  });

  test('a GSO super-segment is refused (each segment has its own checksum), a bad offset too, a complete packet is left alone', () => {
    const v = gsoVectors[0]!;
    const pkt = gsoSuperPacket(v);
    expectDrop(completeChecksum(header(v.vnet), pkt, 0, pkt.length), 'needsSegmentation');
    expectDrop(completeChecksum(header({ ...v.vnet, gsoType: 0, csumStart: pkt.length }), pkt, 0, pkt.length), 'badChecksumOffset');
    const before = hex(pkt, 0, pkt.length);
    assert.equal(completeChecksum(header({ ...v.vnet, flags: 0, gsoType: 0 }), pkt, 0, pkt.length), 0);
    assert.equal(hex(pkt, 0, pkt.length), before);
  });
});

test('segmentation, retargeting and completion allocate nothing per packet', () => {
  const v = gsoVectors.find((x) => x.name === 'tcp4-ip-options-64k')!;
  const pkt = gsoSuperPacket(v);
  const hdr = header(v.vnet);
  const out = new FrameBatch(LinkKind.Ip, 1 << 17, 64);
  const small = gsoVectors.find((x) => x.name === 'udp4-uso')!;
  const seg = Buffer.from(small.segments[0]!.headersHex, 'hex');
  const single = new Uint8Array(seg.length + 1200);
  single.set(seg);
  const partialHdr = header({ ...small.vnet, gsoType: 0, gsoSize: 0 });
  let codes = 0;
  const growth = leastHeapGrowth(() => {
    for (let i = 0; i < 400; i++) {
      out.reset();
      codes |= segmentSuperPacket(hdr, pkt, 0, pkt.length, out, 10);
      codes |= retargetVirtioHeader(hdr, pkt, 0, pkt.length, 1500);
      partialHdr.setFlags(VirtioNetFlag.NeedsCsum);
      codes |= completeChecksum(partialHdr, single, 0, single.length);
    }
  });
  assert.equal(codes, 0);
  assert.equal(out.count, 45);
  // 400 × 45 segments: one 16-byte object per segment would be 288 KB, one per call 19 KB.
  assert.ok(growth < 8 * 1024, `heap grew ${growth} bytes`);
});

describe('tshark reads the segments as valid packets', () => {
  const CHECKSUM_PREFS = ['-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
    '-o', 'tcp.analyze_sequence_numbers:TRUE', '-d', 'udp.port==6000,data'];

  test('checksums good, sequence numbers continuous, each stream reassembles to the payload', () => {
    assert.ok(streams.length >= gsoVectors.length, 'the segmentation tests ran first');
    const file = join(work, 'segments.pcap');
    writeFileSync(file, capture.bytes());
    const fields = ['ip.checksum.status', 'tcp.checksum.status', 'udp.checksum.status', 'tcp.stream', 'udp.stream', 'tcp.seq_raw',
      'tcp.len', 'udp.length', '_ws.expert.severity', '_ws.malformed'];
    const out = execFileSync('tshark', ['-r', file, ...CHECKSUM_PREFS, '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const rows = out.trimEnd().split('\n').map((l) => l.split('|'));
    assert.equal(rows.length, capture.count);
    const nextSeq = new Map<string, number>();
    for (const [i, r] of rows.entries()) {
      const [ipSum, tcpSum, udpSum, tcpStream, , seq, tcpLen, , severity, malformed] = r as string[];
      if (ipSum !== '') assert.equal(ipSum, '1', `frame ${i + 1}: IPv4 header checksum`);
      if (tcpStream !== '') {
        assert.equal(tcpSum, '1', `frame ${i + 1}: TCP checksum`);
        const want = nextSeq.get(tcpStream!);
        if (want !== undefined) assert.equal(Number(seq), want, `frame ${i + 1}: sequence continues the previous segment`);
        nextSeq.set(tcpStream!, (Number(seq) + Number(tcpLen)) % 2 ** 32);
      } else {
        assert.equal(udpSum, '1', `frame ${i + 1}: UDP checksum`);
      }
      assert.equal(malformed, '', `frame ${i + 1}: not malformed`);
      assert.ok(severity === '' || !/error/i.test(severity!), `frame ${i + 1}: no expert errors (${severity})`);
    }

    const tcpStreams = streams.filter((s) => s.protocol === 'tcp');
    const follow = execFileSync('tshark', ['-r', file, '-q', ...tcpStreams.flatMap((_, k) => ['-z', 'follow,tcp,raw,' + k])],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 26 });
    const blocks = follow.split(/=+\nFollow: tcp,raw\n/).slice(1);
    assert.equal(blocks.length, tcpStreams.length);
    const reassembled = blocks.map((b) => b.split('\n').filter((l) => /^[0-9a-f]+$/.test(l)).join('')).sort();
    const expected = tcpStreams.map((s) => Buffer.from(s.payload).toString('hex')).sort();
    assert.deepEqual(reassembled.map((h) => h.length), expected.map((h) => h.length));
    assert.deepEqual(reassembled, expected);
  });
});

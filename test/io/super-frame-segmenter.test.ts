import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GsoDrop } from '../../src/io/gso-drop.js';
import { SuperFrameSegmenter } from '../../src/io/super-frame-segmenter.js';
import { pseudoHeaderSum4, pseudoHeaderSum6, verifyChecksum } from '../../src/wire/checksum.js';
import { buildUdp4, frame } from './sim-host.js';
import { parseIpv6 } from '../../src/addr/ipv6-address.js';

const DST = Uint8Array.of(2, 0, 0, 0, 0, 8);
const SRC = Uint8Array.of(2, 0, 0, 0, 1, 2);

/** An IPv4 TCP super-segment of `payload` bytes (checksum field left partial/garbage). */
function tcp4(payload: number, flags = 0x18): Uint8Array {
  const p = new Uint8Array(40 + payload);
  p.set([0x45, 0, (40 + payload) >>> 8, (40 + payload) & 255, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0, 203, 0, 113, 1, 198, 51, 100, 7]);
  p.set([0x9c, 0x41, 0, 80, 0, 0, 0x10, 0, 0, 0, 0, 1, 0x50, flags, 0xff, 0xff, 0xab, 0xcd, 0, 0], 20);
  for (let i = 0; i < payload; i++) p[40 + i] = i & 255;
  return p;
}

test('a TCP super-segment in an Ethernet frame is cut into MSS-sized frames, each with the link header and complete checksums', () => {
  const s = new SuperFrameSegmenter();
  const f = frame(DST, SRC, 0x0800, tcp4(2500));
  assert.equal(s.segment(f, 0, f.length, 14, 1000), 0);
  const o = s.out;
  assert.equal(o.count, 3);
  let seq = 0x1000;
  for (let i = 0; i < 3; i++) {
    const b = o.bytes.subarray(o.offsets[i]!, o.offsets[i]! + o.lengths[i]!);
    assert.deepEqual(Array.from(b.subarray(0, 14)), Array.from(f.subarray(0, 14)), 'link header copied');
    const ip = b.subarray(14);
    const len = (ip[2]! << 8) | ip[3]!;
    assert.equal(len, ip.length);
    assert.equal(len - 40, i < 2 ? 1000 : 500);
    assert.ok(verifyChecksum(ip, 0, 20), 'IPv4 header checksum');
    assert.ok(verifyChecksum(ip, 20, len - 20, pseudoHeaderSum4(ip, 12, 16, 6, len - 20)), 'TCP checksum');
    assert.equal(((ip[24]! << 24) | (ip[25]! << 16) | (ip[26]! << 8) | ip[27]!) >>> 0, seq);
    assert.equal(ip[33]! & 0x08, i === 2 ? 0x08 : 0, 'PSH only on the last segment');
    seq += 1000;
  }
});

test('a UDP (USO) super-segment over IPv6 is cut into datagrams of the segment size', () => {
  const s = new SuperFrameSegmenter();
  const n = 3 * 600;
  const ip = new Uint8Array(48 + n);
  ip.set([0x60, 0, 0, 0, (8 + n) >>> 8, (8 + n) & 255, 17, 64]);
  ip.set(parseIpv6('2001:db8:1::7'), 8);
  ip.set(parseIpv6('64:ff9b::c633:6407'), 24);
  ip.set([0x9c, 0x41, 0, 53, (8 + n) >>> 8, (8 + n) & 255, 0, 0], 40);
  const f = frame(DST, SRC, 0x86dd, ip);
  assert.equal(s.segment(f, 0, f.length, 14, 600), 0);
  assert.equal(s.out.count, 3);
  const seg = s.out.bytes.subarray(s.out.offsets[1]! + 14, s.out.offsets[1]! + s.out.lengths[1]!);
  assert.equal((seg[4]! << 8) | seg[5]!, 608);
  assert.ok(verifyChecksum(seg, 40, 608, pseudoHeaderSum6(seg, 8, 24, 17, 608)));
});

test('what cannot be cut is refused with the GSO reason: not TCP/UDP, a fragment, an IP length that lies', () => {
  const s = new SuperFrameSegmenter();
  const icmp = buildUdp4('10.0.0.1', '10.0.0.2', 1, 2, new Uint8Array(100));
  icmp[9] = 1;
  assert.equal(s.segment(icmp, 0, icmp.length, 0, 50), GsoDrop.code.transportMismatch);
  const frag = tcp4(100);
  frag[6] = 0x20;
  assert.equal(s.segment(frag, 0, frag.length, 0, 50), GsoDrop.code.fragment);
  const short = tcp4(100);
  assert.equal(s.segment(short, 0, short.length - 1, 0, 50), GsoDrop.code.badIpLength);
});

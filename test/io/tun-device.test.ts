import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, fstatSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { completeChecksum, segmentSuperPacket } from '../../src/io/gso.js';
import { TUN_MAX_PACKET_LEN, TunDevice, TunOffload, tunOffloadNames } from '../../src/io/tun-device.js';
import { TunDrop } from '../../src/io/tun-drop.js';
import { TunOpenError } from '../../src/io/tun-error.js';
import { FrameBatch } from '../../src/pipeline/frame-batch.js';
import { LinkKind } from '../../src/pipeline/link-kind.js';
import { readU16, readU32, writeU16, writeU32 } from '../../src/wire/byte-order.js';
import { adjustChecksum16, finishChecksum, foldSum, pseudoHeaderSum4, pseudoHeaderSum6, sumWords, verifyChecksum } from '../../src/wire/checksum.js';
import { IpProtocol } from '../../src/wire/ip-protocol.js';
import { TcpFlag } from '../../src/wire/tcp.js';
import { VIRTIO_NET_HDR_LEN, VirtioGsoType, VirtioNetFlag, VirtioNetHeader } from '../../src/wire/virtio-net-header.js';

/**
 * The TUN device against the real kernel. The device is opened by this process (in the root
 * namespace, where /dev/net/tun attaches it) and then moved into a network namespace of its
 * own, natmesh-tun-<pid>; the descriptor stays attached across the move. Kernel-side traffic
 * comes from small Python programs run in that namespace with `ip netns exec`, and this
 * process answers as the hosts "behind" the device: UDP and ICMP echo, and a minimal TCP
 * receiver/sender that sees the kernel's TSO super-segments and writes its own. Needs root.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const ns = 'natmesh-tun-' + process.pid;
const devName = 'nmtun' + process.pid;
const plainName = 'nmtunp' + process.pid;
const run = promisify(execFile);

const skip = process.getuid?.() !== 0 ? 'needs root (network namespaces and /dev/net/tun)'
  : !existsSync('/dev/net/tun') ? 'no /dev/net/tun' : false;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Runs a Python program in the namespace and returns its stdout (asynchronously: this process
 * must keep answering on the device meanwhile). */
async function inNamespace(program: string, timeoutMs = 30000): Promise<string> {
  const { stdout } = await run('ip', ['netns', 'exec', ns, '/usr/bin/python3', '-c', program], { timeout: timeoutMs });
  return stdout;
}

let tun: TunDevice | undefined;
/** What the current test does with each packet read from the device (virtio header at 0). */
let responder: (frame: Uint8Array, len: number) => void = () => {};
const rx = new Uint8Array(VIRTIO_NET_HDR_LEN + TUN_MAX_PACKET_LEN + 1);
const tx = new Uint8Array(VIRTIO_NET_HDR_LEN + TUN_MAX_PACKET_LEN);
const vnet = new VirtioNetHeader();
let readErrors = 0;

describe('TUN device on the real kernel', { skip }, () => {
  before(() => {
    execFileSync(join(root, 'scripts/build-native.sh'), { stdio: 'ignore' });
    ip('netns', 'add', ns);
    tun = TunDevice.open({ name: devName });
    ip('link', 'set', devName, 'netns', ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'addr', 'add', '192.0.2.1/24', 'dev', devName);
    ip('-n', ns, '-6', 'addr', 'add', '2001:db8::1/64', 'dev', devName, 'nodad');
    ip('-n', ns, 'link', 'set', devName, 'up');
    tun.startReading(() => {
      // Drain: everything queued now, then back to the event loop.
      let n: number;
      while (tun !== undefined && !tun.isClosed() && (n = tun.read(rx, 0, rx.length)) > 0) responder(rx, n);
    }, () => { readErrors++; });
  });

  after(() => {
    try {
      tun?.close();
    } finally {
      try { ip('netns', 'del', ns); } catch { /* already gone */ }
    }
  });

  test('opens with the virtio-net header and the offloads this kernel accepts', () => {
    const t = tun!;
    assert.equal(t.name, devName);
    assert.equal(t.vnetHeaderLen, VIRTIO_NET_HDR_LEN);
    // Every kernel since 2.6.27 takes CSUM and TSO; the test machine's (6.2+) also USO.
    assert.ok((t.offloads & (TunOffload.Csum | TunOffload.Tso4 | TunOffload.Tso6)) === (TunOffload.Csum | TunOffload.Tso4 | TunOffload.Tso6),
      'offloads on: ' + tunOffloadNames(t.offloads).join(','));
    assert.ok(t.segmentationOffload());
    assert.equal(t.maxReadLen, VIRTIO_NET_HDR_LEN + TUN_MAX_PACKET_LEN + 1);
  });

  test('a second open of a device another descriptor holds is refused with EBUSY-or-EINVAL as TunOpenError', () => {
    // The device now lives in the namespace; a name in this one is free, so hold one here.
    const holder = TunDevice.open({ name: plainName, offload: false });
    try {
      assert.throws(() => TunDevice.open({ name: plainName }), (e: unknown) => {
        assert.ok(e instanceof TunOpenError);
        assert.equal(e.code, 'ERR_TUN_OPEN');
        assert.ok(e.errno === 'EBUSY' || e.errno === 'EINVAL', e.errno);
        return true;
      });
    } finally {
      holder.close();
    }
    assert.throws(() => TunDevice.open({ name: 'x'.repeat(16) }), RangeError);
  });

  test('UDP over IPv4 from the kernel: NEEDS_CSUM header read, answer with a completed checksum reaches the socket', async () => {
    const seen: number[] = [];
    responder = (f, len) => {
      const p = VIRTIO_NET_HDR_LEN;
      if (f[p]! >>> 4 !== 4 || f[p + 9] !== IpProtocol.Udp || readU16(f, p + 22) !== 7) return;
      vnet.bind(f, 0, len);
      seen.push(vnet.flags(), vnet.gsoType(), vnet.csumStart(), vnet.csumOffset());
      // The field holds the pseudo-header sum the kernel left for the device to finish.
      assert.equal(readU16(f, p + 26), foldSum(pseudoHeaderSum4(f, p + 12, p + 16, IpProtocol.Udp, len - p - 20)));
      tx.set(f.subarray(0, len));
      swapIpv4(tx, p);
      swapPorts(tx, p + 20);
      vnet.bind(tx, 0, len);
      assert.equal(completeChecksum(vnet, tx, p, len - p), 0);
      vnet.clear();
      assert.equal(tun!.write(tx, 0, len), 0);
    };
    const out = await inNamespace(`
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(10)
s.sendto(b'natmesh udp4', ('192.0.2.2', 7))
data, addr = s.recvfrom(100)
print(addr[0], addr[1], data.decode())
`);
    assert.equal(out.trim(), '192.0.2.2 7 natmesh udp4');
    assert.deepEqual(seen, [VirtioNetFlag.NeedsCsum, VirtioGsoType.None, 20, 6]);
  });

  test('UDP over IPv6 from the kernel: the answer is written with a partial checksum (NEEDS_CSUM) and the kernel takes it', async () => {
    responder = (f, len) => {
      const p = VIRTIO_NET_HDR_LEN;
      if (f[p]! >>> 4 !== 6 || f[p + 6] !== IpProtocol.Udp || readU16(f, p + 42) !== 7) return;
      vnet.bind(f, 0, len);
      assert.ok(vnet.needsChecksum());
      assert.equal(vnet.csumStart(), 40);
      tx.set(f.subarray(0, len));
      swapIpv6(tx, p);
      swapPorts(tx, p + 40);
      // Swapping addresses and ports leaves every sum unchanged: the header can be sent back as is.
      assert.equal(tun!.write(tx, 0, len), 0);
    };
    const out = await inNamespace(`
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.settimeout(10)
s.sendto(b'natmesh udp6', ('2001:db8::2', 7))
data, addr = s.recvfrom(100)
print(addr[0], addr[1], data.decode())
`);
    assert.equal(out.trim(), '2001:db8::2 7 natmesh udp6');
  });

  test('ping over IPv4 and IPv6: echo requests read, replies written and received', async () => {
    responder = (f, len) => {
      const p = VIRTIO_NET_HDR_LEN;
      tx.set(f.subarray(0, len));
      if (f[p]! >>> 4 === 4 && f[p + 9] === IpProtocol.Icmp && f[p + 20] === 8) {
        swapIpv4(tx, p);
        tx[p + 20] = 0;
        writeU16(tx, p + 22, adjustChecksum16(readU16(tx, p + 22), 0x0800, 0x0000));
      } else if (f[p]! >>> 4 === 6 && f[p + 6] === IpProtocol.Icmpv6 && f[p + 40] === 128) {
        swapIpv6(tx, p);
        tx[p + 40] = 129;
        writeU16(tx, p + 42, adjustChecksum16(readU16(tx, p + 42), 0x8000, 0x8100));
      } else {
        return;
      }
      vnet.bind(tx, 0, len).clear();
      assert.equal(tun!.write(tx, 0, len), 0);
    };
    const out = await inNamespace(`
import socket, struct
def csum(b):
    if len(b) % 2: b += b'\\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
for fam, proto, dst, req, rep in ((socket.AF_INET, socket.IPPROTO_ICMP, '192.0.2.2', 8, 0),
                                  (socket.AF_INET6, socket.IPPROTO_ICMPV6, '2001:db8::2', 128, 129)):
    s = socket.socket(fam, socket.SOCK_RAW, proto)
    s.settimeout(10)
    body = struct.pack('!HH', 0x4242, 7) + b'natmesh ping'
    hdr = struct.pack('!BBH', req, 0, 0)
    if fam == socket.AF_INET:
        hdr = struct.pack('!BBH', req, 0, csum(hdr + body))
    s.sendto(hdr + body, (dst, 0))
    while True:
        data, addr = s.recvfrom(2000)
        if fam == socket.AF_INET: data = data[(data[0] & 15) * 4:]
        if data[0] == rep: break
    print(addr[0], data[0], data[4:].hex())
`);
    const want = Buffer.concat([Buffer.from([0x42, 0x42, 0, 7]), Buffer.from('natmesh ping')]).toString('hex');
    assert.deepEqual(out.trim().split('\n'), ['192.0.2.2 0 ' + want, '2001:db8::2 129 ' + want]);
  });

  for (const family of [4, 6] as const) {
    test(`TCP over IPv${family}: the kernel hands over TSO super-segments (GSO ${family === 4 ? 'TCPV4' : 'TCPV6'}), and takes one back as well as software-cut segments`, async () => {
      const peer = new TcpPeer(family);
      responder = (f, len) => peer.onPacket(f, len);
      const dst = family === 4 ? '192.0.2.2' : '2001:db8::2';
      const out = await inNamespace(`
import hashlib, json, socket
fam = socket.AF_INET if ${family} == 4 else socket.AF_INET6
s = socket.socket(fam, socket.SOCK_STREAM)
s.settimeout(15)
s.connect(('${dst}', 5001))
s.sendall(bytes((i * 7) & 0xff for i in range(${REQUEST_LEN})))
s.shutdown(socket.SHUT_WR)
got = bytearray()
while True:
    b = s.recv(65536)
    if not b: break
    got += b
print(json.dumps({'len': len(got), 'sha256': hashlib.sha256(got).hexdigest()}))
`);
      const result = JSON.parse(out) as { len: number; sha256: string };
      assert.equal(peer.received, REQUEST_LEN, 'every request byte arrived in order');
      assert.equal(peer.badPayload, 0, 'request bytes are the pattern the client sent');
      assert.ok(peer.superSegments > 0, 'at least one TSO super-segment');
      assert.equal(peer.badSuperSegments, 0, 'every super-segment header matched the packet and its segments verified');
      assert.ok(peer.largest > 1500, 'largest read ' + peer.largest + ' bytes');
      assert.deepEqual(peer.writeCodes, [], 'every write accepted');
      assert.equal(result.len, RESPONSE.length);
      assert.equal(result.sha256, createHash('sha256').update(RESPONSE).digest('hex'));
    });
  }

  test('offload: false opens a plain device (no virtio-net header) that still moves packets', async () => {
    const plain = TunDevice.open({ name: plainName, offload: false, maxPacketLen: 1500 });
    const nsPlain = ns;
    try {
      assert.equal(plain.vnetHeaderLen, 0);
      assert.equal(plain.offloads, 0);
      assert.equal(plain.maxReadLen, 1501);
      ip('link', 'set', plainName, 'netns', nsPlain);
      // IPv4 only on this one, so every frame read is the test's datagram.
      execFileSync('ip', ['netns', 'exec', nsPlain, 'sysctl', '-qw', 'net.ipv6.conf.' + plainName + '.disable_ipv6=1']);
      ip('-n', nsPlain, 'addr', 'add', '198.18.0.1/24', 'dev', plainName);
      ip('-n', nsPlain, 'link', 'set', plainName, 'up');
      const batch = new FrameBatch(LinkKind.Ip, 4 * 1501, 8);
      let bad = 0;
      plain.startReading(() => {
        batch.reset();
        plain.readBatch(batch);
        for (let i = 0; i < batch.count; i++) {
          const o = batch.offsets[i]!, l = batch.lengths[i]!;
          const b = batch.bytes;
          if (b[o]! >>> 4 !== 4 || b[o + 9] !== IpProtocol.Udp) continue;
          // No CSUM offload: the kernel finished the checksum itself.
          if (!verifyChecksum(b, o + 20, l - 20, pseudoHeaderSum4(b, o + 12, o + 16, IpProtocol.Udp, l - 20))) bad++;
          swapIpv4(b, o);
          swapPorts(b, o + 20);
        }
        plain.writeBatch(batch);
      }, () => { bad++; });
      const out = await inNamespace(`
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(10)
s.sendto(b'plain', ('198.18.0.2', 9))
print(s.recvfrom(100)[0].decode())
`);
      assert.equal(out.trim(), 'plain');
      assert.equal(bad, 0);
      assert.ok(plain.rxPackets >= 1 && plain.txPackets >= 1);
    } finally {
      plain.close();
    }
  });

  test('a packet the kernel refuses is counted, not thrown; a short read buffer drops as truncatedRead', async () => {
    // GSO type TCPV4 on a UDP packet: virtio_net_hdr_to_skb refuses it (EINVAL).
    const pkt = Uint8Array.from([...new Uint8Array(VIRTIO_NET_HDR_LEN), 0x45, 0, 0, 28, 0, 0, 0x40, 0, 64, 17, 0, 0, 192, 0, 2, 2, 192, 0, 2, 1, 0, 7, 0, 9, 0, 8, 0, 0]);
    writeU16(pkt, VIRTIO_NET_HDR_LEN + 10, finishChecksum(sumWords(pkt, VIRTIO_NET_HDR_LEN, 20, 0)));
    vnet.bind(pkt, 0, pkt.length);
    vnet.setFlags(VirtioNetFlag.NeedsCsum);
    vnet.setGsoType(VirtioGsoType.TcpV4);
    vnet.setGsoSize(100);
    vnet.setCsumStart(200);
    vnet.setCsumOffset(16);
    const before = tun!.drops.get('writeRejected');
    assert.equal(tun!.write(pkt, 0, pkt.length), TunDrop.code.writeRejected);
    assert.equal(tun!.drops.get('writeRejected'), before + 1);

    // A 1200-byte datagram read into 100 bytes: the driver copies what fits (and, before
    // Linux 6, reported the whole length); the device discards it and counts it.
    let reads = 0;
    responder = () => { reads++; };
    tun!.stopReading();
    try {
      await inNamespace(`
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b'x' * 1200, ('192.0.2.2', 9))
`);
      const small = new Uint8Array(100);
      const truncated = tun!.drops.get('truncatedRead');
      let n = 1;
      for (let i = 0; i < 20 && n > 0; i++) n = tun!.read(small, 0, small.length);
      assert.equal(n, 0, 'queue drained');
      assert.ok(tun!.drops.get('truncatedRead') > truncated);
    } finally {
      tun!.startReading(() => {
        let m: number;
        while (tun !== undefined && !tun.isClosed() && (m = tun.read(rx, 0, rx.length)) > 0) responder(rx, m);
      }, () => { readErrors++; });
    }
    assert.equal(reads, 0);
  });

  test('close releases the descriptor and the device disappears; closing twice is harmless', () => {
    const t = TunDevice.open({ name: plainName, offload: false });
    const fd = t.fd;
    t.startReading(() => {}, () => {});
    t.close();
    t.close();
    assert.ok(t.isClosed());
    assert.throws(() => fstatSync(fd), /EBADF/);
    assert.throws(() => ip('link', 'show', plainName));
    assert.equal(readErrors, 0);
  });
});

const REQUEST_LEN = 300000;
/** What the TCP peer sends back: 100 000 bytes, the first 64 000 written as one GSO super-segment,
 * the rest cut in software by `segmentSuperPacket`. */
const RESPONSE = Uint8Array.from({ length: 100000 }, (_, i) => (i * 13 + 5) & 0xff);
const RESPONSE_GSO_PART = 64000;

/**
 * The least TCP that makes the kernel send a stream: answer the SYN (MSS, window scale), ACK
 * every in-order byte, and after the client's FIN send `RESPONSE` and a FIN. It checks each
 * super-segment's virtio-net header against the packet and cuts it with `segmentSuperPacket`
 * to check the segments' checksums, which covers the kernel's partial checksum as well.
 */
class TcpPeer {
  readonly family: 4 | 6;
  readonly mss: number;
  readonly iss = 0x10000000;
  clientIsn = -1;
  rcvNxt = 0;
  received = 0;
  badPayload = 0;
  superSegments = 0;
  badSuperSegments = 0;
  largest = 0;
  writeCodes: number[] = [];
  responded = false;
  private readonly segs = new FrameBatch(LinkKind.Ip, 1 << 18, 128);
  private readonly hdr = new VirtioNetHeader();

  constructor(family: 4 | 6) {
    this.family = family;
    this.mss = family === 4 ? 1460 : 1440;
  }

  onPacket(f: Uint8Array, len: number): void {
    const p = VIRTIO_NET_HDR_LEN;
    const v4 = this.family === 4;
    if (f[p]! >>> 4 !== this.family) return;
    const l3 = v4 ? (f[p]! & 15) << 2 : 40;
    if (f[p + (v4 ? 9 : 6)] !== IpProtocol.Tcp) return;
    const th = p + l3;
    if (readU16(f, th + 2) !== 5001) return;
    this.largest = Math.max(this.largest, len - p);
    const flags = f[th + 13]!;
    const seq = readU32(f, th + 4);
    const thl = (f[th + 12]! >>> 4) << 2;
    const payloadLen = len - th - thl;
    const hdr = this.hdr.bind(f, 0, len);

    if (hdr.isGso()) {
      this.superSegments++;
      const okHeader = hdr.gsoType() === (v4 ? VirtioGsoType.TcpV4 : VirtioGsoType.TcpV6) && hdr.needsChecksum() &&
        hdr.csumStart() === l3 && hdr.csumOffset() === 16 && hdr.gsoSize() === this.mss && hdr.hdrLen() >= l3 + thl &&
        readU16(f, th + 16) === foldSum(this.pseudo(f, p, len - th));
      this.segs.reset();
      let okSegments = segmentSuperPacket(hdr, f, p, len - p, this.segs, 0) === 0 && this.segs.count === Math.ceil(payloadLen / this.mss);
      for (let i = 0; okSegments && i < this.segs.count; i++) {
        const o = this.segs.offsets[i]!, l = this.segs.lengths[i]!;
        okSegments = l <= 1500 && verifyChecksum(this.segs.bytes, o + l3, l - l3, this.pseudo(this.segs.bytes, o, l - l3));
      }
      if (!okHeader || !okSegments) this.badSuperSegments++;
    }

    if (flags & TcpFlag.Syn) {
      this.clientIsn = seq;
      this.rcvNxt = (seq + 1) >>> 0;
      // MSS, then NOP + window scale 7 so the kernel's window is never the limit.
      const opts = Uint8Array.of(2, 4, this.mss >>> 8, this.mss & 0xff, 1, 3, 3, 7);
      this.send(f, TcpFlag.Syn | TcpFlag.Ack, this.iss, opts, 0, 0, false);
      return;
    }
    if (seq === this.rcvNxt && payloadLen > 0) {
      for (let i = 0; i < payloadLen; i++) {
        if (f[th + thl + i] !== ((this.received + i) * 7 & 0xff)) { this.badPayload++; break; }
      }
      this.received += payloadLen;
      this.rcvNxt = (this.rcvNxt + payloadLen) >>> 0;
    }
    if ((flags & TcpFlag.Fin) && ((seq + payloadLen) >>> 0) === this.rcvNxt) this.rcvNxt = (this.rcvNxt + 1) >>> 0;
    if (payloadLen > 0 || (flags & TcpFlag.Fin)) this.send(f, TcpFlag.Ack, (this.iss + 1 + (this.responded ? RESPONSE.length + 1 : 0)) >>> 0, null, 0, 0, false);
    if ((flags & TcpFlag.Fin) && !this.responded && this.received === REQUEST_LEN) {
      this.responded = true;
      const first = (this.iss + 1) >>> 0;
      this.send(f, TcpFlag.Ack | TcpFlag.Psh, first, null, 0, RESPONSE_GSO_PART, true);
      this.send(f, TcpFlag.Ack | TcpFlag.Psh | TcpFlag.Fin, (first + RESPONSE_GSO_PART) >>> 0, null, RESPONSE_GSO_PART, RESPONSE.length - RESPONSE_GSO_PART, false);
    }
  }

  private pseudo(b: Uint8Array, ipOff: number, l4Len: number): number {
    return this.family === 4 ? pseudoHeaderSum4(b, ipOff + 12, ipOff + 16, IpProtocol.Tcp, l4Len)
      : pseudoHeaderSum6(b, ipOff + 8, ipOff + 24, IpProtocol.Tcp, l4Len);
  }

  /**
   * Writes one TCP packet from the server to the client of `req` carrying RESPONSE[from, from+n):
   * as one super-segment with a partial checksum when `gso`, otherwise as a super-segment cut
   * in software into complete MSS-sized packets (or a single packet when it fits).
   */
  private send(req: Uint8Array, flags: number, seq: number, opts: Uint8Array | null, from: number, n: number, gso: boolean): void {
    const p = VIRTIO_NET_HDR_LEN;
    const v4 = this.family === 4;
    const l3 = v4 ? 20 : 40;
    const thl = 20 + (opts?.length ?? 0);
    const total = l3 + thl + n;
    tx.fill(0, 0, p + l3 + thl);
    if (v4) {
      tx.set([0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, IpProtocol.Tcp], p);
      writeU16(tx, p + 2, total);
      tx.set(req.subarray(p + 16, p + 20), p + 12);
      tx.set(req.subarray(p + 12, p + 16), p + 16);
      writeU16(tx, p + 10, finishChecksum(sumWords(tx, p, 20, 0)));
    } else {
      tx.set([0x60, 0, 0, 0, 0, 0, IpProtocol.Tcp, 64], p);
      writeU16(tx, p + 4, total - 40);
      tx.set(req.subarray(p + 24, p + 40), p + 8);
      tx.set(req.subarray(p + 8, p + 24), p + 24);
    }
    const th = p + l3;
    const reqTh = p + (v4 ? (req[p]! & 15) << 2 : 40);
    writeU16(tx, th, readU16(req, reqTh + 2));
    writeU16(tx, th + 2, readU16(req, reqTh));
    writeU32(tx, th + 4, seq);
    writeU32(tx, th + 8, this.rcvNxt);
    tx[th + 12] = (thl >>> 2) << 4;
    tx[th + 13] = flags;
    writeU16(tx, th + 14, 0xffff);
    if (opts) tx.set(opts, th + 20);
    tx.set(RESPONSE.subarray(from, from + n), th + thl);
    const hdr = this.hdr.bind(tx, 0, p + total);
    hdr.clear();
    if (gso || n > this.mss) {
      // As the kernel would hand it over: partial checksum (pseudo-header sum over the whole
      // transport length), NEEDS_CSUM, TCPV4/6, MSS as the segment size.
      writeU16(tx, th + 16, foldSum(this.pseudo(tx, p, total - l3)));
      hdr.setFlags(VirtioNetFlag.NeedsCsum);
      hdr.setGsoType(v4 ? VirtioGsoType.TcpV4 : VirtioGsoType.TcpV6);
      hdr.setGsoSize(this.mss);
      hdr.setHdrLen(l3 + thl);
      hdr.setCsumStart(l3);
      hdr.setCsumOffset(16);
      if (!gso) {
        this.segs.reset();
        const code = segmentSuperPacket(hdr, tx, p, total, this.segs, VIRTIO_NET_HDR_LEN);
        if (code !== 0) this.writeCodes.push(1000 + code);
        for (let i = 0; i < this.segs.count; i++) {
          const w = tun!.write(this.segs.bytes, this.segs.offsets[i]!, this.segs.lengths[i]!);
          if (w !== 0) this.writeCodes.push(w);
        }
        return;
      }
    } else {
      writeU16(tx, th + 16, finishChecksum(sumWords(tx, th, thl + n, this.pseudo(tx, p, thl + n))));
    }
    const w = tun!.write(tx, 0, p + total);
    if (w !== 0) this.writeCodes.push(w);
  }
}

function swapIpv4(b: Uint8Array, p: number): void {
  for (let i = 0; i < 4; i++) { const t = b[p + 12 + i]!; b[p + 12 + i] = b[p + 16 + i]!; b[p + 16 + i] = t; }
}

function swapIpv6(b: Uint8Array, p: number): void {
  for (let i = 0; i < 16; i++) { const t = b[p + 8 + i]!; b[p + 8 + i] = b[p + 24 + i]!; b[p + 24 + i] = t; }
}

function swapPorts(b: Uint8Array, l4: number): void {
  const s = readU16(b, l4);
  writeU16(b, l4, readU16(b, l4 + 2));
  writeU16(b, l4 + 2, s);
}

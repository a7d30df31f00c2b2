import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import fc from 'fast-check';
import type { Port, PortReceiver } from '../../src/io/port.js';
import { TunnelBindError, TunnelConfigError } from '../../src/io/tunnel-error.js';
import { TunnelDrop, UdpTunnelPort, type TunnelEncapsulation } from '../../src/io/udp-tunnel-port.js';

const golden = JSON.parse(readFileSync(new URL('../golden/tunnel/vectors.json', import.meta.url), 'utf8')) as Record<string, string>;
const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
const INNER = hex(golden.inner!);

interface Received { frame: string; iface: number; peer: number }

class Collector implements PortReceiver {
  readonly got: Received[] = [];
  receive(_port: Port, buf: Uint8Array, off: number, len: number, iface: number, peer: number): void {
    this.got.push({ frame: Buffer.from(buf.subarray(off, off + len)).toString('hex'), iface, peer });
  }
}

/** A bound test socket on 127.0.0.1 that records what it receives. */
interface RemoteSocket { socket: Socket; port: number; got: Buffer[]; wait: (n: number) => Promise<void> }

async function remoteSocket(address = '127.0.0.1'): Promise<RemoteSocket> {
  const socket = createSocket('udp4');
  const got: Buffer[] = [];
  let waiter: (() => void) | null = null;
  let want = 0;
  socket.on('message', (m) => {
    got.push(m);
    if (waiter && got.length >= want) waiter();
  });
  socket.bind(0, address);
  await once(socket, 'listening');
  const wait = (n: number): Promise<void> => {
    if (got.length >= n) return Promise.resolve();
    want = n;
    return new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('waited for ' + n + ' datagrams, got ' + got.length)), 3000);
      waiter = () => { clearTimeout(t); waiter = null; resolve(); };
    });
  };
  return { socket, port: socket.address().port, got, wait };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 3000;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function setup(encapsulation: TunnelEncapsulation, extra: { maxFrameLen?: number; txSlots?: number; remotes?: number } = {}) {
  const remotes: RemoteSocket[] = [];
  for (let i = 0; i < (extra.remotes ?? 1); i++) remotes.push(await remoteSocket());
  const port = new UdpTunnelPort({
    name: 'vx0', encapsulation, address: '127.0.0.1', port: 0,
    remotes: remotes.map((r) => ({ address: '127.0.0.1', port: r.port })),
    maxFrameLen: extra.maxFrameLen, txSlots: extra.txSlots,
  });
  port.attach([{ iface: 3, vni: 100 }, { iface: 5, vni: 0xffffff }]);
  const rx = new Collector();
  await port.start(rx);
  const local = port.address();
  const sendFrom = (i: number, bytes: Uint8Array): Promise<void> => new Promise((res, rej) => remotes[i]!.socket.send(bytes, local.port, '127.0.0.1', (e: Error | null) => (e ? rej(e) : res())));
  const close = async (): Promise<void> => {
    await port.close();
    for (const r of remotes) r.socket.close();
  };
  return { port, rx, remotes, sendFrom, close };
}

for (const [enc, key] of [['vxlan', 'vxlanVni100'], ['geneve', 'geneveVni100']] as const) {
  test(enc + ': a frame sent for an interface leaves as scapy writes it, to the peer', async () => {
    const s = await setup(enc);
    try {
      assert.equal(s.port.send(INNER, 0, INNER.length, 3, 0), true);
      s.port.flush();
      await s.remotes[0]!.wait(1);
      assert.equal(s.remotes[0]!.got[0]!.toString('hex'), golden[key]);
      assert.equal(s.port.counters.txPackets, 1);
      assert.equal(s.port.counters.txBytes, golden[key]!.length / 2);
    } finally {
      await s.close();
    }
  });

  test(enc + ': a datagram from an allowed remote is decapsulated to its VNI\'s interface with the remote as peer', async () => {
    const s = await setup(enc);
    try {
      await s.sendFrom(0, hex(golden[key]!));
      await until(() => s.rx.got.length === 1, 'the frame');
      assert.deepEqual(s.rx.got[0], { frame: golden.inner, iface: 3, peer: 0 });
    } finally {
      await s.close();
    }
  });
}

test('vxlan: VNI 16777215 round-trips; the 24-bit VNI is written with the reserved byte zero', async () => {
  const s = await setup('vxlan');
  try {
    s.port.send(INNER, 0, INNER.length, 5, 0);
    s.port.flush();
    await s.remotes[0]!.wait(1);
    assert.equal(s.remotes[0]!.got[0]!.toString('hex'), golden.vxlanVni16777215);
    await s.sendFrom(0, hex(golden.vxlanVni16777215!));
    await until(() => s.rx.got.length === 1, 'the frame');
    assert.equal(s.rx.got[0]!.iface, 5);
  } finally {
    await s.close();
  }
});

test('geneve: options are skipped; the frame after them is delivered', async () => {
  const s = await setup('geneve');
  try {
    await s.sendFrom(0, hex(golden.geneveWithOption!));
    await until(() => s.rx.got.length === 1, 'the frame');
    assert.equal(s.rx.got[0]!.frame, golden.inner);
  } finally {
    await s.close();
  }
});

test('peer -1 floods the frame to every remote, one datagram each', async () => {
  const s = await setup('vxlan', { remotes: 2 });
  try {
    s.port.send(INNER, 0, INNER.length, 3, -1);
    s.port.flush();
    await s.remotes[0]!.wait(1);
    await s.remotes[1]!.wait(1);
    assert.equal(s.remotes[1]!.got[0]!.toString('hex'), golden.vxlanVni100);
    assert.equal(s.port.counters.txPackets, 2);
  } finally {
    await s.close();
  }
});

test('two remotes on one address are told apart by their source port', async () => {
  const s = await setup('vxlan', { remotes: 2 });
  try {
    await s.sendFrom(1, hex(golden.vxlanVni100!));
    await s.sendFrom(0, hex(golden.vxlanVni100!));
    await until(() => s.rx.got.length === 2, 'two frames');
    assert.deepEqual(s.rx.got.map((g) => g.peer), [1, 0]);
  } finally {
    await s.close();
  }
});

const rxDrops: { name: string; enc: TunnelEncapsulation; bytes: () => Uint8Array; reason: keyof typeof TunnelDrop.code; max?: number }[] = [
  { name: 'VXLAN shorter than its header', enc: 'vxlan', bytes: () => hex('0800000000'), reason: 'truncated' },
  { name: 'VXLAN without the I flag', enc: 'vxlan', bytes: () => hex(golden.vxlanNoIFlag!), reason: 'badHeader' },
  { name: 'VXLAN VNI mapped to no interface', enc: 'vxlan', bytes: () => hex(golden.vxlanUnknownVni!), reason: 'unknownVni' },
  { name: 'VXLAN inner frame shorter than Ethernet', enc: 'vxlan', bytes: () => hex('0800000000006400' + '0200000001'), reason: 'truncated' },
  { name: 'VXLAN inner frame above maxFrameLen', enc: 'vxlan', bytes: () => hex(golden.vxlanVni100!), reason: 'oversized', max: 64 },
  { name: 'Geneve OAM', enc: 'geneve', bytes: () => hex(golden.geneveOam!), reason: 'geneveOam' },
  { name: 'Geneve with critical options', enc: 'geneve', bytes: () => hex(golden.geneveCritical!), reason: 'geneveCritical' },
  { name: 'Geneve carrying bare IPv4', enc: 'geneve', bytes: () => hex(golden.geneveIpv4Payload!), reason: 'geneveNotEthernet' },
  { name: 'Geneve version 1', enc: 'geneve', bytes: () => hex(golden.geneveVersion1!), reason: 'badHeader' },
  { name: 'Geneve options past the end', enc: 'geneve', bytes: () => hex(golden.geneveOptionsOverrun!), reason: 'badHeader' },
];
for (const d of rxDrops) {
  test('receive drops ' + d.reason + ': ' + d.name, async () => {
    const s = await setup(d.enc, { maxFrameLen: d.max });
    try {
      await s.sendFrom(0, d.bytes());
      await until(() => s.port.counters.rxPackets === 1, 'the datagram');
      assert.equal(s.port.counters.drops.get(d.reason), 1);
      assert.equal(s.port.counters.drops.total(), 1);
      assert.equal(s.rx.got.length, 0);
    } finally {
      await s.close();
    }
  });
}

test('receive drops unknownRemote: a datagram from a socket that is not a configured remote', async () => {
  const s = await setup('vxlan');
  // Remotes are told by address (a kernel VXLAN endpoint sends from a hashed source port).
  const stranger = await remoteSocket('127.0.0.2');
  try {
    const local = s.port.address();
    stranger.socket.send(hex(golden.vxlanVni100!), local.port, '127.0.0.1');
    await until(() => s.port.counters.rxPackets === 1, 'the datagram');
    assert.equal(s.port.counters.drops.get('unknownRemote'), 1);
    assert.equal(s.rx.got.length, 0);
  } finally {
    stranger.socket.close();
    await s.close();
  }
});

test('send drops: noBinding, oversized, noRemote, queueFull, closed', async () => {
  const s = await setup('vxlan', { txSlots: 2, maxFrameLen: 200 });
  const d = s.port.counters.drops;
  assert.equal(s.port.send(INNER, 0, INNER.length, 4, 0), false);
  assert.equal(d.get('noBinding'), 1);
  assert.equal(s.port.send(new Uint8Array(201), 0, 201, 3, 0), false);
  assert.equal(d.get('oversized'), 1);
  assert.equal(s.port.send(INNER, 0, INNER.length, 3, 1), false);
  assert.equal(d.get('noRemote'), 1);
  assert.equal(s.port.send(INNER, 0, INNER.length, 3, 0), true);
  assert.equal(s.port.send(INNER, 0, INNER.length, 3, 0), true);
  assert.equal(s.port.send(INNER, 0, INNER.length, 3, 0), false);
  assert.equal(d.get('queueFull'), 1);
  s.port.flush();
  await s.remotes[0]!.wait(2);
  await until(() => s.port.pending === 0, 'the slots to be released');
  assert.equal(s.port.send(INNER, 0, INNER.length, 3, 0), true, 'slots are reused once the kernel took them');
  await s.port.close();
  await s.remotes[0]!.wait(3);
  assert.equal(s.remotes[0]!.got.length, 3, 'close sent what was queued');
  assert.equal(s.port.send(INNER, 0, INNER.length, 3, 0), false);
  assert.equal(d.get('closed'), 1);
  await s.close();
});

test('the frame bytes are copied at send: the caller may reuse its buffer before the flush', async () => {
  const s = await setup('vxlan');
  try {
    const buf = INNER.slice();
    s.port.send(buf, 0, buf.length, 3, 0);
    buf.fill(0);
    s.port.flush();
    await s.remotes[0]!.wait(1);
    assert.equal(s.remotes[0]!.got[0]!.toString('hex'), golden.vxlanVni100);
  } finally {
    await s.close();
  }
});

test('bad input: random datagrams on the socket never throw, and every one is delivered or counted as a drop', async () => {
  const s = await setup('vxlan', { maxFrameLen: 600 });
  let sent = 0;
  try {
    await fc.assert(fc.asyncProperty(fc.oneof(
      fc.uint8Array({ maxLength: 700 }),
      // Mostly-valid headers with random bodies: past the first check more often.
      fc.tuple(fc.integer({ min: 0, max: 255 }), fc.constantFrom(100, 0xffffff, 7), fc.uint8Array({ maxLength: 700 }))
        .map(([flags, vni, body]) => Uint8Array.from([flags, 0, 0, 0, vni >>> 16, (vni >>> 8) & 255, vni & 255, 0, ...body])),
    ), async (bytes) => {
      await s.sendFrom(0, bytes);
      sent++;
      await until(() => s.port.counters.rxPackets === sent, 'datagram ' + sent);
      assert.equal(s.port.counters.drops.total() + s.rx.got.length, sent);
    }), { numRuns: 300 });
  } finally {
    await s.close();
  }
});

test('bind error: a port already in use is a TunnelBindError naming the port', async () => {
  const s = await setup('vxlan');
  const taken = s.port.address().port;
  const second = new UdpTunnelPort({ name: 'vx1', encapsulation: 'vxlan', address: '127.0.0.1', port: taken, remotes: [] });
  try {
    await assert.rejects(second.start(new Collector()), (e: unknown) => e instanceof TunnelBindError && e.errno === 'EADDRINUSE' && e.port === 'vx1');
  } finally {
    await s.close();
  }
});

test('configuration errors: a remote of the other family, a VNI out of range or carried twice', () => {
  assert.throws(() => new UdpTunnelPort({ name: 'vx0', encapsulation: 'vxlan', address: '127.0.0.1', remotes: ['::1'] }),
    (e: unknown) => e instanceof TunnelConfigError && e.field === 'remotes[0]');
  const p = new UdpTunnelPort({ name: 'vx0', encapsulation: 'geneve', address: '::1', remotes: ['0:0::1'] });
  assert.deepEqual(p.remoteAddresses, ['::1'], 'IPv6 remotes are kept in the kernel\'s text form');
  assert.throws(() => p.attach([{ iface: 0, vni: 1 << 24 }]), TunnelConfigError);
  assert.throws(() => p.attach([{ iface: 0, vni: 1 }, { iface: 1, vni: 1 }]), TunnelConfigError);
});

test('remotes default to the local UDP port, as a Linux VXLAN dstport is both; to the IANA port when the local one is picked', () => {
  assert.deepEqual(new UdpTunnelPort({ name: 'a', encapsulation: 'vxlan', port: 30000, remotes: ['127.0.0.1'] }).remotePorts, [30000]);
  assert.deepEqual(new UdpTunnelPort({ name: 'a', encapsulation: 'vxlan', port: 0, remotes: ['127.0.0.1'] }).remotePorts, [4789]);
  assert.deepEqual(new UdpTunnelPort({ name: 'a', encapsulation: 'geneve', remotes: ['127.0.0.1', { address: '127.0.0.2', port: 7 }] }).remotePorts, [6081, 7]);
});

test('a frame carrying a GSO super-segment leaves as one datagram per segment; one that cannot be cut is counted', async () => {
  const s = await setup('vxlan');
  try {
    const payload = 2500;
    const ip = new Uint8Array(40 + payload);
    ip.set([0x45, 0, (40 + payload) >>> 8, (40 + payload) & 255, 0, 1, 0x40, 0, 64, 6, 0, 0, 203, 0, 113, 1, 198, 51, 100, 7]);
    ip.set([0x9c, 0x41, 0, 80, 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x10, 0xff, 0xff], 20);
    const f = new Uint8Array(14 + ip.length);
    f.set(INNER.subarray(0, 12));
    f.set([0x08, 0x00], 12);
    f.set(ip, 14);
    assert.equal(s.port.send(f, 0, f.length, 3, 0, 1000), true);
    s.port.flush();
    await s.remotes[0]!.wait(3);
    assert.deepEqual(s.remotes[0]!.got.map((d) => d.length), [8 + 14 + 1040, 8 + 14 + 1040, 8 + 14 + 540]);
    assert.equal(s.port.send(INNER, 0, INNER.length - 1, 3, 0, 1000), false, 'an IPv6 payload length that disagrees with the frame: not cut');
    assert.equal(s.port.counters.drops.get('superSegmentRefused'), 1);
  } finally {
    await s.close();
  }
});

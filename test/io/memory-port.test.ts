import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryNetwork, MemoryPort } from '../../src/io/memory-port.js';
import type { Port, PortReceiver } from '../../src/io/port.js';
import { LinkKind } from '../../src/pipeline/link-kind.js';

class Log implements PortReceiver {
  readonly got: string[] = [];
  constructor(private readonly echo: ((port: Port, iface: number, peer: number) => void) | null = null) {}
  receive(port: Port, buf: Uint8Array, off: number, len: number, iface: number, peer: number): void {
    this.got.push(port.name + ' iface ' + iface + ' peer ' + peer + ' ' + Buffer.from(buf.subarray(off, off + len)).toString());
    this.echo?.(port, iface, peer);
  }
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function pair(autoRun = true) {
  const network = new MemoryNetwork({ autoRun, slots: 8, maxFrameLen: 64 });
  const a = new MemoryPort({ name: 'a', network, remotes: ['b'] });
  const b = new MemoryPort({ name: 'b', network, remotes: ['a'] });
  a.attach([{ iface: 0, vni: 10 }, { iface: 1, vni: 11 }]);
  b.attach([{ iface: 7, vni: 10 }, { iface: 8, vni: 11 }]);
  return { network, a, b };
}

test('frames are delivered on flush, with the receiver\'s interface for the VNI and the sender as peer', () => {
  const { a, b } = pair();
  const la = new Log();
  const lb = new Log();
  a.start(la);
  b.start(lb);
  assert.equal(a.send(bytes('one'), 0, 3, 1, 0), true);
  assert.deepEqual(lb.got, [], 'nothing before the flush');
  a.flush();
  assert.deepEqual(lb.got, ['b iface 8 peer 0 one']);
  assert.equal(a.counters.txPackets, 1);
  assert.equal(b.counters.rxPackets, 1);
});

test('without autoRun the test drives delivery: FIFO, and frames sent while delivering come after, never nested', () => {
  const { network, a, b } = pair(false);
  const la = new Log();
  // b answers every frame at once; its answer is queued behind what is already waiting.
  const lb = new Log((port, iface, peer) => port.send(bytes('re'), 0, 2, iface, peer));
  a.start(la);
  b.start(lb);
  a.send(bytes('1'), 0, 1, 0, 0);
  a.send(bytes('2'), 0, 1, 0, 0);
  a.flush();
  assert.equal(network.pending, 2);
  assert.equal(network.run(1), 1);
  assert.deepEqual(lb.got, ['b iface 7 peer 0 1']);
  assert.equal(network.run(), 3);
  assert.deepEqual(lb.got, ['b iface 7 peer 0 1', 'b iface 7 peer 0 2']);
  assert.deepEqual(la.got, ['a iface 0 peer 0 re', 'a iface 0 peer 0 re']);
});

test('peer -1 floods to every remote; a frame from an endpoint that is not a remote is dropped', () => {
  const network = new MemoryNetwork();
  const hub = new MemoryPort({ name: 'hub', network, remotes: ['x', 'y'] });
  const x = new MemoryPort({ name: 'x', network, remotes: ['hub'] });
  const y = new MemoryPort({ name: 'y', network, remotes: ['hub'] });
  const z = new MemoryPort({ name: 'z', network, remotes: ['hub'] });
  for (const p of [hub, x, y, z]) p.attach([{ iface: 0, vni: 1 }]);
  const lx = new Log();
  const ly = new Log();
  const lh = new Log();
  hub.start(lh);
  x.start(lx);
  y.start(ly);
  z.start(new Log());
  hub.send(bytes('all'), 0, 3, 0, -1);
  hub.flush();
  assert.equal(lx.got.length, 1);
  assert.equal(ly.got.length, 1);
  assert.equal(hub.counters.txPackets, 2);
  z.send(bytes('?'), 0, 1, 0, 0);
  z.flush();
  assert.equal(lh.got.length, 0);
  assert.equal(hub.counters.drops.get('unknownRemote'), 1);
});

test('drops: unknown VNI, no binding, no such peer, network full or frame too long, closed', async () => {
  const { network, a, b } = pair(false);
  a.start(new Log());
  b.start(new Log());
  network.transmit(a.endpoint, b.endpoint, 99, bytes('x'), 0, 1);
  network.run();
  assert.equal(b.counters.drops.get('unknownVni'), 1);
  assert.equal(a.send(bytes('x'), 0, 1, 5, 0), false);
  assert.equal(a.counters.drops.get('noBinding'), 1);
  assert.equal(a.send(bytes('x'), 0, 1, 0, 3), false);
  assert.equal(a.counters.drops.get('noRemote'), 1);
  assert.equal(a.send(new Uint8Array(65), 0, 65, 0, 0), false);
  for (let i = 0; i < 8; i++) assert.equal(a.send(bytes('x'), 0, 1, 0, 0), true);
  assert.equal(a.send(bytes('x'), 0, 1, 0, 0), false);
  assert.equal(a.counters.drops.get('networkFull'), 2);
  assert.equal(network.dropped, 2);
  await a.close();
  assert.equal(a.send(bytes('x'), 0, 1, 0, 0), false);
  assert.equal(a.counters.drops.get('closed'), 1);
});

test('a bare-IP (TUN-like) port has one interface and ignores the VNI', () => {
  const network = new MemoryNetwork();
  const tun = new MemoryPort({ name: 'tun', network, remotes: ['k'], linkKind: LinkKind.Ip });
  const k = new MemoryPort({ name: 'k', network, remotes: ['tun'] });
  tun.attach([{ iface: 4, vni: -1 }]);
  k.attach([{ iface: 0, vni: 0 }]);
  const lt = new Log();
  tun.start(lt);
  k.start(new Log());
  k.send(bytes('ip'), 0, 2, 0, 0);
  k.flush();
  assert.deepEqual(lt.got, ['tun iface 4 peer 0 ip']);
  assert.throws(() => tun.attach([{ iface: 1, vni: -1 }, { iface: 2, vni: -1 }]), RangeError);
});

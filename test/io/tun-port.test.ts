import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseConfig } from '../../src/control/config.js';
import { buildTenant, type TenantRuntime } from '../../src/control/tenant-runtime.js';
import type { Port, PortReceiver } from '../../src/io/port.js';
import { TunDevice, TunOffload } from '../../src/io/tun-device.js';
import { TunPort, TunPortDrop } from '../../src/io/tun-port.js';
import { LinkKind } from '../../src/pipeline/link-kind.js';
import { PacketContext } from '../../src/pipeline/packet-context.js';
import type { Pipeline } from '../../src/pipeline/pipeline.js';
import { createGatewayPipeline } from '../../src/pipeline/stateful-pipeline.js';
import { ChangeLog } from '../../src/state/change-log.js';
import { writeU16 } from '../../src/wire/byte-order.js';
import { internetChecksum, pseudoHeaderSum4 } from '../../src/wire/checksum.js';
import type { XlatOutput } from '../../src/xlat/xlat-output.js';

/**
 * The TUN port under a NAT64 pipeline, on the real kernel. A network namespace holds an
 * IPv6-only client address (2001:db8:1::10) and an IPv4-only server (198.51.100.2), both local
 * to it, and routes the NAT64 prefix 2001:db8:64::/96 and the pool address 203.0.113.1 into the
 * TUN device, whose descriptor this process holds: every packet between client and server goes
 * through natmesh's pipeline here (tenant from the same YAML `natmesh run` reads, dynamic
 * NAT64 mappings, firewall), once each way. Client and server are Python programs run in the
 * namespace. With offloads the kernel hands over TSO (and USO) super-segments in both
 * directions and takes them back; the test counts them through the translator. A second run
 * with a plain device (offloads off) moves the same traffic as ordinary packets. Needs root.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

const skip = process.getuid?.() !== 0 ? 'needs root (network namespaces and /dev/net/tun)'
  : !existsSync('/dev/net/tun') ? 'no /dev/net/tun' : false;

const CLIENT6 = '2001:db8:1::10';
const SERVER4 = '198.51.100.2';
/** The server as the client sees it: RFC 6052 under the tenant's /96. */
const SERVER6 = '2001:db8:64::c633:6402';
const POOL4 = '203.0.113.1';

const CONFIG = `
node: { id: 1 }
tenants:
  - name: blue
    id: 1
    nat:
      pool4: [${POOL4}/32]
      nat64:
        pool6: 2001:db8:64::/96
    firewall:
      graceSeconds: 0
`;

/** The IPv4 server: UDP echo on 7, and on TCP 5001 a transfer: the client sends the sizes of
 * its upload and of the download it wants, then the upload; the server answers the upload's
 * SHA-256 and then the download (seeded pseudo-random bytes). */
const SERVER = `
import hashlib, random, socket, threading
def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('${SERVER4}', 7))
    while True:
        d, a = s.recvfrom(65535)
        s.sendto(b'echo ' + ('%s %d ' % a).encode() + d, a)
def recvall(c, n):
    b = b''
    while len(b) < n:
        k = c.recv(n - len(b))
        if not k: raise EOFError
        b += k
    return b
def serve(c):
    try:
        h = recvall(c, 16)
        n, m = int.from_bytes(h[:8], 'big'), int.from_bytes(h[8:], 'big')
        d = hashlib.sha256()
        while n:
            k = c.recv(min(n, 1 << 20))
            if not k: break
            d.update(k)
            n -= len(k)
        c.sendall(d.digest())
        c.sendall(random.Random(1).randbytes(m))
    finally:
        c.close()
def tcp():
    l = socket.socket()
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(('${SERVER4}', 5001))
    l.listen(8)
    while True:
        c, _ = l.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()
threading.Thread(target=udp, daemon=True).start()
threading.Thread(target=tcp, daemon=True).start()
print('ready', flush=True)
threading.Event().wait()
`;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** What went through the translator, counted by wrapping its two calls. */
interface XlatCounts {
  calls: number;
  /** Calls with `XlatOutput.gsoSize` set: super-segments translated, once each. */
  superSegments: number;
  /** Of those, calls that produced exactly one translated packet, itself a super-segment. */
  superSegmentsAsOne: number;
  largestSuperSegment: number;
}

function countTranslations(tenant: TenantRuntime): XlatCounts {
  const counts: XlatCounts = { calls: 0, superSegments: 0, superSegmentsAsOne: 0, largestSuperSegment: 0 };
  const tr = tenant.translator!;
  for (const name of ['translate6to4', 'translate4to6'] as const) {
    const original = tr[name].bind(tr);
    tr[name] = (buf: Uint8Array, off: number, len: number, out: XlatOutput): number => {
      counts.calls++;
      const gso = out.gsoSize;
      const first = out.count;
      const code = original(buf, off, len, out);
      if (gso > 0) {
        counts.superSegments++;
        counts.largestSuperSegment = Math.max(counts.largestSuperSegment, len);
        if (code === 0 && out.count === first + 1 && out.gsoSizes[first]! > 0) counts.superSegmentsAsOne++;
      }
      return code;
    };
  }
  return counts;
}

type Mode = 'offloads' | 'plain' | 'mixed';

/** One side of the translation: the port a family's packets leave by, and its interface. */
interface Side {
  port: TunPort;
  device: TunDevice;
  iface: number;
}

/**
 * One namespace, its TUN devices and ports, and a pipeline: the harness plays the gateway node,
 * calling the pipeline for each packet a port delivers and sending what it produced by the port
 * of the packet's family. `offloads` and `plain`: one device carries both families; `mixed`: the
 * IPv6 side (client) on a device with offloads, the IPv4 side (server) on a plain one, so
 * super-segments read on one are cut in software for the other.
 */
class Lab {
  readonly ns: string;
  readonly pipeline: Pipeline;
  readonly xlat: XlatCounts;
  side6!: Side;
  side4!: Side;
  server: ChildProcess | null = null;
  inputs = 0;
  superSegmentsIn = 0;
  superFramesOut = 0;
  sendRefused = 0;
  /** Time spent in the pipeline and the ports' writes (ms). */
  busyMs = 0;
  errors: unknown[] = [];
  private readonly ctx = new PacketContext(LinkKind.Ip);
  private readonly devices: TunDevice[] = [];
  private readonly ports: TunPort[] = [];
  private seq = 0;

  constructor(readonly mode: Mode) {
    this.ns = 'natmesh-tunport-' + mode + '-' + process.pid;
    const config = parseConfig(CONFIG, 'tun-port.yaml');
    const tenant = buildTenant(config, 0, 'tun-port.yaml', {
      clock: { now: () => performance.timeOrigin + performance.now() }, changes: new ChangeLog(1 << 16), seed: 1,
    });
    this.xlat = countTranslations(tenant);
    this.pipeline = createGatewayPipeline([tenant]).pipeline;
  }

  get allPorts(): readonly TunPort[] {
    return this.ports;
  }

  async up(): Promise<void> {
    const n = this.ns;
    ip('netns', 'add', n);
    ip('-n', n, 'link', 'set', 'lo', 'up');
    execFileSync('ip', ['netns', 'exec', n, 'sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0']);
    ip('-n', n, 'addr', 'add', SERVER4 + '/32', 'dev', 'lo');
    ip('-n', n, '-6', 'addr', 'add', CLIENT6 + '/128', 'dev', 'lo', 'nodad');
    const tag = this.mode[0]!;
    this.side6 = this.attachSide('nmt' + tag + process.pid, this.mode !== 'plain', 0);
    this.side4 = this.mode === 'mixed' ? this.attachSide('nmt' + tag + '4' + process.pid, false, 1) : this.side6;
    ip('-n', n, '-6', 'route', 'add', '2001:db8:64::/96', 'dev', this.side6.device.name);
    ip('-n', n, 'route', 'add', POOL4 + '/32', 'dev', this.side4.device.name);
    for (const p of this.ports) p.start(this.receiver());
    this.server = spawn('ip', ['netns', 'exec', n, '/usr/bin/python3', '-u', '-c', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('server did not start')), 5000);
      this.server!.stdout!.once('data', () => {
        clearTimeout(timer);
        resolve();
      });
      this.server!.once('exit', (code) => reject(new Error('server exited with ' + code)));
    });
  }

  async down(): Promise<void> {
    if (this.server !== null && this.server.exitCode === null) this.server.kill('SIGKILL');
    for (const p of this.ports) await p.close();
    for (const d of this.devices) d.close();
    try { ip('netns', 'del', this.ns); } catch { /* never made, or already gone */ }
  }

  /** Runs a Python program as the client, in the namespace. */
  async client(program: string, timeoutMs = 20000): Promise<string> {
    const { stdout } = await run('ip', ['netns', 'exec', this.ns, '/usr/bin/python3', '-c', program], { timeout: timeoutMs });
    return stdout;
  }

  /** Opens a device here (where /dev/net/tun attaches it), moves it into the namespace, brings
   * it up and puts a port on it carrying interface `iface`. */
  private attachSide(name: string, offloads: boolean, iface: number): Side {
    const device = TunDevice.open({ name, offload: offloads });
    this.devices.push(device);
    ip('link', 'set', name, 'netns', this.ns);
    ip('-n', this.ns, 'link', 'set', name, 'up');
    const port = new TunPort({ name: 'tun' + iface, device, onError: (e) => this.errors.push(e) });
    port.attach([{ iface, vni: -1 }]);
    this.ports.push(port);
    return { port, device, iface };
  }

  private receiver(): PortReceiver {
    return {
      receive: (_port: Port, buf: Uint8Array, off: number, len: number, iface: number, _peer: number, gsoSize = 0): void => {
        const t0 = performance.now();
        const ctx = this.ctx.bind(buf, off, len, LinkKind.Ip, ++this.seq);
        ctx.tenant = 0;
        ctx.ingressIface = iface;
        this.inputs++;
        if (gsoSize > 0) {
          ctx.packets.gsoSize = gsoSize;
          this.superSegmentsIn++;
        }
        try {
          this.pipeline.run(ctx);
        } catch (e) {
          this.errors.push(e);
          return;
        }
        const f = ctx.frames;
        for (let i = 0; i < f.count; i++) {
          const gso = f.gsoSizes[i]!;
          if (gso > 0) this.superFramesOut++;
          const side = f.bytes[f.offsets[i]!]! >>> 4 === 6 ? this.side6 : this.side4;
          if (!side.port.send(f.bytes, f.offsets[i]!, f.lengths[i]!, side.iface, -1, gso)) this.sendRefused++;
        }
        for (const p of this.ports) p.flush();
        this.busyMs += performance.now() - t0;
      },
    };
  }
}

const UDP_CLIENT = `
import json, socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.settimeout(3)
s.bind(('${CLIENT6}', 0))
got = []
for i in range(3):
    s.sendto(b'natmesh %d' % i, ('${SERVER6}', 7))
    d, a = s.recvfrom(2000)
    got.append([a[0], a[1], d.decode()])
print(json.dumps(got))
`;

/** Ten 1200-byte datagrams in one send with UDP_SEGMENT (Linux 4.18+): the kernel hands the TUN
 * device one UDP super-segment when it offers USO (6.2+), else ten datagrams. */
const USO_CLIENT = `
import json, socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.settimeout(3)
s.bind(('${CLIENT6}', 0))
s.setsockopt(socket.SOL_UDP, 103, 1200)
s.sendto(b''.join(bytes([65 + i]) * 1200 for i in range(10)), ('${SERVER6}', 7))
got = []
for i in range(10):
    d, a = s.recvfrom(2000)
    got.append(d[-1200:].decode()[0] + str(len(d)))
print(json.dumps(sorted(got)))
`;

const BURST = 20;
const BURST_PORT = 9999;
/** Receives BURST datagrams on the server's address (or gives up after 5 s) and prints them. */
const BURST_RECEIVER = `
import json, socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('${SERVER4}', ${BURST_PORT}))
s.settimeout(5)
print('ready', flush=True)
got = []
try:
    while len(got) < ${BURST}:
        got.append(s.recv(2000).decode())
except socket.timeout:
    pass
print(json.dumps(got), flush=True)
`;

/** An IPv4 UDP datagram with both checksums, DF set. */
function udp4Datagram(src: string, dst: string, srcPort: number, dstPort: number, payload: Uint8Array, ident: number): Uint8Array {
  const len = 28 + payload.length;
  const p = new Uint8Array(len);
  p.set([0x45, 0, len >>> 8, len & 0xff, ident >>> 8, ident & 0xff, 0x40, 0, 64, 17], 0);
  p.set(src.split('.').map(Number), 12);
  p.set(dst.split('.').map(Number), 16);
  writeU16(p, 10, internetChecksum(p, 0, 20));
  writeU16(p, 20, srcPort);
  writeU16(p, 22, dstPort);
  writeU16(p, 24, len - 20);
  p.set(payload, 28);
  const c = internetChecksum(p, 20, len - 20, pseudoHeaderSum4(p, 12, 16, 17, len - 20));
  writeU16(p, 26, c === 0 ? 0xffff : c);
  return p;
}

function tcpClient(upload: number, download: number): string {
  return `
import hashlib, json, random, socket, time
up = random.Random(2).randbytes(${upload})
want = hashlib.sha256(random.Random(1).randbytes(${download})).hexdigest()
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.settimeout(20)
s.bind(('${CLIENT6}', 0))
t0 = time.time()
s.connect(('${SERVER6}', 5001))
s.sendall((${upload}).to_bytes(8, 'big') + (${download}).to_bytes(8, 'big'))
s.sendall(up)
digest = b''
while len(digest) < 32:
    k = s.recv(32 - len(digest))
    if not k: break
    digest += k
h = hashlib.sha256()
got = 0
while True:
    k = s.recv(1 << 20)
    if not k: break
    h.update(k)
    got += len(k)
print(json.dumps({'uploadHashMatches': digest == hashlib.sha256(up).digest(), 'downloaded': got,
                  'downloadHashMatches': h.hexdigest() == want, 'seconds': time.time() - t0}))
`;
}

const UPLOAD = 4 << 20;
const DOWNLOAD = 8 << 20;

const TITLES: Record<Mode, string> = {
  offloads: 'with offloads (virtio-net header, TSO/USO)',
  plain: 'plain (offloads off)',
  mixed: 'IPv6 side with offloads, IPv4 side plain (super-segments cut in software)',
};

for (const mode of ['offloads', 'plain', 'mixed'] as const) {
  describe(`TUN port on the real kernel, ${TITLES[mode]}: NAT64 between an IPv6 client and an IPv4 server`, { skip }, () => {
    const lab = new Lab(mode);

    before(async () => {
      execFileSync(join(root, 'scripts/build-native.sh'), { stdio: 'ignore' });
      await lab.up();
    });

    after(async () => {
      await lab.down();
    });

    test('the devices are what was asked for', () => {
      const { side6, side4 } = lab;
      assert.equal(side6.port.linkKind, LinkKind.Ip);
      if (mode !== 'plain') {
        assert.equal(side6.device.vnetHeaderLen, 10);
        assert.ok((side6.device.offloads & (TunOffload.Tso4 | TunOffload.Tso6)) === (TunOffload.Tso4 | TunOffload.Tso6));
      }
      if (mode !== 'offloads') {
        assert.equal(side4.device.vnetHeaderLen, 0);
        assert.equal(side4.device.offloads, 0);
      }
    });

    test('UDP request/response through NAT64: the reply comes from the server\'s IPv6 form', async () => {
      const got = JSON.parse(await lab.client(UDP_CLIENT)) as [string, number, string][];
      assert.equal(got.length, 3);
      got.forEach(([addr, port, text], i) => {
        assert.equal(addr, SERVER6);
        assert.equal(port, 7);
        // The server saw the pool address (a dynamic mapping), not the client.
        assert.match(text, new RegExp('^echo ' + POOL4.replaceAll('.', '\\.') + ' \\d+ natmesh ' + i + '$'));
      });
    });

    test('ping6 through NAT64: ICMPv6 Echo becomes ICMPv4 Echo and the replies come back', async () => {
      const { stdout } = await run('ip', ['netns', 'exec', lab.ns, 'ping', '-6', '-n', '-c', '3', '-i', '0.2', '-W', '2', '-I', CLIENT6, SERVER6], { timeout: 10000 });
      assert.match(stdout, /3 packets transmitted, 3 received/);
      assert.match(stdout, new RegExp('from ' + SERVER6 + ': icmp_seq=1'));
    });

    test('UDP with segmentation offload (UDP_SEGMENT): ten datagrams sent as one arrive as ten', async (t) => {
      const before = lab.xlat.superSegments;
      const got = JSON.parse(await lab.client(USO_CLIENT)) as string[];
      // Each echo is 'echo <pool> <port> ' plus the 1200 bytes.
      assert.deepEqual(got.map((g) => g[0]), [...'ABCDEFGHIJ']);
      const uso = mode !== 'plain' && (lab.side6.device.offloads & TunOffload.Uso6) !== 0;
      t.diagnostic('USO offered: ' + uso + '; UDP super-segments translated: ' + (lab.xlat.superSegments - before));
      assert.equal(lab.xlat.superSegments - before, uso ? 1 : 0, 'one UDP super-segment handed over and translated as one, when the device offers USO');
    });

    test(`TCP: ${UPLOAD >> 20} MB up and ${DOWNLOAD >> 20} MB down, both hashes match, super-segments counted`, async (t) => {
      const { side6, side4 } = lab;
      const xlatBefore = lab.xlat.superSegments;
      const asOneBefore = lab.xlat.superSegmentsAsOne;
      const inputsBefore = lab.inputs;
      const busyBefore = lab.busyMs;
      const rx = lab.allPorts.map((p) => p.rxSuperSegments);
      const tx = lab.allPorts.map((p) => p.txSuperSegments);
      const cut = lab.allPorts.map((p) => p.cutSuperSegments);
      const res = JSON.parse(await lab.client(tcpClient(UPLOAD, DOWNLOAD), 60000)) as
        { uploadHashMatches: boolean; downloaded: number; downloadHashMatches: boolean; seconds: number };
      assert.ok(res.uploadHashMatches, 'the server got the upload intact');
      assert.equal(res.downloaded, DOWNLOAD);
      assert.ok(res.downloadHashMatches, 'the client got the download intact');
      const superSegments = lab.xlat.superSegments - xlatBefore;
      const delta = (now: number[], was: number[]): number => now.reduce((a, v, i) => a + v - was[i]!, 0);
      const rxSuper = delta(lab.allPorts.map((p) => p.rxSuperSegments), rx);
      const txSuper = delta(lab.allPorts.map((p) => p.txSuperSegments), tx);
      const cutSuper = delta(lab.allPorts.map((p) => p.cutSuperSegments), cut);
      const busy = lab.busyMs - busyBefore;
      const mbps = ((UPLOAD + DOWNLOAD) * 8) / res.seconds / 1e6;
      t.diagnostic(`${mode}: ${(UPLOAD + DOWNLOAD) >> 20} MB in ${res.seconds.toFixed(3)} s end to end (${mbps.toFixed(0)} Mbit/s, Python included); ` +
        `${lab.inputs - inputsBefore} packets read, ${superSegments} super-segments translated (largest ${lab.xlat.largestSuperSegment} bytes), ` +
        `${txSuper} written as super-segments, ${cutSuper} cut in software; pipeline + writes ${busy.toFixed(1)} ms`);
      assert.equal(rxSuper, superSegments, 'every super-segment read went to the translator as one packet');
      assert.equal(lab.xlat.superSegmentsAsOne - asOneBefore, superSegments, 'each translated into exactly one super-segment');
      if (mode === 'offloads') {
        assert.ok(superSegments > 10, 'super-segments read: ' + superSegments);
        assert.ok(lab.xlat.largestSuperSegment > 30000, 'largest ' + lab.xlat.largestSuperSegment);
        assert.equal(txSuper, superSegments, 'and written back as super-segments');
        assert.equal(cutSuper, 0);
      } else if (mode === 'mixed') {
        // The upload arrives in super-segments on the IPv6 side and leaves cut on the IPv4 side;
        // the download arrives in ordinary packets and leaves as such.
        assert.ok(superSegments > 10, 'super-segments read: ' + superSegments);
        assert.equal(side6.port.rxSuperSegments, lab.xlat.superSegments);
        assert.equal(side4.port.cutSuperSegments - cut[1]!, superSegments, 'cut in software for the plain device');
        assert.equal(txSuper, 0);
      } else {
        assert.equal(superSegments, 0);
        assert.equal(txSuper + cutSuper, 0);
      }
      assert.equal(lab.sendRefused, 0);
      assert.deepEqual(lab.errors, []);
      for (const p of lab.allPorts) assert.deepEqual(p.counters.drops.snapshot(), {}, p.name + ' dropped nothing');
    });

    test('datagrams of one flow sent in one batch reach a socket one by one, through one USO write with the virtio-net header', async () => {
      const port = lab.side4.port;
      const receiver = spawn('ip', ['netns', 'exec', lab.ns, '/usr/bin/python3', '-u', '-c', BURST_RECEIVER], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      receiver.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
      await new Promise<void>((resolve) => receiver.stdout!.once('data', () => resolve()));
      const coalescedBefore = port.coalescedDatagrams;
      const txBefore = port.counters.txPackets;
      const sent: string[] = [];
      for (let i = 0; i < BURST; i++) {
        const text = 'burst ' + String(i).padStart(3, '0') + ' ' + 'x'.repeat(40);
        sent.push(text);
        const d = udp4Datagram(POOL4, SERVER4, 40000, BURST_PORT, Buffer.from(text), 0x2000 + i);
        assert.equal(port.send(d, 0, d.length, lab.side4.iface, -1), true);
      }
      port.flush();
      const exit = new Promise((resolve) => receiver.once('exit', resolve));
      await exit;
      const got = JSON.parse(out.slice(out.indexOf('\n') + 1)) as string[];
      assert.deepEqual(got, sent, 'every datagram arrived, whole and in order');
      assert.equal(port.counters.txPackets - txBefore, BURST);
      assert.equal(port.coalescedDatagrams - coalescedBefore, lab.side4.device.vnetHeaderLen > 0 ? BURST - 1 : 0);
    });

    test('a port refuses, and counts, what it cannot send', () => {
      const p = lab.side4.port;
      const iface = lab.side4.iface;
      const v4 = Uint8Array.of(0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2);
      assert.equal(p.send(v4, 0, v4.length, iface + 5, -1), false);
      assert.equal(p.counters.drops.get('wrongInterface'), 1);
      const junk = Uint8Array.of(0x10, 0, 0, 0);
      assert.equal(p.send(junk, 0, junk.length, iface, -1), false);
      assert.equal(p.counters.drops.get('notIp'), 1);
      // A super-segment whose IP length disagrees with the frame: refused before the kernel.
      assert.equal(p.send(v4, 0, v4.length - 1, iface, -1, 1000), false);
      assert.equal(p.counters.drops.get('gso.badIpLength'), 1);
      assert.ok(TunPortDrop.names.includes('tun.writeRejected'));
      assert.throws(() => p.attach([{ iface: 0, vni: -1 }, { iface: 1, vni: -1 }]), RangeError);
    });
  });
}

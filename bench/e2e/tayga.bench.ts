/**
 * natmesh against TAYGA on real hosts: one lab topology (IPv6-only client, gateway namespace,
 * IPv4 server), and one after the other through the gateway namespace:
 *
 *   (a) plain IPv6 forwarding by the kernel: the limit of the topology
 *   (b) TAYGA on a TUN device
 *   (c) natmesh on a TUN device (virtio-net header offloads)
 *   (d) natmesh on VXLAN (kernel VXLAN devices in the client and server namespaces)
 *
 * For each: iperf3 UDP with 64-byte payloads at full speed (client-side packets/s sent,
 * server-side packets/s received, loss), iperf3 TCP goodput of one stream, and the CPU the
 * translator process used (utime + stime from /proc) as a share of one core. Medians over
 * BENCH_ROUNDS rounds of BENCH_SECONDS each. The machine has two cores, shared by the iperf3
 * client, the translator, the iperf3 server and the kernel.
 *
 *   sudo npm run bench:e2e
 *   BENCH_ONLY=kernel,tayga BENCH_SECONDS=5 BENCH_ROUNDS=3 sudo -E npm run bench:e2e
 *   BENCH_CPU_PROF=/tmp/prof sudo -E npm run bench:e2e    # natmesh writes --cpu-prof profiles there
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  canBuildLab, LAB_ADDRESSES, LAB_HOSTS, labGatewayConfig, labPathRoutes, LabTopology, standardLabSpec, startLabGateway,
  uniqueLabId, type StandardLabOptions,
} from '../../src/control/lab-topology.js';
import { machineCpu, machineCpuSince, processCpuSeconds } from './cpu-usage.js';
import { tcpStream, udpFlood, type TcpResult, type UdpResult } from './iperf3-run.js';
import { startTayga } from './tayga-gateway.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const UDP_PAYLOAD = 64;
const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter((s) => s !== '');
const CPU_PROF = process.env.BENCH_CPU_PROF;

/** Repository root: this file runs from dist-bench/bench/e2e/ (compiled) or bench/e2e/ (tsx). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}
const ROOT = repoRoot();
const NATMESH_CLI = resolve(ROOT, 'dist/control/cli.js');

/** The server's address as the IPv6 client names it through NAT64 (RFC 6052 §2.2, /96). */
const SERVER_VIA_WKP = '64:ff9b::' + LAB_ADDRESSES.server4.split('.').map(Number).reduce((acc, b, i) => acc + (i === 2 ? ':' : '') + b.toString(16).padStart(2, '0'), '');

function natmeshRunMissing(): string | null {
  if (!existsSync(NATMESH_CLI)) return 'dist/control/cli.js is not built (npm run build)';
  const help = execFileSync(process.execPath, [NATMESH_CLI, '--help'], { encoding: 'utf8' });
  return /^\s+run\b/m.test(help) ? null : '`natmesh run` is not implemented yet';
}

interface Running {
  readonly target: string;
  /** PID of the translator process; null for kernel forwarding. */
  readonly pid: number | null;
  stop(): Promise<void>;
}

interface PathCase {
  readonly key: string;
  readonly label: string;
  missing(): string | null;
  start(lab: LabTopology, work: string): Promise<Running>;
}

const LAB: StandardLabOptions = { serverIpv6: true, client4: false, tunnels: ['vxlan'] };

function natmeshCase(key: string, label: string, path: 'tun' | 'vxlan'): PathCase {
  return {
    key,
    label,
    missing: natmeshRunMissing,
    async start(lab, work) {
      if (path === 'vxlan') await lab.setRoutes(labPathRoutes('vxlan', LAB));
      const command = [process.execPath, ...(CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + CPU_PROF] : []), NATMESH_CLI];
      const gw = await startLabGateway(lab, {
        command,
        config: labGatewayConfig({ path, apiListen: '127.0.0.1:8080' }, LAB),
        configPath: join(work, 'natmesh-' + path + '.yaml'),
        lab: LAB,
      });
      return {
        target: SERVER_VIA_WKP,
        pid: gw.process.pid,
        stop: async () => {
          await gw.stop();
          if (path === 'vxlan') await lab.setRoutes(labPathRoutes('kernel', LAB));
        },
      };
    },
  };
}

const CASES: PathCase[] = [
  {
    key: 'kernel',
    label: '(a) kernel IPv6 forwarding',
    missing: () => null,
    async start() {
      return { target: LAB_ADDRESSES.server6, pid: null, stop: async () => {} };
    },
  },
  {
    key: 'tayga',
    label: '(b) TAYGA, TUN',
    missing: () => {
      try {
        execFileSync('tayga', ['--help'], { stdio: 'ignore', env: { ...process.env, PATH: process.env.PATH + ':/usr/sbin:/sbin' } });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'tayga is not installed (scripts/setup.sh installs it)';
      }
      return null;
    },
    async start(lab) {
      const t = await startTayga(lab);
      return { target: SERVER_VIA_WKP, pid: t.process.pid, stop: () => t.stop() };
    },
  },
  natmeshCase('natmesh-tun', '(c) natmesh, TUN', 'tun'),
  natmeshCase('natmesh-vxlan', '(d) natmesh, VXLAN', 'vxlan'),
];

interface Measured {
  readonly label: string;
  readonly udp: UdpResult;
  readonly tcp: TcpResult;
  /** Translator CPU as a share of one core, during UDP and during TCP (NaN: no process). */
  readonly udpCpu: number;
  readonly tcpCpu: number;
  /** Whole machine busy, as a share of all cores, during UDP. */
  readonly udpMachine: number;
  readonly tcpMachine: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function measured<T>(pid: number | null, run: () => Promise<T>): Promise<{ value: T; cpu: number; machine: number }> {
  const cpu0 = pid === null ? NaN : processCpuSeconds(pid);
  const m0 = machineCpu();
  const t0 = performance.now();
  const value = await run();
  const wall = (performance.now() - t0) / 1000;
  const m = machineCpuSince(m0);
  const cpu = pid === null ? NaN : (processCpuSeconds(pid) - cpu0) / wall;
  return { value, cpu, machine: m.busy / m.total };
}

async function measure(lab: LabTopology, c: PathCase, work: string): Promise<Measured> {
  const running = await c.start(lab, work);
  try {
    // Warm-up: neighbour caches, TAYGA's dynamic mapping, natmesh's session and JIT.
    await lab.exec(LAB_HOSTS.client6, ['ping', '-6', '-c', '3', '-i', '0.2', '-W', '2', running.target]);
    await udpFlood(lab, LAB_HOSTS.client6, running.target, UDP_PAYLOAD, 1);
    await tcpStream(lab, LAB_HOSTS.client6, running.target, 1);
    const udps: UdpResult[] = [];
    const tcps: TcpResult[] = [];
    const cpu = { udp: [] as number[], tcp: [] as number[], udpM: [] as number[], tcpM: [] as number[] };
    for (let r = 0; r < ROUNDS; r++) {
      const u = await measured(running.pid, () => udpFlood(lab, LAB_HOSTS.client6, running.target, UDP_PAYLOAD, SECONDS));
      udps.push(u.value); cpu.udp.push(u.cpu); cpu.udpM.push(u.machine);
      const t = await measured(running.pid, () => tcpStream(lab, LAB_HOSTS.client6, running.target, SECONDS));
      tcps.push(t.value); cpu.tcp.push(t.cpu); cpu.tcpM.push(t.machine);
      process.stderr.write('  ' + c.key + ' round ' + (r + 1) + ': UDP ' + Math.round(u.value.receivedPps) + ' pps received, TCP ' + t.value.gbitPerSec.toFixed(2) + ' Gbit/s\n');
    }
    return {
      label: c.label,
      udp: { sentPps: median(udps.map((u) => u.sentPps)), receivedPps: median(udps.map((u) => u.receivedPps)), lossPercent: median(udps.map((u) => u.lossPercent)) },
      tcp: { gbitPerSec: median(tcps.map((t) => t.gbitPerSec)), retransmits: median(tcps.map((t) => t.retransmits)) },
      udpCpu: median(cpu.udp), tcpCpu: median(cpu.tcp), udpMachine: median(cpu.udpM), tcpMachine: median(cpu.tcpM),
    };
  } finally {
    await running.stop();
  }
}

function pad(s: string, n: number, left = false): string {
  return left ? s.padEnd(n) : s.padStart(n);
}

function pct(x: number): string {
  return Number.isNaN(x) ? '-' : (100 * x).toFixed(0) + '%';
}

function printTable(rows: readonly Measured[], skipped: readonly { label: string; why: string }[]): void {
  const head = [pad('path', 28, true), pad('UDP sent pps', 13), pad('UDP recv pps', 13), pad('loss', 7), pad('xlat CPU', 9), pad('machine', 8),
    pad('TCP Gbit/s', 11), pad('retrans', 8), pad('xlat CPU', 9), pad('machine', 8)].join(' ');
  console.log('\nUDP: ' + UDP_PAYLOAD + '-byte payloads (iperf3 -u -l ' + UDP_PAYLOAD + ' -b 0); TCP: one stream; median of ' + ROUNDS + ' x ' + SECONDS + ' s.');
  console.log('xlat CPU: translator process (utime+stime) as a share of one core; machine: both cores busy.\n');
  console.log(head);
  console.log('-'.repeat(head.length));
  for (const r of rows) {
    console.log([pad(r.label, 28, true), pad(Math.round(r.udp.sentPps).toLocaleString('en-US'), 13), pad(Math.round(r.udp.receivedPps).toLocaleString('en-US'), 13),
      pad(r.udp.lossPercent.toFixed(1) + '%', 7), pad(pct(r.udpCpu), 9), pad(pct(r.udpMachine), 8),
      pad(r.tcp.gbitPerSec.toFixed(2), 11), pad(String(Math.round(r.tcp.retransmits)), 8), pad(pct(r.tcpCpu), 9), pad(pct(r.tcpMachine), 8)].join(' '));
  }
  for (const s of skipped) console.log(pad(s.label, 28, true) + ' skipped: ' + s.why);
  const tayga = rows.find((r) => r.label.includes('TAYGA'));
  const natmesh = rows.filter((r) => r.label.includes('natmesh'));
  if (tayga !== undefined && natmesh.length > 0) {
    console.log('\nnatmesh / TAYGA (targets: UDP received pps >= 1.5x on TUN, TCP >= 5x on TUN, VXLAN >= 1x):');
    for (const n of natmesh) {
      console.log('  ' + pad(n.label, 26, true) + ' UDP received pps ' + (n.udp.receivedPps / tayga.udp.receivedPps).toFixed(2) + 'x, UDP sent pps '
        + (n.udp.sentPps / tayga.udp.sentPps).toFixed(2) + 'x, TCP ' + (n.tcp.gbitPerSec / tayga.tcp.gbitPerSec).toFixed(2) + 'x');
    }
  } else if (tayga !== undefined) {
    console.log('\nnatmesh / TAYGA: no natmesh figures (see skipped above).');
  }
}

async function main(): Promise<number> {
  if (!canBuildLab()) {
    console.error('bench:e2e builds network namespaces and needs root.');
    return 2;
  }
  const selected = CASES.filter((c) => ONLY === undefined || ONLY.includes(c.key));
  const work = mkdtempSync(join(tmpdir(), 'natmesh-bench-e2e-'));
  const lab = await LabTopology.create(uniqueLabId('b'), standardLabSpec(LAB));
  const rows: Measured[] = [];
  const skipped: { label: string; why: string }[] = [];
  try {
    const server = lab.spawn(LAB_HOSTS.server4, ['iperf3', '-s']);
    while ((await lab.exec(LAB_HOSTS.server4, ['ss', '-Hltn', 'sport = :5201'])).stdout.trim() === '') {
      if (server.child.exitCode !== null) throw new Error('iperf3 server did not start: ' + server.stderr());
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const c of selected) {
      const why = c.missing();
      if (why !== null) {
        console.error(c.label + ': skipped: ' + why);
        skipped.push({ label: c.label, why });
        continue;
      }
      console.error(c.label + ' ...');
      try {
        rows.push(await measure(lab, c, work));
      } catch (e) {
        // One translator failing must not cost the others' figures.
        console.error(c.label + ': failed: ' + (e as Error).message);
        skipped.push({ label: c.label, why: 'failed: ' + (e as Error).message.split('\n')[0] });
      }
    }
  } finally {
    await lab.down();
    rmSync(work, { recursive: true, force: true });
  }
  printTable(rows, skipped);
  return 0;
}

process.exitCode = await main();

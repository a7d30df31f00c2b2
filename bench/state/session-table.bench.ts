/**
 * bench/state: the NAPT session table on one core. Session creations per second (a new mapping
 * and a new session each, change records included: the worst case, one mapping per session),
 * lookups per second (outbound: find + refresh; inbound: find + refresh) and expiries per second,
 * each against a JS Map holding the same number of numeric keys in the same run (set / get /
 * delete), interleaved round by round; reported as the median and the ratio. Then bytes per
 * session with the table full at 1 M and 4 M sessions, each measured in a fresh process from
 * process.memoryUsage() before and after building it.
 *
 * Run: npm run bench:state   (compiles, then node --expose-gc dist-bench/bench/state/session-table.bench.js)
 * BENCH_SESSIONS (default 1000000) sets the table size of the timed part, BENCH_ROUNDS (7) the rounds,
 * BENCH_MEMORY (1000000,4000000) the sizes of the memory part.
 */
import { spawnSync } from 'node:child_process';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ChangeLog } from '../../src/state/change-log.js';
import { ManualClock } from '../../src/state/clock.js';
import { defaultNaptConfig } from '../../src/state/napt-config.js';
import { NaptTable } from '../../src/state/napt-table.js';
import { formatRate, report, type BenchResult } from '../harness.js';

const UDP = 17;
const TENANT = 7;
const REMOTE = 0xc6336407; // 198.51.100.7
const REMOTE_I32 = REMOTE | 0;
const PORTS_PER_HOST = 1000;

/** Sends the first packet of sessions 0..n-1 (host i mod H, port 1024 + i div H); returns how
 * many the table took. A second call with the sessions live looks them up instead. */
function fill(table: NaptTable, hosts: Uint32Array[], n: number): number {
  let ok = 0;
  let h = 0;
  let port = 1024;
  for (let i = 0; i < n; i++) {
    if (table.outbound(TENANT, UDP, hosts[h]!, port, REMOTE_I32, 53, 0) >= 0) ok++;
    if (++h === hosts.length) {
      h = 0;
      port++;
    }
  }
  return ok;
}

const forceGc = (globalThis as { gc?: () => void }).gc;
/** Start times of the GC events seen (performance.now() scale): a timed window counts those
 * that started inside it, whenever the observer gets to deliver them. */
const gcStarts: number[] = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) gcStarts.push(e.startTime); }).observe({ entryTypes: ['gc'] });

/** A table for `n` sessions from n / 1000 NAT44 hosts, 1000 source ports each, and the hosts. */
function build(n: number, log = new ChangeLog(1 << 16)): { table: NaptTable; clock: ManualClock; hosts: Uint32Array[] } {
  const hostCount = Math.ceil(n / PORTS_PER_HOST);
  // ~31 hosts per pool address: 31 000 of its 64 512 ports, whatever the hash spread.
  const addresses = Math.max(4, 2 ** Math.ceil(Math.log2(hostCount / 31)));
  const c = defaultNaptConfig();
  c.pool = Array.from({ length: addresses }, (_, i) => (0xcb000000 + i) >>> 0);
  c.maxSessions = n;
  c.maxBib = n;
  c.maxHosts = hostCount;
  c.maxSessionsPerHost = PORTS_PER_HOST;
  c.maxSessionsPerTenant = n;
  const clock = new ManualClock(0);
  const table = new NaptTable(c, clock, log, 0x5eed);
  const hosts = Array.from({ length: hostCount }, (_, i) => Uint32Array.of(0, 0, 0xffff, (0x0a000000 + i + 1) >>> 0));
  return { table, clock, hosts };
}

interface Timed { rate: number; heap: number; gc: number }

async function time(n: number, work: () => number): Promise<Timed> {
  forceGc?.();
  const h0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const done = work();
  const t1 = performance.now();
  const h1 = process.memoryUsage().heapUsed;
  if (done !== n) throw new Error('expected ' + n + ' operations, did ' + done);
  await new Promise((res) => setImmediate(res));
  const gc = gcStarts.filter((t) => t >= t0 && t <= t1).length;
  return { rate: n / ((t1 - t0) / 1000), heap: Math.max(0, h1 - h0), gc };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function result(name: string, n: number, runs: Timed[]): BenchResult {
  return {
    name,
    opsPerSec: median(runs.map((r) => r.rate)),
    heapBytesPerOp: median(runs.map((r) => r.heap)) / n,
    gcPerMillion: (median(runs.map((r) => r.gc)) * 1e6) / n,
  };
}

async function timed(n: number, rounds: number): Promise<string[]> {
  const { table, clock, hosts } = build(n);
  const map = new Map<number, number>();
  const key = (i: number): number => (i % hosts.length) * 65536 + 1024 + Math.floor(i / hosts.length);
  const cases = {
    mapSet: [] as Timed[], create: [] as Timed[],
    mapGet: [] as Timed[], lookupOut: [] as Timed[], lookupIn: [] as Timed[],
    mapDelete: [] as Timed[], expire: [] as Timed[],
  };
  let sink = 0;
  for (let r = -1; r < rounds; r++) {
    // Round -1 warms the JIT up and is not recorded.
    const keep = r >= 0;
    const mapSet = await time(n, () => { for (let i = 0; i < n; i++) map.set(key(i), i); return map.size; });
    const create = await time(n, () => fill(table, hosts, n));
    const mapGet = await time(n, () => { let k = 0; for (let i = 0; i < n; i++) { const v = map.get(key(i)); if (v !== undefined) { k++; sink ^= v; } } return k; });
    const lookupOut = await time(n, () => fill(table, hosts, n));
    // Inbound packets carry (T,t): take them from the sessions, outside the timed loop. Addresses
    // go in as int32 bit patterns, as a packet parser hands them over (no boxed numbers).
    const outsideAddr = new Int32Array(n);
    const outsidePort = new Uint16Array(n);
    for (let s = 0; s < n; s++) {
      outsideAddr[s] = table.outsideAddr(s) | 0;
      outsidePort[s] = table.outsidePort(s);
    }
    const lookupIn = await time(n, () => {
      let k = 0;
      for (let s = 0; s < n; s++) {
        const id = table.inbound(TENANT, UDP, outsideAddr[s]!, outsidePort[s]!, REMOTE_I32, 53, 0);
        if (id >= 0) { k++; sink ^= id; }
      }
      return k;
    });
    const mapDelete = await time(n, () => { let k = 0; for (let i = 0; i < n; i++) if (map.delete(key(i))) k++; return k; });
    clock.advance(301_000);
    const expire = await time(n, () => table.expire());
    if (keep) {
      cases.mapSet.push(mapSet); cases.create.push(create);
      cases.mapGet.push(mapGet); cases.lookupOut.push(lookupOut); cases.lookupIn.push(lookupIn);
      cases.mapDelete.push(mapDelete); cases.expire.push(expire);
    }
  }
  if (table.drops.total() !== 0) throw new Error('drops: ' + JSON.stringify(table.drops.snapshot()));
  void sink;
  return [
    report('create: new mapping + session (' + n + ' per round)', { baseline: result('Map.set', n, cases.mapSet), cases: [result('NaptTable.outbound (create)', n, cases.create)] }),
    report('lookup (' + n + ' live sessions)', {
      baseline: result('Map.get', n, cases.mapGet),
      cases: [result('NaptTable.outbound (find + refresh)', n, cases.lookupOut), result('NaptTable.inbound (find + refresh)', n, cases.lookupIn)],
    }),
    report('expire', { baseline: result('Map.delete', n, cases.mapDelete), cases: [result('NaptTable.expire', n, cases.expire)] }),
  ];
}

/** Bytes per session of a full table of `n`, in this (fresh) process. */
function memory(n: number): Record<string, number> {
  // The change log is fixed-size, not per session: made before the first reading.
  const log = new ChangeLog(1 << 16);
  forceGc?.();
  const m0 = process.memoryUsage();
  const { table, hosts } = build(n, log);
  if (fill(table, hosts, n) !== n) throw new Error('table refused sessions: ' + JSON.stringify(table.drops.snapshot()));
  forceGc?.();
  const m1 = process.memoryUsage();
  return {
    sessions: table.sessionCount,
    bindings: table.bibCount,
    rssPerSession: (m1.rss - m0.rss) / n,
    heapAndBuffersPerSession: (m1.heapUsed - m0.heapUsed + m1.arrayBuffers - m0.arrayBuffers) / n,
    typedArraysPerSession: table.byteLength / n,
  };
}

const only = process.env.BENCH_STATE_MEMORY_CHILD;
if (only !== undefined) {
  console.log(JSON.stringify(memory(Number(only))));
} else {
  if (forceGc === undefined) console.warn('run with --expose-gc for steady figures');
  const n = Number(process.env.BENCH_SESSIONS ?? 1_000_000);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
  const lines = [`node ${process.version}, ${n} sessions per round, ${rounds} rounds, medians`, ...(await timed(n, rounds))];
  const mem = ['## bytes per session, table full (fresh process each; one mapping per session, the worst case)',
    '| sessions | RSS growth / session | heap + array buffers / session | typed arrays / session |', '|---|---|---|---|'];
  for (const size of (process.env.BENCH_MEMORY ?? '1000000,4000000').split(',').map(Number)) {
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
      env: { ...process.env, BENCH_STATE_MEMORY_CHILD: String(size) }, encoding: 'utf8', maxBuffer: 1 << 20,
    });
    if (child.status !== 0) throw new Error('memory child for ' + size + ' failed: ' + child.stderr);
    const m = JSON.parse(child.stdout.trim().split('\n').pop()!) as Record<string, number>;
    mem.push(`| ${m['sessions']} | ${m['rssPerSession']!.toFixed(1)} B | ${m['heapAndBuffersPerSession']!.toFixed(1)} B | ${m['typedArraysPerSession']!.toFixed(1)} B |`);
  }
  lines.push(mem.join('\n'));
  console.log(lines.join('\n\n'));
  void formatRate;
}

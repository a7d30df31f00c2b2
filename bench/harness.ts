/**
 * Benchmark harness: each case runs against its baseline in the same process and the same run,
 * interleaved round by round, so a noisy shared machine moves both alike and the ratio holds.
 * Reports the median rate of each, the ratio of medians, and allocation evidence: heap growth
 * across a timed round with no forced GC, and the number of GC events per million operations.
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';

export interface BenchCase {
  name: string;
  /** Runs `n` operations; returns a value the harness keeps so the work is not optimised away. */
  run(n: number): number;
}

export interface BenchResult {
  name: string;
  opsPerSec: number;
  /** Bytes of heap growth per operation over one round (0 means no allocation escaped). */
  heapBytesPerOp: number;
  gcPerMillion: number;
}

// GC entries reach the observer after the fact, so they are counted by start time against the
// windows the rounds recorded, once the rounds have yielded and the entries have arrived.
const gcStarts: number[] = [];
const gcObserver = new PerformanceObserver((list) => { for (const e of list.getEntries()) gcStarts.push(e.startTime); });
gcObserver.observe({ entryTypes: ['gc'] });

function gcEventsBetween(t0: number, t1: number): number {
  let n = 0;
  for (const t of gcStarts) if (t >= t0 && t < t1) n++;
  return n;
}

const forceGc = (globalThis as { gc?: () => void }).gc;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

let sink = 0;

function timeRound(c: BenchCase, n: number): { rate: number; heap: number; t0: number; t1: number } {
  forceGc?.();
  const h0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  sink ^= c.run(n);
  const t1 = performance.now();
  const h1 = process.memoryUsage().heapUsed;
  return { rate: n / ((t1 - t0) / 1000), heap: Math.max(0, h1 - h0), t0, t1 };
}

/** Runs `baseline` and each case for `rounds` interleaved rounds of `n` operations after a warm-up. */
export async function compare(baseline: BenchCase, cases: BenchCase[], n: number, rounds = 7): Promise<{ baseline: BenchResult; cases: BenchResult[] }> {
  const all = [baseline, ...cases];
  // Warm-up: one full round per case, so JIT compilation and feedback allocation (which showed
  // as heap growth in the first case measured) happen before any round is timed.
  for (const c of all) sink ^= c.run(n);
  const rates = all.map(() => [] as number[]);
  const heaps = all.map(() => [] as number[]);
  const windows = all.map(() => [] as [number, number][]);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < all.length; i++) {
      const m = timeRound(all[i]!, n);
      rates[i]!.push(m.rate);
      heaps[i]!.push(m.heap);
      windows[i]!.push([m.t0, m.t1]);
    }
    // Let the GC observer deliver its entries between rounds.
    await new Promise((res) => setImmediate(res));
  }
  await new Promise((res) => setTimeout(res, 10));
  const gcs = windows.map((ws) => ws.map(([t0, t1]) => gcEventsBetween(t0, t1)));
  const results = all.map((c, i) => ({
    name: c.name,
    opsPerSec: median(rates[i]!),
    heapBytesPerOp: median(heaps[i]!) / n,
    gcPerMillion: (median(gcs[i]!) * 1e6) / n,
  }));
  return { baseline: results[0]!, cases: results.slice(1) };
}

export function formatRate(x: number): string {
  if (x >= 1e6) return (x / 1e6).toFixed(2) + ' M/s';
  if (x >= 1e3) return (x / 1e3).toFixed(1) + ' k/s';
  return x.toFixed(0) + ' /s';
}

export function report(title: string, r: { baseline: BenchResult; cases: BenchResult[] }): string {
  const lines = [`## ${title}`, `| case | rate (median) | ratio to ${r.baseline.name} | heap bytes/op | GC events per 1M ops |`, '|---|---|---|---|---|'];
  for (const c of [r.baseline, ...r.cases]) {
    lines.push(`| ${c.name} | ${formatRate(c.opsPerSec)} | ${(c.opsPerSec / r.baseline.opsPerSec).toFixed(2)} | ${c.heapBytesPerOp.toFixed(3)} | ${c.gcPerMillion.toFixed(1)} |`);
  }
  return lines.join('\n');
}

export function keep(): number { return sink; }

import { createCipheriv, createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canBuildLab, LAB_HOSTS, type LabProcess, type LabTopology } from '../../src/control/lab-topology.js';

/** What the end-to-end gateway tests share: natmesh's command, the server's files, metrics. */

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** `natmesh` from source (the tests run under tsx), `run --config FILE` appended by the lab. */
export function natmeshCommand(): string[] {
  return [process.execPath, '--import', 'tsx', join(ROOT, 'src/control/cli.ts')];
}

/** Why the live-gateway tests cannot run here, or false when they can. */
export function gatewayTestSkip(): string | false {
  if (!canBuildLab()) return 'needs root to build network namespaces';
  const cli = readFileSync(join(ROOT, 'src/control/cli.ts'), 'utf8');
  if (!/\.command\(\s*['"]run['"]/.test(cli)) return '`natmesh run` is not implemented yet';
  return false;
}

export interface ServedFiles {
  readonly dir: string;
  readonly smallPage: string;
  readonly bigName: string;
  readonly bigPath: string;
  readonly bigSha256: string;
  readonly bigBytes: number;
}

const SMALL_PAGE = '<!doctype html><title>natmesh lab</title><p>IPv4-only server reached through natmesh.</p>\n';

/**
 * The server's directory: a small page and a large file of pseudo-random bytes (AES-CTR of
 * zeros, so it does not compress and is the same on every run). Written once per machine and
 * size, atomically, so concurrent test files share it.
 */
export async function servedFiles(bigMiB = 100): Promise<ServedFiles> {
  const dir = join(tmpdir(), 'natmesh-e2e-files');
  mkdirSync(dir, { recursive: true });
  const bigName = 'big-' + bigMiB + 'm.bin';
  const bigPath = join(dir, bigName);
  const shaPath = bigPath + '.sha256';
  writeFileSync(join(dir, 'index.html'), SMALL_PAGE);
  if (!existsSync(shaPath) || !existsSync(bigPath)) {
    const tmp = bigPath + '.' + process.pid;
    const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16, 0));
    const hash = createHash('sha256');
    const zeros = Buffer.alloc(1 << 20);
    const f = await open(tmp, 'w');
    for (let i = 0; i < bigMiB; i++) {
      const chunk = cipher.update(zeros);
      hash.update(chunk);
      await f.write(chunk);
    }
    await f.close();
    renameSync(tmp, bigPath);
    writeFileSync(shaPath + '.' + process.pid, hash.digest('hex'));
    renameSync(shaPath + '.' + process.pid, shaPath);
  }
  return { dir, smallPage: SMALL_PAGE, bigName, bigPath, bigSha256: readFileSync(shaPath, 'utf8').trim(), bigBytes: bigMiB << 20 };
}

/** The lab's IPv4 server (scripts/lab-test-server.py) on server4: HTTP on 80, echo on 7. */
export async function startLabServer(lab: LabTopology, dir: string): Promise<LabProcess> {
  const proc = lab.spawn(LAB_HOSTS.server4, ['/usr/bin/python3', join(ROOT, 'scripts/lab-test-server.py'), '--dir', dir]);
  for (let i = 0; !proc.stdout().includes('ready'); i++) {
    if (proc.child.exitCode !== null || i > 500) throw new Error('lab server did not start: ' + proc.stderr());
    await new Promise((r) => setTimeout(r, 10));
  }
  return proc;
}

/** natmesh's Prometheus metrics, read from the gateway namespace: `name{labels}` -> value. */
export async function gatewayMetrics(lab: LabTopology, api = '127.0.0.1:8080'): Promise<Map<string, number>> {
  const text = (await lab.exec(LAB_HOSTS.gateway, ['curl', '-sS', '--max-time', '5', 'http://' + api + '/metrics'])).stdout;
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    out.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return out;
}

/** Packets dropped by the pipeline, summed over stages; only reasons matching `reason` if given. */
export function droppedPackets(metrics: Map<string, number>, reason?: RegExp): number {
  let n = 0;
  for (const [k, v] of metrics) {
    if (!k.startsWith('natmesh_drops_total')) continue;
    if (reason !== undefined && !reason.test(k)) continue;
    n += v;
  }
  return n;
}

/** The non-zero drop counters, one per line, for assertion messages. */
export function dropSummary(metrics: Map<string, number>): string {
  return [...metrics].filter(([k, v]) => k.startsWith('natmesh_drops_total') && v > 0).map(([k, v]) => k + ' ' + v).join('\n');
}

/** A UDP request and its answer from `host`: the lab command's own check. */
export { udpExchange } from '../../src/control/lab.js';

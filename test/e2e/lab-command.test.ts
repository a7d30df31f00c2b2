import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canBuildLab, listLabNamespaces, teardownLabSync } from '../../src/control/lab-topology.js';
import type { LabState } from '../../src/control/lab.js';

/**
 * `natmesh lab` as a user runs it: the compiled CLI builds the lab, leaves natmesh running in
 * it, reports every check, and `lab down` removes all of it.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'dist/control/cli.js');

function skipReason(): string | false {
  if (!canBuildLab()) return 'natmesh lab needs root to build network namespaces';
  if (!existsSync(join(ROOT, 'dist/control/lab.js'))) return 'dist/ has no natmesh lab: run npm run build first';
  return false;
}

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function natmesh(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Alive and not a zombie (an orphan that has ended stays one until init reaps it). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync('/proc/' + pid + '/stat', 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

describe('natmesh lab', { skip: skipReason() }, () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let prefix: string | null = null;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'natmesh-lab-command-'));
    // A lab directory of its own, so a lab someone has up on this machine is left alone.
    env = { ...process.env, NATMESH_LAB_DIR: join(dir, 'lab') };
  });
  after(() => {
    // Whatever happened above, nothing of the lab survives the test.
    const state = join(dir, 'lab', 'state.json');
    if (existsSync(state)) prefix ??= (JSON.parse(readFileSync(state, 'utf8')) as LabState).prefix;
    if (prefix !== null) teardownLabSync(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  test('lab --path tun builds the lab, every check passes over real traffic, and natmesh keeps running', async () => {
    const up = await natmesh(['lab', '--path', 'tun'], env);
    prefix = /building (nm-lab[a-z0-9]+-)\*/.exec(up.stdout)?.[1] ?? null;
    const out = up.stdout + up.stderr;
    assert.equal(up.code, 0, out);
    assert.doesNotMatch(out, /FAILED/);
    const server6 = '64:ff9b::6440:102';
    const expected: [string, RegExp][] = [
      ['curl through NAT64, the server sees a pool address', new RegExp('^  ok +curl http://\\[' + server6 + '\\]/ from client6 .*HTTP 200, \\d+ bytes; the server saw the client as 100\\.64\\.100\\.\\d+ port \\d+', 'm')],
      ['ping6 with its rtt', new RegExp('^  ok +ping6 ' + server6 + ' from client6: 3 of 3 echo replies, rtt avg [\\d.]+ ms$', 'm')],
      ['traceroute6 with natmesh and the translated IPv4 router hops', new RegExp('^  ok +traceroute6 .*\\(natmesh\\), .*64:ff9b::6440:902 \\(router4 100\\.64\\.9\\.2: ICMPv4 Time Exceeded, translated\\), \\d ' + server6 + ' \\(the server\\)$', 'm')],
      ['UDP request and response', /^ {2}ok +UDP from client6 to .*got "echo hello natmesh"$/m],
      ['the NAT44 client seen from a pool address', /^ {2}ok +curl http:\/\/100\.64\.1\.2\/whoami from client4 .*HTTP 200; the server saw the client as 100\.64\.100\.\d+ port \d+/m],
      ['unsolicited inbound refused and counted', /^ {2}ok +unsolicited inbound from server4: UDP to 100\.64\.100\.\d+:40999 got no answer, ping to the private 192\.168\.44\.2 got no reply; natmesh counted [1-9]\d* dropped packets?$/m],
      ['natmesh status from its API', /^natmesh status\n {2}node 1, up \d+ s.*\n {2}tenant lab \(id 1, nat64\+nat44\): [1-9]\d* sessions/m],
      ['natmesh sessions from its API', /^natmesh sessions\n {2}SESSION +PROTO +INSIDE/m],
      ['how to remove it', /^remove it\n {2}.*lab down$/m],
    ];
    for (const [what, re] of expected) assert.match(up.stdout, re, what + ':\n' + out);
    assert.equal(up.stdout.match(/^ {2}ok {2}/gm)?.length, 6, 'one ok line per check');

    assert.ok(prefix !== null, out);
    const state = JSON.parse(readFileSync(join(dir, 'lab', 'state.json'), 'utf8')) as LabState;
    assert.equal(state.prefix, prefix);
    assert.ok(state.natmeshPid !== null && isRunning(state.natmeshPid), 'natmesh outlives the command');
    const inGateway = execFileSync('ip', ['netns', 'pids', prefix + 'gateway'], { encoding: 'utf8' }).split('\n').map(Number);
    assert.ok(inGateway.includes(state.natmeshPid), 'natmesh runs in the gateway namespace');
    assert.deepEqual(listLabNamespaces(prefix).sort(), ['client4', 'client6', 'gateway', 'router4', 'server4'].map((h) => prefix + h));
  });

  test('lab down stops natmesh and removes every namespace of the lab; a second lab down has nothing to do', { timeout: 30_000 }, async () => {
    assert.ok(prefix !== null, 'the lab was built');
    const state = JSON.parse(readFileSync(join(dir, 'lab', 'state.json'), 'utf8')) as LabState;
    const down = await natmesh(['lab', 'down'], env);
    assert.equal(down.code, 0, down.stdout + down.stderr);
    assert.match(down.stdout, new RegExp('stopped natmesh \\(pid ' + state.natmeshPid + '\\)'));
    assert.match(down.stdout, /removed 5 namespaces/);
    assert.deepEqual(listLabNamespaces(prefix), []);
    assert.equal(isRunning(state.natmeshPid!), false);
    assert.equal(existsSync(join(dir, 'lab')), false, 'its files are gone');
    const again = await natmesh(['lab', 'down'], env);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /no lab is up .*nothing to remove/);
  });

  test('missing tools are named, with the script that installs them, before anything is built', async () => {
    const r = await natmesh(['lab'], { ...env, PATH: join(dir, 'empty') });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing .*curl.*ping.*traceroute6.*scripts\/setup\.sh/);
    assert.equal(existsSync(join(dir, 'lab')), false);
  });

  test('bad options are refused with the reason', async () => {
    const path = await natmesh(['lab', '--path', 'gre'], env);
    assert.equal(path.code, 2);
    assert.match(path.stderr, /--path must be one of tun, vxlan, geneve \(got "gre"\)/);
    const prefix6 = await natmesh(['lab', '--prefix', '64:ff9b::/33'], env);
    assert.equal(prefix6.code, 2);
    assert.match(prefix6.stderr, /--prefix: .*64:ff9b::\/33/);
  });

  test('not root: a clear message and exit 2', { skip: existsSync('/usr/bin/setpriv') ? false : 'needs setpriv to drop root' }, async () => {
    const r = await new Promise<CliRun>((resolve) => {
      execFile('/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'lab'], { env, encoding: 'utf8' }, (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : (err as { code: number }).code, stdout, stderr });
      });
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /needs root/);
  });
});

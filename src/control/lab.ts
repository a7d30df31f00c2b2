import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { AddressConfigError } from '../addr/address-config-error.js';
import { formatIpv4, parseIpv4 } from '../addr/ipv4-address.js';
import { Ipv4Prefix } from '../addr/ipv4-prefix.js';
import { parseIpv6 } from '../addr/ipv6-address.js';
import { Ipv6Prefix } from '../addr/ipv6-prefix.js';
import { Rfc6052Prefix } from '../xlat/rfc6052.js';
import { formatSessions, formatStatus, type SessionAnswer, type StatusAnswer } from './api-client.js';
import {
  canBuildLab, LAB_ADDRESSES, LAB_HOSTS, labGatewayConfig, labNat64Address, labPathRoutes, labPrefix, LabTopology, labTunCommands,
  labTunnelPlan, listLabNamespaces, standardLabSpec, teardownLabSync, uniqueLabId,
  type LabRouteSpec, type StandardLabOptions,
} from './lab-topology.js';

/**
 * `natmesh lab`: the standard lab of lab-topology.ts (an IPv6-only client, an IPv4-only HTTP
 * server in 100.64.0.0/10, an IPv4 client behind NAT44, the gateway namespace) with natmesh
 * running in it, checked with real traffic; `natmesh lab down` removes it.
 *
 * The lab outlives the command so that it can be looked at: natmesh and the lab's server run
 * detached (their own session, output to log files), and the lab's id and their pids go into
 * a state file. `lab down` needs nothing else: every process of the lab lives in a namespace
 * whose name starts with the lab's prefix, and removing the namespaces removes every device.
 */

export type LabPath = 'tun' | 'vxlan' | 'geneve';
const LAB_PATHS: readonly LabPath[] = ['tun', 'vxlan', 'geneve'];

/** Exit statuses: every check passed / a check failed or the lab could not be built / cannot run here (not root, tools missing, bad option). */
export const LAB_EXIT_OK = 0;
export const LAB_EXIT_FAILED = 1;
export const LAB_EXIT_USAGE = 2;

export interface LabCommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export interface LabUpOptions {
  readonly path: string;
  /** NAT64 prefix (RFC 6052). */
  readonly prefix: string;
  /** Where the state file, the configuration and the logs go (default `labStateDir()`). */
  readonly stateDir?: string;
}

/** What `lab down` (and the next `lab up`) needs to find the lab. */
export interface LabState {
  readonly id: string;
  readonly prefix: string;
  readonly path: LabPath;
  readonly pool6: string;
  readonly natmeshPid: number | null;
  readonly serverPid: number | null;
  /** natmesh's API, inside the gateway namespace. */
  readonly api: string;
  readonly createdAt: string;
}

/** The lab's directory: `$NATMESH_LAB_DIR`, or /run/natmesh-lab (root's runtime directory; gone after a reboot, like the namespaces). */
export function labStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['NATMESH_LAB_DIR'] ?? '/run/natmesh-lab';
}

/** Files `lab up` writes into the lab's directory; `lab down` removes exactly these. */
const FILES = { state: 'state.json', config: 'natmesh.yaml', natmeshLog: 'natmesh.log', serverLog: 'server.log', www: 'www' } as const;

const API_LISTEN = '127.0.0.1:8080';
const PYTHON = '/usr/bin/python3';
const IP = process.env['NATMESH_IP'] ?? 'ip';
const PATH_WITH_SBIN = (process.env['PATH'] ?? '/usr/bin:/bin') + ':/usr/sbin:/sbin';
const CHILD_ENV = { ...process.env, PATH: PATH_WITH_SBIN };
const SMALL_PAGE = '<!doctype html><title>natmesh lab</title><p>IPv4-only server reached through natmesh.</p>\n';
const CURL = ['curl', '-sS', '--connect-timeout', '3', '--max-time', '5'];
/**
 * natmesh's source for the ICMPv6 errors it sends itself (RFC 7915 §5.4), so that traceroute6
 * shows it as a hop. On the tunnel paths it is its interface address facing the client; on TUN
 * it has none, so an address outside every lab subnet.
 */
const TUN_ERROR_SOURCE6 = '2001:db8:100::1';
/** A port nothing in the lab listens on, for the unsolicited inbound datagram. */
const UNSOLICITED_PORT = 40999;

/** The repository (this file runs from src/control/ or dist/control/). */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** natmesh itself, the way this process runs it (compiled, or from source under tsx). */
function natmeshArgv(): string[] {
  const self = fileURLToPath(import.meta.url);
  const cli = join(dirname(self), 'cli' + extname(self));
  return extname(self) === '.ts' ? [process.execPath, '--import', 'tsx', cli] : [process.execPath, cli];
}

/** How a person at this shell types natmesh, for the hints printed at the end. */
function natmeshAsTyped(): string {
  const script = process.argv[1];
  if (script === undefined || basename(script) === 'natmesh') return 'natmesh';
  const rel = relative(process.cwd(), script);
  return 'node ' + (extname(script) === '.ts' ? '--import tsx ' : '') + (rel.startsWith('..') || isAbsolute(rel) ? script : rel);
}

/** `sudo ` when the command was run through sudo, so the hints can be pasted as they are. */
function sudoPrefix(): string {
  return process.env['SUDO_USER'] !== undefined ? 'sudo ' : '';
}

function findExecutable(name: string): boolean {
  if (name.startsWith('/')) return existsSync(name);
  return PATH_WITH_SBIN.split(':').some((d) => d !== '' && existsSync(join(d, name)) && statSync(join(d, name)).isFile());
}

/** The programs the lab runs, by package name when it differs, missing from this machine. */
function missingTools(path: LabPath): string[] {
  const tools: [string, string][] = [['ip', 'ip (iproute2)'], ['ss', 'ss (iproute2)'], ['curl', 'curl'], ['ping', 'ping (iputils-ping)'],
    ['traceroute6', 'traceroute6 (traceroute)'], [PYTHON, PYTHON]];
  if (path !== 'tun') tools.push(['ethtool', 'ethtool']);
  return tools.filter(([exe]) => !findExecutable(exe)).map(([, what]) => what);
}

/** The lab's state, or null when there is none (or it is not one `lab up` wrote). */
function readState(dir: string): LabState | null {
  try {
    const state = JSON.parse(readFileSync(join(dir, FILES.state), 'utf8')) as LabState;
    labPrefix(state.id);
    return state;
  } catch {
    return null;
  }
}

function writeState(dir: string, state: LabState): void {
  writeFileSync(join(dir, FILES.state) + '.new', JSON.stringify(state, null, 2) + '\n');
  // rename: a `lab down` racing with `lab up` reads the old state or the new one, never half.
  renameSync(join(dir, FILES.state) + '.new', join(dir, FILES.state));
}

/** Removes the files `lab up` wrote (and the directory when nothing else is in it). */
function removeLabFiles(dir: string): void {
  for (const f of Object.values(FILES)) rmSync(join(dir, f), { recursive: true, force: true });
  rmSync(join(dir, FILES.state) + '.new', { force: true });
  try { rmdirSync(dir); } catch { /* not empty (someone else's files) or gone */ }
}

function pidsIn(ns: string): number[] {
  try {
    return execFileSync(IP, ['netns', 'pids', ns], { env: CHILD_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    return [];
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Stops a lab's processes (SIGTERM first: natmesh drains its ports and exits; SIGKILL for what
 * is left after `graceMs`) and removes its namespaces and files. Returns what it did, one line each.
 */
async function removeLab(dir: string, state: LabState, graceMs = 3000): Promise<string[]> {
  // From the id, not the file's prefix: a damaged file must not name every lab's namespaces.
  const prefix = labPrefix(state.id);
  const namespaces = listLabNamespaces(prefix);
  const pids = namespaces.flatMap(pidsIn);
  for (const pid of pids) {
    try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
  }
  const deadline = performance.now() + graceMs;
  while (namespaces.some((ns) => pidsIn(ns).length > 0) && performance.now() < deadline) await sleep(50);
  const lines: string[] = [];
  const natmeshRan = state.natmeshPid !== null && pids.includes(state.natmeshPid);
  const others = pids.length - (natmeshRan ? 1 : 0);
  const stopped = [natmeshRan ? 'natmesh (pid ' + state.natmeshPid + ')' : null, others > 0 ? others + (natmeshRan ? ' other' : '') + ' process' + (others === 1 ? '' : 'es') + ' of the lab' : null];
  if (pids.length > 0) lines.push('stopped ' + stopped.filter((x) => x !== null).join(' and '));
  if (state.natmeshPid !== null && !natmeshRan) lines.push('natmesh (pid ' + state.natmeshPid + ') was no longer running; its log was ' + join(dir, FILES.natmeshLog));
  const removed = teardownLabSync(prefix);
  lines.push(removed.length > 0 ? 'removed ' + removed.length + ' namespaces with their devices: ' + removed.join(' ') : 'its namespaces (' + prefix + '*) were already gone');
  removeLabFiles(dir);
  lines.push('removed ' + dir);
  return lines;
}

/** `natmesh lab down`. */
export async function labDown(io: LabCommandIo, stateDir = labStateDir()): Promise<number> {
  if (!canBuildLab()) return notRoot(io);
  const state = readState(stateDir);
  if (state === null) {
    // A directory without a state file is what an interrupted `lab up` leaves at worst.
    if (existsSync(stateDir)) removeLabFiles(stateDir);
    io.stdout('natmesh lab: no lab is up (no ' + join(stateDir, FILES.state) + '); nothing to remove\n');
    return LAB_EXIT_OK;
  }
  io.stdout('natmesh lab down: lab ' + labPrefix(state.id) + '*\n');
  for (const line of await removeLab(stateDir, state)) io.stdout('  ' + line + '\n');
  return LAB_EXIT_OK;
}

function notRoot(io: LabCommandIo): number {
  io.stderr('natmesh lab: needs root to create network namespaces and devices (run it with sudo)\n');
  return LAB_EXIT_USAGE;
}

/** A process started inside a lab host that keeps running after this command returns. */
interface DetachedProcess {
  readonly pid: number;
  readonly logPath: string;
  /** Exit status once it has ended, else null. */
  exited(): number | string | null;
}

/** Starts `argv` in namespace `ns` in its own session, output appended to `logPath`. */
function spawnDetached(ns: string, argv: readonly string[], logPath: string, cwd: string): DetachedProcess {
  const fd = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(IP, ['netns', 'exec', ns, ...argv], { cwd, env: CHILD_ENV, detached: true, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  let status: number | string | null = null;
  child.on('error', (e) => { status = (e as NodeJS.ErrnoException).code ?? 'error'; });
  child.on('exit', (code, signal) => { status = code ?? signal ?? -1; });
  child.unref();
  return { pid: child.pid ?? -1, logPath, exited: () => status };
}

function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).map((l) => '    ' + l).join('\n');
  } catch {
    return '    (no output)';
  }
}

async function waitFor(what: string, proc: DetachedProcess, timeoutMs: number, ready: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const status = proc.exited();
    if (status !== null) throw new Error(what + ': the process ended (' + status + ') first; ' + proc.logPath + ' says:\n' + tail(proc.logPath));
    if (await ready()) return;
    if (performance.now() > deadline) throw new Error(what + ': not within ' + timeoutMs + ' ms; ' + proc.logPath + ' says:\n' + tail(proc.logPath));
    await sleep(20);
  }
}

/** One line of the report. */
interface CheckResult {
  readonly ok: boolean;
  readonly text: string;
}

/** Addresses the checks use on this data path. */
interface LabView {
  readonly pool6: string;
  /** What traceroute6's hops are: IPv6 addresses, and IPv4 addresses embedded under the prefix. */
  readonly hopNames: ReadonlyMap<string, string>;
  readonly nat64: Rfc6052Prefix;
  readonly server6: string;
  readonly client4: string;
  readonly pool4: Ipv4Prefix;
}

function bracket(v6: string): string {
  return '[' + v6 + ']';
}

/** `100.64.100.1 1024` from /whoami, when the address is in natmesh's pool. */
function poolAddressSeen(whoami: string, pool4: Ipv4Prefix): { address: string; port: string } | null {
  const m = /^(\d+\.\d+\.\d+\.\d+) (\d+)$/.exec(whoami.trim());
  if (m === null) return null;
  const a = parseIpv4(m[1]!);
  return ((a & pool4.mask) >>> 0) === pool4.address ? { address: m[1]!, port: m[2]! } : null;
}

function oneLine(text: string): string {
  return text.trim().split('\n').filter((l) => l.trim() !== '').pop() ?? '';
}

async function checkCurl6(lab: LabTopology, v: LabView): Promise<CheckResult> {
  const base = 'http://' + bracket(v.server6);
  const page = await lab.exec(LAB_HOSTS.client6, [...CURL, '-o', '/dev/null', '-w', '%{http_code} %{size_download}', base + '/'], { check: false });
  const [status, size] = page.stdout.trim().split(' ');
  const who = await lab.exec(LAB_HOSTS.client6, [...CURL, '--fail', base + '/whoami'], { check: false });
  const seen = poolAddressSeen(who.stdout, v.pool4);
  const what = 'curl ' + base + '/ from client6 (IPv6 only): ';
  if (page.code !== 0) return { ok: false, text: what + 'curl failed: ' + oneLine(page.stderr) };
  const ok = status === '200' && seen !== null;
  return {
    ok,
    text: what + 'HTTP ' + status + ', ' + size + ' bytes; the server saw the client as '
      + (seen !== null ? seen.address + ' port ' + seen.port + ' (natmesh\'s pool ' + v.pool4.toString() + ')'
        : who.code === 0 ? who.stdout.trim() + ', which is not in natmesh\'s pool' : '? (/whoami failed: ' + oneLine(who.stderr) + ')'),
  };
}

async function checkPing6(lab: LabTopology, v: LabView): Promise<CheckResult> {
  const r = await lab.exec(LAB_HOSTS.client6, ['ping', '-6', '-n', '-c', '3', '-i', '0.2', '-W', '2', v.server6], { check: false });
  const counts = /(\d+) packets transmitted, (\d+) received/.exec(r.stdout);
  const rtt = /= [\d.]+\/([\d.]+)\/[\d.]+\/[\d.]+ ms/.exec(r.stdout);
  const what = 'ping6 ' + v.server6 + ' from client6: ';
  if (counts === null) return { ok: false, text: what + 'ping failed: ' + oneLine(r.stderr + r.stdout) };
  const ok = counts[1] === counts[2] && Number(counts[2]) > 0;
  return { ok, text: what + counts[2] + ' of ' + counts[1] + ' echo replies' + (rtt !== null ? ', rtt avg ' + rtt[1] + ' ms' : '') };
}

/** The IPv4 address an address under the NAT64 prefix stands for. */
function embeddedIpv4(v: LabView, v6: string): string | null {
  try {
    const b = parseIpv6(v6);
    const out = new Uint8Array(4);
    return v.nat64.extract(b, 0, out, 0) ? formatIpv4(((out[0]! << 24) | (out[1]! << 16) | (out[2]! << 8) | out[3]!) >>> 0) : null;
  } catch {
    return null;
  }
}

async function checkTraceroute6(lab: LabTopology, v: LabView): Promise<CheckResult> {
  const r = await lab.exec(LAB_HOSTS.client6, ['traceroute6', '-n', '-q', '1', '-w', '1', '-m', '8', v.server6], { check: false, timeoutMs: 20_000 });
  const hops = r.stdout.split('\n').slice(1).filter((l) => /^\s*\d+\s/.test(l)).map((l) => l.trim().split(/\s+/)[1]!);
  const what = 'traceroute6 ' + v.server6 + ' from client6: ';
  if (hops.length === 0) return { ok: false, text: what + 'no hops: ' + oneLine(r.stderr + r.stdout) };
  let translated = false;
  const shown = hops.map((h, i) => {
    const v4 = h === '*' ? null : embeddedIpv4(v, h);
    if (v4 === null) return (i + 1) + ' ' + h + (v.hopNames.has(h) ? ' (' + v.hopNames.get(h) + ')' : '');
    if (h === v.server6) return (i + 1) + ' ' + h + ' (the server)';
    // RFC 7915 §4.2: an IPv4 router's Time Exceeded, translated to ICMPv6, from the router's address under the prefix.
    translated = true;
    return (i + 1) + ' ' + h + ' (' + (v.hopNames.get(v4) ?? 'IPv4 router') + ' ' + v4 + ': ICMPv4 Time Exceeded, translated)';
  });
  const ok = hops[hops.length - 1] === v.server6 && translated;
  return { ok, text: what + shown.join(', ') + (ok ? '' : hops[hops.length - 1] !== v.server6 ? '; did not reach the server' : '; no translated router hop') };
}

const UDP_EXCHANGE = [
  'import socket, sys',
  'family = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET',
  's = socket.socket(family, socket.SOCK_DGRAM)',
  's.settimeout(float(sys.argv[5]))',
  'for attempt in range(int(sys.argv[4])):',
  '    s.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))',
  '    try:',
  '        print(s.recvfrom(2048)[0].decode()); break',
  '    except socket.timeout:',
  '        pass',
  'else:',
  '    print("timeout")',
].join('\n');

/** A UDP datagram from `host` and the answer, or "timeout" (python: the lab hosts need no netcat). */
export async function udpExchange(lab: LabTopology, host: string, address: string, port: number, payload: string, attempts = 3, timeoutS = 1): Promise<string> {
  const r = await lab.exec(host, [PYTHON, '-c', UDP_EXCHANGE, address, String(port), payload, String(attempts), String(timeoutS)], { check: false });
  return r.code === 0 ? r.stdout.trim() : 'error: ' + oneLine(r.stderr);
}

async function checkUdp6(lab: LabTopology, v: LabView): Promise<CheckResult> {
  const answer = await udpExchange(lab, LAB_HOSTS.client6, v.server6, 7, 'hello natmesh');
  return { ok: answer === 'echo hello natmesh', text: 'UDP from client6 to ' + bracket(v.server6) + ':7: sent "hello natmesh", ' + (answer === 'timeout' ? 'no answer' : 'got "' + answer + '"') };
}

async function checkNat44(lab: LabTopology, v: LabView): Promise<CheckResult & { poolAddress: string | null }> {
  const url = 'http://' + LAB_ADDRESSES.server4 + '/whoami';
  const r = await lab.exec(LAB_HOSTS.client4, [...CURL, '-w', '\n%{http_code}', url], { check: false });
  const what = 'curl ' + url + ' from client4 (' + v.client4 + ', behind NAT44): ';
  if (r.code !== 0) return { ok: false, poolAddress: null, text: what + 'curl failed: ' + oneLine(r.stderr), };
  const cut = r.stdout.lastIndexOf('\n');
  const body = r.stdout.slice(0, cut);
  const status = r.stdout.slice(cut + 1);
  const seen = poolAddressSeen(body, v.pool4);
  return {
    ok: status === '200' && seen !== null,
    poolAddress: seen?.address ?? null,
    text: what + 'HTTP ' + status + '; the server saw the client as ' + (seen !== null ? seen.address + ' port ' + seen.port + ' (natmesh\'s pool)' : body.trim() + ', which is not in natmesh\'s pool'),
  };
}

/** natmesh's drop counters summed (Prometheus text from its API inside the gateway namespace). */
async function droppedPackets(lab: LabTopology): Promise<number | null> {
  const r = await lab.exec(LAB_HOSTS.gateway, [...CURL, '--fail', 'http://' + API_LISTEN + '/metrics'], { check: false });
  if (r.code !== 0) return null;
  let n = 0;
  for (const line of r.stdout.split('\n')) if (line.startsWith('natmesh_drops_total')) n += Number(line.slice(line.lastIndexOf(' ') + 1));
  return n;
}

async function checkUnsolicited(lab: LabTopology, v: LabView, poolAddress: string | null): Promise<CheckResult> {
  const target = poolAddress ?? formatIpv4(v.pool4.address + 1);
  const before = await droppedPackets(lab);
  const [udp, ping] = await Promise.all([
    udpExchange(lab, LAB_HOSTS.server4, target, UNSOLICITED_PORT, 'unsolicited', 2, 0.5),
    lab.exec(LAB_HOSTS.server4, ['ping', '-n', '-c', '1', '-W', '1', v.client4], { check: false }),
  ]);
  const after = await droppedPackets(lab);
  const dropped = before !== null && after !== null ? after - before : null;
  const udpRefused = udp === 'timeout';
  const pingRefused = ping.code !== 0;
  const ok = udpRefused && pingRefused && dropped !== null && dropped > 0;
  return {
    ok,
    text: 'unsolicited inbound from server4: UDP to ' + target + ':' + UNSOLICITED_PORT + (udpRefused ? ' got no answer' : ' was ANSWERED ("' + udp + '")')
      + ', ping to the private ' + v.client4 + (pingRefused ? ' got no reply' : ' was ANSWERED')
      + (dropped === null ? '; natmesh\'s drop counters unreadable' : '; natmesh counted ' + dropped + ' dropped packet' + (dropped === 1 ? '' : 's')),
  };
}

async function apiJson(lab: LabTopology, path: string): Promise<unknown> {
  const r = await lab.exec(LAB_HOSTS.gateway, [...CURL, '--fail', 'http://' + API_LISTEN + path], { check: false });
  if (r.code !== 0) throw new Error('GET ' + path + ': ' + oneLine(r.stderr));
  return JSON.parse(r.stdout) as unknown;
}

/** Parses `--path` and `--prefix`, or says what is wrong. */
function parseUpOptions(opts: LabUpOptions): { path: LabPath; pool6: string; nat64: Rfc6052Prefix } | string {
  if (!LAB_PATHS.includes(opts.path as LabPath)) return '--path must be one of ' + LAB_PATHS.join(', ') + ' (got "' + opts.path + '")';
  try {
    const nat64 = new Rfc6052Prefix(Ipv6Prefix.parse(opts.prefix));
    return { path: opts.path as LabPath, pool6: nat64.prefix.toString(), nat64 };
  } catch (e) {
    if (e instanceof AddressConfigError) return '--prefix: ' + e.message;
    throw e;
  }
}

/** `natmesh lab` / `natmesh lab up`. */
export async function labUp(opts: LabUpOptions, io: LabCommandIo): Promise<number> {
  const parsed = parseUpOptions(opts);
  if (typeof parsed === 'string') {
    io.stderr('natmesh lab: ' + parsed + '\n');
    return LAB_EXIT_USAGE;
  }
  if (!canBuildLab()) return notRoot(io);
  const { path, pool6, nat64 } = parsed;
  const missing = missingTools(path);
  if (missing.length > 0) {
    io.stderr('natmesh lab: missing ' + missing.join(', ') + '; sudo ./scripts/setup.sh installs them\n');
    return LAB_EXIT_USAGE;
  }
  const dir = opts.stateDir ?? labStateDir();
  const previous = readState(dir);
  if (previous !== null) {
    io.stdout('natmesh lab: replacing the lab that is up (' + previous.prefix + '*)\n');
    for (const line of await removeLab(dir, previous)) io.stdout('  ' + line + '\n');
  }
  mkdirSync(join(dir, FILES.www), { recursive: true });
  writeFileSync(join(dir, FILES.www, 'index.html'), SMALL_PAGE);

  const id = uniqueLabId('lab');
  const prefix = labPrefix(id);
  const state: LabState = { id, prefix, path, pool6, natmeshPid: null, serverPid: null, api: 'http://' + API_LISTEN, createdAt: new Date().toISOString() };
  // Written before anything exists, so `lab down` finds whatever an interrupted `lab up` left.
  writeState(dir, state);
  // Interrupted while building (Ctrl-C): LabTopology removes the namespaces; the files go too.
  let built = false;
  const removeFilesIfUnbuilt = (): void => { if (!built) removeLabFiles(dir); };
  process.on('exit', removeFilesIfUnbuilt);

  // router4 (with an ordinary MTU) between the gateway and the server: an IPv4-only router, whose
  // Time Exceeded traceroute6 shows translated.
  const labOpts: StandardLabOptions = { tunnels: path === 'tun' ? [] : [path], ipv4LinkMtu: 1500 };
  const plan = path === 'tun' ? null : labTunnelPlan(path);
  const A = LAB_ADDRESSES;
  const errorSource6 = plan?.gateway6 ?? TUN_ERROR_SOURCE6;
  const hopNames = new Map<string, string>([
    [A.gateway6, 'the gateway namespace\'s kernel'],
    [errorSource6, 'natmesh'],
    [A.gatewayToRouter4, 'the gateway namespace\'s kernel'],
    [A.router4, 'router4'],
    [A.serverNextHop4, 'router4'],
    [labTunnelPlan('vxlan').edge4, 'router4'],
    [labTunnelPlan('geneve').edge4, 'router4'],
  ]);
  const v: LabView = {
    pool6,
    hopNames,
    nat64,
    server6: labNat64Address(pool6, LAB_ADDRESSES.server4),
    client4: plan?.client4 ?? LAB_ADDRESSES.client4,
    pool4: Ipv4Prefix.parse(LAB_ADDRESSES.natmeshPool4),
  };
  const natmeshLog = join(dir, FILES.natmeshLog);
  io.stdout('natmesh lab: building ' + prefix + '* (data path ' + path + ', NAT64 prefix ' + pool6 + ')\n');
  let lab: LabTopology | null = null;
  let natmesh: DetachedProcess;
  try {
    lab = await LabTopology.create(id, standardLabSpec(labOpts));
    const routes: LabRouteSpec[] = [...labPathRoutes(path, labOpts)];
    // The tunnel paths route only the lab's two prefixes into the client's tunnel; TUN has a default route.
    if (plan !== null && pool6 !== LAB_ADDRESSES.wkp && pool6 !== LAB_ADDRESSES.nsp64) {
      routes.push({ host: LAB_HOSTS.client6, prefix: pool6, via: plan.gateway6, dev: plan.ifname });
    }
    await lab.setRoutes(routes);
    const topo = lab;

    const server = spawnDetached(topo.ns(LAB_HOSTS.server4), [PYTHON, join(ROOT, 'scripts/lab-test-server.py'), '--dir', join(dir, FILES.www)], join(dir, FILES.serverLog), ROOT);
    await waitFor('the lab server', server, 10_000, async () => readFileSync(server.logPath, 'utf8').includes('ready'));

    const config = labGatewayConfig({ path, pool6, apiListen: API_LISTEN }, labOpts);
    const nat = (config.tenants as { nat: { nat64: Record<string, unknown> } }[])[0]!.nat;
    nat.nat64.translator = { ipv6ErrorSource: errorSource6 };
    writeFileSync(join(dir, FILES.config), stringify(config));
    natmesh = spawnDetached(topo.ns(LAB_HOSTS.gateway), [...natmeshArgv(), 'run', '--config', join(dir, FILES.config)], natmeshLog, ROOT);
    writeState(dir, { ...state, natmeshPid: natmesh.pid, serverPid: server.pid });
    if (path === 'tun') {
      const dev = (config.ports as { device: string }[])[0]!.device;
      await waitFor('natmesh\'s TUN device ' + dev, natmesh, 15_000, async () => (await topo.exec(LAB_HOSTS.gateway, [IP, 'link', 'show', dev], { check: false })).code === 0);
      await topo.ip(LAB_HOSTS.gateway, labTunCommands(dev, [LAB_ADDRESSES.natmeshPool4], { nat44: true, nat64Prefixes: [pool6] }, labOpts));
    }
    await waitFor('natmesh\'s API at ' + API_LISTEN, natmesh, 15_000, async () => (await topo.exec(LAB_HOSTS.gateway, [...CURL, '--fail', '-o', '/dev/null', 'http://' + API_LISTEN + '/status'], { check: false })).code === 0);
    if (plan !== null) {
      await waitFor('natmesh\'s ' + path + ' port ' + plan.udpPort, natmesh, 15_000, async () => (await topo.exec(LAB_HOSTS.gateway, ['ss', '-Hlun', 'sport = :' + plan.udpPort], { check: false })).stdout.trim() !== '');
    }
  } catch (e) {
    io.stderr('natmesh lab: could not build the lab: ' + (e instanceof Error ? e.message : String(e)) + '\n');
    if (lab !== null) await lab.down();
    teardownLabSync(prefix);
    removeLabFiles(dir);
    process.off('exit', removeFilesIfUnbuilt);
    return LAB_EXIT_FAILED;
  }
  built = true;
  process.off('exit', removeFilesIfUnbuilt);
  // The lab now outlives this command.
  lab.detach();

  const ns = (host: string): string => prefix + host;
  io.stdout([
    '  ' + ns(LAB_HOSTS.client6) + '  IPv6 only: ' + (plan?.client6 ?? A.client6),
    '  ' + ns(LAB_HOSTS.server4) + '  IPv4 only: ' + A.server4 + ', HTTP on :80, UDP echo on :7; reached from IPv6 as ' + v.server6,
    '  ' + ns(LAB_HOSTS.client4) + '  IPv4 behind NAT44: ' + v.client4,
    '  ' + ns(LAB_HOSTS.router4) + '  IPv4 router between the gateway and the server',
    '  ' + ns(LAB_HOSTS.gateway) + '  natmesh (pid ' + natmesh.pid + ') on ' + (path === 'tun' ? 'TUN device natmesh0' : path + ' UDP ' + A.tunnelListen4 + ':' + plan!.udpPort)
      + ', pool ' + A.natmeshPool4 + ', API http://' + API_LISTEN + ' (in this namespace)',
    '',
    'checks',
    '',
  ].join('\n'));

  const results: CheckResult[] = [];
  const report = (r: CheckResult): void => {
    results.push(r);
    io.stdout('  ' + (r.ok ? 'ok      ' : 'FAILED  ') + r.text + '\n');
  };
  report(await checkCurl6(lab, v));
  report(await checkPing6(lab, v));
  report(await checkTraceroute6(lab, v));
  report(await checkUdp6(lab, v));
  const nat44 = await checkNat44(lab, v);
  report(nat44);
  report(await checkUnsolicited(lab, v, nat44.poolAddress));

  try {
    const status = await apiJson(lab, '/status') as StatusAnswer;
    const sessions = await apiJson(lab, '/sessions?limit=50') as { total: number; sessions: SessionAnswer[] };
    io.stdout('\nnatmesh status\n' + formatStatus(status).map((l) => '  ' + l).join('\n') + '\n');
    io.stdout('\nnatmesh sessions\n' + formatSessions(sessions.sessions, sessions.total).map((l) => '  ' + l).join('\n') + '\n');
  } catch (e) {
    io.stdout('\nnatmesh\'s API did not answer: ' + (e instanceof Error ? e.message : String(e)) + '\n');
    results.push({ ok: false, text: 'API' });
  }

  const sudo = sudoPrefix();
  const nm = natmeshAsTyped();
  const failed = results.filter((r) => !r.ok).length;
  io.stdout([
    '',
    failed === 0 ? 'all ' + results.length + ' checks passed; the lab stays up.' : failed + ' of ' + results.length + ' checks FAILED; the lab stays up for a look.',
    '',
    'look around',
    '  ' + sudo + 'ip netns exec ' + ns(LAB_HOSTS.client6) + ' curl http://' + bracket(v.server6) + '/whoami',
    '  ' + sudo + 'ip netns exec ' + ns(LAB_HOSTS.client6) + ' ping -6 -c 3 ' + v.server6,
    '  ' + sudo + 'ip netns exec ' + ns(LAB_HOSTS.client4) + ' curl http://' + A.server4 + '/whoami',
    '  ' + sudo + 'ip netns exec ' + ns(LAB_HOSTS.gateway) + ' ' + nm + ' sessions --api http://' + API_LISTEN,
    '  ' + sudo + 'ip netns exec ' + ns(LAB_HOSTS.gateway) + ' ' + nm + ' status --api http://' + API_LISTEN,
    '  natmesh\'s log: ' + natmeshLog + '; its configuration: ' + join(dir, FILES.config),
    'remove it',
    '  ' + sudo + nm + ' lab down',
    '',
  ].join('\n'));
  return failed === 0 ? LAB_EXIT_OK : LAB_EXIT_FAILED;
}

/** `natmesh lab [up|down]`. */
export function labCommand(action: string, opts: LabUpOptions, io: LabCommandIo): Promise<number> {
  if (action === 'up') return labUp(opts, io);
  if (action === 'down') return labDown(io, opts.stateDir);
  io.stderr('natmesh lab: unknown action "' + action + '" (up or down)\n');
  return Promise.resolve(LAB_EXIT_USAGE);
}

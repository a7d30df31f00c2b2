import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseIpv4 } from '../addr/ipv4-address.js';
import { formatIpv6 } from '../addr/ipv6-address.js';
import { Ipv6Prefix } from '../addr/ipv6-prefix.js';
import { Rfc6052Prefix } from '../xlat/rfc6052.js';

/**
 * Network namespaces with real Linux hosts, for `natmesh lab`, the end-to-end tests and the
 * benchmark against TAYGA.
 *
 * Everything a topology creates lives inside namespaces named `<prefix><host>` (veth pairs are
 * created straight into their namespaces, so nothing is left in the root namespace), and the
 * prefix `nm-<id>-` is unique per topology. Teardown therefore needs no record of what was
 * built: it kills the processes in every namespace whose name starts with the prefix and deletes
 * the namespaces, which removes their devices, addresses and routes with them. That is what makes
 * teardown idempotent and safe after a crash (`teardownLabSync(prefix)` from another process,
 * `natmesh lab down`, or a signal handler).
 *
 * Building uses one `ip -batch` per namespace and phase, so a four-host topology comes up in a
 * few tens of milliseconds. Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN for `ip netns`).
 */

/** One host: a network namespace. */
export interface LabHostSpec {
  /** Short name, unique in the topology; the namespace is `<prefix><name>`. */
  readonly name: string;
  /** Forward IPv4 and IPv6 between its interfaces (a router or a gateway). */
  readonly router?: boolean;
  /** Extra sysctls, applied before any interface exists, e.g. `{ 'net.ipv4.ping_group_range': '0 0' }`. */
  readonly sysctls?: Readonly<Record<string, string>>;
  /** Addresses on its loopback device (`198.18.0.1/32`). */
  readonly loopback?: readonly string[];
}

/** One end of a veth pair. */
export interface LabLinkEnd {
  readonly host: string;
  /** Interface name inside the host (at most 15 characters, IFNAMSIZ). */
  readonly ifname: string;
  /** Addresses with prefix length: `2001:db8:1::2/64`, `100.64.1.2/24`. */
  readonly addresses?: readonly string[];
  readonly mac?: string;
}

/** A veth pair between two hosts. */
export interface LabLinkSpec {
  readonly a: LabLinkEnd;
  readonly b: LabLinkEnd;
  /** MTU of both ends (default 1500). */
  readonly mtu?: number;
}

/**
 * A VXLAN (RFC 7348) or Geneve (RFC 8926) device inside a host: the kernel's, or for Geneve on a
 * kernel without the driver (CONFIG_GENEVE unset) a TAP device with the user-space endpoint
 * scripts/geneve-tap-endpoint.py behind it.
 */
export interface LabTunnelSpec {
  readonly host: string;
  readonly ifname: string;
  readonly type: 'vxlan' | 'geneve';
  readonly vni: number;
  /** Remote tunnel endpoint (IPv4 or IPv6 underlay address). */
  readonly remote: string;
  /** Local underlay address (VXLAN only; Geneve picks it by route). */
  readonly local?: string;
  /** UDP destination port (default 4789 for VXLAN, 6081 for Geneve). */
  readonly dstPort?: number;
  readonly addresses?: readonly string[];
  readonly mtu?: number;
  readonly mac?: string;
}

/** A route inside a host. Exactly one of `via` and `dev` is usually enough; both are allowed. */
export interface LabRouteSpec {
  readonly host: string;
  /** Destination prefix, or `default` (IPv4) / `::/0` (IPv6). */
  readonly prefix: string;
  readonly via?: string;
  readonly dev?: string;
  /** Path MTU to record on the route (`ip route ... mtu N`). */
  readonly mtu?: number;
  /** TCP MSS to advertise to destinations over this route (`advmss N`). */
  readonly advmss?: number;
  /** Preferred source address for traffic this host originates over the route. */
  readonly src?: string;
  /** Routing table (default main). */
  readonly table?: number;
  /** `unreachable`, `prohibit` or `blackhole` instead of a unicast route. */
  readonly type?: 'unreachable' | 'prohibit' | 'blackhole';
}

export interface LabTopologySpec {
  readonly hosts: readonly LabHostSpec[];
  readonly links: readonly LabLinkSpec[];
  readonly tunnels?: readonly LabTunnelSpec[];
  readonly routes?: readonly LabRouteSpec[];
}

/** Output of a command run in a host. */
export interface LabCommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface LabRunOptions {
  /** Kill the command after this long (default 30 s). */
  readonly timeoutMs?: number;
  /** Throw `LabCommandError` on a non-zero exit (default true). */
  readonly check?: boolean;
  /** Largest output kept, in bytes (default 64 MiB). */
  readonly maxBuffer?: number;
}

/** A command failed: which one, in which namespace, and what it said. */
export class LabCommandError extends Error {
  readonly code = 'LAB_COMMAND_FAILED';
  constructor(readonly argv: readonly string[], readonly status: number | string, readonly stderr: string) {
    super(argv.join(' ') + ' failed (' + status + '): ' + stderr.trim());
    this.name = 'LabCommandError';
  }
}

/** A topology name is refused (characters `ip netns` or an interface name cannot carry). */
export class LabSpecError extends Error {
  readonly code = 'LAB_SPEC_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'LabSpecError';
  }
}

/** `ip` lives in /usr/sbin or /sbin, which a non-login PATH may lack. */
const IP = process.env.NATMESH_IP ?? 'ip';
const PATH_WITH_SBIN = (process.env.PATH ?? '/usr/bin:/bin') + ':/usr/sbin:/sbin';
const CHILD_ENV = { ...process.env, PATH: PATH_WITH_SBIN };

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The repository's scripts/ (this file runs from src/control/ or dist/control/). */
function scriptPath(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4 && !existsSync(join(dir, 'scripts', name)); i++) dir = dirname(dir);
  return join(dir, 'scripts', name);
}

let kernelGeneve: boolean | null = null;

/** Whether the kernel can make `geneve` devices (probed once, in a namespace of the lab). */
async function hasKernelGeneve(ns: string): Promise<boolean> {
  if (kernelGeneve === null) {
    const r = await run([IP, '-n', ns, 'link', 'add', 'nm-geneve-probe', 'type', 'geneve', 'id', '1', 'remote', '127.0.0.1'], null, { check: false });
    kernelGeneve = r.code === 0;
    if (kernelGeneve) await run([IP, '-n', ns, 'link', 'del', 'nm-geneve-probe'], null, { check: false });
  }
  return kernelGeneve;
}
const IFNAME_RE = /^[A-Za-z0-9_.-]{1,15}$/;

/** The namespace-name prefix of a topology: `nm-<id>-`. */
export function labPrefix(id: string): string {
  if (!NAME_RE.test(id)) throw new LabSpecError('lab id "' + id + '" must be letters, digits, "_", "." or "-"');
  return 'nm-' + id + '-';
}

/** A fresh id, unique enough for concurrent test files: pid plus random bits. */
export function uniqueLabId(tag = 't'): string {
  return tag + process.pid.toString(36) + randomBytes(3).toString('hex');
}

/** True when this process may build namespaces (root; `ip netns` needs CAP_SYS_ADMIN). */
export function canBuildLab(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function run(argv: readonly string[], input: string | null, opts: LabRunOptions = {}): Promise<LabCommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(argv[0]!, argv.slice(1), {
      env: CHILD_ENV,
      timeout: opts.timeoutMs ?? 30_000,
      maxBuffer: opts.maxBuffer ?? 64 * 1024 * 1024,
      encoding: 'utf8',
    }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: string }) | null;
      const code = e === null ? 0 : typeof e.code === 'number' ? e.code : -1;
      if (e !== null && typeof e.code === 'string') {
        // Spawn failure (ENOENT...): no exit status at all.
        reject(new LabCommandError(argv, e.code, e.message));
        return;
      }
      if (code !== 0 && opts.check !== false) {
        reject(new LabCommandError(argv, e?.killed ? 'killed after ' + (opts.timeoutMs ?? 30_000) + ' ms' : code, stderr));
        return;
      }
      resolve({ code, stdout, stderr });
    });
    if (input !== null) child.stdin!.end(input);
  });
}

/** Runs `ip -batch -` (optionally inside namespace `ns`) with one command per line. */
async function ipBatch(ns: string | null, lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  const argv = ns === null ? [IP, '-batch', '-'] : [IP, '-n', ns, '-batch', '-'];
  try {
    await run(argv, lines.join('\n') + '\n');
  } catch (e) {
    if (e instanceof LabCommandError) {
      // ip reports "Command failed -:N"; name the line so the message says what went wrong.
      const m = /-:(\d+)/.exec(e.stderr);
      const line = m ? lines[Number(m[1]) - 1] : undefined;
      throw new LabCommandError(line === undefined ? argv : [...argv.slice(0, -2), ...line.split(' ')], e.status, e.stderr);
    }
    throw e;
  }
}

function listNamespacesSync(): string[] {
  let out: string;
  try {
    out = execFileSync(IP, ['netns', 'list'], { env: CHILD_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return [];
  }
  // Lines are "name" or "name (id: 3)".
  return out.split('\n').map((l) => l.trim().split(' ')[0]!).filter((n) => n !== '');
}

/** Namespaces whose name starts with `prefix` (a `labPrefix`, or `nm-` for every lab). */
export function listLabNamespaces(prefix: string): string[] {
  return listNamespacesSync().filter((n) => n.startsWith(prefix));
}

function pidsInNamespaceSync(ns: string): number[] {
  try {
    const out = execFileSync(IP, ['netns', 'pids', ns], { env: CHILD_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\n').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    return [];
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Removes every namespace whose name starts with `prefix`, after killing the processes inside
 * (a process keeps its namespace, and so its devices, alive after `ip netns del`). Synchronous so
 * that it can run from a signal or exit handler. Safe to call any number of times. Returns the
 * namespaces removed.
 */
export function teardownLabSync(prefix: string): string[] {
  if (prefix.length < 4 || !prefix.startsWith('nm-')) throw new LabSpecError('refusing to tear down namespaces by the prefix "' + prefix + '"');
  const names = listLabNamespaces(prefix);
  for (const ns of names) {
    for (const pid of pidsInNamespaceSync(ns)) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  }
  for (const ns of names) {
    for (let i = 0; i < 50 && pidsInNamespaceSync(ns).length > 0; i++) sleepSync(10);
    try {
      execFileSync(IP, ['netns', 'del', ns], { env: CHILD_ENV, stdio: 'ignore' });
    } catch { /* removed concurrently */ }
  }
  return names;
}

const signalTeardowns = new Set<string>();
let signalHandlersInstalled = false;

function onFatalSignal(signal: NodeJS.Signals): void {
  for (const prefix of signalTeardowns) teardownLabSync(prefix);
  signalTeardowns.clear();
  process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
}

/**
 * Makes sure the namespaces of `prefix` are removed if this process is interrupted (SIGINT,
 * SIGTERM, SIGHUP) or exits without tearing down. Returns a function that cancels it (call it
 * after a normal teardown).
 */
export function teardownOnExit(prefix: string): () => void {
  signalTeardowns.add(prefix);
  if (!signalHandlersInstalled) {
    signalHandlersInstalled = true;
    process.on('SIGINT', onFatalSignal);
    process.on('SIGTERM', onFatalSignal);
    process.on('SIGHUP', onFatalSignal);
    process.on('exit', () => {
      for (const p of signalTeardowns) teardownLabSync(p);
    });
  }
  return () => { signalTeardowns.delete(prefix); };
}

/** A background process running in a lab host. */
export interface LabProcess {
  readonly child: ChildProcess;
  /** PID of the program itself (`ip netns exec` execs it, so it is the same process). */
  readonly pid: number;
  /** Everything it wrote so far (kept up to 1 MiB each). */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit status (or signal name) when it ends. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs` (default 2 s); resolves when it has ended. */
  stop(graceMs?: number): Promise<number | string>;
}

function routeLine(r: LabRouteSpec): string {
  const words = ['route', 'replace'];
  if (r.type !== undefined) words.push(r.type);
  words.push(r.prefix);
  if (r.via !== undefined) words.push('via', r.via);
  if (r.dev !== undefined) words.push('dev', r.dev);
  if (r.mtu !== undefined) words.push('mtu', String(r.mtu));
  if (r.advmss !== undefined) words.push('advmss', String(r.advmss));
  if (r.src !== undefined) words.push('src', r.src);
  if (r.table !== undefined) words.push('table', String(r.table));
  // A batch line takes no options: the family comes from the prefix (`::/0`, not `default`, for IPv6).
  return words.join(' ');
}

function addressLines(ifname: string, addresses: readonly string[] | undefined): string[] {
  // nodad: a lab address is unique by construction, and Duplicate Address Detection would keep
  // it tentative (unusable) for a second or more.
  return (addresses ?? []).map((a) => 'address add ' + a + ' dev ' + ifname + (a.includes(':') ? ' nodad' : ''));
}

const BASE_SYSCTLS: Readonly<Record<string, string>> = {
  // DAD off before any interface exists, so every interface inherits it from `default`.
  'net.ipv6.conf.all.accept_dad': '0',
  'net.ipv6.conf.default.accept_dad': '0',
  // Hosts are configured statically; router advertisements from a neighbour must not add routes.
  'net.ipv6.conf.all.accept_ra': '0',
  'net.ipv6.conf.default.accept_ra': '0',
  // Replies may come back over a tunnel device other than the one the route names.
  'net.ipv4.conf.all.rp_filter': '0',
  'net.ipv4.conf.default.rp_filter': '0',
  // Unprivileged ICMP echo sockets, so ping needs no raw socket.
  'net.ipv4.ping_group_range': '0 2147483647',
};

const ROUTER_SYSCTLS: Readonly<Record<string, string>> = {
  'net.ipv4.ip_forward': '1',
  'net.ipv6.conf.all.forwarding': '1',
  'net.ipv6.conf.default.forwarding': '1',
};

function validate(spec: LabTopologySpec): void {
  const hosts = new Set<string>();
  for (const h of spec.hosts) {
    if (!NAME_RE.test(h.name)) throw new LabSpecError('host name "' + h.name + '" must be letters, digits, "_", "." or "-"');
    if (hosts.has(h.name)) throw new LabSpecError('host "' + h.name + '" is defined twice');
    hosts.add(h.name);
  }
  const ifaces = new Set<string>();
  const checkIface = (host: string, ifname: string): void => {
    if (!hosts.has(host)) throw new LabSpecError('no host "' + host + '" for interface ' + ifname);
    if (!IFNAME_RE.test(ifname)) throw new LabSpecError('interface name "' + ifname + '" is not 1 to 15 letters, digits, "_", "." or "-"');
    const key = host + '/' + ifname;
    if (ifaces.has(key)) throw new LabSpecError('interface ' + ifname + ' is defined twice in host ' + host);
    ifaces.add(key);
  };
  for (const l of spec.links) { checkIface(l.a.host, l.a.ifname); checkIface(l.b.host, l.b.ifname); }
  for (const t of spec.tunnels ?? []) checkIface(t.host, t.ifname);
  for (const r of spec.routes ?? []) if (!hosts.has(r.host)) throw new LabSpecError('no host "' + r.host + '" for route ' + r.prefix);
}

/**
 * A built topology. `LabTopology.create` builds it (tearing down what it made if any step
 * fails); `down` removes it. Processes started with `spawn` are stopped by `down`.
 */
export class LabTopology {
  private readonly processes = new Set<LabProcess>();
  private cancelExitTeardown: () => void = () => {};

  private constructor(readonly prefix: string, readonly spec: LabTopologySpec) {}

  /** Builds `spec` in namespaces `nm-<id>-<host>`. Namespaces left by an earlier run with the same id are removed first. */
  static async create(id: string, spec: LabTopologySpec): Promise<LabTopology> {
    validate(spec);
    const lab = new LabTopology(labPrefix(id), spec);
    teardownLabSync(lab.prefix);
    lab.cancelExitTeardown = teardownOnExit(lab.prefix);
    try {
      await lab.build();
    } catch (e) {
      await lab.down();
      throw e;
    }
    return lab;
  }

  /** The namespace of host `host`. */
  ns(host: string): string {
    if (!this.spec.hosts.some((h) => h.name === host)) throw new LabSpecError('no host "' + host + '" in this topology');
    return this.prefix + host;
  }

  private async build(): Promise<void> {
    const { hosts, links } = this.spec;
    await ipBatch(null, hosts.map((h) => 'netns add ' + this.prefix + h.name));
    await Promise.all(hosts.map((h) => {
      const sysctls = { ...BASE_SYSCTLS, ...(h.router ? ROUTER_SYSCTLS : {}), ...(h.sysctls ?? {}) };
      return run([IP, 'netns', 'exec', this.ns(h.name), 'sysctl', '-q', '-w', ...Object.entries(sysctls).map(([k, v]) => k + '=' + v)], null);
    }));
    // Each end is created straight inside its namespace: no name ever exists in the root one.
    // Interface indexes are distinct across the topology: the kernel treats a carrier change
    // of a device whose peer has its own index as not urgent and reports it up to a second
    // late, and two namespaces' first devices would otherwise both be index 2.
    await ipBatch(null, links.map((l, i) => 'link add name ' + l.a.ifname + ' netns ' + this.ns(l.a.host) + ' index ' + (10 + 2 * i)
      + (l.a.mac ? ' address ' + l.a.mac : '') + (l.mtu ? ' mtu ' + l.mtu : '')
      + ' type veth peer name ' + l.b.ifname + ' netns ' + this.ns(l.b.host) + ' index ' + (11 + 2 * i)
      + (l.b.mac ? ' address ' + l.b.mac : '') + (l.mtu ? ' mtu ' + l.mtu : '')));
    const perHost = new Map<string, string[]>(hosts.map((h) => [h.name, ['link set lo up', ...addressLines('lo', h.loopback)]]));
    for (const l of links) {
      for (const end of [l.a, l.b]) {
        const lines = perHost.get(end.host)!;
        lines.push(...addressLines(end.ifname, end.addresses), 'link set ' + end.ifname + ' up');
      }
    }
    const tapEndpoints: LabTunnelSpec[] = [];
    for (const t of this.spec.tunnels ?? []) {
      const lines = perHost.get(t.host)!;
      const port = t.dstPort ?? (t.type === 'vxlan' ? 4789 : 6081);
      if (t.type === 'geneve' && !(await hasKernelGeneve(this.ns(t.host)))) {
        // Geneve adds 50 bytes over IPv4 (outer IPv4, UDP, Geneve, inner Ethernet), as the kernel's default MTU assumes.
        lines.push('tuntap add dev ' + t.ifname + ' mode tap', 'link set ' + t.ifname + ' mtu ' + (t.mtu ?? 1450) + (t.mac ? ' address ' + t.mac : ''),
          ...addressLines(t.ifname, t.addresses), 'link set ' + t.ifname + ' up');
        tapEndpoints.push(t);
        continue;
      }
      let add = 'link add ' + t.ifname + (t.mac ? ' address ' + t.mac : '') + (t.mtu ? ' mtu ' + t.mtu : '') + ' type ' + t.type + ' id ' + t.vni + ' remote ' + t.remote + ' dstport ' + port;
      // A lab VXLAN has one remote: no learning, no multicast group.
      if (t.type === 'vxlan') add += (t.local ? ' local ' + t.local : '') + ' nolearning';
      lines.push(add, ...addressLines(t.ifname, t.addresses), 'link set ' + t.ifname + ' up');
    }
    await Promise.all([...perHost].map(([host, lines]) => ipBatch(this.ns(host), lines)));
    await Promise.all(tapEndpoints.map((t) => this.startGeneveEndpoint(t)));
    // Over veth a packet's checksum may stay unfinished all the way (CHECKSUM_PARTIAL: no hardware
    // ever completes it), and a kernel tunnel device would carry the inner TCP/UDP checksum
    // unfinished to the receiver's UDP socket: a userspace endpoint such as natmesh would see
    // a wrong checksum. A real NIC completes it; here the tunnel device does, in software.
    await Promise.all((this.spec.tunnels ?? []).filter((t) => !tapEndpoints.includes(t)).map((t) =>
      run([IP, 'netns', 'exec', this.ns(t.host), 'ethtool', '-K', t.ifname, 'tx', 'off'], null).catch((e: unknown) => {
        throw e instanceof LabCommandError && /ENOENT|No such file/.test(e.stderr + String(e.status))
          ? new LabCommandError(e.argv, e.status, 'ethtool is needed to turn off checksum offload on tunnel devices (scripts/setup.sh installs it)')
          : e;
      })));
    await this.setRoutes(this.spec.routes ?? []);
    await this.waitForCarrier();
  }

  private async startGeneveEndpoint(t: LabTunnelSpec): Promise<void> {
    const proc = this.spawn(t.host, ['/usr/bin/python3', scriptPath('geneve-tap-endpoint.py'), '--dev', t.ifname, '--vni', String(t.vni),
      '--remote', t.remote, '--port', String(t.dstPort ?? 6081)]);
    const deadline = performance.now() + 5000;
    while (!proc.stdout().includes('ready')) {
      if (proc.child.exitCode !== null || performance.now() > deadline) {
        throw new LabCommandError(['geneve-tap-endpoint.py', '--dev', t.ifname], 'did not start', proc.stderr());
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * Waits until every veth has carrier: the kernel reports a veth's carrier through its link
   * watch, which can lag the `link set up` of the peer, and until then the device's queue drops
   * every packet.
   */
  private async waitForCarrier(timeoutMs = 3000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (const h of this.spec.hosts) {
      for (;;) {
        const out = (await run([IP, '-n', this.ns(h.name), '-o', 'link', 'show'], null)).stdout;
        const waiting = out.split('\n').filter((l) => l.includes('NO-CARRIER'));
        if (waiting.length === 0) break;
        if (performance.now() > deadline) throw new LabCommandError([IP, '-n', this.ns(h.name), 'link', 'show'], 'no carrier after ' + timeoutMs + ' ms', waiting.join('\n'));
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  }

  /** Adds or replaces routes (`ip route replace`), one batch per host. */
  async setRoutes(routes: readonly LabRouteSpec[]): Promise<void> {
    const perHost = new Map<string, string[]>();
    for (const r of routes) {
      const lines = perHost.get(r.host) ?? [];
      lines.push(routeLine(r));
      perHost.set(r.host, lines);
    }
    await Promise.all([...perHost].map(([host, lines]) => ipBatch(this.ns(host), lines)));
  }

  /** Removes routes (missing ones are ignored). */
  async deleteRoutes(routes: readonly LabRouteSpec[]): Promise<void> {
    await Promise.all(routes.map((r) => {
      const argv = [IP, '-n', this.ns(r.host), ...(r.prefix.includes(':') ? ['-6'] : []), 'route', 'del', ...(r.type ? [r.type] : []), r.prefix];
      if (r.table !== undefined) argv.push('table', String(r.table));
      return run(argv, null, { check: false });
    }));
  }

  /** Runs `ip` commands inside `host`, one per line (`route add ...`, `rule add ...`). */
  ip(host: string, lines: readonly string[]): Promise<void> {
    return ipBatch(this.ns(host), lines);
  }

  /** Runs `argv` inside `host` and waits for it. */
  exec(host: string, argv: readonly string[], opts: LabRunOptions = {}): Promise<LabCommandResult> {
    return run([IP, 'netns', 'exec', this.ns(host), ...argv], null, opts);
  }

  /** Starts `argv` inside `host` in the background; `down` stops it if it still runs. */
  spawn(host: string, argv: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: boolean } = {}): LabProcess {
    const child = spawn(IP, ['netns', 'exec', this.ns(host), ...argv], {
      cwd: opts.cwd,
      env: { ...CHILD_ENV, ...(opts.env ?? {}) },
      stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    const LIMIT = 1 << 20;
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { if (out.length < LIMIT) out += d; });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { if (err.length < LIMIT) err += d; });
    const exited = new Promise<number | string>((resolve) => {
      child.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? 'error'));
      child.on('exit', (code, signal) => resolve(code ?? signal ?? -1));
    });
    const proc: LabProcess = {
      child,
      pid: child.pid ?? -1,
      stdout: () => out,
      stderr: () => err,
      exited,
      stop: async (graceMs = 2000) => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          const status = await exited;
          clearTimeout(timer);
          return status;
        }
        return exited;
      },
    };
    this.processes.add(proc);
    void exited.then(() => this.processes.delete(proc));
    return proc;
  }

  /**
   * Lets the topology outlive this process (`natmesh lab`): no teardown when the process exits,
   * and no pipes to the processes started here holding it open. `teardownLabSync(prefix)` (or
   * `natmesh lab down`) removes it later.
   */
  detach(): void {
    this.cancelExitTeardown();
    this.cancelExitTeardown = () => {};
    for (const p of this.processes) {
      p.child.stdout?.destroy();
      p.child.stderr?.destroy();
      p.child.unref();
    }
  }

  /** Stops the processes started here, then removes every namespace of the topology. Idempotent. */
  async down(): Promise<void> {
    await Promise.all([...this.processes].map((p) => p.stop(1000)));
    teardownLabSync(this.prefix);
    this.cancelExitTeardown();
  }
}

/*
 * The standard lab: the topology `natmesh lab`, the end-to-end tests and the TAYGA benchmark
 * share.
 *
 *     client6 ── eth0 ─┐                      ┌─ to-gw ── router4 ── to-s4 ─┐ (small MTU)
 *     (IPv6 only)      │                      │  (only with ipv4LinkMtu)     │
 *                      ├─ gateway (router) ───┤                              ├── server4
 *     client4 ── eth0 ─┘  natmesh / TAYGA     └──────────── to-s4 ───────────┘   (IPv4 only,
 *     (IPv4, NAT44)       in this namespace                                      HTTP server)
 *
 * Addresses: documentation prefixes for IPv6; 100.64.0.0/10 for the IPv4 side, because TAYGA
 * (like RFC 6052 §3.1) refuses to translate non-global IPv4 addresses under 64:ff9b::/96 and
 * shared address space is not on its list; 192.168.0.0/16 behind NAT44; 198.18.0.0/15 (RFC 2544,
 * benchmarking) for the tunnel underlay. The gateway listens for tunnels on 198.18.0.1 (its
 * loopback) so every tunnel host reaches it by one address over its own link.
 *
 * Data paths (`labPathRoutes`): `kernel` plain forwarding by the gateway namespace, `tun` a
 * translator on a TUN device in the gateway namespace (routes into it from `labTunCommands`),
 * `vxlan`/`geneve` kernel tunnel devices in the hosts, to natmesh's UDP port.
 */

export type LabTunnelType = 'vxlan' | 'geneve';
export type LabDataPath = 'kernel' | 'tun' | LabTunnelType;

/** Host names of the standard lab. */
export const LAB_HOSTS = { client6: 'client6', gateway: 'gateway', server4: 'server4', client4: 'client4', router4: 'router4' } as const;

/** Addresses of the standard lab (without prefix length unless the name says prefix). */
export const LAB_ADDRESSES = {
  client6: '2001:db8:1::2',
  gateway6: '2001:db8:1::1',
  /** Server's IPv6 address, only with `serverIpv6` (the plain-forwarding baseline). */
  server6: '2001:db8:2::2',
  gatewayToServer6: '2001:db8:2::1',
  server4: '100.64.1.2',
  server4Prefix: '100.64.1.0/24',
  /** The server's first hop: the gateway, or router4 when there is a small-MTU link. */
  serverNextHop4: '100.64.1.1',
  gatewayToRouter4: '100.64.9.1',
  router4: '100.64.9.2',
  client4: '192.168.44.2',
  gatewayToClient4: '192.168.44.1',
  client4Prefix: '192.168.44.0/24',
  /** NAT64 prefixes: the Well-Known Prefix and a /64 network-specific one (RFC 6052 §2.2). */
  wkp: '64:ff9b::/96',
  nsp64: '2001:db8:64::/64',
  /** The IPv6 client's IPv4 address under stateless translation (an EAMT entry, RFC 7757). */
  client6Siit4: '100.64.50.2',
  /** natmesh's IPv4 pool (NAT64 and NAT44). */
  natmeshPool4: '100.64.100.0/28',
  /** TAYGA's dynamic pool and its own address. */
  taygaPool4: '100.64.101.0/24',
  taygaAddress4: '100.64.101.1',
  /** Where natmesh's VXLAN/Geneve ports listen (the gateway's loopback). */
  tunnelListen4: '198.18.0.1',
} as const;

/** The IPv6 address an IPv6 host uses for `ipv4` through the NAT64 prefix `prefix` (RFC 6052 §2.2). */
export function labNat64Address(prefix: string, ipv4: string): string {
  const out = new Uint8Array(16);
  new Rfc6052Prefix(Ipv6Prefix.parse(prefix)).embedIpv4(parseIpv4(ipv4), out, 0);
  return formatIpv6(out);
}

export const LAB_VNIS = { client6: 100, server4: 200, client4: 300 } as const;

/** Per tunnel type: overlay subnets (the `x` in 2001:db8:1x::, 100.64.1x.0, 192.168.5x.0). */
const TUNNEL_INDEX: Record<LabTunnelType, number> = { vxlan: 1, geneve: 2 };

/** Overlay addresses of one tunnel type: the hosts' kernel devices and natmesh's interfaces. */
export interface LabTunnelPlan {
  readonly type: LabTunnelType;
  readonly ifname: string;
  readonly udpPort: number;
  readonly client6: string;
  readonly gateway6: string;
  readonly prefix6Length: 64;
  readonly edge4: string;
  readonly gatewayEdge4: string;
  readonly client4: string;
  readonly gatewayClient4: string;
  readonly client4Prefix: string;
  readonly prefix4Length: 24;
}

export function labTunnelPlan(type: LabTunnelType): LabTunnelPlan {
  const x = TUNNEL_INDEX[type];
  return {
    type,
    ifname: type === 'vxlan' ? 'vx0' : 'gnv0',
    udpPort: type === 'vxlan' ? 4789 : 6081,
    client6: '2001:db8:1' + x + '::2',
    gateway6: '2001:db8:1' + x + '::1',
    prefix6Length: 64,
    edge4: '100.64.1' + x + '.2',
    gatewayEdge4: '100.64.1' + x + '.1',
    client4: '192.168.5' + x + '.2',
    gatewayClient4: '192.168.5' + x + '.1',
    client4Prefix: '192.168.5' + x + '.0/24',
    prefix4Length: 24,
  };
}

export interface StandardLabOptions {
  /** Kernel tunnel devices to create in the hosts (for natmesh's VXLAN/Geneve ports). */
  readonly tunnels?: readonly LabTunnelType[];
  /** Put router4 between the gateway and the server, with this MTU on its link to the server
   * (path MTU tests: the router sends Fragmentation Needed). */
  readonly ipv4LinkMtu?: number;
  /** Give the server an IPv6 address too (the plain IPv6 forwarding baseline of the benchmark). */
  readonly serverIpv6?: boolean;
  /** Include the NAT44 client (default true). */
  readonly client4?: boolean;
}

/** The host on the IPv4 side that the gateway hands server traffic to. */
function edgeHost(opts: StandardLabOptions): string {
  return opts.ipv4LinkMtu !== undefined ? LAB_HOSTS.router4 : LAB_HOSTS.server4;
}

/** Underlay address of a tunnel host on its link to the gateway (198.18.<n>.2). */
const UNDERLAY = { client6: 1, edge4: 2, client4: 4 } as const;

/** The standard lab as a topology spec, with the `kernel` data path's routes. */
export function standardLabSpec(opts: StandardLabOptions = {}): LabTopologySpec {
  const A = LAB_ADDRESSES;
  const H = LAB_HOSTS;
  const withClient4 = opts.client4 !== false;
  const tunnels = opts.tunnels ?? [];
  const edge = edgeHost(opts);
  const underlay = (n: number, side: 1 | 2): string[] => (tunnels.length > 0 ? ['198.18.' + n + '.' + side + '/24'] : []);
  const hosts: LabHostSpec[] = [
    { name: H.client6 },
    { name: H.gateway, router: true, loopback: tunnels.length > 0 ? [A.tunnelListen4 + '/32'] : [] },
    { name: H.server4 },
  ];
  if (withClient4) hosts.push({ name: H.client4 });
  const links: LabLinkSpec[] = [
    { a: { host: H.client6, ifname: 'eth0', addresses: [A.client6 + '/64', ...underlay(UNDERLAY.client6, 2)] },
      b: { host: H.gateway, ifname: 'to-c6', addresses: [A.gateway6 + '/64', ...underlay(UNDERLAY.client6, 1)] } },
  ];
  const server6 = opts.serverIpv6 ? [A.server6 + '/64'] : [];
  const gateway6 = opts.serverIpv6 ? [A.gatewayToServer6 + '/64'] : [];
  if (opts.ipv4LinkMtu !== undefined) {
    hosts.push({ name: H.router4, router: true });
    links.push(
      { a: { host: H.gateway, ifname: 'to-r4', addresses: [A.gatewayToRouter4 + '/24', ...underlay(UNDERLAY.edge4, 1)] },
        b: { host: H.router4, ifname: 'to-gw', addresses: [A.router4 + '/24', ...underlay(UNDERLAY.edge4, 2)] } },
      { a: { host: H.router4, ifname: 'to-s4', addresses: [A.serverNextHop4 + '/24'] },
        b: { host: H.server4, ifname: 'eth0', addresses: [A.server4 + '/24'] }, mtu: opts.ipv4LinkMtu },
    );
    if (opts.serverIpv6) throw new LabSpecError('serverIpv6 and ipv4LinkMtu cannot be combined');
  } else {
    links.push({ a: { host: H.gateway, ifname: 'to-s4', addresses: [A.serverNextHop4 + '/24', ...gateway6, ...underlay(UNDERLAY.edge4, 1)] },
      b: { host: H.server4, ifname: 'eth0', addresses: [A.server4 + '/24', ...server6, ...underlay(UNDERLAY.edge4, 2)] } });
  }
  if (withClient4) {
    links.push({ a: { host: H.client4, ifname: 'eth0', addresses: [A.client4 + '/24', ...underlay(UNDERLAY.client4, 2)] },
      b: { host: H.gateway, ifname: 'to-c4', addresses: [A.gatewayToClient4 + '/24', ...underlay(UNDERLAY.client4, 1)] } });
  }
  const tunnelSpecs: LabTunnelSpec[] = [];
  const routes: LabRouteSpec[] = [];
  if (tunnels.length > 0) {
    // natmesh's tunnel ports listen on the gateway's loopback; each host reaches it over its link.
    const ends: [string, number, (p: LabTunnelPlan) => string[], number][] = [
      [H.client6, UNDERLAY.client6, (p) => [p.client6 + '/64'], LAB_VNIS.client6],
      [edge, UNDERLAY.edge4, (p) => [p.edge4 + '/24'], LAB_VNIS.server4],
    ];
    if (withClient4) ends.push([H.client4, UNDERLAY.client4, (p) => [p.client4 + '/24'], LAB_VNIS.client4]);
    for (const [host, n, addrs, vni] of ends) {
      routes.push({ host, prefix: A.tunnelListen4 + '/32', via: '198.18.' + n + '.1' });
      for (const type of tunnels) {
        const p = labTunnelPlan(type);
        tunnelSpecs.push({ host, ifname: p.ifname, type, vni, remote: A.tunnelListen4, local: type === 'vxlan' ? '198.18.' + n + '.2' : undefined, dstPort: p.udpPort, addresses: addrs(p) });
      }
    }
  }
  if (opts.ipv4LinkMtu !== undefined) routes.push({ host: H.gateway, prefix: A.server4Prefix, via: A.router4 });
  routes.push(...labPathRoutes('kernel', opts));
  return { hosts, links, tunnels: tunnelSpecs, routes };
}

/**
 * The MSS the server advertises behind the small-MTU link: as if that link were further away,
 * so the client's segments are sized for its own 1500-byte link and must be cut down by path MTU
 * discovery (router4's Fragmentation Needed) rather than by the server's MSS.
 */
const SERVER_ADVMSS = 1460;

/**
 * Routes of the hosts for a data path (`ip route replace`, so switching paths is one call):
 * which way the IPv6 client sends to the NAT64 prefixes, the IPv4 side sends back to the pools,
 * and the NAT44 client sends out.
 */
export function labPathRoutes(path: LabDataPath, opts: StandardLabOptions = {}): LabRouteSpec[] {
  const A = LAB_ADDRESSES;
  const H = LAB_HOSTS;
  const edge = edgeHost(opts);
  const routes: LabRouteSpec[] = [];
  if (path === 'kernel' || path === 'tun') {
    routes.push({ host: H.client6, prefix: '::/0', via: A.gateway6, dev: 'eth0' });
    for (const p of [A.wkp, A.nsp64]) routes.push({ host: H.client6, prefix: p, via: A.gateway6, dev: 'eth0' });
    if (opts.ipv4LinkMtu !== undefined) {
      routes.push({ host: H.server4, prefix: '0.0.0.0/0', via: A.serverNextHop4, advmss: SERVER_ADVMSS });
      routes.push({ host: H.router4, prefix: '0.0.0.0/0', via: A.gatewayToRouter4, dev: 'to-gw' });
    } else {
      routes.push({ host: H.server4, prefix: '0.0.0.0/0', via: A.serverNextHop4, dev: 'eth0' });
      if (opts.serverIpv6) routes.push({ host: H.server4, prefix: '::/0', via: A.gatewayToServer6 });
    }
    if (opts.client4 !== false) routes.push({ host: H.client4, prefix: '0.0.0.0/0', via: A.gatewayToClient4, dev: 'eth0' });
  } else {
    const p = labTunnelPlan(path);
    for (const prefix of [A.wkp, A.nsp64]) routes.push({ host: H.client6, prefix, via: p.gateway6, dev: p.ifname });
    // The server answers from its service address, not its tunnel address: a reply from an
    // unbound UDP socket (iperf3's) takes the route's source, and the client expects the address it asked.
    routes.push({ host: edge, prefix: '0.0.0.0/0', via: p.gatewayEdge4, dev: p.ifname, ...(edge === H.server4 ? { src: A.server4 } : {}) });
    if (edge !== H.server4) routes.push({ host: H.server4, prefix: '0.0.0.0/0', via: A.serverNextHop4, advmss: SERVER_ADVMSS });
    if (opts.client4 !== false) routes.push({ host: H.client4, prefix: '0.0.0.0/0', via: p.gatewayClient4, dev: p.ifname });
  }
  return routes;
}

/**
 * `ip` commands for the gateway namespace that send translated traffic into a translator's TUN
 * device `dev`: the NAT64 prefixes and the IPv4 pools, and (NAT44) the private client's packets
 * by a policy rule, while nothing from the IPv4 side reaches the private prefix except through
 * the translator.
 */
export function labTunCommands(dev: string, pools4: readonly string[], opts: { nat44?: boolean; nat44Rules?: boolean; nat64Prefixes?: readonly string[] } = {}, lab: StandardLabOptions = {}): string[] {
  const A = LAB_ADDRESSES;
  const lines = ['link set ' + dev + ' up'];
  for (const p of opts.nat64Prefixes ?? [A.wkp, A.nsp64]) lines.push('route replace ' + p + ' dev ' + dev);
  for (const p of pools4) lines.push('route replace ' + p + ' dev ' + dev);
  if (opts.nat44) lines.push('route replace 0.0.0.0/0 dev ' + dev + ' table 44');
  // Rules outlive the device: a restarted translator finds them in place (`nat44Rules: false`).
  if (opts.nat44 && opts.nat44Rules !== false) {
    lines.push(
      'rule add from ' + A.client4Prefix + ' iif to-c4 lookup 44 pref 100',
      // Inbound to the private prefix other than the translator's output: refused, as behind a real NAT.
      'rule add to ' + A.client4Prefix + ' iif ' + (lab.ipv4LinkMtu !== undefined ? 'to-r4' : 'to-s4') + ' prohibit pref 101',
    );
  }
  return lines;
}

/** Options of the gateway configuration `natmesh run` gets in the lab. */
export interface LabGatewayConfigOptions {
  readonly path: 'tun' | LabTunnelType;
  /** Stateful NAT64 + NAT44 (default), or stateless SIIT with the IPv6 client in the EAMT. */
  readonly translation?: 'nat' | 'siit';
  /** NAT64 prefix (default the Well-Known Prefix). */
  readonly pool6?: string;
  /** TUN device name (default natmesh0). */
  readonly tunDevice?: string;
  /** Firewall grace period in seconds (absent: no firewall section). */
  readonly firewallGraceSeconds?: number;
  /** API listen address (default 127.0.0.1:8080 in the gateway namespace). */
  readonly apiListen?: string;
  readonly offloads?: boolean;
}

/**
 * The `natmesh run` configuration (as a plain object, for YAML) for the standard lab on a data
 * path: one tenant doing NAT64 for client6 and NAT44 for client4 to the IPv4 side.
 */
export function labGatewayConfig(opts: LabGatewayConfigOptions, lab: StandardLabOptions = {}): Record<string, unknown> {
  const A = LAB_ADDRESSES;
  const nat44Inside = [A.client4Prefix, labTunnelPlan('vxlan').client4Prefix, labTunnelPlan('geneve').client4Prefix];
  const pool6 = opts.pool6 ?? A.wkp;
  const tenant: Record<string, unknown> = { name: 'lab', id: 1 };
  if (opts.translation === 'siit') {
    tenant.siit = {
      pool6,
      eamt: [{ ipv4: A.client6Siit4 + '/32', ipv6: A.client6 + '/128' }],
      // RFC 6052 §3.1 keeps non-global IPv4 out of the Well-Known Prefix; the lab's are shared space.
      ...(pool6 === A.wkp ? { allowNonGlobalWithWkp: true } : {}),
    };
  } else {
    tenant.nat = { pool4: [A.natmeshPool4], nat64: { pool6 }, nat44: { inside: nat44Inside } };
  }
  let ports: Record<string, unknown>[];
  if (opts.path === 'tun') {
    ports = [{ name: 'tun0', type: 'tun', device: opts.tunDevice ?? 'natmesh0', offloads: opts.offloads ?? true }];
    tenant.interfaces = [{ name: 'host', port: 'tun0' }];
    tenant.routes = [{ prefix: '::/0', interface: 'host' }, { prefix: '0.0.0.0/0', interface: 'host' }];
  } else {
    const p = labTunnelPlan(opts.path);
    const remotes = ['198.18.' + UNDERLAY.client6 + '.2', '198.18.' + UNDERLAY.edge4 + '.2'];
    if (lab.client4 !== false) remotes.push('198.18.' + UNDERLAY.client4 + '.2');
    ports = [{ name: 'tnl0', type: opts.path, listen: A.tunnelListen4 + ':' + p.udpPort, remotes }];
    const interfaces: Record<string, unknown>[] = [
      { name: 'inside6', port: 'tnl0', vni: LAB_VNIS.client6, addresses: [p.gateway6 + '/64'] },
      { name: 'outside', port: 'tnl0', vni: LAB_VNIS.server4, addresses: [p.gatewayEdge4 + '/24'] },
    ];
    if (lab.client4 !== false) interfaces.push({ name: 'inside4', port: 'tnl0', vni: LAB_VNIS.client4, addresses: [p.gatewayClient4 + '/24'] });
    tenant.interfaces = interfaces;
    tenant.routes = [{ prefix: A.server4Prefix, via: p.edge4 }];
  }
  if (opts.firewallGraceSeconds !== undefined) tenant.firewall = { graceSeconds: opts.firewallGraceSeconds };
  return {
    node: { id: 1 },
    ports,
    tenants: [tenant],
    api: { listen: opts.apiListen ?? '127.0.0.1:8080' },
    log: { level: 'info' },
  };
}

/** A translator running in the lab's gateway namespace. */
export interface LabGatewayProcess {
  readonly process: LabProcess;
  readonly configPath: string;
  /** SIGTERM (natmesh drains and exits), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | string>;
}

export interface StartLabGatewayOptions {
  /** How to run natmesh: e.g. `[process.execPath, 'dist/control/cli.js']`; `run --config FILE` is appended. */
  readonly command: readonly string[];
  /** The configuration (from `labGatewayConfig`, possibly edited). */
  readonly config: Record<string, unknown>;
  /** The YAML file is written here. */
  readonly configPath: string;
  readonly lab?: StandardLabOptions;
  readonly readyTimeoutMs?: number;
  /** Add the gateway namespace's routes into the TUN device (default true). They go away with
   * the device, so a restarted natmesh needs them again. */
  readonly tunRoutes?: boolean;
}

async function waitUntil(what: string, proc: LabProcess, timeoutMs: number, ready: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let exited: number | string | null = null;
  void proc.exited.then((s) => { exited = s; });
  for (;;) {
    if (exited !== null) throw new Error('natmesh exited (' + exited + ') before ' + what + ':\n' + proc.stderr() + proc.stdout());
    if (await ready()) return;
    if (performance.now() > deadline) throw new Error('natmesh: no ' + what + ' after ' + timeoutMs + ' ms:\n' + proc.stderr() + proc.stdout());
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Starts `natmesh run` in the gateway namespace of a standard lab and waits until it moves
 * packets: its TUN device exists (then the namespace's routes into it are added) or its tunnel
 * port's UDP socket is bound.
 */
export async function startLabGateway(lab: LabTopology, opts: StartLabGatewayOptions): Promise<LabGatewayProcess> {
  const { writeFileSync } = await import('node:fs');
  const { stringify } = await import('yaml');
  writeFileSync(opts.configPath, stringify(opts.config));
  const proc = lab.spawn(LAB_HOSTS.gateway, [...opts.command, 'run', '--config', opts.configPath]);
  const timeout = opts.readyTimeoutMs ?? 15_000;
  const ports = (opts.config.ports ?? []) as { type: string; device?: string; listen?: string }[];
  const tenants = (opts.config.tenants ?? []) as { nat?: { pool4?: string[]; nat44?: unknown }; siit?: { eamt?: { ipv4: string }[] } }[];
  for (const port of ports) {
    if (port.type === 'tun') {
      const dev = port.device!;
      await waitUntil('TUN device ' + dev, proc, timeout, async () => (await lab.exec(LAB_HOSTS.gateway, [IP, 'link', 'show', dev], { check: false })).code === 0);
      if (opts.tunRoutes !== false) {
        const pools = tenants.flatMap((t) => [...(t.nat?.pool4 ?? []), ...(t.siit?.eamt ?? []).map((e) => e.ipv4)]);
        // Policy rules outlive the device (a restart finds them in place); adding one twice fails.
        const rulesInPlace = (await lab.exec(LAB_HOSTS.gateway, [IP, 'rule', 'show', 'pref', '100'])).stdout.trim() !== '';
        const nat44 = tenants.some((t) => t.nat?.nat44 !== undefined);
        await lab.ip(LAB_HOSTS.gateway, labTunCommands(dev, pools, { nat44, nat44Rules: !rulesInPlace }, opts.lab));
      }
    } else {
      const port_ = port.listen?.split(':').pop() ?? (port.type === 'vxlan' ? '4789' : '6081');
      await waitUntil('UDP port ' + port_, proc, timeout, async () => (await lab.exec(LAB_HOSTS.gateway, ['ss', '-Hlun', 'sport = :' + port_], { check: false })).stdout.trim() !== '');
    }
  }
  return { process: proc, configPath: opts.configPath, stop: (graceMs = 5000) => proc.stop(graceMs) };
}

#!/usr/bin/env node
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { GatewayConfigError } from '../io/gateway-config-error.js';
import { PcapError } from '../io/pcap-error.js';
import { TunError } from '../io/tun-error.js';
import { TunnelError } from '../io/tunnel-error.js';
import { ConfigError } from './config-error.js';
import { loadConfigFile } from './config.js';
import { ApiCallError, apiGet, apiRequest, formatSessions, formatStatus, type SessionAnswer, type StatusAnswer } from './api-client.js';
import { formatReplaySummary, replay } from './replay.js';
import { labCommand } from './lab.js';
import { runGateway } from './run.js';

/**
 * `natmesh` command line.
 *
 *   natmesh replay --config FILE --in IN.pcap --out OUT.pcap [--tenant NAME] [--trace]
 *                  [--dump-sessions] [--no-flow-cache]
 *   natmesh lab [up|down] [--path tun|vxlan|geneve] [--prefix PREFIX]
 *   natmesh run --config FILE
 *   natmesh config check FILE
 *   natmesh status [--api URL] [--token T] [--json]
 *   natmesh sessions [--api URL] [--token T] [--tenant N] [--protocol P] [--inside A] [--remote A]
 *                    [--limit N] [--json] [--delete TENANT/ENTRY]
 *
 * Exit status: 0 success; 1 the input capture is malformed, a file cannot be written, a port
 * cannot be opened (address in use, no TUN device) or the gateway's API cannot be reached or
 * refuses the call;
 * 2 bad usage or a configuration that does not validate (the message says which field).
 */
export const EXIT_OK = 0;
export const EXIT_INPUT = 1;
export const EXIT_USAGE = 2;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

function packageVersion(): string {
  try {
    const here = dirname(fileURLToPath(import.meta.url));
    return (JSON.parse(readFileSync(join(here, '../../package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** Runs the command line `argv` (without `node` and the script); resolves to the exit status. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let status = EXIT_OK;
  const program = new Command('natmesh')
    .description('Multi-tenant NAT gateway: SIIT (RFC 7915), NAT64, NAT44')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run natmesh help for usage)');

  program.command('replay')
    .description('push every packet of a capture through a tenant\'s pipeline and write what comes out')
    .requiredOption('--config <file>', 'gateway configuration (YAML)')
    .requiredOption('--in <file>', 'input capture (pcap or pcapng: Ethernet, raw IP, IPv4 or IPv6 link)')
    .requiredOption('--out <file>', 'output capture (classic pcap)')
    .option('--tenant <name>', 'tenant whose translator to use (required when several are configured)')
    .option('--trace', 'print what each stage decided for every packet, one line per stage')
    .option('--dump-sessions', 'print the NAT session table after the last packet, one JSON object per line')
    .option('--no-flow-cache', 'run every packet through every stage')
    .action((opts: { config: string; in: string; out: string; tenant?: string; trace?: boolean; dumpSessions?: boolean; flowCache: boolean }) => {
      const config = loadConfigFile(opts.config);
      const summary = replay({
        config,
        configSource: opts.config,
        tenant: opts.tenant,
        inPath: opts.in,
        outPath: opts.out,
        trace: opts.trace ? (line) => io.stdout(line + '\n') : null,
        dumpSessions: opts.dumpSessions === true,
        flowCacheSlots: opts.flowCache ? 65536 : 0,
      });
      for (const session of summary.sessions ?? []) io.stdout(JSON.stringify(session) + '\n');
      io.stderr(formatReplaySummary(summary).join('\n') + '\n');
    });

  program.command('run')
    .description('run one gateway node: tunnel and TUN ports, the packet pipeline, the HTTP API (SIGHUP reloads, SIGTERM stops)')
    .requiredOption('--config <file>', 'gateway configuration (YAML)')
    .action(async (opts: { config: string }) => {
      const gw = await runGateway({ configPath: opts.config });
      await gw.stopped;
    });

  const apiOptions = (c: Command): Command => c
    .option('--api <url>', 'base URL of the gateway\'s HTTP API', process.env['NATMESH_API'] ?? 'http://127.0.0.1:8080')
    .option('--token <token>', 'bearer token (default: $NATMESH_API_TOKEN)', process.env['NATMESH_API_TOKEN']);

  apiOptions(program.command('status')
    .description('show a running gateway\'s tenants, sessions, ports and flow cache (calls its HTTP API)')
    .option('--json', 'print the API\'s JSON answer'))
    .action(async (opts: { api: string; token?: string; json?: boolean }) => {
      const s = await apiGet(opts.api, '/status', opts.token) as StatusAnswer;
      if (opts.json) {
        io.stdout(JSON.stringify(s, null, 2) + '\n');
        return;
      }
      io.stdout(formatStatus(s).join('\n') + '\n');
    });

  apiOptions(program.command('sessions')
    .description('list a running gateway\'s NAT sessions, or delete one (calls its HTTP API)')
    .option('--tenant <name>', 'only this tenant')
    .option('--protocol <tcp|udp|icmp>', 'only this protocol')
    .option('--inside <address>', 'only this inside host')
    .option('--remote <address>', 'only this remote host')
    .option('--limit <n>', 'at most this many', '1000')
    .option('--delete <tenant/entry>', 'delete one session (entry number as listed)')
    .option('--json', 'print one JSON object per session'))
    .action(async (opts: { api: string; token?: string; tenant?: string; protocol?: string; inside?: string; remote?: string; limit: string; delete?: string; json?: boolean }) => {
      if (opts.delete !== undefined) {
        await apiRequest('DELETE', opts.api, '/sessions/' + opts.delete.split('/').map(encodeURIComponent).join('/'), opts.token);
        io.stdout('deleted session ' + opts.delete + '\n');
        return;
      }
      const q = new URLSearchParams({ limit: opts.limit });
      for (const k of ['tenant', 'protocol', 'inside', 'remote'] as const) if (opts[k] !== undefined) q.set(k, opts[k]!);
      const r = await apiGet(opts.api, '/sessions?' + q.toString(), opts.token) as { total: number; sessions: SessionAnswer[] };
      if (opts.json) {
        for (const x of r.sessions) io.stdout(JSON.stringify(x) + '\n');
        return;
      }
      io.stdout(formatSessions(r.sessions, r.total).join('\n') + '\n');
    });

  program.command('lab')
    .description('build a lab of network namespaces (IPv6-only client, IPv4-only HTTP server, IPv4 client behind NAT44), run natmesh in it and check real traffic; `lab down` removes it (root)')
    .argument('[action]', 'up or down', 'up')
    .option('--path <path>', 'how the hosts reach natmesh: tun, vxlan or geneve', 'tun')
    .option('--prefix <prefix>', 'NAT64 prefix (RFC 6052)', '64:ff9b::/96')
    .action(async (action: string, opts: { path: string; prefix: string }) => {
      status = await labCommand(action, opts, io);
    });

  const configCmd = program.command('config').description('configuration tools');
  configCmd.command('check')
    .description('validate a configuration file and build every tenant')
    .argument('<file>', 'gateway configuration (YAML)')
    .action((file: string) => {
      const c = loadConfigFile(file);
      io.stdout(file + ': ok (node ' + c.node.id + ', ' + c.tenants.length + ' tenant' + (c.tenants.length === 1 ? '' : 's') + ': ' + c.tenants.map((t) => t.name).join(', ') + ')\n');
    });

  try {
    await program.parseAsync(argv as string[], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version end through here too, with exit code 0.
      status = e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    } else if (e instanceof ConfigError) {
      io.stderr('natmesh: ' + e.message + '\n');
      status = EXIT_USAGE;
    } else if (e instanceof GatewayConfigError) {
      // The interfaces and routes are checked when the node builds its tables.
      io.stderr('natmesh: ' + e.message + '\n');
      status = EXIT_USAGE;
    } else if (e instanceof ApiCallError || e instanceof TunnelError || e instanceof TunError) {
      io.stderr('natmesh: ' + e.message + '\n');
      status = EXIT_INPUT;
    } else if (e instanceof PcapError) {
      io.stderr('natmesh: ' + e.message + '\n');
      status = EXIT_INPUT;
    } else if (e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && (e as NodeJS.ErrnoException).syscall !== undefined) {
      io.stderr('natmesh: ' + e.message + '\n');
      status = EXIT_INPUT;
    } else {
      throw e;
    }
  }
  return status;
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) process.exitCode = await main(process.argv.slice(2));

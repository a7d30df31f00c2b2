import { randomInt } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { GatewayNode } from '../io/gateway-node.js';
import type { GatewayDatapathSpec } from '../io/gateway-datapath.js';
import type { Port } from '../io/port.js';
import { SystemClock } from '../io/system-clock.js';
import { TunPort } from '../io/tun-port.js';
import { UdpTunnelPort } from '../io/udp-tunnel-port.js';
import { ChangeLog } from '../state/change-log.js';
import { createApiServer } from './api-server.js';
import { ConfigError, ConfigValidationError } from './config-error.js';
import { loadConfigFile, type NatmeshConfig, type PortConfig } from './config.js';
import type { GatewayView, PortView } from './gateway-view.js';
import { buildTenant, reloadTenants, type GatewayState, type TenantRuntime } from './tenant-runtime.js';

/** Change records the node keeps for replication (60 bytes each). */
const CHANGE_LOG_RECORDS = 1 << 18;
const DEFAULT_API = '127.0.0.1:8080';

export interface RunOptions {
  configPath: string;
  /** Where the JSON log lines go (default stdout). */
  logDestination?: NodeJS.WritableStream;
  /** Install SIGTERM/SIGINT (stop) and SIGHUP (reload) handlers (default true). */
  signals?: boolean;
}

/** A running gateway: what `natmesh run` waits on, and what tests drive. */
export interface RunningGateway {
  readonly node: GatewayNode;
  readonly view: GatewayView;
  /** Where the API listens (`http://host:port`). */
  readonly apiUrl: string;
  /** Re-reads the configuration file; resolves to the refusal reason, or null when applied. */
  reload(): Promise<string | null>;
  /** Drains and closes ports and the API; resolves when everything is closed. */
  stop(): Promise<void>;
  /** Resolves once the gateway has stopped (a signal or `stop`). */
  readonly stopped: Promise<void>;
}

/** `host:port` / `[v6]:port` / `host` → parts. */
function splitEndpoint(text: string, defaultPort: number): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(text)!;
  return { host: m[1] ?? m[2]!, port: m[3] === undefined ? defaultPort : Number(m[3]) };
}

function buildPort(p: PortConfig, log: Logger): Port {
  if (p.type === 'tun') {
    return new TunPort({ name: p.name, device: p.device, offloads: p.offloads ?? true, onError: (e) => log.error({ port: p.name, err: e.message }, 'TUN device failed; the port stopped reading') });
  }
  const { host, port } = splitEndpoint(p.listen ?? '127.0.0.1', p.type === 'vxlan' ? 4789 : 6081);
  return new UdpTunnelPort({ name: p.name, encapsulation: p.type, address: host, port, remotes: p.remotes });
}

function datapathSpec(config: NatmeshConfig, tenants: readonly TenantRuntime[]): GatewayDatapathSpec {
  return {
    tenants: config.tenants.map((t, i) => ({ datapath: tenants[i]!, interfaces: t.interfaces ?? [], routes: t.routes ?? [] })),
  };
}

/**
 * `natmesh run`: one gateway node as a long-running process. Builds the tenants (translator,
 * session table, firewall), the ports (VXLAN/Geneve tunnel endpoints over UDP, TUN devices) and
 * the node that moves frames through the pipeline, then serves the HTTP API and metrics.
 * SIGHUP re-reads the configuration: a valid one is applied keeping every session table whose
 * `nat` section did not change (ports cannot change without a restart); an invalid one is
 * refused with its reason and the old one stays. SIGTERM and SIGINT drain and exit. Logs are
 * JSON lines (pino).
 * @throws ConfigError for a configuration that does not validate or build (the CLI exits 2).
 */
export async function runGateway(opts: RunOptions): Promise<RunningGateway> {
  let config = loadConfigFile(opts.configPath);
  const log = pino({ level: config.log?.level ?? 'info', base: { node: config.node.id } }, (opts.logDestination ?? process.stdout) as pino.DestinationStream);
  const clock = new SystemClock();
  const state: GatewayState = { clock, changes: new ChangeLog(CHANGE_LOG_RECORDS), seed: randomInt(1, 0x7fffffff) };
  let tenants = config.tenants.map((_, i) => buildTenant(config, i, opts.configPath, state));
  const ports = (config.ports ?? []).map((p) => buildPort(p, log));
  const node = new GatewayNode({
    nodeId: config.node.id, ports, clock, datapath: datapathSpec(config, tenants), seed: state.seed,
    onError: (e) => log.error({ err: e instanceof Error ? e.stack : String(e) }, 'pipeline error; frame dropped'),
  });
  let reloads = 0;
  let lastReloadError: string | null = null;
  const startedAtMs = Date.now();

  const view: GatewayView = {
    nodeId: config.node.id,
    startedAtMs,
    config: () => config,
    tenants: () => tenants,
    pipeline: () => node.pipeline,
    flowCache: () => node.flowCache,
    ports: () => node.counters().ports.map((p, i): PortView => ({
      name: p.name, type: config.ports?.[i]?.type ?? 'unknown',
      rxPackets: p.rx.packets, rxBytes: p.rx.bytes, txPackets: p.tx.packets, txBytes: p.tx.bytes, drops: p.drops,
    })),
    tenantTraffic: () => node.counters().tenants.flatMap((t) => [
      { tenant: t.name, direction: 'inside' as const, packets: t.fromInside.packets, bytes: t.fromInside.bytes },
      { tenant: t.name, direction: 'outside' as const, packets: t.fromOutside.packets, bytes: t.fromOutside.bytes },
    ]),
    reloads: () => ({ count: reloads, lastError: lastReloadError }),
  };

  await node.start();
  const apiListen = splitEndpoint(config.api?.listen ?? DEFAULT_API, 8080);
  const { app } = createApiServer(view, { token: config.api?.token ?? null });
  try {
    await app.listen({ host: apiListen.host, port: apiListen.port });
  } catch (e) {
    await node.stop();
    throw e;
  }
  const addr = app.server.address() as AddressInfo;
  const apiUrl = 'http://' + (addr.family === 'IPv6' ? '[' + addr.address + ']' : addr.address) + ':' + addr.port;
  log.info({ ports: (config.ports ?? []).map((p) => p.name + ' (' + p.type + ')'), tenants: config.tenants.map((t) => t.name), api: apiUrl }, 'natmesh running');

  const reload = async (): Promise<string | null> => {
    try {
      const next = loadConfigFile(opts.configPath);
      if (JSON.stringify(next.ports ?? []) !== JSON.stringify(config.ports ?? [])) {
        throw new ConfigValidationError(opts.configPath, [{ path: 'ports', message: 'ports cannot change on reload; restart natmesh to change them' }]);
      }
      if (JSON.stringify(next.api ?? {}) !== JSON.stringify(config.api ?? {})) {
        throw new ConfigValidationError(opts.configPath, [{ path: 'api', message: 'the API address and token cannot change on reload; restart natmesh to change them' }]);
      }
      const outcome = reloadTenants(config, tenants, next, state, opts.configPath);
      node.reload(datapathSpec(next, outcome.tenants));
      config = next;
      tenants = outcome.tenants;
      reloads++;
      lastReloadError = null;
      log.info({ changes: outcome.notes }, 'configuration reloaded');
      return null;
    } catch (e) {
      if (!(e instanceof ConfigError) && !(e instanceof Error && (e as { code?: string }).code === 'ERR_GATEWAY_CONFIG')) throw e;
      lastReloadError = e.message;
      log.error({ reason: e.message }, 'configuration reload refused; the running configuration stays');
      return e.message;
    }
  };

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((res) => { resolveStopped = res; });
  let stopping: Promise<void> | null = null;
  const onHup = () => { void reload(); };
  const onTerm = (signal: string) => () => {
    log.info({ signal }, 'stopping: draining ports');
    void stop();
  };
  const sigTerm = onTerm('SIGTERM');
  const sigInt = onTerm('SIGINT');
  const stop = (): Promise<void> => {
    if (stopping === null) {
      stopping = (async () => {
        if (opts.signals !== false) {
          process.off('SIGHUP', onHup);
          process.off('SIGTERM', sigTerm);
          process.off('SIGINT', sigInt);
        }
        await app.close();
        await node.stop();
        const c = node.counters();
        log.info({ ports: c.ports.map((p) => ({ name: p.name, rx: p.rx.packets, tx: p.tx.packets })) }, 'natmesh stopped');
        resolveStopped();
      })();
    }
    return stopping;
  };
  if (opts.signals !== false) {
    process.on('SIGHUP', onHup);
    process.on('SIGTERM', sigTerm);
    process.on('SIGINT', sigInt);
  }
  return { node, view, apiUrl, reload, stop, stopped };
}

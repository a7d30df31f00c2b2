import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { NaptSessionView } from '../state/napt-session-view.js';
import type { GatewayView } from './gateway-view.js';
import { createMetrics } from './metrics.js';

export interface ApiServerOptions {
  /** Bearer token every request must carry; null: none (loopback only, enforced by config). */
  token: string | null;
  /** Clock for `uptime` (ms since the epoch). */
  now?: () => number;
}

/** Session list filters (`GET /sessions?...`). */
const FILTERS = ['tenant', 'protocol', 'inside', 'outside', 'remote', 'state', 'owner'] as const;
const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 100000;

/**
 * The gateway's HTTP API (fastify): status, counters, sessions (list with filters, show one,
 * delete one), the configuration in force, and Prometheus metrics at `/metrics`. It reads the
 * live tables at request time. With a token configured every request must carry
 * `Authorization: Bearer <token>` (compared in constant time); the configuration refuses a
 * non-loopback listen address without one.
 */
export function createApiServer(view: GatewayView, opts: ApiServerOptions): { app: FastifyInstance; metrics: Registry } {
  const app = Fastify({ logger: false });
  const metrics = createMetrics(view);
  const now = opts.now ?? (() => Date.now());
  const token = opts.token === null ? null : Buffer.from('Bearer ' + opts.token);

  app.addHook('onRequest', async (req, reply) => {
    if (token === null) return;
    const got = Buffer.from(req.headers.authorization ?? '');
    if (got.length !== token.length || !timingSafeEqual(got, token)) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: 'missing or wrong bearer token' });
    }
  });

  app.get('/status', async () => {
    const cache = view.flowCache();
    const reloads = view.reloads();
    return {
      node: view.nodeId,
      uptimeSeconds: Math.round((now() - view.startedAtMs) / 1000),
      tenants: view.tenants().map((t) => ({
        name: t.name, id: t.id,
        mode: t.napt !== null ? (t.translator !== null ? 'nat64' + (t.nat44Inside !== null ? '+nat44' : '') : 'nat44') : 'siit',
        sessions: t.napt?.sessionCount ?? 0,
        bindings: t.napt?.bibCount ?? 0,
        firewallConnections: t.conntrack?.connectionCount ?? null,
      })),
      ports: view.ports().map((p) => ({ name: p.name, type: p.type, rxPackets: p.rxPackets, txPackets: p.txPackets })),
      flowCache: cache === null ? null : { hits: cache.hits, misses: cache.misses, hitRate: cache.hitRate() },
      reloads: reloads.count,
      lastReloadError: reloads.lastError,
    };
  });

  app.get('/counters', async () => {
    const p = view.pipeline();
    return {
      stages: p.stages.map((s, i) => ({
        name: s.name,
        in: p.stageCounts[i * 4]!, continued: p.stageCounts[i * 4 + 1]!, dropped: p.stageCounts[i * 4 + 2]!, emitted: p.stageCounts[i * 4 + 3]!,
      })),
      drops: p.dropCounts(),
      ports: view.ports(),
      tenants: view.tenantTraffic(),
    };
  });

  app.get('/sessions', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    for (const k of Object.keys(q)) {
      if (k !== 'limit' && !(FILTERS as readonly string[]).includes(k)) return reply.code(400).send({ error: 'bad-filter', message: 'unknown filter "' + k + '"; known: ' + FILTERS.join(', ') + ', limit' });
    }
    const limit = q['limit'] === undefined ? DEFAULT_LIMIT : Number(q['limit']);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) return reply.code(400).send({ error: 'bad-limit', message: 'limit must be an integer from 1 to ' + MAX_LIMIT });
    const out: (NaptSessionView & { tenantName: string })[] = [];
    let total = 0;
    for (const t of view.tenants()) {
      if (t.napt === null || (q['tenant'] !== undefined && q['tenant'] !== t.name)) continue;
      for (const s of t.napt.sessions()) {
        if (q['protocol'] !== undefined && s.protocol !== q['protocol']) continue;
        if (q['inside'] !== undefined && s.inside !== q['inside']) continue;
        if (q['outside'] !== undefined && s.outside !== q['outside']) continue;
        if (q['remote'] !== undefined && s.remote !== q['remote']) continue;
        if (q['state'] !== undefined && s.state !== q['state']) continue;
        if (q['owner'] !== undefined && String(s.owner) !== q['owner']) continue;
        total++;
        if (out.length < limit) out.push({ ...s, tenantName: t.name });
      }
    }
    return { total, sessions: out };
  });

  const findSession = (tenantName: string, entry: string) => {
    const t = view.tenants().find((x) => x.name === tenantName);
    if (t === undefined || t.napt === null) return null;
    const n = Number(entry);
    if (!Number.isInteger(n) || n < 0) return null;
    const id = t.napt.findByEntryNumber(n);
    return id < 0 ? null : { tenant: t, session: t.napt.sessionView(id) };
  };

  app.get('/sessions/:tenant/:entry', async (req, reply) => {
    const { tenant, entry } = req.params as { tenant: string; entry: string };
    const f = findSession(tenant, entry);
    if (f === null) return reply.code(404).send({ error: 'not-found', message: 'no session ' + entry + ' in tenant "' + tenant + '"' });
    return { ...f.session, tenantName: f.tenant.name };
  });

  app.delete('/sessions/:tenant/:entry', async (req, reply) => {
    const { tenant, entry } = req.params as { tenant: string; entry: string };
    const f = findSession(tenant, entry);
    if (f === null) return reply.code(404).send({ error: 'not-found', message: 'no session ' + entry + ' in tenant "' + tenant + '"' });
    if (!f.session.local) return reply.code(409).send({ error: 'not-owner', message: 'session ' + entry + ' belongs to node ' + f.session.owner + '; only its owner may delete it' });
    f.tenant.napt!.remove(f.session.id);
    return reply.code(204).send();
  });

  app.get('/config', async () => view.config());

  app.get('/metrics', async (_req, reply) => {
    const body = await metrics.metrics();
    return reply.header('content-type', metrics.contentType).send(body);
  });

  return { app, metrics };
}

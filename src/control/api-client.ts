import type { NaptSessionView } from '../state/napt-session-view.js';

/** A call to a running gateway's HTTP API failed: not reachable, refused, or an error answer. */
export class ApiCallError extends Error {
  readonly code = 'ERR_API_CALL';
  override get name(): string {
    return 'ApiCallError';
  }
}

/** `GET /status` as the API answers it. */
export interface StatusAnswer {
  node: number;
  uptimeSeconds: number;
  tenants: { name: string; id: number; mode: string; sessions: number; bindings: number; firewallConnections: number | null }[];
  ports: { name: string; type: string; rxPackets: number; txPackets: number }[];
  flowCache: { hits: number; misses: number; hitRate: number } | null;
  reloads: number;
  lastReloadError: string | null;
}

/** One session of `GET /sessions`: the table's own view, with the tenant's name. */
export type SessionAnswer = NaptSessionView & { tenantName: string };

/** Calls the API and returns the parsed JSON answer (null for 204). */
export async function apiRequest(method: string, base: string, path: string, token: string | undefined): Promise<unknown> {
  const url = base.replace(/\/+$/, '') + path;
  let r: Response;
  try {
    r = await fetch(url, { method, headers: token ? { authorization: 'Bearer ' + token } : {} });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new ApiCallError('cannot reach the gateway API at ' + base + ': ' + (cause?.code ?? cause?.message ?? (e as Error).message));
  }
  if (r.status === 204) return null;
  const text = await r.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: reported below
  }
  if (!r.ok) {
    const message = (body as { message?: string } | null)?.message ?? text;
    throw new ApiCallError(method + ' ' + path + ' answered ' + r.status + ': ' + message);
  }
  if (body === null) throw new ApiCallError(method + ' ' + path + ' did not answer JSON');
  return body;
}

export function apiGet(base: string, path: string, token: string | undefined): Promise<unknown> {
  return apiRequest('GET', base, path, token);
}

/** `natmesh status` lines. */
export function formatStatus(s: StatusAnswer): string[] {
  const lines = ['node ' + s.node + ', up ' + s.uptimeSeconds + ' s, ' + s.reloads + ' reload' + (s.reloads === 1 ? '' : 's')];
  if (s.lastReloadError) lines.push('last reload refused: ' + s.lastReloadError);
  for (const t of s.tenants) {
    lines.push('tenant ' + t.name + ' (id ' + t.id + ', ' + t.mode + '): ' + t.sessions + ' sessions, ' + t.bindings + ' bindings' + (t.firewallConnections === null ? '' : ', ' + t.firewallConnections + ' firewall connections'));
  }
  for (const p of s.ports) lines.push('port ' + p.name + ' (' + p.type + '): rx ' + p.rxPackets + ', tx ' + p.txPackets + ' packets');
  if (s.flowCache) lines.push('flow cache: ' + s.flowCache.hits + ' hits, ' + s.flowCache.misses + ' misses (' + (s.flowCache.hitRate * 100).toFixed(1) + '% hit)');
  return lines;
}

/** `natmesh sessions` lines: one per session, aligned. */
export function formatSessions(sessions: SessionAnswer[], total: number): string[] {
  const rows = sessions.map((x) => [
    x.tenantName + '/' + x.entryNumber, x.protocol,
    endpoint(x.inside, x.insidePort), endpoint(x.outside, x.outsidePort), endpoint(x.remote, x.remotePort),
    x.state ?? '', x.expiresInMs === null ? 'replica' : Math.ceil(x.expiresInMs / 1000) + ' s',
  ]);
  const head = ['SESSION', 'PROTO', 'INSIDE', 'OUTSIDE', 'REMOTE', 'STATE', 'EXPIRES'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(head), ...rows.map(line)];
  if (total > sessions.length) out.push('(' + sessions.length + ' of ' + total + ' shown)');
  return out;
}

function endpoint(addr: string, port: number): string {
  return (addr.includes(':') ? '[' + addr + ']' : addr) + ':' + port;
}

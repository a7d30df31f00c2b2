import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createApiServer } from '../../src/control/api-server.js';
import type { GatewayView } from '../../src/control/gateway-view.js';
import { gatewayAfterConversation } from './gateway-fixture.js';

/** The HTTP API and metrics over a real gateway state (see gateway-fixture.ts). */
describe('HTTP API', () => {
  let view: GatewayView;
  before(() => {
    view = gatewayAfterConversation();
  });

  it('GET /status reports the node, tenants with their session counts, and the flow cache', async () => {
    const { app } = createApiServer(view, { token: null, now: () => 61_000 });
    const r = await app.inject({ method: 'GET', url: '/status' });
    assert.equal(r.statusCode, 200);
    const body = r.json();
    assert.equal(body.node, 1);
    assert.equal(body.uptimeSeconds, 60);
    assert.deepEqual(body.tenants, [{ name: 'blue', id: 1, mode: 'nat64', sessions: 2, bindings: 2, firewallConnections: 2 }]);
    assert.ok(body.flowCache.hits > 0);
  });

  it('GET /sessions lists with filters, GET one, DELETE one (then it is gone)', async () => {
    const { app } = createApiServer(view, { token: null });
    let r = await app.inject({ method: 'GET', url: '/sessions?protocol=udp' });
    assert.equal(r.statusCode, 200);
    const udp = r.json();
    assert.equal(udp.total, 1);
    assert.equal(udp.sessions[0].inside, '2001:db8:1::10');
    assert.equal(udp.sessions[0].outside, '203.0.113.1');
    assert.equal(udp.sessions[0].remote, '198.51.100.10');
    r = await app.inject({ method: 'GET', url: '/sessions?inside=2001:db8:1::10' });
    assert.equal(r.json().total, 2);
    r = await app.inject({ method: 'GET', url: '/sessions?colour=red' });
    assert.equal(r.statusCode, 400);
    const entry = udp.sessions[0].entryNumber;
    r = await app.inject({ method: 'GET', url: '/sessions/blue/' + entry });
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().protocol, 'udp');
    r = await app.inject({ method: 'DELETE', url: '/sessions/blue/' + entry });
    assert.equal(r.statusCode, 204);
    r = await app.inject({ method: 'GET', url: '/sessions/blue/' + entry });
    assert.equal(r.statusCode, 404);
    assert.equal((await app.inject({ method: 'GET', url: '/sessions' })).json().total, 1);
  });

  it('GET /counters gives per-stage counts and drops; GET /config the configuration in force', async () => {
    const { app } = createApiServer(view, { token: null });
    const c = (await app.inject({ method: 'GET', url: '/counters' })).json();
    assert.deepEqual(c.stages.map((s: { name: string }) => s.name), ['classify', 'tenant', 'flow-cache', 'firewall-in', 'translate', 'firewall-out', 'flow-learn', 'emit']);
    assert.equal(c.stages[0].in, 12);
    const cfg = (await app.inject({ method: 'GET', url: '/config' })).json();
    assert.equal(cfg.tenants[0].nat.nat64.pool6, '2001:db8:64::/96');
  });

  it('GET /metrics is Prometheus text with sessions, pool use, flow cache and ports', async () => {
    const { app } = createApiServer(view, { token: null });
    const r = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /text\/plain/);
    const text = r.body;
    assert.match(text, /natmesh_sessions\{tenant="blue",protocol="tcp",state="[^"]+",node="1"\} 1/);
    assert.match(text, /natmesh_pool_ports\{tenant="blue",protocol="udp",use="used",node="1"\} \d+/);
    assert.match(text, /natmesh_flow_cache_lookups_total\{result="hit",node="1"\} [1-9]/);
    assert.match(text, /natmesh_port_packets_total\{port="pcap",direction="rx",node="1"\} 12/);
    assert.match(text, /natmesh_firewall_connections\{tenant="blue",node="1"\} \d/);
  });

  it('refuses requests without the bearer token when one is configured', async () => {
    const { app } = createApiServer(view, { token: 'correct-horse-battery-staple' });
    assert.equal((await app.inject({ method: 'GET', url: '/status' })).statusCode, 401);
    assert.equal((await app.inject({ method: 'GET', url: '/status', headers: { authorization: 'Bearer wrong-horse-battery-staple!' } })).statusCode, 401);
    assert.equal((await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer correct-horse-battery-staple' } })).statusCode, 200);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createServer, type AddressInfo } from 'node:net';
import { createApiServer } from '../../src/control/api-server.js';
import { EXIT_INPUT, EXIT_OK, main } from '../../src/control/cli.js';
import { gatewayAfterConversation } from './gateway-fixture.js';

/** `natmesh status` and `natmesh sessions` against a real API server on loopback. */
async function cli(...argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await main(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  return { status, stdout, stderr };
}

describe('natmesh status / sessions', () => {
  const token = 'a-token-of-sixteen-chars';
  const { app } = createApiServer(gatewayAfterConversation(), { token });
  let base = '';
  before(async () => {
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = 'http://127.0.0.1:' + (app.server.address() as AddressInfo).port;
  });
  after(() => app.close());

  it('status prints tenants, sessions and the flow cache', async () => {
    const r = await cli('status', '--api', base, '--token', token);
    assert.equal(r.status, EXIT_OK, r.stderr);
    assert.match(r.stdout, /^node 1, up \d+ s, 0 reloads\n/);
    assert.match(r.stdout, /tenant blue \(id 1, nat64\): 2 sessions, 2 bindings, 2 firewall connections/);
    assert.match(r.stdout, /flow cache: \d+ hits, \d+ misses/);
  });

  it('sessions lists them in columns, filters, and deletes one', async () => {
    let r = await cli('sessions', '--api', base, '--token', token, '--protocol', 'tcp');
    assert.equal(r.status, EXIT_OK, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^SESSION\s+PROTO\s+INSIDE\s+OUTSIDE\s+REMOTE\s+STATE\s+EXPIRES$/);
    assert.equal(lines.length, 2);
    assert.match(lines[1]!, /^blue\/\d+\s+tcp\s+\[2001:db8:1::10\]:40000\s+203\.0\.113\.1:40000\s+198\.51\.100\.10:80\s+V4 FIN \+ V6 FIN RCV\s+\d+ s$/);
    const entry = lines[1]!.split(/\s+/)[0]!;
    r = await cli('sessions', '--api', base, '--token', token, '--delete', entry);
    assert.equal(r.status, EXIT_OK, r.stderr);
    r = await cli('sessions', '--api', base, '--token', token, '--protocol', 'tcp', '--json');
    assert.equal(r.stdout, '');
  });

  it('exits 1 with the reason when the API refuses or cannot be reached', async () => {
    let r = await cli('status', '--api', base, '--token', 'wrong-token-of-16-chars');
    assert.equal(r.status, EXIT_INPUT);
    assert.match(r.stderr, /GET \/status answered 401: missing or wrong bearer token/);
    // A port nobody listens on: taken and released again.
    const probe = createServer();
    await new Promise<void>((res) => probe.listen(0, '127.0.0.1', res));
    const closed = (probe.address() as AddressInfo).port;
    await new Promise((res) => probe.close(res));
    r = await cli('status', '--api', 'http://127.0.0.1:' + closed);
    assert.equal(r.status, EXIT_INPUT);
    assert.match(r.stderr, /cannot reach the gateway API at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
  });
});

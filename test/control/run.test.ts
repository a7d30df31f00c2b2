import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

/**
 * `natmesh run` as a process: the compiled CLI started on a configuration with a VXLAN port on
 * loopback, driven through its HTTP API and signals: status, a garbage datagram dropped and
 * counted, SIGHUP with a valid change (sessions kept) and with an invalid one (refused, still
 * running), SIGTERM (drains, exits 0). Bad configuration exits 2 naming the field.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const cli = join(root, 'dist/control/cli.js');
const work = mkdtempSync(join(tmpdir(), 'natmesh-run-'));

function config(vxPort: number, extraRoute = ''): string {
  return `
node: { id: 7 }
ports:
  - { name: vx0, type: vxlan, listen: 127.0.0.1:${vxPort}, remotes: [127.0.0.2] }
tenants:
  - name: blue
    id: 1
    interfaces:
      - { name: inside, port: vx0, vni: 100, addresses: [2001:db8:1::1/64] }
      - { name: outside, port: vx0, vni: 200, addresses: [203.0.113.1/24] }
    routes:
      - { prefix: 0.0.0.0/0, via: 203.0.113.254 }${extraRoute}
    nat:
      pool4: [203.0.113.1/32]
      nat64: { pool6: 64:ff9b::/96 }
api: { listen: 127.0.0.1:0 }
`;
}

/** A free UDP port on loopback (bound and released). */
async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((res) => s.bind(0, '127.0.0.1', res));
  const p = s.address().port;
  await new Promise<void>((res) => s.close(() => res()));
  return p;
}

class Gateway {
  readonly lines: Record<string, unknown>[] = [];
  private waiters: { match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
  readonly exited: Promise<number | null>;
  constructor(readonly child: ChildProcessWithoutNullStreams) {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
        buf = buf.slice(nl + 1);
        this.lines.push(line);
        this.waiters = this.waiters.filter((w) => (w.match(line) ? (w.resolve(line), false) : true));
      }
    });
    this.exited = new Promise((res) => child.on('exit', (code) => res(code)));
  }
  waitFor(msg: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const seen = this.lines.find((l) => l['msg'] === msg);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no "' + msg + '" log line; got ' + JSON.stringify(this.lines))), timeoutMs);
      this.waiters.push({ match: (l) => l['msg'] === msg, resolve: (l) => { clearTimeout(t); resolve(l); } });
    });
  }
}

describe('natmesh run', () => {
  const file = join(work, 'gateway.yaml');
  let vxPort = 0;
  let gw: Gateway;
  let api = '';
  before(async () => {
    vxPort = await freeUdpPort();
    writeFileSync(file, config(vxPort));
    gw = new Gateway(spawn(process.execPath, [cli, 'run', '--config', file], { cwd: root }));
    const started = await gw.waitFor('natmesh running');
    api = String(started['api']);
  });
  after(() => {
    if (gw.child.exitCode === null) gw.child.kill('SIGKILL');
  });

  it('starts, logs JSON, and answers /status', async () => {
    const s = await (await fetch(api + '/status')).json() as { node: number; tenants: { name: string }[]; ports: { name: string }[] };
    assert.equal(s.node, 7);
    assert.deepEqual(s.tenants.map((t) => t.name), ['blue']);
    assert.deepEqual(s.ports.map((p) => p.name), ['vx0']);
  });

  it('drops and counts garbage on the tunnel port and unknown tunnel endpoints, and stays up', async () => {
    const s = createSocket('udp4');
    await new Promise<void>((res) => s.bind(0, '127.0.0.1', res));
    for (let i = 0; i < 5; i++) await new Promise<void>((res) => s.send(Buffer.from('not a vxlan header'), vxPort, '127.0.0.1', () => res()));
    s.close();
    await new Promise((res) => setTimeout(res, 200));
    const metrics = await (await fetch(api + '/metrics')).text();
    assert.match(metrics, /natmesh_port_drops_total\{port="vx0",reason="[A-Za-z]+",node="7"\} 5/);
    assert.equal(gw.child.exitCode, null);
  });

  it('SIGHUP applies a valid change and refuses an invalid one, keeping the old configuration', async () => {
    writeFileSync(file, config(vxPort, '\n      - { prefix: 192.0.2.0/24, via: 203.0.113.253 }'));
    gw.child.kill('SIGHUP');
    const ok = await gw.waitFor('configuration reloaded');
    assert.deepEqual(ok['changes'], ['blue: sessions kept']);
    writeFileSync(file, config(vxPort).replace('pool4: [203.0.113.1/32]', 'pool4: [203.0.113.1/33]'));
    gw.child.kill('SIGHUP');
    const refused = await gw.waitFor('configuration reload refused; the running configuration stays');
    assert.match(String(refused['reason']), /tenants\[0\]\.nat\.pool4\[0\]/);
    const s = await (await fetch(api + '/status')).json() as { reloads: number; lastReloadError: string };
    assert.equal(s.reloads, 1);
    assert.match(s.lastReloadError, /pool4/);
    const cfg = await (await fetch(api + '/config')).json() as { tenants: { routes: unknown[] }[] };
    assert.equal(cfg.tenants[0]!.routes.length, 2, 'the configuration in force is the last valid one');
  });

  it('SIGTERM drains and exits 0', async () => {
    gw.child.kill('SIGTERM');
    await gw.waitFor('natmesh stopped');
    assert.equal(await gw.exited, 0);
  });
});

describe('natmesh run refuses', () => {
  it('a malformed configuration: exit 2 naming the field', () => {
    const bad = join(work, 'bad.yaml');
    writeFileSync(bad, config(4789).replace('vni: 200', 'vni: 100'));
    const r = spawnSync(process.execPath, [cli, 'run', '--config', bad], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /tenants\[0\]\.interfaces\[1\]\.vni: VNI 100 on port "vx0" is already used by tenants\[0\]\.interfaces\[0\]/);
  });

  it('a tunnel port whose address is taken: exit 1 with the reason', async () => {
    const s = createSocket('udp4');
    await new Promise<void>((res) => s.bind(0, '127.0.0.1', res));
    const taken = s.address().port;
    const file = join(work, 'taken.yaml');
    writeFileSync(file, config(taken));
    const r = spawnSync(process.execPath, [cli, 'run', '--config', file], { encoding: 'utf8', timeout: 10_000 });
    s.close();
    assert.equal(r.status, 1, r.stderr + r.stdout);
    assert.match(r.stderr, /EADDRINUSE/);
  });
});

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LAB_ADDRESSES, LAB_HOSTS, labGatewayConfig, labNat64Address, LabTopology, standardLabSpec, startLabGateway, uniqueLabId,
  type LabGatewayProcess, type LabProcess, type StandardLabOptions,
} from '../../src/control/lab-topology.js';
import { droppedPackets, gatewayMetrics, gatewayTestSkip, natmeshCommand, servedFiles, startLabServer } from './gateway-fixture.js';

/**
 * natmesh restarted while a TCP connection through it is idle (seed 000: stateless translation
 * with a stateful IPv4 firewall that accepts ongoing flows for a grace period after a restart):
 *   - stateless SIIT, no firewall: nothing was lost, the connection continues;
 *   - with the firewall and a grace period: its state is rebuilt from the mid-flow packets;
 *   - with the firewall and no grace period: the mid-flow packets are refused and counted.
 */

const skip = gatewayTestSkip();
const LAB: StandardLabOptions = { client4: false };
const SERVER = labNat64Address(LAB_ADDRESSES.wkp, LAB_ADDRESSES.server4);

/** Holds one TCP connection to the server's line echo; each stdin line is sent, the echo (or "timeout") printed. */
const HELD_CONNECTION = [
  'import socket, sys',
  's = socket.create_connection((sys.argv[1], 7), timeout=5)',
  'f = s.makefile("rwb")',
  'print("connected", flush=True)',
  'for line in sys.stdin:',
  '    f.write(line.encode()); f.flush()',
  '    try:',
  '        print("got " + f.readline().decode().strip(), flush=True)',
  '    except (socket.timeout, OSError) as e:',
  '        print("timeout", flush=True); break',
].join('\n');

async function say(conn: LabProcess, line: string, timeoutMs = 10_000): Promise<string> {
  const seen = conn.stdout().split('\n').length;
  conn.child.stdin!.write(line + '\n');
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const lines = conn.stdout().split('\n');
    if (lines.length > seen) return lines[seen - 1]!;
    if (performance.now() > deadline) throw new Error('no answer from the held connection: ' + conn.stderr());
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('natmesh restarted under an idle TCP connection', { skip }, () => {
  let lab: LabTopology;
  let work: string;
  let gw: LabGatewayProcess | null = null;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'natmesh-e2e-restart-'));
    lab = await LabTopology.create(uniqueLabId('rs'), standardLabSpec(LAB));
    await startLabServer(lab, (await servedFiles()).dir);
  });
  after(async () => {
    await gw?.stop().catch(() => {});
    await lab?.down();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function start(firewallGraceSeconds: number | undefined): Promise<void> {
    gw = await startLabGateway(lab, {
      command: natmeshCommand(),
      config: labGatewayConfig({ path: 'tun', translation: 'siit', firewallGraceSeconds }, LAB),
      configPath: join(work, 'natmesh.yaml'),
      lab: LAB,
    });
  }

  async function restartUnderConnection(firewallGraceSeconds: number | undefined): Promise<{ answer: string; drops: number; dropLines: string }> {
    await start(firewallGraceSeconds);
    const conn = lab.spawn(LAB_HOSTS.client6, ['/usr/bin/python3', '-c', HELD_CONNECTION, SERVER], { stdin: true });
    try {
      for (let i = 0; !conn.stdout().includes('connected'); i++) {
        if (conn.child.exitCode !== null || i > 500) throw new Error('no connection: ' + conn.stderr());
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(await say(conn, 'before'), 'got before');
      assert.equal(await gw!.stop(), 0, 'natmesh exits cleanly on SIGTERM');
      await start(firewallGraceSeconds);
      const answer = await say(conn, 'after');
      const metrics = await gatewayMetrics(lab);
      const dropLines = [...metrics].filter(([k, v]) => k.startsWith('natmesh_drops_total') && v > 0).map(([k, v]) => k + ' ' + v).join('\n');
      return { answer, drops: droppedPackets(metrics, /stage="firewall-[a-z]+",reason="firewall\.unknownMidFlow"/), dropLines };
    } finally {
      await conn.stop(500);
      await gw!.stop();
      gw = null;
    }
  }

  test('stateless SIIT without a firewall: the connection continues', async () => {
    assert.equal((await restartUnderConnection(undefined)).answer, 'got after');
  });

  test('stateful firewall with a grace period: the connection continues, its state rebuilt from mid-flow packets', async () => {
    const r = await restartUnderConnection(30);
    assert.equal(r.answer, 'got after');
    assert.equal(r.drops, 0, 'no mid-flow packet refused inside the grace period; drops:\n' + r.dropLines);
  });

  test('stateful firewall without a grace period: mid-flow packets are refused and counted', async () => {
    const r = await restartUnderConnection(0);
    assert.equal(r.answer, 'timeout');
    assert.ok(r.drops > 0, 'the refused mid-flow packets are counted as the firewall\'s unknownMidFlow; drops:\n' + r.dropLines);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAB_ADDRESSES, LAB_HOSTS, labTunCommands, type LabProcess, type LabTopology } from '../../src/control/lab-topology.js';

/**
 * TAYGA (Debian `tayga`, 0.9.x), the userspace stateless NAT64 operators run today, on a TUN
 * device in the lab's gateway namespace: the baseline natmesh is measured against.
 *
 * TAYGA translates IPv6 clients to addresses of its dynamic pool (one IPv4 address per IPv6
 * host) and the server's IPv4 address into 64:ff9b::/96. It refuses the Well-Known Prefix with
 * non-global IPv4 addresses (RFC 6052 §3.1), hence the lab's server in 100.64.0.0/10.
 */

export const TAYGA_DEVICE = 'nat64';

export interface TaygaGateway {
  readonly process: LabProcess;
  stop(): Promise<void>;
}

export async function startTayga(lab: LabTopology): Promise<TaygaGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'natmesh-tayga-'));
  const conf = join(dir, 'tayga.conf');
  writeFileSync(conf, [
    'tun-device ' + TAYGA_DEVICE,
    'ipv4-addr ' + LAB_ADDRESSES.taygaAddress4,
    'prefix ' + LAB_ADDRESSES.wkp,
    'dynamic-pool ' + LAB_ADDRESSES.taygaPool4,
    'data-dir ' + dir,
    '',
  ].join('\n'));
  const proc = lab.spawn(LAB_HOSTS.gateway, ['tayga', '--nodetach', '--config', conf]);
  const deadline = performance.now() + 5000;
  while ((await lab.exec(LAB_HOSTS.gateway, ['ip', 'link', 'show', TAYGA_DEVICE], { check: false })).code !== 0) {
    if (proc.child.exitCode !== null || performance.now() > deadline) {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
      throw new Error('TAYGA did not create ' + TAYGA_DEVICE + ': ' + proc.stderr());
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  await lab.ip(LAB_HOSTS.gateway, labTunCommands(TAYGA_DEVICE, [LAB_ADDRESSES.taygaPool4], { nat64Prefixes: [LAB_ADDRESSES.wkp] }));
  return {
    process: proc,
    stop: async () => {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

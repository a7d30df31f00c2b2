import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseIpv6 } from '../../src/addr/ipv6-address.js';
import { Ipv6Prefix } from '../../src/addr/ipv6-prefix.js';
import {
  LAB_ADDRESSES, LAB_HOSTS, labGatewayConfig, labNat64Address, labPathRoutes, LabTopology, standardLabSpec, startLabGateway,
  uniqueLabId, type LabGatewayProcess, type StandardLabOptions,
} from '../../src/control/lab-topology.js';
import {
  dropSummary, droppedPackets, gatewayMetrics, gatewayTestSkip, natmeshCommand, servedFiles, startLabServer, udpExchange, type ServedFiles,
} from './gateway-fixture.js';

/**
 * The live gateway end to end, on one data path: real Linux hosts in namespaces (an IPv6-only
 * client, an IPv4-only HTTP server behind a router whose link to it has a 1400-byte MTU, an IPv4
 * client behind NAT44) and `natmesh run` in the gateway namespace on a TUN device or behind
 * kernel VXLAN / Geneve devices. Each test file runs this for one path with its own namespaces.
 */

/** IPv4 link MTU between router4 and the server: below the 1480-byte IPv4 packets a 1500-byte IPv6 client sends. */
const IPV4_LINK_MTU = 1400;
const CURL = ['curl', '-sS', '--fail', '--connect-timeout', '5', '--max-time', '10'];
/** For the 100 MB transfers. */
const CURL_LONG = ['curl', '-sS', '--fail', '--connect-timeout', '5', '--max-time', '60'];

function bracket(v6: string): string {
  return '[' + v6 + ']';
}

export function gatewaySuite(path: 'tun' | 'vxlan' | 'geneve'): void {
  const skip = gatewayTestSkip();
  const labOpts: StandardLabOptions = { ipv4LinkMtu: IPV4_LINK_MTU, tunnels: path === 'tun' ? [] : [path] };
  let lab: LabTopology;
  let files: ServedFiles;
  let work: string;
  let gw: LabGatewayProcess | null = null;

  async function startNatmesh(pool6: string): Promise<void> {
    gw = await startLabGateway(lab, {
      command: natmeshCommand(),
      config: labGatewayConfig({ path, pool6 }, labOpts),
      configPath: join(work, 'natmesh.yaml'),
      lab: labOpts,
    });
  }

  async function stopNatmesh(): Promise<void> {
    if (gw !== null) {
      const status = await gw.stop();
      gw = null;
      assert.equal(status, 0, 'natmesh exits cleanly on SIGTERM');
    }
  }

  describe('natmesh over ' + path, { skip }, () => {
    before(async () => {
      work = mkdtempSync(join(tmpdir(), 'natmesh-e2e-'));
      files = await servedFiles();
      lab = await LabTopology.create(uniqueLabId(path.slice(0, 2)), standardLabSpec(labOpts));
      await lab.setRoutes(labPathRoutes(path, labOpts));
      await startLabServer(lab, files.dir);
    });
    after(async () => {
      await stopNatmesh().catch(() => {});
      await lab?.down();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    for (const pool6 of [LAB_ADDRESSES.wkp, LAB_ADDRESSES.nsp64]) {
      const server = labNat64Address(pool6, LAB_ADDRESSES.server4);
      describe('NAT64 prefix ' + pool6, () => {
        before(() => startNatmesh(pool6));
        after(() => stopNatmesh());

        test('the IPv6-only client fetches a small page and a 100 MB file from the IPv4 server', async () => {
          const page = await lab.exec(LAB_HOSTS.client6, [...CURL, 'http://' + bracket(server) + '/index.html']);
          assert.equal(page.stdout, files.smallPage);
          const whoami = (await lab.exec(LAB_HOSTS.client6, [...CURL, 'http://' + bracket(server) + '/whoami'])).stdout;
          assert.match(whoami, /^100\.64\.100\.\d+ \d+\n$/, 'the server sees a pool address');
          const big = await lab.exec(LAB_HOSTS.client6, ['sh', '-c', CURL_LONG.join(' ') + ' http://' + bracket(server) + '/' + files.bigName + ' | sha256sum'], { timeoutMs: 90_000 });
          assert.equal(big.stdout.split(' ')[0], files.bigSha256);
        });

        test('ping6 reaches the IPv4 server', async () => {
          const ping = await lab.exec(LAB_HOSTS.client6, ['ping', '-6', '-c', '3', '-i', '0.2', '-W', '2', server]);
          assert.match(ping.stdout, / 0% packet loss/);
        });

        test('traceroute6 shows the IPv4 router as a translated hop and ends at the server', async () => {
          const tr = (await lab.exec(LAB_HOSTS.client6, ['traceroute6', '-n', '-q', '1', '-w', '1', '-m', '8', server], { timeoutMs: 30_000 })).stdout;
          const hops = tr.split('\n').slice(1).filter((l) => l.trim() !== '').map((l) => l.trim().split(/\s+/)[1]!);
          assert.equal(hops[hops.length - 1], server, tr);
          // ICMPv4 Time Exceeded from an IPv4 router, translated (RFC 7915 §4.2) to an ICMPv6 one
          // whose source is the router's address under the NAT64 prefix.
          const prefix = Ipv6Prefix.parse(pool6);
          const translated = hops.slice(0, -1).filter((h) => h.includes(':') && prefix.contains(parseIpv6(h), 0));
          assert.ok(translated.length > 0, 'a translated router hop before the server:\n' + tr);
        });

        test('a UDP request gets its response', async () => {
          assert.equal(await udpExchange(lab, LAB_HOSTS.client6, server, 7, 'hello ' + pool6), 'echo hello ' + pool6);
        });
      });
    }

    describe('path MTU and NAT44', () => {
      const server = labNat64Address(LAB_ADDRESSES.wkp, LAB_ADDRESSES.server4);
      before(() => startNatmesh(LAB_ADDRESSES.wkp));
      after(() => stopNatmesh());

      test('an upload through the small-MTU IPv4 link completes: Fragmentation Needed reaches the client as Packet Too Big', async () => {
        const up = await lab.exec(LAB_HOSTS.client6, [...CURL_LONG, '--data-binary', '@' + files.bigPath, 'http://' + bracket(server) + '/sha256'], { timeoutMs: 90_000 });
        assert.equal(up.stdout.trim(), files.bigSha256);
        // RFC 7915 §4.2: the MTU of Fragmentation Needed plus the 20 bytes IPv6 adds.
        const route = (await lab.exec(LAB_HOSTS.client6, ['ip', '-6', 'route', 'get', server])).stdout;
        assert.match(route, new RegExp('mtu ' + (IPV4_LINK_MTU + 20)), route);
      });

      test('the NAT44 client reaches the server from a pool address; unsolicited inbound is dropped', async () => {
        const whoami = (await lab.exec(LAB_HOSTS.client4, [...CURL, 'http://' + LAB_ADDRESSES.server4 + '/whoami'])).stdout;
        assert.match(whoami, /^100\.64\.100\.\d+ \d+\n$/);
        assert.equal(await udpExchange(lab, LAB_HOSTS.client4, LAB_ADDRESSES.server4, 7, 'nat44'), 'echo nat44');
        const poolAddress = whoami.split(' ')[0]!;
        const before = droppedPackets(await gatewayMetrics(lab));
        assert.equal(await udpExchange(lab, LAB_HOSTS.server4, poolAddress, 40999, 'unsolicited'), 'timeout');
        const probe = await lab.exec(LAB_HOSTS.server4, ['ping', '-c', '1', '-W', '1', LAB_ADDRESSES.client4], { check: false });
        assert.notEqual(probe.code, 0, 'the private client is not reachable from outside');
        const after = await gatewayMetrics(lab);
        assert.ok(droppedPackets(after) >= before + 3, 'the unsolicited datagrams are counted as drops:\n' + dropSummary(after));
      });
    });
  });
}

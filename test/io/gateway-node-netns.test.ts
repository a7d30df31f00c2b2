/**
 * A gateway node in this process talking VXLAN to the Linux kernel: a fresh network namespace
 * joined to the root namespace by a veth pair, two kernel VXLAN devices in it (VNI 100, the
 * IPv6-only client's segment; VNI 200, the IPv4 server's) whose remote is the root-side veth
 * address where the node listens. The kernel resolves the gateway with NDP and ARP, answers the
 * gateway's ARP, and its ping6 to 64:ff9b::198.51.100.7 is translated by the node to an ICMPv4
 * echo the kernel answers, and back. Needs root, `ip` and the kernel's vxlan driver; skipped
 * otherwise. The namespace and the veth pair are removed whatever happens.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { GatewayNode } from '../../src/io/gateway-node.js';
import { SystemClock } from '../../src/io/system-clock.js';
import { UdpTunnelPort } from '../../src/io/udp-tunnel-port.js';
import { nat64Tenant } from './nat64-tenant.js';

const run = promisify(execFile);
const tag = String(process.pid % 100000);
const NS = 'nmgw' + tag;
const VETH_ROOT = 'nmgw' + tag + 'a';
const VETH_NS = 'nmgw' + tag + 'b';
// A /30 of 10.250.0.0/16 picked by the pid, so parallel runs do not collide.
const third = process.pid % 250;
const ROOT_ADDR = '10.250.' + third + '.1';
const NS_ADDR = '10.250.' + third + '.2';
const UDP_PORT = 20000 + (process.pid % 20000);

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: 'pipe' });
}

function nsIp(...args: string[]): void {
  ip('netns', 'exec', NS, 'ip', ...args);
}

function skipReason(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  try {
    execFileSync('ip', ['-V'], { stdio: 'pipe' });
  } catch {
    return 'needs iproute2';
  }
  const probe = 'nmgwprobe' + tag;
  try {
    ip('netns', 'add', probe);
    ip('netns', 'exec', probe, 'ip', 'link', 'add', 'v', 'type', 'vxlan', 'id', '1', 'dstport', '4789');
    return null;
  } catch (e) {
    return 'no kernel VXLAN in a namespace: ' + String((e as { stderr?: Buffer }).stderr ?? e).trim();
  } finally {
    try { ip('netns', 'del', probe); } catch { /* never created */ }
  }
}

function cleanup(): void {
  try { ip('netns', 'del', NS); } catch { /* not there */ }
  try { ip('link', 'del', VETH_ROOT); } catch { /* went with the namespace */ }
}

const skip = skipReason();

test('a kernel VXLAN endpoint in a namespace pings an IPv4 host through the node\'s NAT64 (NDP, ARP, translation both ways)', { skip: skip ?? false, timeout: 30_000 }, async () => {
  cleanup();
  let node: GatewayNode | null = null;
  try {
    ip('netns', 'add', NS);
    ip('link', 'add', VETH_ROOT, 'type', 'veth', 'peer', 'name', VETH_NS);
    ip('link', 'set', VETH_NS, 'netns', NS);
    ip('addr', 'add', ROOT_ADDR + '/30', 'dev', VETH_ROOT);
    ip('link', 'set', VETH_ROOT, 'up');
    nsIp('addr', 'add', NS_ADDR + '/30', 'dev', VETH_NS);
    nsIp('link', 'set', VETH_NS, 'up');
    nsIp('link', 'set', 'lo', 'up');
    for (const [dev, vni] of [['vx100', '100'], ['vx200', '200']] as const) {
      nsIp('link', 'add', dev, 'type', 'vxlan', 'id', vni, 'remote', ROOT_ADDR, 'local', NS_ADDR, 'dstport', String(UDP_PORT), 'dev', VETH_NS);
    }
    nsIp('link', 'set', 'vx100', 'address', '02:00:00:00:00:07');
    nsIp('link', 'set', 'vx200', 'address', '02:00:00:00:00:08');
    nsIp('-6', 'addr', 'add', '2001:db8:1::7/64', 'dev', 'vx100', 'nodad');
    nsIp('addr', 'add', '198.51.100.7/24', 'dev', 'vx200');
    nsIp('link', 'set', 'vx100', 'up');
    nsIp('link', 'set', 'vx200', 'up');
    nsIp('-6', 'route', 'add', '64:ff9b::/96', 'via', '2001:db8:1::1', 'dev', 'vx100');
    nsIp('route', 'add', '203.0.113.0/24', 'via', '198.51.100.1', 'dev', 'vx200');

    const clock = new SystemClock();
    const port = new UdpTunnelPort({ name: 'vx0', encapsulation: 'vxlan', address: ROOT_ADDR, port: UDP_PORT, remotes: [NS_ADDR] });
    node = new GatewayNode({
      nodeId: 1, ports: [port], clock,
      datapath: {
        tenants: [{
          datapath: nat64Tenant(clock),
          interfaces: [
            { name: 'inside', port: 'vx0', vni: 100, addresses: ['2001:db8:1::1/64'] },
            { name: 'outside', port: 'vx0', vni: 200, addresses: ['198.51.100.1/24'] },
          ],
        }],
      },
    });
    await node.start();
    // The first echo is dropped while the gateway resolves 198.51.100.7; later ones go through.
    const { stdout } = await run('ip', ['netns', 'exec', NS, 'ping', '-6', '-c', '5', '-i', '0.2', '-W', '2', '64:ff9b::198.51.100.7'], { timeout: 15_000 })
      .catch((e: { stdout?: string; stderr?: string }) => ({ stdout: String(e.stdout ?? '') + String(e.stderr ?? '') }));
    const received = Number(/(\d+) received/.exec(stdout)?.[1] ?? 0);
    const c = node.counters();
    const why = stdout + '\n' + JSON.stringify({ drops: c.drops, routeDrops: c.routeDrops, ports: c.ports, neighbor: c.neighbor }, null, 1);
    assert.ok(received >= 3, 'echo replies: ' + why);
    assert.ok(/from 64:ff9b::c633:6407/.test(stdout), 'replies come from the translated server address: ' + stdout);
    assert.ok(c.neighbor.nsAnswered >= 1, 'the kernel resolved the gateway with NDP: ' + why);
    assert.ok(c.neighbor.arpLearned + c.neighbor.arpAnswered >= 1, 'ARP with the kernel: ' + why);
    assert.equal(c.ports[0]!.drops['unknownRemote'] ?? 0, 0);
    assert.ok(node.tenants[0]!.napt!.sessionCount >= 1);
  } finally {
    await node?.stop();
    cleanup();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/control/config.js';
import {
  canBuildLab, LAB_ADDRESSES, LAB_VNIS, labGatewayConfig, labNat64Address, labPathRoutes, labPrefix, LabSpecError, LabTopology, labTunCommands,
  listLabNamespaces, standardLabSpec, teardownLabSync, uniqueLabId,
} from '../../src/control/lab-topology.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const skipUnlessRoot = canBuildLab() ? false : 'needs root to build network namespaces';

function rootLinks(): string[] {
  return execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).split('\n');
}

test('a topology with a repeated host, an unknown host or a bad interface name is refused before anything is built', async () => {
  const cases: [string, Parameters<typeof LabTopology.create>[1]][] = [
    ['repeated host', { hosts: [{ name: 'a' }, { name: 'a' }], links: [] }],
    ['unknown host', { hosts: [{ name: 'a' }], links: [{ a: { host: 'a', ifname: 'x' }, b: { host: 'b', ifname: 'y' } }] }],
    ['interface name over IFNAMSIZ', { hosts: [{ name: 'a' }, { name: 'b' }], links: [{ a: { host: 'a', ifname: 'sixteen-letters!' }, b: { host: 'b', ifname: 'y' } }] }],
    ['interface twice in a host', { hosts: [{ name: 'a' }, { name: 'b' }], links: [{ a: { host: 'a', ifname: 'x' }, b: { host: 'b', ifname: 'y' } }, { a: { host: 'a', ifname: 'x' }, b: { host: 'b', ifname: 'z' } }] }],
    ['route in an unknown host', { hosts: [{ name: 'a' }], links: [], routes: [{ host: 'b', prefix: '::/0' }] }],
  ];
  for (const [name, spec] of cases) {
    await assert.rejects(LabTopology.create(uniqueLabId('v'), spec), LabSpecError, name);
  }
  assert.throws(() => labPrefix('a b'), LabSpecError);
  assert.throws(() => teardownLabSync(''), LabSpecError, 'an empty prefix would match every namespace');
  assert.throws(() => teardownLabSync('ns-'), LabSpecError, 'only lab prefixes are torn down');
});

test('the natmesh configuration of every lab data path validates', () => {
  for (const path of ['tun', 'vxlan', 'geneve'] as const) {
    for (const pool6 of [LAB_ADDRESSES.wkp, LAB_ADDRESSES.nsp64]) {
      const config = parseConfig(stringify(labGatewayConfig({ path, pool6, firewallGraceSeconds: 30 })), path + ' ' + pool6);
      assert.equal(config.tenants[0]!.nat?.nat64?.pool6, pool6);
      assert.equal(config.ports![0]!.type, path);
    }
  }
  for (const pool6 of [LAB_ADDRESSES.wkp, LAB_ADDRESSES.nsp64]) {
    const siit = parseConfig(stringify(labGatewayConfig({ path: 'tun', translation: 'siit', pool6, firewallGraceSeconds: 0 })));
    assert.equal(siit.tenants[0]!.siit?.eamt?.[0]?.ipv6, LAB_ADDRESSES.client6 + '/128');
    assert.equal(siit.tenants[0]!.firewall?.graceSeconds, 0);
  }
  const vx = parseConfig(stringify(labGatewayConfig({ path: 'vxlan' }, { client4: false })));
  assert.deepEqual(vx.tenants[0]!.interfaces!.map((i) => i.vni), [LAB_VNIS.client6, LAB_VNIS.server4]);
});

test('RFC 6052 addresses of the lab server under both NAT64 prefixes', () => {
  assert.equal(labNat64Address(LAB_ADDRESSES.wkp, LAB_ADDRESSES.server4), '64:ff9b::6440:102');
  assert.equal(labNat64Address(LAB_ADDRESSES.nsp64, LAB_ADDRESSES.server4), '2001:db8:64:0:64:4001:200:0', 'bits 64-71 stay zero (RFC 6052 §2.2)');
});

test('the standard lab routes the IPv6 client to the NAT64 prefixes through the gateway or through its tunnel', () => {
  const kernel = labPathRoutes('kernel');
  assert.ok(kernel.some((r) => r.host === 'client6' && r.prefix === LAB_ADDRESSES.wkp && r.via === LAB_ADDRESSES.gateway6));
  const vx = labPathRoutes('vxlan');
  assert.ok(vx.some((r) => r.host === 'client6' && r.prefix === LAB_ADDRESSES.nsp64 && r.dev === 'vx0'));
  assert.ok(vx.some((r) => r.host === 'server4' && r.prefix === '0.0.0.0/0' && r.dev === 'vx0' && r.src === LAB_ADDRESSES.server4),
    'the server answers from its service address, not its tunnel address');
  assert.ok(!vx.some((r) => r.host === 'client4' && r.dev === 'eth0'), 'over a tunnel the NAT44 client leaves through it');
  const tun = labTunCommands('nat64', [LAB_ADDRESSES.taygaPool4], { nat44: true });
  assert.ok(tun.includes('route replace ' + LAB_ADDRESSES.wkp + ' dev nat64'));
  assert.ok(tun.some((l) => l.startsWith('rule add from ' + LAB_ADDRESSES.client4Prefix)));
});

test('the standard lab comes up, forwards, and leaves nothing behind', { skip: skipUnlessRoot }, async () => {
  const lab = await LabTopology.create(uniqueLabId('lt'), standardLabSpec({ tunnels: ['vxlan'], ipv4LinkMtu: 1280 }));
  const { prefix } = lab;
  try {
    assert.deepEqual(listLabNamespaces(prefix).sort(), ['client4', 'client6', 'gateway', 'router4', 'server4'].map((h) => prefix + h).sort());
    // IPv6-only client: reaches the gateway over IPv6, has no IPv4 route to the server.
    await lab.exec('client6', ['ping', '-6', '-c', '1', '-W', '2', LAB_ADDRESSES.gateway6]);
    const noV4 = await lab.exec('client6', ['ip', '-4', 'route', 'get', LAB_ADDRESSES.server4], { check: false });
    assert.notEqual(noV4.code, 0, 'the IPv6 client must not have an IPv4 route: ' + noV4.stdout);
    // Plain kernel forwarding on the IPv4 side: NAT44 client -> gateway -> router4 -> server.
    await lab.exec('client4', ['ping', '-c', '1', '-W', '2', LAB_ADDRESSES.server4]);
    assert.match((await lab.exec('router4', ['ip', 'link', 'show', 'to-s4'])).stdout, /mtu 1280 /);
    // The kernel VXLAN device toward natmesh's UDP port, and the underlay to reach it.
    const vx = (await lab.exec('client6', ['ip', '-d', 'link', 'show', 'vx0'])).stdout;
    assert.match(vx, new RegExp('vxlan id ' + LAB_VNIS.client6 + ' remote ' + LAB_ADDRESSES.tunnelListen4.replace(/\./g, '\\.')));
    assert.match(vx, /dstport 4789/);
    await lab.exec('router4', ['ping', '-c', '1', '-W', '2', LAB_ADDRESSES.tunnelListen4]);
    // Switching the data path replaces the routes.
    await lab.setRoutes(labPathRoutes('vxlan', { ipv4LinkMtu: 1280 }));
    assert.match((await lab.exec('client6', ['ip', '-6', 'route', 'show', LAB_ADDRESSES.wkp])).stdout, /dev vx0/);
    const sleeper = lab.spawn('server4', ['sleep', '60']);
    await lab.down();
    assert.notEqual(await sleeper.exited, 0, 'a process started in the lab is stopped by down');
  } finally {
    await lab.down();
  }
  assert.deepEqual(listLabNamespaces(prefix), []);
  assert.deepEqual(rootLinks().filter((l) => l.includes(prefix)), [], 'nothing in the root namespace');
  await lab.down();
});

test('teardown by prefix removes namespaces and their processes left by a crashed run', { skip: skipUnlessRoot }, async () => {
  const prefix = labPrefix(uniqueLabId('cr'));
  // What a run killed mid-way leaves: namespaces, one with a process keeping it alive.
  execFileSync('ip', ['netns', 'add', prefix + 'a']);
  execFileSync('ip', ['netns', 'add', prefix + 'b']);
  execFileSync('ip', ['-n', prefix + 'a', 'link', 'add', 'x', 'type', 'veth', 'peer', 'name', 'y', 'netns', prefix + 'b']);
  const orphan = spawn('ip', ['netns', 'exec', prefix + 'a', 'sleep', '60'], { stdio: 'ignore' });
  const gone = new Promise((resolve) => orphan.on('exit', (_code, signal) => resolve(signal)));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(listLabNamespaces(prefix).length, 2);
  assert.deepEqual(teardownLabSync(prefix).sort(), [prefix + 'a', prefix + 'b']);
  assert.equal(await gone, 'SIGKILL', 'the process inside was killed');
  assert.deepEqual(listLabNamespaces(prefix), []);
  assert.deepEqual(teardownLabSync(prefix), [], 'a second teardown finds nothing and does not fail');
});

test('SIGINT to a process holding a lab tears the lab down', { skip: skipUnlessRoot }, async () => {
  const id = uniqueLabId('si');
  const script = [
    "import { LabTopology } from " + JSON.stringify(join(root, 'src/control/lab-topology.ts')) + ';',
    'const lab = await LabTopology.create(' + JSON.stringify(id) + ", { hosts: [{ name: 'a' }, { name: 'b' }], links: [{ a: { host: 'a', ifname: 'eth0' }, b: { host: 'b', ifname: 'eth0' } }] });",
    "lab.spawn('a', ['sleep', '60']);",
    "process.stdout.write('ready\\n');",
    'setInterval(() => {}, 1000);',
  ].join('\n');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); });
    child.on('exit', () => reject(new Error('child exited before the lab was up')));
  });
  const prefix = labPrefix(id);
  assert.equal(listLabNamespaces(prefix).length, 2);
  child.kill('SIGINT');
  assert.equal(await exited, 130);
  assert.deepEqual(listLabNamespaces(prefix), []);
});

test('VXLAN and Geneve devices carry a host\'s frames to the other end, Geneve as tshark decodes it', { skip: skipUnlessRoot }, async () => {
  // Geneve is the kernel's device where the kernel has the driver, else the TAP endpoint script.
  const lab = await LabTopology.create(uniqueLabId('tn'), {
    hosts: [{ name: 'a' }, { name: 'b' }],
    links: [{ a: { host: 'a', ifname: 'eth0', addresses: ['198.18.7.1/24'] }, b: { host: 'b', ifname: 'eth0', addresses: ['198.18.7.2/24'] } }],
    tunnels: [
      { host: 'a', ifname: 'gnv0', type: 'geneve', vni: 5, remote: '198.18.7.2', addresses: ['2001:db8:77::1/64'] },
      { host: 'b', ifname: 'gnv0', type: 'geneve', vni: 5, remote: '198.18.7.1', addresses: ['2001:db8:77::2/64'] },
      { host: 'a', ifname: 'vx0', type: 'vxlan', vni: 6, remote: '198.18.7.2', local: '198.18.7.1', addresses: ['2001:db8:78::1/64'] },
      { host: 'b', ifname: 'vx0', type: 'vxlan', vni: 6, remote: '198.18.7.1', local: '198.18.7.2', addresses: ['2001:db8:78::2/64'] },
    ],
  });
  try {
    const capture = lab.spawn('b', ['tshark', '-l', '-i', 'eth0', '-c', '1', '-f', 'udp dst port 6081 and greater 300', '-T', 'fields',
      '-e', 'geneve.vni', '-e', 'geneve.proto_type', '-e', 'icmpv6.type']);
    await lab.exec('a', ['ping', '-c', '1', '-W', '2', '2001:db8:78::2']);
    await lab.exec('a', ['ping', '-c', '1', '-W', '2', '2001:db8:77::2']);
    // tshark starts capturing some time after it starts: ping until it has seen one.
    let done = false;
    void capture.exited.then(() => { done = true; });
    const deadline = performance.now() + 10_000;
    while (!done && performance.now() < deadline) {
      await lab.exec('a', ['ping', '-c', '1', '-s', '300', '-W', '1', '2001:db8:77::2']);
      await new Promise((r) => setTimeout(r, 100));
    }
    await capture.stop(100);
    assert.deepEqual(capture.stdout().trim().split('\t'), ['0x000005', '0x6558', '128'], 'an Echo Request in Geneve VNI 5, Ethernet payload; tshark said: ' + capture.stderr());
  } finally {
    await lab.down();
  }
});

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Issue 3, done-when: a two-direction TCP and UDP conversation replayed through stateful NAT64
 * and NAT44 (test/golden/stateful/generate.py builds the captures with scapy; static BIB
 * entries fix the client's mapping so the server's answers in the capture reach it). The
 * output is checked with tshark: every checksum good, nothing malformed, no TCP analysis
 * warnings, and each side's view of the connection (what it sent + what reached it from the
 * gateway) carries the whole request and response.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const golden = join(root, 'test/golden/stateful');
const cli = join(root, 'dist/control/cli.js');
const work = mkdtempSync(join(tmpdir(), 'natmesh-replay-stateful-'));

before(() => {
  if (statSync(cli).mtimeMs < statSync(join(root, 'src/control/replay.ts')).mtimeMs) execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'ignore' });
});

function natmesh(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

// The UDP exchange is opaque data: no dissector may guess a protocol from its port numbers.
const CHECKSUM_PREFS = ['-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-d', 'udp.port==47000,data'];

function tsharkFields(file: string, filter: string, fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-r', file, ...CHECKSUM_PREFS, '-Y', filter, '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.trimEnd() === '' ? [] : out.trimEnd().split('\n').map((l) => l.split('|'));
}

/** Packets of one address family from both captures, in time order: one end's view. */
function view(a: string, b: string, family: 'ip' | 'ipv6', name: string): string {
  const merged = join(work, name + '-merged.pcap');
  const out = join(work, name + '.pcap');
  execFileSync('mergecap', ['-F', 'pcap', '-w', merged, a, b]);
  execFileSync('tshark', ['-r', merged, '-Y', family === 'ip' ? 'ip and not ipv6' : 'ipv6', '-w', out, '-F', 'pcap'], { stdio: 'ignore' });
  return out;
}

function followTcp(file: string): string {
  return execFileSync('tshark', ['-r', file, '-q', '-z', 'follow,tcp,ascii,0'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

const REQUEST = 'GET /index.html HTTP/1.0';
const RESPONSE = 'hello, world';

for (const kind of ['nat64', 'nat44'] as const) {
  describe('replay of a ' + kind + ' conversation', () => {
    const input = join(golden, kind + '.pcap');
    const output = join(work, kind + '-out.pcap');
    let result: ReturnType<typeof natmesh>;
    before(() => {
      result = natmesh('replay', '--config', join(golden, kind + '.yaml'), '--in', input, '--out', output, '--dump-sessions');
    });

    it('translates all 12 packets and keeps a TCP and a UDP session', () => {
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stderr, /packets in: 12\npackets out: 12 \(translated 12, icmp-error 0\)\ndropped: 0\n/);
      const sessions = result.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(sessions.length, 2, result.stdout);
      const protos = sessions.map((s) => String(s['protocol'])).sort();
      assert.deepEqual(protos, ['tcp', 'udp']);
      const tcp = sessions.find((s) => s['protocol'] === 'tcp')!;
      // RFC 6146 §3.5.2.2: a FIN each way puts the session in V4 FIN + V6 FIN RCV.
      assert.match(String(tcp['state']), /fin/i);
    });

    it('writes only packets whose checksums tshark verifies, nothing malformed, no TCP warnings', () => {
      // Wireshark checksum status: 0 bad, 1 good, 2 unverified.
      const bad = tsharkFields(output, 'ip.checksum.status == 0 || tcp.checksum.status == 0 || udp.checksum.status == 0 || icmp.checksum.status == 0 || _ws.malformed || _ws.expert.severity >= warning', ['frame.number']);
      assert.deepEqual(bad, []);
      const good = tsharkFields(output, 'tcp.checksum.status == 1 || udp.checksum.status == 1', ['frame.number']);
      assert.equal(good.length, 12);
    });

    it('gives each end a whole TCP stream: the server sees the request, the client the response', () => {
      const clientFamily = kind === 'nat64' ? 'ipv6' : 'ip';
      // NAT44: both ends speak IPv4; the client's view is its private addresses, the server's
      // the public ones.
      const server = kind === 'nat64' ? view(input, output, 'ip', kind + '-server') : filtered(input, output, kind + '-server', 'ip.addr == 203.0.113.1');
      const client = kind === 'nat64' ? view(input, output, clientFamily, kind + '-client') : filtered(input, output, kind + '-client', 'ip.addr == 10.0.0.10');
      for (const [name, file] of [['server', server], ['client', client]] as const) {
        const follow = followTcp(file);
        assert.ok(follow.includes(REQUEST), name + ' view lacks the request:\n' + follow);
        assert.ok(follow.includes(RESPONSE), name + ' view lacks the response:\n' + follow);
        const warnings = tsharkFields(file, 'tcp.analysis.flags && !tcp.analysis.window_update', ['frame.number', '_ws.col.info']);
        assert.deepEqual(warnings, [], name + ' view has TCP analysis warnings');
        assert.equal(tsharkFields(file, 'tcp', ['frame.number']).length, 10, name + ' view holds all 10 TCP segments');
      }
    });
  });
}

/** NAT44 views: both captures merged, filtered by one end's address. */
function filtered(a: string, b: string, name: string, filter: string): string {
  const merged = join(work, name + '-merged.pcap');
  const out = join(work, name + '.pcap');
  execFileSync('mergecap', ['-F', 'pcap', '-w', merged, a, b]);
  execFileSync('tshark', ['-r', merged, '-Y', filter, '-w', out, '-F', 'pcap'], { stdio: 'ignore' });
  return out;
}

describe('replay of an unsolicited inbound SYN (RFC 5382 REQ-4, RFC 6146 §3.5.2.2)', () => {
  it('holds it for 6 seconds, then answers it with ICMP Port Unreachable from the pool address', () => {
    const output = join(work, 'held-syn-out.pcap');
    const r = natmesh('replay', '--config', join(golden, 'held-syn.yaml'), '--in', join(golden, 'held-syn.pcap'), '--out', output);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /translate\.nat\.unsolicitedSynHeld: 1 /);
    assert.match(r.stderr, /held SYNs answered with Port Unreachable: 1\n/);
    const rows = tsharkFields(output, 'icmp', ['ip.src', 'ip.dst', 'icmp.type', 'icmp.code', 'icmp.checksum.status', 'tcp.srcport', 'tcp.dstport', 'tcp.flags.syn']);
    // Outer header, then the quoted SYN's addresses.
    assert.deepEqual(rows, [['203.0.113.1,192.0.2.99', '192.0.2.99,203.0.113.1', '3', '3', '1', '1234', '50000', '1']]);
  });
});

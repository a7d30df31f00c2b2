import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PcapReader, PcapRecord } from '../../src/io/pcap-reader.js';

/**
 * End to end: the compiled CLI (`node dist/control/cli.js replay`) on captures built by scapy
 * (test/golden/replay/generate.py), checked with tshark for addresses, protocols, checksums and
 * the absence of malformed packets.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const golden = join(root, 'test/golden/replay');
const cli = join(root, 'dist/control/cli.js');
const config = join(golden, 'siit.yaml');
const work = mkdtempSync(join(tmpdir(), 'natmesh-replay-'));

function newestMtime(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newestMtime(p) : s.mtimeMs);
  }
  return t;
}

before(() => {
  let built = 0;
  try {
    built = statSync(cli).mtimeMs;
  } catch {
    // not built yet
  }
  if (built < newestMtime(join(root, 'src'))) execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'ignore' });
});

function natmesh(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const CHECKSUM_PREFS = ['-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'];
const FIELDS = [
  'frame.number', 'eth.src', 'eth.dst', 'vlan.id', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'ip.proto', 'ipv6.nxt',
  'udp.srcport', 'udp.dstport', 'tcp.srcport', 'tcp.dstport', 'tcp.options.mss_val', 'icmp.type', 'icmp.code', 'icmpv6.type', 'icmpv6.code',
  'ip.checksum.status', 'udp.checksum.status', 'tcp.checksum.status', 'icmp.checksum.status', 'icmpv6.checksum.status',
  '_ws.malformed', '_ws.expert.severity',
] as const;
type Row = Record<(typeof FIELDS)[number], string>;

function tshark(file: string): Row[] {
  const out = execFileSync('tshark', ['-r', file, ...CHECKSUM_PREFS, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', '-E', 'aggregator=,', ...FIELDS.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.trimEnd().split('\n').map((line) => {
    const cols = line.split('|');
    return Object.fromEntries(FIELDS.map((f, i) => [f, cols[i] ?? ''])) as Row;
  });
}

const H4 = '198.51.100.16';
const S4 = '203.0.113.5';
const R4 = '198.51.100.1';
const H6 = '2001:db8:6::10';
const S6 = '2001:db8:64::cb00:7105';
const E6 = '2001:db8:64::c000:2f1'; // ipv6ErrorSource

/** What each output frame must be, in order: [source(s), destination(s), what, extra checks]. */
const expected: { from: string; src: string; dst: string; l4: Partial<Row>; error?: boolean }[] = [
  { from: 'udp6', src: H4, dst: S4, l4: { 'ip.proto': '17', 'udp.srcport': '40000', 'udp.dstport': '33434' } },
  { from: 'tcp6-syn', src: H4, dst: S4, l4: { 'ip.proto': '6', 'tcp.srcport': '40001', 'tcp.dstport': '80', 'tcp.options.mss_val': '1440' } },
  { from: 'echo6', src: H4, dst: S4, l4: { 'ip.proto': '1', 'icmp.type': '8', 'icmp.code': '0' } },
  { from: 'udp4 (802.1Q)', src: S6, dst: H6, l4: { 'ipv6.nxt': '17', 'udp.srcport': '33434', 'udp.dstport': '40000', 'vlan.id': '100' } },
  { from: 'tcp4-synack', src: S6, dst: H6, l4: { 'ipv6.nxt': '6', 'tcp.srcport': '80', 'tcp.dstport': '40001', 'tcp.options.mss_val': '1440' } },
  { from: 'echo4-reply', src: S6, dst: H6, l4: { 'ipv6.nxt': '58', 'icmpv6.type': '129', 'icmpv6.code': '0' } },
  // RFC 7915 §4.2: Port Unreachable → Destination Unreachable code 4; the quoted packet is translated too.
  { from: 'icmp4-port-unreachable', src: S6 + ',' + H6, dst: H6 + ',' + S6, l4: { 'icmpv6.type': '1', 'icmpv6.code': '4', 'udp.srcport': '40000', 'udp.dstport': '33434' } },
  // RFC 7915 §5.2: Time Exceeded → type 11; the router's address maps through the EAM.
  { from: 'icmp6-time-exceeded', src: R4 + ',' + S4, dst: S4 + ',' + H4, l4: { 'icmp.type': '11', 'icmp.code': '0', 'udp.srcport': '33434', 'udp.dstport': '40000' } },
  // RFC 7915 §4.1: an IPv4 fragment becomes an IPv6 packet with a Fragment header.
  { from: 'frag4-first', src: S6, dst: H6, l4: { 'ipv6.nxt': '44' } },
  { from: 'frag4-last', src: S6, dst: H6, l4: { 'ipv6.nxt': '44', 'udp.srcport': '33434', 'udp.dstport': '40000' } },
  // RFC 7915 §5.1.1: an IPv6 fragment becomes an IPv4 fragment.
  { from: 'frag6-first', src: H4, dst: S4, l4: { 'ip.proto': '17' } },
  // Hop limit 1: ICMPv6 Time Exceeded from the translator back to the sender (RFC 7915 §5.4).
  { from: 'udp6-hlim1', src: E6 + ',' + H6, dst: H6 + ',' + S6, l4: { 'icmpv6.type': '3', 'icmpv6.code': '0' }, error: true },
  // No translation for the destination: ICMPv6 Destination Unreachable, address unreachable.
  { from: 'udp6-untranslatable', src: E6 + ',' + H6, dst: H6 + ',2001:db9::1', l4: { 'icmpv6.type': '1', 'icmpv6.code': '3' }, error: true },
];

const GW = '02:00:00:00:00:01';
const HOST = '02:00:00:00:00:02';
/** Expert severity of a warning (PI_WARN); errors are higher. Notes and chats are fine. */
const PI_WARN = 0x00600000;

test('replay of an Ethernet capture: every packet translated with correct addresses and checksums, nothing malformed', () => {
  const out = join(work, 'out-eth.pcap');
  const r = natmesh('replay', '--config', config, '--in', join(golden, 'in-eth.pcap'), '--out', out);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, [
    'tenant: lab',
    'packets in: 14',
    'packets out: 13 (translated 11, icmp-error 2)',
    'dropped: 3',
    '  classify.arp: 1 (ARP (RFC 826): not IP, the gateway does not translate it)',
    '  translate.xlat.ttlExpired: 1 (TTL or hop limit ran out (Time Exceeded sent))',
    '  translate.xlat.untranslatableDestination: 1 (destination address has no translation)',
    '',
  ].join('\n'));
  const rows = tshark(out);
  assert.equal(rows.length, expected.length);
  rows.forEach((row, i) => {
    const e = expected[i]!;
    const at = 'output frame ' + (i + 1) + ' (from ' + e.from + ')';
    const v6 = row['ipv6.src'] !== '';
    assert.equal(v6 ? row['ipv6.src'] : row['ip.src'], e.src, at);
    assert.equal(v6 ? row['ipv6.dst'] : row['ip.dst'], e.dst, at);
    for (const [k, v] of Object.entries(e.l4)) assert.equal(row[k as keyof Row], v, at + ' ' + k);
    // Translated frames keep the input's addresses; errors go back to the sender.
    assert.deepEqual([row['eth.src'], row['eth.dst']], e.error ? [GW, HOST] : [HOST, GW], at + ' MACs');
    for (const f of ['ip.checksum.status', 'udp.checksum.status', 'tcp.checksum.status', 'icmp.checksum.status', 'icmpv6.checksum.status'] as const) {
      for (const s of row[f].split(',').filter((x) => x !== '')) assert.equal(s, '1', at + ' ' + f + ' = ' + row[f] + ' (1 = good)');
    }
    assert.equal(row['_ws.malformed'], '', at + ' malformed');
    for (const s of row['_ws.expert.severity'].split(',').filter((x) => x !== '')) assert.ok(Number(s) < PI_WARN, at + ' expert severity ' + s);
  });
  // Every output that carries a transport checksum had it verified (good, not merely present).
  const verified = rows.filter((r) => [r['udp.checksum.status'], r['tcp.checksum.status'], r['icmp.checksum.status'], r['icmpv6.checksum.status']].some((s) => s.includes('1')));
  assert.equal(verified.length, 11, 'all but the two lone fragments without a reassembled transport header');
});

function ipPackets(file: string, l2: (data: Uint8Array, off: number) => number): string[] {
  const r = PcapReader.fromFile(file);
  const rec = new PcapRecord();
  const out: string[] = [];
  while (r.next(rec)) {
    const skip = l2(rec.data, rec.offset);
    out.push(Buffer.from(rec.data.subarray(rec.offset + skip, rec.offset + rec.length)).toString('hex') + '@' + rec.tsSec);
  }
  return out;
}

test('replay of the raw-IP capture writes LINKTYPE_RAW with the same IP packets as the Ethernet replay, deterministically', () => {
  const outEth = join(work, 'out-eth2.pcap');
  const outRaw = join(work, 'out-raw.pcap');
  const outRaw2 = join(work, 'out-raw2.pcap');
  assert.equal(natmesh('replay', '--config', config, '--in', join(golden, 'in-eth.pcap'), '--out', outEth).status, 0);
  const r = natmesh('replay', '--config', config, '--in', join(golden, 'in-raw.pcap'), '--out', outRaw, '--tenant', 'lab');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /packets in: 13\npackets out: 13 \(translated 11, icmp-error 2\)\ndropped: 2\n/);
  assert.equal(PcapReader.fromFile(outRaw).linkType, 101);
  const ethIp = ipPackets(outEth, (b, o) => (((b[o + 12]! << 8) | b[o + 13]!) === 0x8100 ? 18 : 14));
  assert.deepEqual(ipPackets(outRaw, () => 0), ethIp);
  assert.equal(natmesh('replay', '--config', config, '--in', join(golden, 'in-raw.pcap'), '--out', outRaw2).status, 0);
  assert.deepEqual(readFileSync(outRaw2), readFileSync(outRaw));
});

test('--trace prints one line per stage per packet on stdout, with the drop reason', () => {
  const r = natmesh('replay', '--config', config, '--in', join(golden, 'in-eth.pcap'), '--out', join(work, 'out-trace.pcap'), '--trace');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  const of = (n: number) => lines.filter((l) => l.startsWith('packet ' + n + ' '));
  assert.deepEqual(of(1), [
    'packet 1 classify continue: ipv6, 55 bytes in ethernet',
    'packet 1 tenant continue: lab, from inside',
    'packet 1 translate continue: ipv6 to ipv4, 1 translated',
    'packet 1 emit emit: 1 frame: ipv4 49 bytes',
  ]);
  assert.deepEqual(of(4), [
    'packet 4 classify continue: ipv4, 36 bytes in ethernet vlan 100',
    'packet 4 tenant continue: lab, from outside',
    'packet 4 translate continue: ipv4 to ipv6, 1 translated',
    'packet 4 emit emit: 1 frame: ipv6 74 bytes',
  ]);
  assert.deepEqual(of(12), [
    'packet 12 classify continue: ipv6, 52 bytes in ethernet',
    'packet 12 tenant continue: lab, from inside',
    'packet 12 translate drop xlat.ttlExpired (TTL or hop limit ran out (Time Exceeded sent)): ipv6 to ipv4, 1 icmp-error toward the sender',
    'packet 12 emit emit: 1 frame: icmp-error ipv6 114 bytes',
  ]);
  assert.deepEqual(of(14), ['packet 14 classify drop arp (ARP (RFC 826): not IP, the gateway does not translate it): ethertype 0x0806, 42 bytes']);
  assert.equal(lines.length, 13 * 4 + 1);
  // The summary still goes to stderr, apart from the trace.
  assert.match(r.stderr, /^tenant: lab\npackets in: 14\n/);
});

test('exit status 2 with the message for bad usage and bad configuration; 1 for a malformed capture', () => {
  const badConfig = join(work, 'bad.yaml');
  writeFileSync(badConfig, 'node: { id: 1 }\ntenants: [{ name: a, id: 1, siit: { pool6: "64:ff9b::/33" } }]\n');
  let r = natmesh('replay', '--config', badConfig, '--in', join(golden, 'in-eth.pcap'), '--out', join(work, 'x.pcap'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /tenants\[0\]\.siit\.pool6: prefix length 33 is not one of 32, 40, 48, 56, 64, 96/);
  r = natmesh('replay', '--config', config, '--out', join(work, 'x.pcap'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /required option '--in <file>' not specified/);
  r = natmesh('replay', '--config', config, '--in', join(golden, 'in-eth.pcap'), '--out', join(work, 'x.pcap'), '--tenant', 'nope');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no tenant named "nope" \(configured: lab\)/);
  const truncated = join(work, 'truncated.pcap');
  writeFileSync(truncated, readFileSync(join(golden, 'in-eth.pcap')).subarray(0, 135));
  r = natmesh('replay', '--config', config, '--in', truncated, '--out', join(work, 'x.pcap'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /truncated\.pcap: record 2 data at byte 109: needs 94 bytes but only 10 remain \(file truncated\)/);
  r = natmesh('config', 'check', config);
  assert.deepEqual([r.status, r.stdout], [0, config + ': ok (node 1, 1 tenant: lab)\n']);
  r = natmesh('config', 'check', badConfig);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /pool6: prefix length 33/);
  r = natmesh('frobnicate');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command 'frobnicate'/);
});

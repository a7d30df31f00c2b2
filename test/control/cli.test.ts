import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT_INPUT, EXIT_OK, EXIT_USAGE, main } from '../../src/control/cli.js';
import { PcapReader, PcapRecord } from '../../src/io/pcap-reader.js';

/** In-process runs of the command line (the compiled one is exercised by replay.test.ts). */
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const golden = join(root, 'test/golden/replay');
const config = join(golden, 'siit.yaml');
const work = mkdtempSync(join(tmpdir(), 'natmesh-cli-'));

async function run(...argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await main(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  return { status, stdout, stderr };
}

test('help and version exit 0', async () => {
  const h = await run('--help');
  assert.equal(h.status, EXIT_OK);
  assert.match(h.stdout, /Usage: natmesh/);
  assert.match(h.stdout, /replay \[options\]/);
  const v = await run('--version');
  assert.equal(v.status, EXIT_OK);
  assert.equal(v.stdout.trim(), (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version);
  const rh = await run('replay', '--help');
  assert.match(rh.stdout, /--tenant <name>/);
  assert.match(rh.stdout, /--trace/);
});

test('usage errors exit 2', async () => {
  assert.equal((await run('replay')).status, EXIT_USAGE);
  assert.equal((await run('replay', '--config', config, '--in', 'x', '--out', 'y', '--bogus')).status, EXIT_USAGE);
  assert.equal((await run('config', 'check')).status, EXIT_USAGE);
  assert.equal((await run('nope')).status, EXIT_USAGE);
});

test('config check: ok on stdout; each bad field on stderr with exit 2; unreadable file exit 2', async () => {
  const ok = await run('config', 'check', join(root, 'examples/siit.yaml'));
  assert.equal(ok.status, EXIT_OK);
  assert.match(ok.stdout, /examples\/siit\.yaml: ok \(node 1, 2 tenants: blue, green\)/);
  const bad = join(work, 'bad.yaml');
  writeFileSync(bad, 'node: { id: 1 }\ntenants: [{ name: a, id: 1, siit: { pool6: "64:ff9b::/96", lowestIpv6Mtu: 10, colour: red } }]\n');
  const r = await run('config', 'check', bad);
  assert.equal(r.status, EXIT_USAGE);
  assert.match(r.stderr, /tenants\[0\]\.siit\.lowestIpv6Mtu: expected an integer from 1280 to 65535/);
  assert.match(r.stderr, /tenants\[0\]\.siit\.colour: unknown key "colour"/);
  assert.equal((await run('config', 'check', join(work, 'missing.yaml'))).status, EXIT_USAGE);
});

test('several tenants and no --tenant: exit 2 naming them', async () => {
  const r = await run('replay', '--config', join(root, 'examples/siit.yaml'), '--in', join(golden, 'in-raw.pcap'), '--out', join(work, 'o.pcap'));
  assert.equal(r.status, EXIT_USAGE);
  assert.match(r.stderr, /2 tenants are configured \(blue, green\); choose one with --tenant/);
});

test('input problems exit 1: missing file, unsupported link type', async () => {
  const missing = await run('replay', '--config', config, '--in', join(work, 'none.pcap'), '--out', join(work, 'o.pcap'));
  assert.equal(missing.status, EXIT_INPUT);
  assert.match(missing.stderr, /ENOENT/);
  const sll = join(work, 'sll.pcap');
  const b = new Uint8Array(readFileSync(join(golden, 'in-raw.pcap')));
  new DataView(b.buffer).setUint32(20, 113, true); // LINKTYPE_LINUX_SLL
  writeFileSync(sll, b);
  const r = await run('replay', '--config', config, '--in', sll, '--out', join(work, 'o.pcap'));
  assert.equal(r.status, EXIT_INPUT);
  assert.match(r.stderr, /sll\.pcap: file header at byte 0: link type 113 is not supported/);
});

test('pcapng input replays like classic pcap: same frames, same timestamps', async () => {
  const ng = join(work, 'in.pcapng');
  execFileSync('editcap', ['-F', 'pcapng', join(golden, 'in-eth.pcap'), ng]);
  const a = await run('replay', '--config', config, '--in', join(golden, 'in-eth.pcap'), '--out', join(work, 'a.pcap'));
  const n = await run('replay', '--config', config, '--in', ng, '--out', join(work, 'n.pcap'));
  assert.equal(a.status, EXIT_OK, a.stderr);
  assert.equal(n.status, EXIT_OK, n.stderr);
  assert.equal(n.stderr, a.stderr);
  assert.deepEqual(records(join(work, 'n.pcap')), records(join(work, 'a.pcap')));
});

function records(path: string): string[] {
  const r = PcapReader.fromFile(path);
  const rec = new PcapRecord();
  const out: string[] = [];
  while (r.next(rec)) out.push(rec.tsSec + '.' + rec.tsNsec + ' ' + Buffer.from(rec.data.subarray(rec.offset, rec.offset + rec.length)).toString('hex'));
  return out;
}

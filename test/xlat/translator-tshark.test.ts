import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ERROR_SOURCE6, fromHex, golden, icmp4, icmp6, ipv4, pattern, PrefixMapper, R4, run, S4, translator, udp4, udp6, v6,
} from './translator-fixtures.js';

// Cross-check with a dissector written by other people: the translator's outputs (golden cases,
// fragment sets, errors it originates) go into a pcap that tshark reads with every checksum check
// on. ICMP and ICMPv6 checksums tshark always verifies; IPv4, TCP and UDP need the preferences.
// tshark reassembles the fragment sets, so their transport checksums are checked as a whole.

function tsharkAvailable(): boolean {
  try {
    execFileSync('tshark', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** pcap (LINKTYPE_RAW, 101: each record is an IPv4 or IPv6 packet). */
function pcap(packets: Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeUInt32LE(65535, 16);
  head.writeUInt32LE(101, 20);
  parts.push(head);
  packets.forEach((p, i) => {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1700000000 + i, 0);
    rec.writeUInt32LE(p.length, 8);
    rec.writeUInt32LE(p.length, 12);
    parts.push(rec, Buffer.from(p));
  });
  return Buffer.concat(parts);
}

function dissect(packets: Uint8Array[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'xlat-tshark-'));
  try {
    const file = join(dir, 'out.pcap');
    writeFileSync(file, pcap(packets));
    return execFileSync('tshark', [
      '-r', file, '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-V',
      // The payloads are test patterns, not the applications their ports suggest: keep tshark's
      // verdicts to the layers the translator writes.
      ...['dns', 'mdns', 'sctp', 'enip', 'cip', 'cipio', 'gre'].flatMap((p) => ['--disable-protocol', p]),
    ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function translatedPackets(): Uint8Array[] {
  const all: Uint8Array[] = [];
  for (const v of golden) all.push(...run(translator(v.config), v.dir, fromHex(v.in)).outs);
  // Fragment sets: DF clear through IPv6 fragments, and IPv4 fragments for a small IPv4 link.
  all.push(...run(translator(), '4to6', udp4({ id: 0x1111, body: pattern(3500, 2) })).outs);
  all.push(...run(translator({ ipv4LinkMtu: 576 }), '6to4', udp6({ body: pattern(1200, 3) })).outs);
  // Errors the translator originates.
  const errs = translator({ ipv6SourceForErrors: ERROR_SOURCE6, ipv6LinkMtu: 1400, ipv4LinkMtu: 1400 });
  all.push(...run(errs, '4to6', udp4({ ttl: 1 })).outs);
  all.push(...run(errs, '6to4', udp6({ hlim: 1 })).outs);
  all.push(...run(errs, '4to6', udp4({ flagsFrag: 0x4000, body: pattern(1400) })).outs);
  all.push(...run(errs, '6to4', udp6({ body: pattern(1452) })).outs);
  const mapper = new PrefixMapper();
  mapper.deny4.add(0xc6336402);
  all.push(...run(translator({ ipv6SourceForErrors: ERROR_SOURCE6 }, mapper), '4to6', udp4()).outs);
  // ICMP errors with quoted echo and TCP, RFC 6791 source.
  all.push(...run(translator(), '6to4', icmp6({ src: v6(R4), dst: v6(S4), type: 1, code: 4, body: udp6({ hlim: 2, body: pattern(40) }) })).outs);
  all.push(...run(translator(), '4to6', icmp4({ src: R4, dst: S4, type: 3, code: 3, body: udp4({ ttl: 2, body: pattern(40) }) })).outs);
  return all;
}

test('tshark finds no bad checksum and no malformed packet among the translator outputs', (t) => {
  if (!tsharkAvailable()) {
    t.skip('tshark not installed');
    return;
  }
  const packets = translatedPackets();
  const text = dissect(packets);
  const frames = text.match(/^Frame \d+:/gm)?.length ?? 0;
  assert.equal(frames, packets.length, 'every packet dissected');
  const bad = text.split('\n').filter((l) => /Bad|Malformed|incorrect/.test(l));
  assert.deepEqual(bad, []);
  // The checks ran: good verdicts for IPv4 headers, TCP, UDP, ICMP and ICMPv6.
  assert.ok((text.match(/Checksum Status: Good/g)?.length ?? 0) >= packets.length, 'checksums verified');
  assert.match(text, /Internet Control Message Protocol v6/);
  assert.match(text, /Reassembled IPv6 length/);
  assert.match(text, /Reassembled IPv4 length/);
});

test('tshark control: the same check reports a corrupted translation', (t) => {
  if (!tsharkAvailable()) {
    t.skip('tshark not installed');
    return;
  }
  const p = run(translator(), '4to6', udp4()).outs[0]!;
  p[p.length - 1]! ^= 0x40;
  const q = run(translator(), '6to4', udp6()).outs[0]!;
  q[10]! ^= 1;
  const text = dissect([p, q, ipv4('1.2.3.4')]);
  assert.match(text, /Bad/);
  assert.match(text, /Malformed|incorrect|Bogus/);
});

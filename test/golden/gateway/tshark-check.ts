import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PcapWriter } from '../../../src/io/pcap-writer.js';

/**
 * An independent judge of what the gateway emitted: the packets are written to a LINKTYPE_RAW
 * pcap and read back by tshark with checksum validation on for every protocol, quoted headers
 * inside ICMP errors included (tshark dissects them as IP, so `occurrence=a` lists outer and
 * quoted fields together).
 */
const FIELDS = [
  'ip.src', 'ip.dst', 'ip.ttl', 'ipv6.src', 'ipv6.dst', 'ipv6.hlim', 'udp.srcport', 'udp.dstport', 'tcp.srcport', 'tcp.dstport',
  'icmp.type', 'icmp.code', 'icmpv6.type', 'icmpv6.code',
  'ip.checksum.status', 'udp.checksum.status', 'tcp.checksum.status', 'icmp.checksum.status', 'icmpv6.checksum.status',
  '_ws.malformed', '_ws.expert.severity',
] as const;
export type TsharkRow = Record<(typeof FIELDS)[number], string>;

const PREFS = [
  '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
  // Test payloads are opaque: no dissector may guess a protocol from a port number.
  '-d', 'udp.port==53,data', '-d', 'tcp.port==80,data',
];

let work: string | null = null;

/** One row per packet, fields as tshark prints them (several occurrences joined by ','). */
export function tshark(packets: readonly Uint8Array[]): TsharkRow[] {
  work ??= mkdtempSync(join(tmpdir(), 'natmesh-gateway-'));
  const file = join(work, 'out-' + process.pid + '-' + Math.floor(performance.now() * 1000) + '.pcap');
  const w = PcapWriter.toFile(file, { linkType: 101 });
  packets.forEach((p, i) => w.write(p, 0, p.length, 1, i * 1000));
  w.close();
  const out = execFileSync('tshark', ['-r', file, ...PREFS, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', '-E', 'aggregator=,',
    ...FIELDS.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.trimEnd().split('\n').map((line) => {
    const cols = line.split('|');
    return Object.fromEntries(FIELDS.map((f, i) => [f, cols[i] ?? ''])) as TsharkRow;
  });
}

/** Wireshark's checksum status values (epan/proto.h `proto_checksum_enum_e`). */
const BAD = '0';
const GOOD = '1';
const ILLEGAL = '4';

/**
 * What is wrong with the packets: a checksum tshark found bad (outer or quoted), one it could
 * not verify (unless `allowUnverified`: a quote cut short holds only part of the segment its
 * checksum covers), or a malformed packet. Empty when all is well.
 */
export function checksumProblems(rows: readonly TsharkRow[], allowUnverified = false): string[] {
  const problems: string[] = [];
  rows.forEach((r, i) => {
    for (const f of ['ip.checksum.status', 'udp.checksum.status', 'tcp.checksum.status', 'icmp.checksum.status', 'icmpv6.checksum.status'] as const) {
      if (r[f] === '') continue;
      for (const s of r[f].split(',')) {
        if (s === GOOD || (allowUnverified && s !== BAD && s !== ILLEGAL)) continue;
        problems.push('packet ' + (i + 1) + ' ' + f + ' ' + r[f]);
      }
    }
    if (r['_ws.malformed'] !== '') problems.push('packet ' + (i + 1) + ' malformed');
  });
  return problems;
}

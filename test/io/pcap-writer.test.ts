import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { PcapReader, PcapRecord } from '../../src/io/pcap-reader.js';
import { PcapWriter } from '../../src/io/pcap-writer.js';
import { PcapLinkType } from '../../src/io/pcap-link-type.js';

const golden = join(dirname(fileURLToPath(import.meta.url)), '../golden/pcap');
const packets = (JSON.parse(readFileSync(join(golden, 'packets.json'), 'utf8')) as {
  packets: { eth: string; ip: string; sec: number; nsec: number }[];
}).packets;

test('writing the golden raw-IP packets reproduces the file scapy wrote, byte for byte', () => {
  const w = PcapWriter.inMemory({ linkType: PcapLinkType.Raw, snapLen: 65535 });
  for (const p of packets) {
    const b = Buffer.from(p.ip, 'hex');
    w.write(b, 0, b.length, p.sec, p.nsec);
  }
  assert.deepEqual(Buffer.from(w.bytes()), readFileSync(join(golden, 'raw-le-usec.pcap')));
});

test('packets taken from a non-zero offset of a larger buffer; only their bytes are written', () => {
  const big = new Uint8Array(100).fill(0xa5);
  big.set([0x45, 0, 0, 20], 37);
  const w = PcapWriter.inMemory({ linkType: PcapLinkType.Raw });
  w.write(big, 37, 4, 7, 0);
  const r = new PcapReader(w.bytes());
  const rec = new PcapRecord();
  assert.ok(r.next(rec));
  assert.deepEqual(Array.from(rec.data.subarray(rec.offset, rec.offset + rec.length)), [0x45, 0, 0, 20]);
  assert.equal(r.next(rec), false);
});

test('to a file through a buffer smaller than the data: flushes keep every record, tshark reads it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'natmesh-pcap-'));
  try {
    const path = join(dir, 'out.pcap');
    const w = PcapWriter.toFile(path, { linkType: PcapLinkType.Ethernet, nanosecond: true, bufferSize: 64 });
    for (const p of packets) {
      const b = Buffer.from(p.eth, 'hex');
      w.write(b, 0, b.length, p.sec, p.nsec + 789);
    }
    w.close();
    const r = PcapReader.fromFile(path);
    assert.equal(r.nanosecond, true);
    const rec = new PcapRecord();
    const got: string[] = [];
    while (r.next(rec)) got.push(Buffer.from(rec.data.subarray(rec.offset, rec.offset + rec.length)).toString('hex') + '@' + rec.tsSec + '.' + rec.tsNsec);
    assert.deepEqual(got, packets.map((p) => p.eth + '@' + p.sec + '.' + (p.nsec + 789)));
    const tshark = execFileSync('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.protocols'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    assert.deepEqual(tshark.trim().split('\n'), [
      '1700000000.123456789\teth:ethertype:ip:udp:dns',
      '1700000001.000001789\teth:ethertype:ipv6:tcp',
      '1700000002.500000789\teth:ethertype:ip:icmp:data',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('property: write then read is the identity on bytes and timestamps (µs truncates nanoseconds)', () => {
  fc.assert(fc.property(
    fc.boolean(),
    fc.array(fc.record({ data: fc.uint8Array({ maxLength: 200 }), sec: fc.nat(), nsec: fc.integer({ min: 0, max: 999_999_999 }) }), { maxLength: 8 }),
    (nano, recs) => {
      const w = PcapWriter.inMemory({ linkType: PcapLinkType.Ipv6, nanosecond: nano, bufferSize: 40 });
      for (const r of recs) w.write(r.data, 0, r.data.length, r.sec, r.nsec);
      assert.equal(w.count, recs.length);
      const reader = new PcapReader(w.bytes());
      assert.equal(reader.linkType, PcapLinkType.Ipv6);
      const rec = new PcapRecord();
      for (const r of recs) {
        assert.ok(reader.next(rec));
        assert.deepEqual(rec.data.subarray(rec.offset, rec.offset + rec.length), r.data);
        assert.equal(rec.tsSec, r.sec);
        assert.equal(rec.tsNsec, nano ? r.nsec : Math.floor(r.nsec / 1000) * 1000);
      }
      assert.equal(reader.next(rec), false);
    },
  ), { numRuns: 200 });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leastHeapGrowth } from '../heap-growth.js';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  PcapBadFieldError, PcapBadLengthError, PcapBadMagicError, PcapError, PcapTruncatedError,
} from '../../src/io/pcap-error.js';
import { PcapReader, PcapRecord, splitTimestamp } from '../../src/io/pcap-reader.js';

const golden = join(dirname(fileURLToPath(import.meta.url)), '../golden/pcap');
const packets = (JSON.parse(readFileSync(join(golden, 'packets.json'), 'utf8')) as {
  packets: { eth: string; ip: string; sec: number; nsec: number }[];
}).packets;

function hex(b: Uint8Array, off: number, len: number): string {
  return Buffer.from(b.buffer, b.byteOffset + off, len).toString('hex');
}

function readAll(r: PcapReader): { hex: string; sec: number; nsec: number; linkType: number; index: number; orig: number; iface: number }[] {
  const rec = new PcapRecord();
  const out = [];
  while (r.next(rec)) {
    out.push({ hex: hex(rec.data, rec.offset, rec.length), sec: rec.tsSec, nsec: rec.tsNsec, linkType: rec.linkType, index: rec.index, orig: rec.originalLength, iface: rec.interfaceId });
  }
  return out;
}

const goldenCases = [
  { file: 'eth-le-usec.pcap', format: 'pcap', linkType: 1, nanosecond: false, field: 'eth' },
  { file: 'eth-be-nsec.pcap', format: 'pcap', linkType: 1, nanosecond: true, field: 'eth' },
  { file: 'raw-le-usec.pcap', format: 'pcap', linkType: 101, nanosecond: false, field: 'ip' },
  { file: 'eth-editcap.pcapng', format: 'pcapng', linkType: 1, nanosecond: true, field: 'eth' },
  { file: 'eth-scapy.pcapng', format: 'pcapng', linkType: 1, nanosecond: false, field: 'eth' },
] as const;

for (const c of goldenCases) {
  test('golden ' + c.file + ' (written by scapy/editcap) reads back its packets and timestamps', () => {
    const r = PcapReader.fromFile(join(golden, c.file));
    assert.equal(r.format, c.format);
    assert.equal(r.linkType, c.linkType);
    assert.equal(r.nanosecond, c.nanosecond);
    const got = readAll(r);
    assert.deepEqual(got.map((p) => p.hex), packets.map((p) => p[c.field]));
    assert.deepEqual(got.map((p) => [p.sec, p.nsec]), packets.map((p) => [p.sec, p.nsec]));
    assert.deepEqual(got.map((p) => p.index), [1, 2, 3]);
    assert.deepEqual(got.map((p) => p.linkType), [c.linkType, c.linkType, c.linkType]);
    assert.deepEqual(got.map((p) => p.orig), got.map((p) => p.hex.length / 2));
  });
}

test('the record is reused: next() fills the same object and points into the file buffer', () => {
  const r = PcapReader.fromFile(join(golden, 'raw-le-usec.pcap'));
  const rec = new PcapRecord();
  assert.ok(r.next(rec));
  const first = rec.offset;
  assert.equal(rec.data, r.bytes);
  assert.ok(r.next(rec));
  assert.ok(rec.offset > first);
  assert.equal(rec.data, r.bytes);
});

// ---- hand-built pcapng -------------------------------------------------------------------

/** Builds pcapng blocks in either byte order. */
class Ng {
  parts: number[] = [];
  constructor(private le = true) {}
  private u32(v: number): number[] {
    const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    return this.le ? b.reverse() : b;
  }
  private u16(v: number): number[] {
    const b = [(v >>> 8) & 0xff, v & 0xff];
    return this.le ? b.reverse() : b;
  }
  block(type: number, body: number[], trailer?: number): this {
    while (body.length % 4) body.push(0);
    const total = body.length + 12;
    this.parts.push(...this.u32(type), ...this.u32(total), ...body, ...this.u32(trailer ?? total));
    return this;
  }
  shb(le = this.le): this {
    this.le = le;
    return this.block(0x0a0d0d0a, [...this.u32(0x1a2b3c4d), ...this.u16(1), ...this.u16(0), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  }
  idb(linkType: number, snap = 0, tsresol?: number): this {
    const opts = tsresol === undefined ? [] : [...this.u16(9), ...this.u16(1), tsresol, 0, 0, 0, ...this.u16(0), ...this.u16(0)];
    return this.block(1, [...this.u16(linkType), 0, 0, ...this.u32(snap), ...opts]);
  }
  epb(iface: number, high: number, low: number, data: number[], orig = data.length, cap = data.length): this {
    return this.block(6, [...this.u32(iface), ...this.u32(high), ...this.u32(low), ...this.u32(cap), ...this.u32(orig), ...data]);
  }
  opb(iface: number, high: number, low: number, data: number[]): this {
    return this.block(2, [...this.u16(iface), ...this.u16(0), ...this.u32(high), ...this.u32(low), ...this.u32(data.length), ...this.u32(data.length), ...data]);
  }
  spb(orig: number, data: number[]): this {
    return this.block(3, [...this.u32(orig), ...data]);
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

const P1 = [0x45, 1, 2, 3, 4];
const P2 = [0x60, 9, 8, 7, 6, 5, 4];

test('pcapng: two sections of opposite byte order, unknown blocks skipped, EPB/OPB/SPB, per-interface link types', () => {
  const b = new Ng(false).shb()
    .idb(101, 0, 9) // ns resolution
    .idb(1, 0, 0x80 | 10) // 2^-10 s resolution
    .block(0x0bad, [1, 2, 3, 4]) // unknown block type
    .epb(0, 0x17979cfe, 0x3d85cd15, P1) // 1700000000123456789 ns
    .opb(1, 0, 1024 * 5 + 512, P2) // 5.5 s in 2^-10 units
    .shb(true) // new section: interfaces restart at 0
    .idb(229, 3) // snaplen 3, default µs resolution
    .spb(7, P2) // captured length = min(orig 7, snaplen 3)
    .epb(0, 0, 2_500_001, P2, 100)
    .bytes();
  const r = new PcapReader(b, 'hand.pcapng');
  assert.equal(r.format, 'pcapng');
  assert.equal(r.linkType, 101);
  assert.equal(r.nanosecond, true);
  const got = readAll(r);
  assert.deepEqual(got, [
    { hex: '4501020304', sec: 1700000000, nsec: 123456789, linkType: 101, index: 1, orig: 5, iface: 0 },
    { hex: '60090807060504', sec: 5, nsec: 500000000, linkType: 1, index: 2, orig: 7, iface: 1 },
    { hex: '600908', sec: 0, nsec: 0, linkType: 229, index: 3, orig: 7, iface: 0 },
    { hex: '60090807060504', sec: 2, nsec: 500001000, linkType: 229, index: 4, orig: 100, iface: 0 },
  ]);
});

test('splitTimestamp is exact for every 64-bit value and resolution (checked against BigInt)', () => {
  const rec = new PcapRecord();
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom(1, 10, 1000, 1e6, 1e9, 2 ** 10, 2 ** 30), (v, div) => {
    splitTimestamp(Number(v >> 32n), Number(v & 0xffffffffn), div, rec);
    const sec = v / BigInt(div);
    fc.pre(sec <= BigInt(Number.MAX_SAFE_INTEGER));
    const nsec = ((v % BigInt(div)) * 1_000_000_000n) / BigInt(div);
    return BigInt(rec.tsSec) === sec && BigInt(rec.tsNsec) === nsec;
  }));
});

// ---- classic pcap built by hand ----------------------------------------------------------

function classic(opts: { le?: boolean; magic?: number; major?: number; snap?: number; records?: { frac?: number; incl?: number; data: number[] }[] } = {}): Uint8Array {
  const le = opts.le ?? true;
  const out: number[] = [];
  const u32 = (v: number) => { const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]; out.push(...(le ? b.reverse() : b)); };
  const u16 = (v: number) => { const b = [(v >>> 8) & 0xff, v & 0xff]; out.push(...(le ? b.reverse() : b)); };
  u32(opts.magic ?? 0xa1b2c3d4); u16(opts.major ?? 2); u16(4); u32(0); u32(0); u32(opts.snap ?? 65535); u32(101);
  for (const r of opts.records ?? []) { u32(1); u32(r.frac ?? 0); u32(r.incl ?? r.data.length); u32(r.data.length); out.push(...r.data); }
  return Uint8Array.from(out);
}

test('classic pcap, big-endian microseconds, built by hand', () => {
  const r = new PcapReader(classic({ le: false, records: [{ frac: 999999, data: P1 }] }));
  assert.deepEqual(readAll(r), [{ hex: '4501020304', sec: 1, nsec: 999999000, linkType: 101, index: 1, orig: 5, iface: 0 }]);
});

test('an empty capture (header only) has no packets', () => {
  assert.deepEqual(readAll(new PcapReader(classic())), []);
});

// ---- malformed files: each names the record or block, the offset and the problem ----------

const ok = classic({ records: [{ data: P1 }, { data: P2 }] });
const malformed: { name: string; bytes: Uint8Array; error: new (...a: never[]) => PcapError; message: RegExp }[] = [
  { name: 'unknown magic', bytes: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), error: PcapBadMagicError, message: /file header at byte 0: magic 0x01020304 is not classic pcap/ },
  { name: 'file shorter than a magic', bytes: Uint8Array.of(0xd4, 0xc3), error: PcapTruncatedError, message: /file header at byte 0: needs 4 bytes but only 2 remain/ },
  { name: 'file header cut short', bytes: ok.subarray(0, 20), error: PcapTruncatedError, message: /file header at byte 0: needs 24 bytes but only 20 remain/ },
  { name: 'version 3', bytes: classic({ major: 3 }), error: PcapBadFieldError, message: /file header at byte 4: version 3\.4 is not 2\.x/ },
  { name: 'second record header cut short', bytes: ok.subarray(0, 24 + 16 + 5 + 10), error: PcapTruncatedError, message: /record 2 header at byte 45: needs 16 bytes but only 10 remain/ },
  { name: 'second record data cut short', bytes: ok.subarray(0, ok.length - 2), error: PcapTruncatedError, message: /record 2 data at byte 45: needs 7 bytes but only 5 remain/ },
  { name: 'captured length beyond any snapshot', bytes: classic({ records: [{ incl: 300000, data: P1 }] }), error: PcapBadLengthError, message: /record 1 at byte 24: captured length 300000 exceeds the snapshot length 65535/ },
  { name: 'microseconds of a whole second', bytes: classic({ records: [{ frac: 1000000, data: P1 }] }), error: PcapBadFieldError, message: /record 1 at byte 28: sub-second timestamp 1000000 is not below one second/ },
  { name: 'pcapng block length not a multiple of 4', bytes: (() => { const b = new Ng().shb().idb(101).bytes(); b[28 + 4] = 21; return b; })(), error: PcapBadLengthError, message: /pcapng block 2 at byte 28: block total length 21 is below 12 or not a multiple of 4/ },
  { name: 'pcapng trailer disagrees', bytes: new Ng().shb().idb(101).epb(0, 0, 0, P1, 5, 5).block(6, [0, 0, 0, 0], 99).bytes(), error: PcapBadLengthError, message: /pcapng block 4 at byte 88: block total length 16 disagrees with the trailing copy 99/ },
  { name: 'pcapng block runs past the end', bytes: new Ng().shb().idb(101).epb(0, 0, 0, P1).bytes().subarray(0, 70), error: PcapTruncatedError, message: /pcapng block 3 at byte 48: needs 40 bytes but only 22 remain/ },
  { name: 'pcapng packet on an undeclared interface', bytes: new Ng().shb().idb(101).epb(1, 0, 0, P1).bytes(), error: PcapBadFieldError, message: /record 1 \(pcapng block 3, Enhanced Packet\) at byte 56: interface id 1 has no Interface Description Block in this section \(1 defined\)/ },
  { name: 'pcapng captured length beyond its block', bytes: new Ng().shb().idb(101).epb(0, 0, 0, P1, 5, 64).bytes(), error: PcapBadLengthError, message: /record 1 \(pcapng block 3, Enhanced Packet\) at byte 68: captured length 64 exceeds the 8 bytes the block holds/ },
  { name: 'pcapng bad byte-order magic', bytes: (() => { const b = new Ng().shb().bytes(); b[8] = 0; return b; })(), error: PcapBadFieldError, message: /Section Header\) at byte 8: byte-order magic/ },
  { name: 'pcapng simple packet before any interface', bytes: new Ng().shb().spb(5, P1).bytes(), error: PcapBadFieldError, message: /record 1 \(pcapng block 2, Simple Packet\) at byte 28: interface id 0 has no Interface Description Block/ },
];

for (const c of malformed) {
  test('malformed: ' + c.name, () => {
    assert.throws(() => readAll(new PcapReader(c.bytes, 'bad.pcap')), (e: unknown) => {
      assert.ok(e instanceof c.error, 'got ' + String(e));
      assert.match(e.message, /^bad\.pcap: /);
      assert.match(e.message, c.message);
      assert.equal(typeof e.code, 'string');
      return true;
    });
  });
}

test('property: arbitrary bytes either read or throw a PcapError, never anything else', () => {
  const prefixes = [[0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0], [0x0a, 0x0d, 0x0d, 0x0a], [0xa1, 0xb2, 0x3c, 0x4d, 0, 2, 0, 4], []];
  fc.assert(fc.property(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 300 }), (head, tail) => {
    try {
      readAll(new PcapReader(Uint8Array.from([...head, ...tail])));
    } catch (e) {
      if (!(e instanceof PcapError)) throw e;
    }
  }), { numRuns: 2000 });
});

test('property: a valid file cut anywhere reads whole records, then reports truncation', () => {
  const files = [ok, readFileSync(join(golden, 'eth-editcap.pcapng')), readFileSync(join(golden, 'eth-be-nsec.pcap'))].map((b) => new Uint8Array(b));
  fc.assert(fc.property(fc.constantFrom(...files), fc.nat(), (file, n) => {
    const cut = file.subarray(0, n % (file.length + 1));
    try {
      const got = readAll(new PcapReader(cut));
      assert.ok(got.length <= 3);
    } catch (e) {
      assert.ok(e instanceof PcapTruncatedError, String(e));
    }
  }), { numRuns: 500 });
});

test('iterating records allocates nothing per packet', () => {
  const head = new Ng().shb().idb(1, 0, 9).bytes();
  const body = new Ng().shb().idb(1, 0, 9).epb(0, 1, 2, P1).bytes().subarray(head.length); // the EPB alone
  const n = 50000;
  const file = new Uint8Array(head.length + n * body.length);
  file.set(head);
  for (let i = 0; i < n; i++) file.set(body, head.length + i * body.length);
  const rec = new PcapRecord();
  const readAllOf = (): number => {
    const r = new PcapReader(file);
    let c = 0;
    while (r.next(rec)) c += rec.length;
    return c;
  };
  let total = 0;
  const grown = leastHeapGrowth(() => { total = readAllOf() + readAllOf(); });
  assert.equal(total, 2 * n * P1.length);
  assert.ok(grown < 200_000, 'heap grew by ' + grown + ' bytes over ' + 2 * n + ' records');
});

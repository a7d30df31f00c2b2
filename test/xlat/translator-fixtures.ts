import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressMapper } from '../../src/xlat/address-mapper.js';
import { Translator } from '../../src/xlat/translator.js';
import { defaultTranslatorConfig, type TranslatorConfig } from '../../src/xlat/translator-config.js';
import { XlatOutput } from '../../src/xlat/xlat-output.js';

/**
 * Shared by the translator tests: the address mapping of test/golden/xlat/generate.py (RFC 6052
 * with 2001:db8:64::/96), byte helpers, and checksum verification written from RFC 1071 here,
 * independently of src/wire/checksum.ts, so a bug there cannot hide a bug in the translator.
 */

export const PREFIX96 = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0x00, 0x64, 0, 0, 0, 0, 0, 0);
export const ERROR_SOURCE6 = ipv6('2001:db8::ffff');

/** RFC 6052 /96 mapping; IPv4 addresses in `deny4` (and IPv6 outside the prefix) have no
 * translation. */
export class PrefixMapper implements AddressMapper {
  readonly deny4 = new Set<number>();
  source6to4(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean {
    return this.to4(src, srcOff, dst, dstOff);
  }
  destination6to4(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean {
    return this.to4(src, srcOff, dst, dstOff);
  }
  source4to6(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean {
    return this.to6(src, srcOff, dst, dstOff);
  }
  destination4to6(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean {
    return this.to6(src, srcOff, dst, dstOff);
  }
  private to4(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean {
    for (let i = 0; i < 12; i++) if (src[srcOff + i] !== PREFIX96[i]) return false;
    const v4 = ((src[srcOff + 12]! << 24) | (src[srcOff + 13]! << 16) | (src[srcOff + 14]! << 8) | src[srcOff + 15]!) >>> 0;
    if (this.deny4.has(v4)) return false;
    for (let i = 0; i < 4; i++) dst[dstOff + i] = src[srcOff + 12 + i]!;
    return true;
  }
  private to6(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean {
    const v4 = ((src[srcOff]! << 24) | (src[srcOff + 1]! << 16) | (src[srcOff + 2]! << 8) | src[srcOff + 3]!) >>> 0;
    if (this.deny4.has(v4)) return false;
    for (let i = 0; i < 12; i++) dst[dstOff + i] = PREFIX96[i]!;
    for (let i = 0; i < 4; i++) dst[dstOff + 12 + i] = src[srcOff + i]!;
    return true;
  }
}

export function config(overrides: Partial<TranslatorConfig> = {}): TranslatorConfig {
  return { ...defaultTranslatorConfig(), ...overrides };
}

export function translator(overrides: Partial<TranslatorConfig> = {}, mapper = new PrefixMapper()): Translator {
  return new Translator(config(overrides), mapper);
}

export interface Run {
  code: number;
  outs: Uint8Array[];
  kinds: number[];
}

/**
 * Translates `pkt` placed at offset `pad` of a buffer filled with 0xa5 (so reads outside the
 * packet show up), into an output area also filled with 0xa5 (so bytes the translator forgot to
 * write show up), and returns copies of the outputs.
 */
export function run(t: Translator, dir: '4to6' | '6to4', pkt: Uint8Array, pad = 3, out = new XlatOutput(1 << 17, 64)): Run {
  const buf = new Uint8Array(pad + pkt.length + 5).fill(0xa5);
  buf.set(pkt, pad);
  out.bytes.fill(0xa5);
  out.reset();
  const code = dir === '4to6' ? t.translate4to6(buf, pad, pkt.length, out) : t.translate6to4(buf, pad, pkt.length, out);
  const outs: Uint8Array[] = [];
  const kinds: number[] = [];
  for (let i = 0; i < out.count; i++) {
    outs.push(out.bytes.slice(out.offsets[i]!, out.offsets[i]! + out.lengths[i]!));
    kinds.push(out.kinds[i]!);
  }
  return { code, outs, kinds };
}

export function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
}

export function ipv4(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

export function ipv4Number(text: string): number {
  const b = ipv4(text);
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

/** Textual IPv6 address (RFC 4291 §2.2 forms 1 and 2) to its 16 bytes. */
export function ipv6(text: string): Uint8Array {
  const [head, tail] = text.includes('::') ? (text.split('::') as [string, string]) : [text, undefined];
  const words = (s: string | undefined): number[] => (s ? s.split(':').map((w) => parseInt(w, 16)) : []);
  const h = words(head);
  const t = words(tail);
  const all = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[2 * i] = w >>> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** The IPv6 form of an IPv4 address under the test prefix. */
export function v6(text4: string): Uint8Array {
  const out = new Uint8Array(16);
  out.set(PREFIX96);
  out.set(ipv4(text4), 12);
  return out;
}

export const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
export const u32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

/** RFC 1071 sum folded to 16 bits, written plainly. */
export function ocSum(parts: Array<[Uint8Array, number, number]>, extra = 0): number {
  let s = extra;
  for (const [b, off, len] of parts) {
    for (let i = 0; i < len; i += 2) s += (b[off + i]! << 8) | (i + 1 < len ? b[off + i + 1]! : 0);
  }
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

export function assertIpv4HeaderChecksum(p: Uint8Array, msg = ''): void {
  const ihl = (p[0]! & 0x0f) * 4;
  assert.equal(ocSum([[p, 0, ihl]]), 0xffff, 'IPv4 header checksum ' + msg);
}

/**
 * Recomputes the transport checksum of a whole (unfragmented) packet from scratch and asserts
 * it verifies: TCP, UDP (zero allowed in IPv4 only), ICMPv4 (no pseudo-header) and ICMPv6
 * (pseudo-header, RFC 4443 §2.3).
 */
export function assertTransportChecksum(p: Uint8Array, msg = ''): void {
  if (p[0]! >>> 4 === 4) {
    const ihl = (p[0]! & 0x0f) * 4;
    const total = u16(p, 2);
    const proto = p[9]!;
    const len = total - ihl;
    if (proto === 1) {
      assert.equal(ocSum([[p, ihl, len]]), 0xffff, 'ICMPv4 checksum ' + msg);
    } else if (proto === 6 || proto === 17) {
      if (proto === 17 && u16(p, ihl + 6) === 0) return;
      assert.equal(ocSum([[p, 12, 8], [p, ihl, len]], proto + len), 0xffff, (proto === 6 ? 'TCP' : 'UDP') + ' checksum ' + msg);
    }
  } else {
    let nh = p[6]!;
    let off = 40;
    while (nh === 0 || nh === 43 || nh === 60) {
      nh = p[off]!;
      off += (p[off + 1]! + 1) * 8;
    }
    const len = 40 + u16(p, 4) - off;
    if (nh === 58 || nh === 6 || nh === 17) {
      if (nh === 17) assert.notEqual(u16(p, off + 6), 0, 'IPv6 UDP checksum is never zero ' + msg);
      assert.equal(ocSum([[p, 8, 32], [p, off, len]], nh + len), 0xffff, 'checksum of next header ' + nh + ' ' + msg);
    }
  }
}

export interface GoldenVector {
  name: string;
  section: string;
  dir: '4to6' | '6to4';
  in: string;
  out: string[];
  maskIpv4Id: boolean;
  config: Partial<TranslatorConfig>;
}

export const golden = (JSON.parse(readFileSync(new URL('../golden/xlat/vectors.json', import.meta.url), 'utf8')) as { vectors: GoldenVector[] }).vectors;

export function goldenVector(name: string): GoldenVector {
  const v = golden.find((g) => g.name === name);
  if (!v) throw new Error('no golden vector ' + name);
  return v;
}

/** IPv4 packet equal to `expected` except Identification and header checksum (which must verify). */
export function assertIpv4EqualButId(actual: Uint8Array, expected: Uint8Array, msg = ''): void {
  assert.equal(actual.length, expected.length, 'length ' + msg);
  const a = actual.slice();
  const e = expected.slice();
  for (const i of [4, 5, 10, 11]) a[i] = e[i] = 0;
  assert.equal(hex(a), hex(e), msg);
  assertIpv4HeaderChecksum(actual, msg);
}

// Packet builders for cases the golden vectors do not cover (drops, sizes, properties).

export const S4 = '192.0.2.1';
export const D4 = '198.51.100.2';
export const R4 = '203.0.113.1';

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
export { concat };

export function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}

export function fixIpv4Checksum(p: Uint8Array): Uint8Array {
  const ihl = (p[0]! & 0x0f) * 4;
  put16(p, 10, 0);
  put16(p, 10, ~ocSum([[p, 0, ihl]]) & 0xffff);
  return p;
}

export interface Ip4Opts {
  src?: string; dst?: string; ttl?: number; tos?: number; id?: number; flagsFrag?: number; proto: number; payload: Uint8Array;
  options?: Uint8Array;
}

/** IPv4 packet with a correct header checksum; the payload is taken as is. */
export function ip4(o: Ip4Opts): Uint8Array {
  const opt = o.options ?? new Uint8Array(0);
  const ihl = 20 + opt.length;
  const p = new Uint8Array(ihl + o.payload.length);
  p[0] = 0x40 | (ihl / 4);
  p[1] = o.tos ?? 0;
  put16(p, 2, p.length);
  put16(p, 4, o.id ?? 1);
  put16(p, 6, o.flagsFrag ?? 0);
  p[8] = o.ttl ?? 64;
  p[9] = o.proto;
  p.set(ipv4(o.src ?? S4), 12);
  p.set(ipv4(o.dst ?? D4), 16);
  p.set(opt, 20);
  p.set(o.payload, ihl);
  return fixIpv4Checksum(p);
}

export interface Ip6Opts { src?: Uint8Array; dst?: Uint8Array; hlim?: number; tc?: number; nh: number; payload: Uint8Array }

export function ip6(o: Ip6Opts): Uint8Array {
  const p = new Uint8Array(40 + o.payload.length);
  const tc = o.tc ?? 0;
  p[0] = 0x60 | (tc >>> 4);
  p[1] = (tc << 4) & 0xf0;
  put16(p, 4, o.payload.length);
  p[6] = o.nh;
  p[7] = o.hlim ?? 64;
  p.set(o.src ?? v6(S4), 8);
  p.set(o.dst ?? v6(D4), 24);
  p.set(o.payload, 40);
  return p;
}

/** Pattern payload of `n` bytes. */
export function pattern(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (seed * 7 + i * 13) & 0xff;
  return b;
}

export function udpHeader(sport: number, dport: number, body: Uint8Array): Uint8Array {
  const u = new Uint8Array(8 + body.length);
  put16(u, 0, sport);
  put16(u, 2, dport);
  put16(u, 4, u.length);
  u.set(body, 8);
  return u;
}

/** Fills the TCP/UDP/ICMP checksum of a whole packet built by `ip4`/`ip6` (no extension headers). */
export function withChecksum(p: Uint8Array): Uint8Array {
  if (p[0]! >>> 4 === 4) {
    const ihl = (p[0]! & 0x0f) * 4;
    const proto = p[9]!;
    const len = p.length - ihl;
    const at = ihl + (proto === 6 ? 16 : proto === 17 ? 6 : 2);
    put16(p, at, 0);
    const s = proto === 1 ? ocSum([[p, ihl, len]]) : ocSum([[p, 12, 8], [p, ihl, len]], proto + len);
    let ck = ~s & 0xffff;
    if (proto === 17 && ck === 0) ck = 0xffff;
    put16(p, at, ck);
  } else {
    const nh = p[6]!;
    const len = p.length - 40;
    const at = 40 + (nh === 6 ? 16 : nh === 17 ? 6 : 2);
    put16(p, at, 0);
    let ck = ~ocSum([[p, 8, 32], [p, 40, len]], nh + len) & 0xffff;
    if (nh === 17 && ck === 0) ck = 0xffff;
    put16(p, at, ck);
  }
  return p;
}

export function udp4(o: Partial<Ip4Opts> & { sport?: number; dport?: number; body?: Uint8Array } = {}): Uint8Array {
  return withChecksum(ip4({ ...o, proto: 17, payload: udpHeader(o.sport ?? 1000, o.dport ?? 2000, o.body ?? pattern(36)) }));
}

export function udp6(o: Partial<Ip6Opts> & { sport?: number; dport?: number; body?: Uint8Array } = {}): Uint8Array {
  return withChecksum(ip6({ ...o, nh: 17, payload: udpHeader(o.sport ?? 1000, o.dport ?? 2000, o.body ?? pattern(36)) }));
}

/** ICMP message (type, code, checksum 0, 32-bit rest, body). */
export function icmpMsg(type: number, code: number, rest: number, body: Uint8Array): Uint8Array {
  const m = new Uint8Array(8 + body.length);
  m[0] = type;
  m[1] = code;
  m[4] = rest >>> 24;
  m[5] = (rest >>> 16) & 0xff;
  m[6] = (rest >>> 8) & 0xff;
  m[7] = rest & 0xff;
  m.set(body, 8);
  return m;
}

export function icmp4(o: Partial<Ip4Opts> & { type: number; code: number; rest?: number; body: Uint8Array }): Uint8Array {
  return withChecksum(ip4({ ...o, proto: 1, payload: icmpMsg(o.type, o.code, o.rest ?? 0, o.body) }));
}

export function icmp6(o: Partial<Ip6Opts> & { type: number; code: number; rest?: number; body: Uint8Array }): Uint8Array {
  return withChecksum(ip6({ ...o, nh: 58, payload: icmpMsg(o.type, o.code, o.rest ?? 0, o.body) }));
}

/** A generic extension header (Hop-by-Hop, Routing, Destination Options) of `len` bytes. */
export function extHeader(nh: number, len = 8, fill = 0): Uint8Array {
  const e = new Uint8Array(len).fill(fill);
  e[0] = nh;
  e[1] = len / 8 - 1;
  if (fill === 0 && len > 2) {
    // PadN over the rest, a valid option area.
    e[2] = 1;
    e[3] = len - 4;
  }
  return e;
}

export function fragHeader(nh: number, offset: number, m: boolean, id: number): Uint8Array {
  const f = new Uint8Array(8);
  f[0] = nh;
  put16(f, 2, offset | (m ? 1 : 0));
  f[4] = id >>> 24;
  f[5] = (id >>> 16) & 0xff;
  f[6] = (id >>> 8) & 0xff;
  f[7] = id & 0xff;
  return f;
}

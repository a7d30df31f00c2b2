import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ipv4Prefix } from '../../src/addr/ipv4-prefix.js';
import { Ipv6Prefix } from '../../src/addr/ipv6-prefix.js';
import { EthernetFrame } from '../../src/wire/ethernet.js';
import { Ipv4Packet } from '../../src/wire/ipv4.js';
import { Ipv6Packet } from '../../src/wire/ipv6.js';
import { Ipv6ExtChain, walkIpv6 } from '../../src/wire/ipv6-extension-headers.js';
import { Eamt } from '../../src/xlat/eamt.js';
import { SiitAddressMapper } from '../../src/xlat/siit-address-mapper.js';
import { Translator } from '../../src/xlat/translator.js';
import { defaultTranslatorConfig } from '../../src/xlat/translator-config.js';
import { XlatOutput } from '../../src/xlat/xlat-output.js';
import { XlatDrop } from '../../src/xlat/xlat-drop.js';

// Issue 2, "Bad input": at least a million random and mutated packets through parse and
// translate, zero exceptions. Seeds are valid packets built by scapy
// (test/golden/fuzz/generate.py) so mutations reach past the first length check.

const seeds: { name: string; family: number; hex: string }[] = JSON.parse(
  readFileSync(new URL('../golden/fuzz/seeds.json', import.meta.url), 'utf8'),
).seeds;
const seedBytes = seeds.map((s) => Uint8Array.from(Buffer.from(s.hex, 'hex')));

/** xorshift32: deterministic, so a failure reproduces from its iteration number. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

function makeTranslator(udpZeroChecksum: 'drop' | 'compute'): Translator {
  const eamt = new Eamt();
  eamt.add(Ipv4Prefix.parse('198.51.100.0/24'), Ipv6Prefix.parse('2001:db8:1::/120'));
  const mapper = new SiitAddressMapper({ pool6: Ipv6Prefix.parse('2001:db8:64::/96'), eamt });
  const config = defaultTranslatorConfig();
  config.udpZeroChecksum = udpZeroChecksum;
  config.ipv6SourceForErrors = Uint8Array.from(Buffer.from('20010db8000000000000000000000001', 'hex'));
  return new Translator(config, mapper);
}

const MUTATIONS = 8;

/** Writes a mutation of a random seed (or pure random bytes) into `buf` and returns its length. */
function mutate(next: () => number, buf: Uint8Array): number {
  const kind = next() % MUTATIONS;
  if (kind === 0) {
    // Pure random bytes with a plausible version nibble half the time.
    const len = next() % 200;
    for (let i = 0; i < len; i++) buf[i] = next() & 0xff;
    if (len > 0 && next() & 1) buf[0] = next() & 1 ? 0x45 : 0x60;
    return len;
  }
  const seed = seedBytes[next() % seedBytes.length]!;
  buf.set(seed);
  let len = seed.length;
  switch (kind) {
    case 1: { // flip 1..4 random bits
      const n = 1 + (next() % 4);
      for (let i = 0; i < n; i++) buf[next() % len]! ^= 1 << (next() % 8);
      break;
    }
    case 2: // truncate anywhere
      len = next() % (len + 1);
      break;
    case 3: { // overwrite a byte inside the first 80 (headers, quoted headers)
      const n = 1 + (next() % 3);
      for (let i = 0; i < n; i++) buf[next() % Math.min(len, 80)] = next() & 0xff;
      break;
    }
    case 4: { // corrupt a 16-bit length-like field at a header offset
      const off = [2, 4, 24, 28, 44, 48, 52, 68][next() % 8]!;
      if (off + 1 < len) { buf[off] = next() & 0xff; buf[off + 1] = next() & 0xff; }
      break;
    }
    case 5: // extend with random bytes (a buffer longer than the header claims)
      for (let i = 0; i < 64; i++) buf[len + i] = next() & 0xff;
      len += next() % 64;
      break;
    case 6: { // set the next-header/protocol field to a random value
      if (buf[0]! >> 4 === 6) buf[6] = next() & 0xff; else if (len > 9) buf[9] = next() & 0xff;
      break;
    }
    default: { // splice the head of one seed onto the tail of another
      const other = seedBytes[next() % seedBytes.length]!;
      const cut = next() % Math.min(len, other.length);
      buf.set(other.subarray(cut, Math.min(other.length, buf.length - cut)), cut);
      len = Math.max(len, Math.min(other.length, buf.length));
      break;
    }
  }
  return len;
}

test('issue 2: a million random and mutated packets through parse and translate never throw', () => {
  const next = rng(0x5eed2026);
  const translators = [makeTranslator('drop'), makeTranslator('compute')];
  const out = new XlatOutput(1 << 20, 256);
  const buf = new Uint8Array(4096);
  const v4 = new Ipv4Packet();
  const v6 = new Ipv6Packet();
  const eth = new EthernetFrame();
  const chain = new Ipv6ExtChain();
  const N = 1_000_000;
  let translated = 0;
  let dropped = 0;
  for (let i = 0; i < N; i++) {
    const len = mutate(next, buf);
    const t = translators[i & 1]!;
    try {
      eth.bind(buf, 0, len).check();
      if (v4.bind(buf, 0, len).check() === 0) void v4.payloadLen;
      if (v6.bind(buf, 0, len).check() === 0) walkIpv6(v6, chain, 0);
      out.reset();
      // Each packet goes both ways: the translator must refuse the wrong family by reason.
      const r1 = t.translate6to4(buf, 0, len, out);
      out.reset();
      const r2 = t.translate4to6(buf, 0, len, out);
      if (r1 === 0 || r2 === 0) translated++;
      else dropped++;
      for (let k = 0; k < out.count; k++) {
        assert.ok(out.offsets[k]! + out.lengths[k]! <= out.bytes.length);
      }
    } catch (err) {
      assert.fail(`iteration ${i} (seeded rng 0x5eed2026) threw: ${(err as Error).stack}`);
    }
  }
  // The corpus must exercise both outcomes, or the fuzz reached nothing.
  assert.ok(translated > N / 20, `only ${translated} packets translated`);
  assert.ok(dropped > N / 20, `only ${dropped} packets dropped`);
  // Every drop was counted under a named reason: the counters add up to the drops.
  let counted = 0;
  for (const t of translators) counted += t.drops.total();
  assert.ok(counted >= dropped, `${counted} counted drops for ${dropped} dropped packets`);
  // Several distinct reasons fired, including header-level ones.
  const reasons = new Set<string>();
  for (const t of translators) for (const k of Object.keys(t.drops.snapshot())) reasons.add(k);
  assert.ok(reasons.size >= 10, `drop reasons seen: ${[...reasons].join(', ')}`);
});

test('the seed corpus is valid input: every seed translates except the four the RFC refuses', () => {
  const t = makeTranslator('compute');
  const out = new XlatOutput();
  const refused: Record<string, string> = {};
  seeds.forEach((s, i) => {
    out.reset();
    const b = seedBytes[i]!;
    const r = s.family === 6 ? t.translate6to4(b, 0, b.length, out) : t.translate4to6(b, 0, b.length, out);
    if (r !== 0) refused[s.name] = XlatDrop.names[r]!;
  });
  assert.deepEqual(refused, {
    'v6-routing-sl1': 'ipv6RoutingHeader', // RFC 7915 §5.1: segments left non-zero
    'v6-hoplimit-1': 'ttlExpired', // §5.1: hop limit runs out at the translator
    'v4-ttl-1': 'ttlExpired', // §4.1
    'v4-icmp-in-icmp': 'icmpErrorAboutIcmpError', // §4.3: an error about an error is dropped
  });
});

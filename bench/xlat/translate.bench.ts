/**
 * bench/xlat: translations per second on one core, IPv6→IPv4 and IPv4→IPv6, for 64-byte UDP,
 * 1500-byte TCP and an ICMPv4 error quoting a UDP datagram. Each case runs against the floor in
 * the same run: a plain byte copy of the same packet into the same output area. Reports the
 * ratio, the median rate, heap growth per packet and GC events per million packets.
 *
 * Run: npm run bench:xlat   (compiles, then node --expose-gc dist-bench/bench/xlat/translate.bench.js)
 */
import { readFileSync } from 'node:fs';
import { Ipv4Prefix } from '../../src/addr/ipv4-prefix.js';
import { Ipv6Prefix } from '../../src/addr/ipv6-prefix.js';
import { Eamt } from '../../src/xlat/eamt.js';
import { SiitAddressMapper } from '../../src/xlat/siit-address-mapper.js';
import { Translator } from '../../src/xlat/translator.js';
import { defaultTranslatorConfig } from '../../src/xlat/translator-config.js';
import { XlatOutput } from '../../src/xlat/xlat-output.js';
import { compare, keep, report, type BenchCase } from '../harness.js';

interface PacketSpec { family: number; hex: string; len: number }
const specs: Record<string, PacketSpec> = JSON.parse(readFileSync('bench/xlat/packets.json', 'utf8')).packets;

const eamt = new Eamt();
eamt.add(Ipv4Prefix.parse('198.51.100.0/24'), Ipv6Prefix.parse('2001:db8:1::/120'));
const translator = new Translator(defaultTranslatorConfig(), new SiitAddressMapper({ pool6: Ipv6Prefix.parse('2001:db8:64::/96'), eamt }));
const out = new XlatOutput(1 << 16, 64);

// Outputs are collected in batches, as the pipeline will: reset once per 32 packets.
const BATCH = 32;

function copyCase(name: string, pkt: Uint8Array): BenchCase {
  const dst = out.bytes;
  return {
    name: 'byte copy',
    run(n) {
      let acc = 0;
      let used = 0;
      for (let i = 0; i < n; i++) {
        if ((i & (BATCH - 1)) === 0) used = 0;
        dst.set(pkt, used);
        used += pkt.length;
        acc += dst[used - 1]!;
      }
      void name;
      return acc;
    },
  };
}

function translateCase(name: string, pkt: Uint8Array, family: number): BenchCase {
  return {
    name,
    run(n) {
      let acc = 0;
      for (let i = 0; i < n; i++) {
        if ((i & (BATCH - 1)) === 0) out.reset();
        acc += family === 6 ? translator.translate6to4(pkt, 0, pkt.length, out) : translator.translate4to6(pkt, 0, pkt.length, out);
      }
      if (acc !== 0) throw new Error(`${name}: ${translator.drops.total()} drops ${JSON.stringify(translator.drops.snapshot())}`);
      return acc + out.count;
    },
  };
}

const n = Number(process.env.BENCH_PACKETS ?? 1_000_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const lines: string[] = [`node ${process.version}, ${n} packets per round, ${rounds} rounds, medians`];
// BENCH_ONLY=udp64-4to6,tcp1500-6to4 runs a subset, in the order given.
const only = process.env.BENCH_ONLY?.split(',');
for (const [name, spec] of only ? only.map((k) => [k, specs[k]!] as const) : Object.entries(specs)) {
  if (!spec) throw new Error(`BENCH_ONLY: no packet named ${name}; known: ${Object.keys(specs).join(', ')}`);
  const pkt = Uint8Array.from(Buffer.from(spec.hex, 'hex'));
  // Sanity: the packet translates, or the figures would measure the drop path.
  out.reset();
  const r = spec.family === 6 ? translator.translate6to4(pkt, 0, pkt.length, out) : translator.translate4to6(pkt, 0, pkt.length, out);
  if (r !== 0 || out.count !== 1) throw new Error(`${name} does not translate: ${JSON.stringify(translator.drops.snapshot())}`);
  const res = await compare(copyCase(name, pkt), [translateCase(`translate ${name}`, pkt, spec.family)], n, rounds);
  lines.push(report(`${name} (${spec.len} bytes)`, res));
}
console.log(lines.join('\n\n'));
void keep();

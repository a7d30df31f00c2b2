/**
 * bench/pipeline: the data path's byte copies, the byte loop (`copyBytesByLoop`, what
 * `copyBytes` does for arrays of no common arena) against one native `copyWithin` on a
 * `PacketArena` (what it does for two windows of one arena: the ports', the translator's and the
 * frames' buffers of a gateway node), in the same run:
 *
 *   1. one copy of 64 KB (a GSO super-segment), 1500 bytes and 64 bytes;
 *   2. the gateway pipeline (NAT64 IPv6→IPv4, flow cache on, stateful firewall on) for a 64 KB
 *      UDP super-segment, a 1500-byte and a 112-byte UDP packet, its context and input buffer
 *      plain arrays (baseline) or windows of one arena: the translator's payload copy (emit
 *      copies nothing for raw-IP output, in both cases).
 *
 * Reports the ratio, the median rate, heap growth per operation and GC events per million.
 *
 * Run: npm run build && tsc -p tsconfig.bench.json && node --expose-gc dist-bench/bench/pipeline/byte-copy.bench.js
 */
import { parseConfig } from '../../src/control/config.js';
import { buildTenant } from '../../src/control/tenant-runtime.js';
import { FrameBatch } from '../../src/pipeline/frame-batch.js';
import { LinkKind } from '../../src/pipeline/link-kind.js';
import { PacketContext } from '../../src/pipeline/packet-context.js';
import { createGatewayPipeline } from '../../src/pipeline/stateful-pipeline.js';
import { Verdict } from '../../src/pipeline/verdict.js';
import { ChangeLog } from '../../src/state/change-log.js';
import { ManualClock } from '../../src/state/clock.js';
import { PacketArena } from '../../src/wire/packet-arena.js';
import { copyBytes, copyBytesByLoop } from '../../src/xlat/byte-copy.js';
import { XlatOutput } from '../../src/xlat/xlat-output.js';
import { compare, keep, report, type BenchCase } from '../harness.js';

const n = Number(process.env.BENCH_OPS ?? 0);
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const lines: string[] = [`node ${process.version}, ${rounds} rounds, medians`];
const arena = new PacketArena(8 << 20);

// 1. One copy.
const SIZES = [65536, 1500, 64];
const plainSrc = new Uint8Array(70000).fill(0x5a);
const plainDst = new Uint8Array(70000);
const arenaSrc = arena.alloc(70000).fill(0x5a);
const arenaDst = arena.alloc(70000);

function copyCase(name: string, copy: typeof copyBytes, src: Uint8Array, dst: Uint8Array, len: number): BenchCase {
  return {
    name,
    run(count) {
      // Offsets move a little, as packets' do, so nothing is constant-folded.
      for (let i = 0; i < count; i++) copy(src, i & 7, dst, 14 + (i & 3), len);
      return dst[14 + len - 1]!;
    },
  };
}

for (const len of SIZES) {
  const ops = n > 0 ? n : Math.max(2000, Math.floor(2e8 / (len * 4 + 200)));
  const res = await compare(copyCase('byte loop', copyBytesByLoop, plainSrc, plainDst, len),
    [copyCase('arena copyWithin', copyBytes, arenaSrc, arenaDst, len)], ops, rounds);
  lines.push(report(`one copy of ${len} bytes (${ops} per round)`, res));
}

// 2. The pipeline.
const CONFIG = `
node: { id: 1 }
tenants:
  - name: blue
    id: 1
    nat:
      pool4: [203.0.113.1/32]
      nat64: { pool6: 2001:db8:64::/96 }
      staticBib:
        - { protocol: udp, insideAddress: '2001:db8:1::10', insidePort: 40000, outsideAddress: 203.0.113.1, outsidePort: 40000 }
    firewall: { graceSeconds: 0 }
`;

/** An IPv6 UDP packet of `len` bytes, 2001:db8:1::10 port 40000 → 198.51.100.10 (in 2001:db8:64::/96)
 * port 47000; the checksum is left 0 (the translator's incremental update does not mind). */
function udp6(len: number): Uint8Array {
  const p = new Uint8Array(len).fill(0x78);
  const payLen = len - 40;
  p.set([0x60, 0, 0, 0, payLen >>> 8, payLen & 0xff, 17, 64], 0);
  p.set([0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10], 8);
  p.set([0x20, 0x01, 0x0d, 0xb8, 0, 0x64, 0, 0, 0, 0, 0, 0, 198, 51, 100, 10], 24);
  p.set([0x9c, 0x40, 0xb7, 0x98, payLen >>> 8, payLen & 0xff, 0, 0], 40);
  return p;
}

interface Gateway { run(gsoSize: number): number }

function gateway(withArena: boolean, pkt: Uint8Array): Gateway {
  const config = parseConfig(CONFIG);
  const clock = new ManualClock(1_000_000);
  const tenant = buildTenant(config, 0, '<bench>', { clock, changes: new ChangeLog(1 << 20), seed: 7 });
  const { pipeline } = createGatewayPipeline([tenant], { flowCacheSlots: 65536 });
  const a = withArena ? arena : null;
  const ctx = new PacketContext(LinkKind.Ip, new XlatOutput(262144, 128, a), new FrameBatch(LinkKind.Ip, 262144, 128, a));
  const input = a === null ? new Uint8Array(70000) : a.alloc(70000);
  input.set(pkt, 0);
  return {
    run(gsoSize) {
      // The input is translated into the output, never in place: it needs no refill.
      ctx.bind(input, 0, pkt.length, LinkKind.Ip, 0);
      ctx.packets.gsoSize = gsoSize;
      return pipeline.run(ctx);
    },
  };
}

function pipelineCase(name: string, g: Gateway, gsoSize: number): BenchCase {
  return {
    name,
    run(count) {
      let acc = 0;
      for (let i = 0; i < count; i++) acc += g.run(gsoSize);
      if (acc !== count * Verdict.Emit) throw new Error(name + ': a packet was not emitted');
      return acc;
    },
  };
}

for (const [label, len, gsoSize] of [['64 KB UDP super-segment (1432-byte segments)', 65000, 1432], ['1500-byte UDP packet', 1500, 0], ['112-byte UDP packet (64-byte payload)', 112, 0]] as const) {
  const pkt = udp6(len);
  const plain = gateway(false, pkt);
  const inArena = gateway(true, pkt);
  for (const g of [plain, inArena]) if (g.run(gsoSize) !== Verdict.Emit) throw new Error('setup packet not emitted');
  const ops = n > 0 ? n : Math.max(2000, Math.floor(1e8 / (len * 3 + 2000)));
  const res = await compare(pipelineCase('plain arrays (byte loops)', plain, gsoSize), [pipelineCase('one arena (copyWithin)', inArena, gsoSize)], ops, rounds);
  lines.push(report(`NAT64 6→4 pipeline, ${label} (${ops} per round)`, res));
}
if (arena.fallbacks !== 0) throw new Error('the bench arena was too small');
console.log(lines.join('\n\n'));
void keep();

/**
 * bench/pipeline: packets per second through the whole gateway pipeline on one core, for one
 * established UDP flow, with the flow cache hitting versus every packet walking every stage
 * (flow cache off), in the same run: NAT64 IPv6→IPv4 and IPv4→IPv6, NAT44 inside→outside. The
 * stateful firewall is on. Each packet is first copied into the input buffer (NAT44 rewrites the
 * input in place), in both cases alike. Reports the ratio, the median rate, heap growth per
 * packet and GC events per million packets.
 *
 * Run: npm run bench:pipeline
 */
import { parseConfig } from '../../src/control/config.js';
import { buildTenant } from '../../src/control/tenant-runtime.js';
import { LinkKind } from '../../src/pipeline/link-kind.js';
import { PacketContext } from '../../src/pipeline/packet-context.js';
import { createGatewayPipeline } from '../../src/pipeline/stateful-pipeline.js';
import { Verdict } from '../../src/pipeline/verdict.js';
import { ChangeLog } from '../../src/state/change-log.js';
import { ManualClock } from '../../src/state/clock.js';
import { compare, keep, report, type BenchCase } from '../harness.js';

const CONFIG = `
node: { id: 1 }
tenants:
  - name: blue
    id: 1
    nat:
      pool4: [203.0.113.1/32]
      nat64: { pool6: 2001:db8:64::/96 }
      nat44: { inside: [10.0.0.0/24] }
      staticBib:
        - { protocol: udp, insideAddress: '2001:db8:1::10', insidePort: 40000, outsideAddress: 203.0.113.1, outsidePort: 40000 }
    firewall: { graceSeconds: 0 }
`;

// 64-byte UDP datagrams (scapy-built): client → server over NAT64, the server's reply to the
// static binding, and the same client flow over NAT44.
const PACKETS = {
  'nat64 6to4': '60000000001a114020010db800010000000000000000001020010db80064000000000000c633640a9c40b798001ae97f787878787878787878787878787878787878',
  'nat64 4to6': '4500002e000100004011147fc633640acb007101b7989c40001a0965787878787878787878787878787878787878',
  'nat44 out': '4500002e00010000401146770a00000ac633640a9c40b798001a3b5d787878787878787878787878787878787878',
} as const;

function gateway(cacheSlots: number): { run(pkt: Uint8Array): number; hits(): number } {
  const config = parseConfig(CONFIG);
  const clock = new ManualClock(1_000_000);
  const tenant = buildTenant(config, 0, '<bench>', { clock, changes: new ChangeLog(1 << 20), seed: 7 });
  const { pipeline, cache } = createGatewayPipeline([tenant], { flowCacheSlots: cacheSlots });
  const ctx = new PacketContext(LinkKind.Ip);
  const input = new Uint8Array(2048);
  return {
    run(pkt) {
      input.set(pkt, 0);
      ctx.bind(input, 0, pkt.length, LinkKind.Ip, 0);
      return pipeline.run(ctx);
    },
    hits: () => cache?.hits ?? 0,
  };
}

function pipelineCase(name: string, g: ReturnType<typeof gateway>, pkt: Uint8Array): BenchCase {
  return {
    name,
    run(n) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += g.run(pkt);
      if (acc !== n * Verdict.Emit) throw new Error(name + ': a packet was not emitted');
      return acc;
    },
  };
}

const n = Number(process.env.BENCH_PACKETS ?? 500_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const lines: string[] = [`node ${process.version}, ${n} packets per round, ${rounds} rounds, medians`];
const walk = gateway(0);
const cached = gateway(65536);
const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));
// Open the flows (outbound first: the firewall and the session table then accept the replies).
for (const g of [walk, cached]) {
  for (const hex of [PACKETS['nat64 6to4'], PACKETS['nat64 4to6'], PACKETS['nat44 out']]) {
    if (g.run(bytes(hex)) !== Verdict.Emit) throw new Error('setup packet not emitted');
  }
}
for (const [name, hex] of Object.entries(PACKETS)) {
  const pkt = bytes(hex);
  const res = await compare(pipelineCase('full stage walk', walk, pkt), [pipelineCase('flow-cache hit', cached, pkt)], n, rounds);
  lines.push(report(`${name} (${pkt.length} bytes UDP)`, res));
}
if (cached.hits() === 0) throw new Error('the flow cache never hit');
console.log(lines.join('\n\n'));
void keep();

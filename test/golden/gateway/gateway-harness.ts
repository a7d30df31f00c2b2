import { formatIpv4Bytes } from '../../../src/addr/ipv4-address.js';
import { formatIpv6 } from '../../../src/addr/ipv6-address.js';
import { parseConfig } from '../../../src/control/config.js';
import { buildTenant, toConnTrackConfig, type TenantRuntime } from '../../../src/control/tenant-runtime.js';
import { LinkKind } from '../../../src/pipeline/link-kind.js';
import { PacketContext } from '../../../src/pipeline/packet-context.js';
import type { Pipeline } from '../../../src/pipeline/pipeline.js';
import { createGatewayPipeline } from '../../../src/pipeline/stateful-pipeline.js';
import { TextTraceSink } from '../../../src/pipeline/trace-sink.js';
import type { FlowCache } from '../../../src/pipeline/flow-cache.js';
import { Verdict } from '../../../src/pipeline/verdict.js';
import { ChangeLog } from '../../../src/state/change-log.js';
import { ManualClock } from '../../../src/state/clock.js';
import { ConnTrack } from '../../../src/state/conntrack.js';
import { XlatOutputKind } from '../../../src/xlat/xlat-output.js';

/**
 * A real gateway for the pipeline tests: a tenant built from YAML by the control layer (session
 * table, firewall, translator), the full stateful pipeline in front of it, a manual clock, and a
 * trace sink that keeps the lines of the last packet. Inputs are bare IP packets; outputs are
 * copied out so a test can keep them across packets.
 */
export interface GatewayOptions {
  flowCacheSlots?: number;
  clockMs?: number;
  seed?: number;
}

/** What one packet produced. */
export interface SendResult {
  verdict: Verdict;
  /** Packets that left, in order (copies). */
  out: Uint8Array[];
  /** `XlatOutputKind` of each. */
  kinds: number[];
  /** `stage.reason` of the drop, or '' when the packet was not dropped. */
  drop: string;
  /** Trace lines of this packet. */
  trace: string[];
}

export class Gateway {
  readonly clock: ManualClock;
  readonly changes = new ChangeLog(1 << 16);
  tenant: TenantRuntime;
  pipeline!: Pipeline;
  cache!: FlowCache | null;
  readonly ctx = new PacketContext(LinkKind.Ip);
  private lines: string[] = [];
  private index = 0;

  constructor(yaml: string, opts: GatewayOptions = {}) {
    this.clock = new ManualClock(opts.clockMs ?? 1_000_000);
    const config = parseConfig(yaml, '<test>');
    this.tenant = buildTenant(config, 0, '<test>', { clock: this.clock, changes: this.changes, seed: opts.seed ?? 1 });
    this.flowCacheSlots = opts.flowCacheSlots;
    this.build();
  }

  private readonly flowCacheSlots: number | undefined;

  private build(): void {
    const built = createGatewayPipeline([this.tenant], {
      flowCacheSlots: this.flowCacheSlots,
      trace: new TextTraceSink((line) => this.lines.push(line)),
      seed: 7,
    });
    this.pipeline = built.pipeline;
    this.cache = built.cache;
  }

  /**
   * The firewall restarts (seed 000) while the NAT state survives it (replicated, or kept by the
   * process): a fresh connection tracker whose grace period starts now, and a new pipeline (the
   * flow cache is the restarted node's too).
   */
  restartFirewall(graceSeconds: number): void {
    const ct = new ConnTrack(toConnTrackConfig({ graceSeconds }, 1), this.clock, 99);
    this.tenant = { ...this.tenant, conntrack: ct };
    this.build();
  }

  get napt() {
    return this.tenant.napt!;
  }

  get conntrack() {
    return this.tenant.conntrack!;
  }

  /** Runs one bare IP packet (a copy: the caller's bytes stay as they were). */
  send(packet: Uint8Array, traced = true): SendResult {
    const buf = packet.slice();
    this.lines = [];
    const ctx = this.ctx.bind(buf, 0, buf.length, LinkKind.Ip, ++this.index);
    ctx.traced = traced;
    const verdict = this.pipeline.run(ctx);
    const out: Uint8Array[] = [];
    const kinds: number[] = [];
    const f = ctx.frames;
    for (let i = 0; i < f.count; i++) {
      out.push(f.bytes.slice(f.offsets[i]!, f.offsets[i]! + f.lengths[i]!));
      kinds.push(f.kinds[i]!);
    }
    let drop = '';
    if (verdict === Verdict.Drop && ctx.dropStage >= 0) {
      const stage = this.pipeline.stages[ctx.dropStage]!;
      drop = stage.name + ':' + stage.reasons.names[ctx.reason];
    }
    return { verdict, out, kinds, drop, trace: this.lines };
  }

  /** Sends and insists on exactly one translated packet out; returns it. */
  pass(packet: Uint8Array): Uint8Array {
    const r = this.send(packet);
    if (r.verdict !== Verdict.Emit || r.out.length !== 1 || r.kinds[0] !== XlatOutputKind.Translated) {
      throw new Error('expected one translated packet, got ' + r.out.length + ' (' + (r.drop || 'verdict ' + r.verdict) + ')\n' + r.trace.join('\n'));
    }
    return r.out[0]!;
  }

  /** Drop counter `reason` (a name of the stage's table, `nat.filtered`) of stage `stage`. */
  dropCount(stage: string, reason: string): number {
    const i = this.pipeline.indexOf(stage);
    const code = this.pipeline.stages[i]!.reasons.names.indexOf(reason);
    if (code < 1) throw new Error('stage ' + stage + ' has no drop reason ' + reason);
    return this.pipeline.drops[i]!.counts[code]!;
  }

  /** Every non-zero drop counter as `stage:reason` → count. */
  drops(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const d of this.pipeline.dropCounts()) out[d.stage + ':' + d.reason] = d.count;
    return out;
  }

  advance(ms: number): void {
    this.clock.advance(ms);
    this.tenant.napt?.expire();
    this.tenant.conntrack?.expire();
  }
}

/** Addresses the gateway tests share (RFC 3849 / RFC 5737 documentation space). */
export const ADDR = {
  /** Pool address T. */
  T: '203.0.113.1',
  /** NAT64 inside hosts X'. */
  X6: '2001:db8::10',
  X6b: '2001:db8::11',
  /** NAT44 inside hosts X. */
  X4: '10.0.0.10',
  X4b: '10.0.0.11',
  /** Remote IPv4 hosts Z and their NAT64 form Y' = 64:ff9b::Z (RFC 6052). */
  Z: '198.51.100.7',
  Y: '64:ff9b::c633:6407',
  Z2: '198.51.100.8',
  Y2: '64:ff9b::c633:6408',
  /** A router on the IPv4 path. */
  R: '192.0.2.99',
  /** Y' of the pool address itself: where an IPv6 host reaches another through the NAT64. */
  YT: '64:ff9b::cb00:7101',
} as const;

export interface TenantYamlOptions {
  nat64?: boolean;
  nat44?: boolean;
  filtering?: 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent';
  /** Firewall grace seconds; null: no firewall. */
  firewall?: number | null;
  ports?: { min: number; max: number };
  portBlockSize?: number;
  pool4?: string[];
  maxSessions?: number;
  /** More lines under `nat:` (indented by the caller to 6 spaces). */
  natExtra?: string;
}

/** A one-tenant configuration: pool 203.0.113.1/32, NAT64 prefix 64:ff9b::/96, NAT44 inside
 * 10.0.0.0/24, by default both NATs and a firewall with no grace period. */
export function tenantYaml(o: TenantYamlOptions = {}): string {
  const lines = [
    'node: { id: 1 }',
    'tenants:',
    '  - name: blue',
    '    id: 1',
    '    nat:',
    '      pool4: [' + (o.pool4 ?? [ADDR.T + '/32']).join(', ') + ']',
  ];
  if (o.nat64 ?? true) lines.push("      nat64: { pool6: '64:ff9b::/96' }");
  if (o.nat44 ?? true) lines.push('      nat44: { inside: [10.0.0.0/24] }');
  if (o.filtering) lines.push('      filtering: ' + o.filtering);
  if (o.ports) lines.push('      ports: { min: ' + o.ports.min + ', max: ' + o.ports.max + ' }');
  if (o.portBlockSize) lines.push('      portBlockSize: ' + o.portBlockSize);
  if (o.maxSessions) lines.push('      maxSessions: ' + o.maxSessions);
  if (o.natExtra) lines.push(o.natExtra);
  const fw = o.firewall === undefined ? 0 : o.firewall;
  if (fw !== null) lines.push('    firewall: { graceSeconds: ' + fw + ' }');
  return lines.join('\n') + '\n';
}

/** Big-endian u16 at `off`. */
export function u16(b: Uint8Array, off: number): number {
  return (b[off]! << 8) | b[off + 1]!;
}

/** Source port of an IPv4 (20-byte header) or IPv6 (no extension header) TCP/UDP packet, or the
 * identifier of an ICMP Echo. */
export function srcPort(b: Uint8Array): number {
  const l4 = b[0]! >>> 4 === 4 ? (b[0]! & 15) * 4 : 40;
  const proto = b[0]! >>> 4 === 4 ? b[9]! : b[6]!;
  return proto === 1 || proto === 58 ? u16(b, l4 + 4) : u16(b, l4);
}

export function dstPort(b: Uint8Array): number {
  const l4 = b[0]! >>> 4 === 4 ? (b[0]! & 15) * 4 : 40;
  const proto = b[0]! >>> 4 === 4 ? b[9]! : b[6]!;
  return proto === 1 || proto === 58 ? u16(b, l4 + 4) : u16(b, l4 + 2);
}

/** Source and destination address of an IP packet as text. */
export function addresses(b: Uint8Array): [string, string] {
  if (b[0]! >>> 4 === 4) return [formatIpv4Bytes(b, 12), formatIpv4Bytes(b, 16)];
  return [formatIpv6(b, 8), formatIpv6(b, 24)];
}

import { ClassifyStage } from './classify-stage.js';
import { EmitStage } from './emit-stage.js';
import { FirewallStage } from './firewall-stage.js';
import { FlowCache } from './flow-cache.js';
import { FlowCacheStage, FlowLearnStage } from './flow-cache-stage.js';
import { NatStage } from './nat-stage.js';
import { Pipeline } from './pipeline.js';
import type { TenantDatapath } from './tenant-datapath.js';
import { TenantStage } from './tenant-stage.js';
import type { Stage } from './stage.js';
import type { TraceSink } from './trace-sink.js';

export interface GatewayPipelineOptions {
  /** Flow-cache slots (rounded up to a power of two); 0 disables the cache. */
  flowCacheSlots?: number;
  /** Seed of the flow cache's hash. */
  seed?: number;
  trace?: TraceSink | null;
}

/** The pipeline and the flow cache it uses (null when disabled). */
export interface GatewayPipeline {
  readonly pipeline: Pipeline;
  readonly cache: FlowCache | null;
}

/**
 * The gateway's packet path for any mix of tenants (SIIT, NAT64, NAT44, firewall), in full:
 * classify → tenant → flow-cache → firewall-in → translate (SIIT, NAT64, NAT44) → firewall-out →
 * flow-learn → emit.
 * A flow-cache hit applies the cached actions and resumes at emit.
 */
export function createGatewayPipeline(tenants: readonly TenantDatapath[], opts: GatewayPipelineOptions = {}): GatewayPipeline {
  // Stages no tenant needs are left out, so a stateless gateway walks only classify → tenant →
  // translate → emit and a trace shows only stages that did something.
  const stateful = tenants.some((t) => t.napt !== null);
  const firewalled = tenants.some((t) => t.conntrack !== null);
  const slots = stateful ? opts.flowCacheSlots ?? 65536 : 0;
  const nat = new NatStage(tenants);
  const cache = slots > 0 ? new FlowCache(slots, opts.seed ?? 0x6e61746d) : null;
  const stages: Stage[] = [new ClassifyStage(), new TenantStage(tenants)];
  const lookup = cache === null ? null : new FlowCacheStage(tenants, cache, nat);
  if (lookup !== null) stages.push(lookup);
  if (firewalled) stages.push(new FirewallStage(tenants, 'in'));
  stages.push(nat);
  if (firewalled) stages.push(new FirewallStage(tenants, 'out'));
  if (cache !== null) stages.push(new FlowLearnStage(tenants, cache));
  stages.push(new EmitStage());
  const pipeline = new Pipeline(stages, opts.trace ?? null);
  if (lookup !== null) lookup.resumeAt = pipeline.indexOf('emit');
  return { pipeline, cache };
}

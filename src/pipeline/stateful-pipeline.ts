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
import type { InterfaceTable } from './interface-table.js';
import { NeighborStage } from './neighbor-stage.js';
import type { NeighborTable } from './neighbor-table.js';
import { RouteStage } from './route-stage.js';
import type { RouteTable } from './route-table.js';

/** The tables of a live gateway's link side: with them the pipeline answers ARP/NDP and routes
 * every produced packet to an interface and next hop (see `NeighborStage`, `RouteStage`). */
export interface GatewayLinkTables {
  readonly interfaces: InterfaceTable;
  readonly neighbors: NeighborTable;
  /** Routing table of each tenant, by tenant index. */
  readonly routes: readonly RouteTable[];
}

export interface GatewayPipelineOptions {
  /** Flow-cache slots (rounded up to a power of two); 0 disables the cache. */
  flowCacheSlots?: number;
  /** Seed of the flow cache's hash. */
  seed?: number;
  trace?: TraceSink | null;
  /** Live gateway: add the neighbor stage after classify and the route stage before emit. */
  links?: GatewayLinkTables | null;
}

/** The pipeline and the flow cache it uses (null when disabled). */
export interface GatewayPipeline {
  readonly pipeline: Pipeline;
  readonly cache: FlowCache | null;
}

/**
 * The gateway's packet path for any mix of tenants (SIIT, NAT64, NAT44, firewall), in full:
 * classify → tenant → flow-cache → firewall-in → translate (SIIT, NAT64, NAT44) → firewall-out →
 * flow-learn → emit; with `links`, neighbor after classify and route before emit.
 * A flow-cache hit applies the cached actions and resumes at the first egress stage.
 */
export function createGatewayPipeline(tenants: readonly TenantDatapath[], opts: GatewayPipelineOptions = {}): GatewayPipeline {
  // Stages no tenant needs are left out, so a stateless gateway walks only classify → tenant →
  // translate → emit and a trace shows only stages that did something.
  const stateful = tenants.some((t) => t.napt !== null);
  const firewalled = tenants.some((t) => t.conntrack !== null);
  const slots = stateful ? opts.flowCacheSlots ?? 65536 : 0;
  const nat = new NatStage(tenants);
  const cache = slots > 0 ? new FlowCache(slots, opts.seed ?? 0x6e61746d) : null;
  const links = opts.links ?? null;
  const stages: Stage[] = [new ClassifyStage(links !== null)];
  if (links !== null) stages.push(new NeighborStage(links.interfaces, links.neighbors));
  stages.push(new TenantStage(tenants));
  const lookup = cache === null ? null : new FlowCacheStage(tenants, cache, nat);
  if (lookup !== null) stages.push(lookup);
  if (firewalled) stages.push(new FirewallStage(tenants, 'in'));
  stages.push(nat);
  if (firewalled) stages.push(new FirewallStage(tenants, 'out'));
  if (cache !== null) stages.push(new FlowLearnStage(tenants, cache));
  if (links !== null) stages.push(new RouteStage(links.interfaces, links.routes, links.neighbors));
  stages.push(new EmitStage());
  const pipeline = new Pipeline(stages, opts.trace ?? null);
  if (lookup !== null) lookup.resumeAt = pipeline.egressStart;
  return { pipeline, cache };
}

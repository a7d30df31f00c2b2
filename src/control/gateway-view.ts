import type { FlowCache } from '../pipeline/flow-cache.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { NatmeshConfig } from './config.js';
import type { TenantRuntime } from './tenant-runtime.js';

/** Traffic counters of one port. */
export interface PortView {
  name: string;
  type: string;
  rxPackets: number;
  rxBytes: number;
  txPackets: number;
  txBytes: number;
  /** Drops by reason name (non-zero only). */
  drops: Record<string, number>;
}

/** Packets and bytes of one tenant entering from one side. */
export interface TenantTrafficView {
  tenant: string;
  /** Where the packets came from: the tenant's inside or its outside. */
  direction: 'inside' | 'outside';
  packets: number;
  bytes: number;
}

/**
 * What the HTTP API and the metrics read from a running gateway. Everything is read at request
 * time from the live counters and tables; nothing is copied per packet.
 */
export interface GatewayView {
  readonly nodeId: number;
  /** When the gateway started (ms since the epoch). */
  readonly startedAtMs: number;
  /** The configuration in force (after the last successful reload). */
  config(): NatmeshConfig;
  tenants(): readonly TenantRuntime[];
  pipeline(): Pipeline;
  flowCache(): FlowCache | null;
  ports(): PortView[];
  tenantTraffic(): TenantTrafficView[];
  /** Successful reloads, and the reason the last refused one was refused. */
  reloads(): { count: number; lastError: string | null };
}

import { Counter, Gauge, Registry } from 'prom-client';
import type { GatewayView } from './gateway-view.js';

/**
 * Prometheus metrics of a running gateway (`/metrics`). Every metric is computed at scrape
 * time from the live counters and tables (prom-client `collect`), so the data path only ever
 * increments typed-array counters. Names follow the Prometheus conventions: `_total` counters,
 * base units (bytes), labels for port, direction, tenant, stage, reason, protocol and state.
 */
export function createMetrics(view: GatewayView): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ node: String(view.nodeId) });
  const registers = [registry];

  new Counter({
    name: 'natmesh_port_packets_total', help: 'Packets received (rx) and sent (tx) by each port.', labelNames: ['port', 'direction'], registers,
    collect() {
      this.reset();
      for (const p of view.ports()) {
        this.inc({ port: p.name, direction: 'rx' }, p.rxPackets);
        this.inc({ port: p.name, direction: 'tx' }, p.txPackets);
      }
    },
  });
  new Counter({
    name: 'natmesh_port_bytes_total', help: 'Bytes received (rx) and sent (tx) by each port.', labelNames: ['port', 'direction'], registers,
    collect() {
      this.reset();
      for (const p of view.ports()) {
        this.inc({ port: p.name, direction: 'rx' }, p.rxBytes);
        this.inc({ port: p.name, direction: 'tx' }, p.txBytes);
      }
    },
  });
  new Counter({
    name: 'natmesh_port_drops_total', help: 'Frames a port dropped before the pipeline, by reason.', labelNames: ['port', 'reason'], registers,
    collect() {
      this.reset();
      for (const p of view.ports()) for (const [reason, n] of Object.entries(p.drops)) this.inc({ port: p.name, reason }, n);
    },
  });
  new Counter({
    name: 'natmesh_tenant_packets_total', help: 'Packets of each tenant by the side they entered from.', labelNames: ['tenant', 'direction'], registers,
    collect() {
      this.reset();
      for (const t of view.tenantTraffic()) this.inc({ tenant: t.tenant, direction: t.direction }, t.packets);
    },
  });
  new Counter({
    name: 'natmesh_tenant_bytes_total', help: 'Bytes of each tenant by the side they entered from.', labelNames: ['tenant', 'direction'], registers,
    collect() {
      this.reset();
      for (const t of view.tenantTraffic()) this.inc({ tenant: t.tenant, direction: t.direction }, t.bytes);
    },
  });
  new Counter({
    name: 'natmesh_drops_total', help: 'Packets the pipeline dropped, by stage and reason.', labelNames: ['stage', 'reason'], registers,
    collect() {
      this.reset();
      for (const d of view.pipeline().dropCounts()) this.inc({ stage: d.stage, reason: d.reason }, d.count);
    },
  });
  new Gauge({
    name: 'natmesh_sessions', help: 'NAT sessions by tenant, protocol and TCP state (RFC 6146 §3.5.2).', labelNames: ['tenant', 'protocol', 'state'], registers,
    collect() {
      this.reset();
      for (const t of view.tenants()) {
        if (t.napt === null) continue;
        for (const c of t.napt.sessionCountsByState().values()) this.set({ tenant: t.name, protocol: c.protocol, state: c.state ?? '' }, c.count);
      }
    },
  });
  new Gauge({
    name: 'natmesh_bindings', help: 'NAT bindings (BIB entries) by tenant.', labelNames: ['tenant'], registers,
    collect() {
      this.reset();
      for (const t of view.tenants()) if (t.napt !== null) this.set({ tenant: t.name }, t.napt.bibCount);
    },
  });
  new Gauge({
    name: 'natmesh_pool_ports', help: 'Pool ports owned by this node, in use and free, per tenant and protocol.', labelNames: ['tenant', 'protocol', 'use'], registers,
    collect() {
      this.reset();
      for (const t of view.tenants()) {
        const napt = t.napt;
        if (napt === null) continue;
        const a = napt.ports;
        const owned = a.blocksOwnedBy(a.selfId) * a.blockSize;
        ['tcp', 'udp', 'icmp'].forEach((protocol, pi) => {
          const free = a.freePorts(pi);
          this.set({ tenant: t.name, protocol, use: 'free' }, free);
          this.set({ tenant: t.name, protocol, use: 'used' }, Math.max(0, owned - free));
        });
      }
    },
  });
  new Gauge({
    name: 'natmesh_firewall_connections', help: 'Connections the stateful firewall tracks, per tenant.', labelNames: ['tenant'], registers,
    collect() {
      this.reset();
      for (const t of view.tenants()) if (t.conntrack !== null) this.set({ tenant: t.name }, t.conntrack.connectionCount);
    },
  });
  new Counter({
    name: 'natmesh_flow_cache_lookups_total', help: 'Flow-cache lookups by result (hit, miss).', labelNames: ['result'], registers,
    collect() {
      this.reset();
      const c = view.flowCache();
      this.inc({ result: 'hit' }, c?.hits ?? 0);
      this.inc({ result: 'miss' }, c?.misses ?? 0);
    },
  });
  new Gauge({
    name: 'natmesh_flow_cache_hit_ratio', help: 'Share of flow-cache lookups that hit since start.', registers,
    collect() {
      this.set(view.flowCache()?.hitRate() ?? 0);
    },
  });
  new Counter({
    name: 'natmesh_config_reloads_total', help: 'Configuration reloads applied (SIGHUP).', registers,
    collect() {
      this.reset();
      this.inc(view.reloads().count);
    },
  });
  return registry;
}

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigFile } from '../../src/control/config.js';
import type { GatewayView } from '../../src/control/gateway-view.js';
import { buildTenant } from '../../src/control/tenant-runtime.js';
import { PcapReader, PcapRecord } from '../../src/io/pcap-reader.js';
import { LinkKind } from '../../src/pipeline/link-kind.js';
import { PacketContext } from '../../src/pipeline/packet-context.js';
import { createGatewayPipeline } from '../../src/pipeline/stateful-pipeline.js';
import { ChangeLog } from '../../src/state/change-log.js';
import { ManualClock } from '../../src/state/clock.js';

/**
 * A gateway state for API tests: the NAT64 conversation of
 * test/golden/stateful is pushed through a real pipeline and session table first.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const golden = join(root, 'test/golden/stateful');

export function gatewayAfterConversation(): GatewayView {
  const config = loadConfigFile(join(golden, 'nat64.yaml'));
  const clock = new ManualClock(0);
  const tenant = buildTenant(config, 0, 'nat64.yaml', { clock, changes: new ChangeLog(1 << 16), seed: 1 });
  const { pipeline, cache } = createGatewayPipeline([tenant]);
  const ctx = new PacketContext(LinkKind.Ip);
  const reader = PcapReader.fromFile(join(golden, 'nat64.pcap'));
  const rec = new PcapRecord();
  let packets = 0;
  let bytes = 0;
  while (reader.next(rec)) {
    clock.set(Math.max(clock.now(), rec.tsSec * 1000));
    ctx.bind(rec.data, rec.offset, rec.length, LinkKind.Ip, rec.index);
    pipeline.run(ctx);
    packets++;
    bytes += rec.length;
  }
  return {
    nodeId: config.node.id,
    startedAtMs: 1_000,
    config: () => config,
    tenants: () => [tenant],
    pipeline: () => pipeline,
    flowCache: () => cache,
    ports: () => [{ name: 'pcap', type: 'pcap', rxPackets: packets, rxBytes: bytes, txPackets: 0, txBytes: 0, drops: {} }],
    tenantTraffic: () => [{ tenant: tenant.name, direction: 'inside', packets: 7, bytes: 0 }],
    reloads: () => ({ count: 0, lastError: null }),
  };
}


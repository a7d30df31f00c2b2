import { PcapUnsupportedLinkTypeError } from '../io/pcap-error.js';
import { linkKindOfPcap, pcapLinkTypeOf } from '../io/pcap-link-type.js';
import { PcapReader, PcapRecord } from '../io/pcap-reader.js';
import { PcapWriter } from '../io/pcap-writer.js';
import { outputLinkKind } from '../pipeline/link-kind.js';
import { PacketContext } from '../pipeline/packet-context.js';
import type { DropCount } from '../pipeline/pipeline.js';
import { HeldSynResponder } from '../pipeline/held-syn-responder.js';
import { LinkKind } from '../pipeline/link-kind.js';
import { createGatewayPipeline } from '../pipeline/stateful-pipeline.js';
import { ChangeLog } from '../state/change-log.js';
import { ManualClock } from '../state/clock.js';
import type { NaptSessionView } from '../state/napt-session-view.js';
import { TextTraceSink } from '../pipeline/trace-sink.js';
import { Verdict } from '../pipeline/verdict.js';
import { XlatOutputKind } from '../xlat/xlat-output.js';
import type { NatmeshConfig } from './config.js';
import { buildTenant, selectTenant } from './tenant-runtime.js';

export interface ReplayOptions {
  config: NatmeshConfig;
  /** Where the configuration came from, for error messages. */
  configSource?: string;
  /** Tenant name; may be left out when only one tenant is configured. */
  tenant?: string;
  inPath: string;
  outPath: string;
  /** Receives one trace line per stage per packet; null: no tracing. */
  trace?: ((line: string) => void) | null;
  /** Put the session table as it stands after the last packet in the summary. */
  dumpSessions?: boolean;
  /** Flow-cache slots; 0 turns the cache off (default 65536). */
  flowCacheSlots?: number;
}

export interface ReplaySummary {
  tenant: string;
  /** pcap link types of the input and output files. */
  inLinkType: number;
  outLinkType: number;
  packetsIn: number;
  packetsOut: number;
  translated: number;
  icmpErrors: number;
  /** Input packets whose verdict was a drop (some still produced an ICMP error). */
  dropped: number;
  drops: DropCount[];
  /** Flow-cache hits and misses (stateful tenants). */
  cacheHits: number;
  cacheMisses: number;
  /** ICMP Port Unreachable errors for unsolicited SYNs held 6 s in vain (RFC 5382 REQ-4); an
   * Ethernet capture cannot carry them (no frame to answer from) and counts them apart. */
  heldSynErrors: number;
  heldSynErrorsUnframed: number;
  /** Sessions in the table after the last packet. */
  sessionCount: number;
  /** The session table after the last packet, when asked for. */
  sessions?: NaptSessionView[];
}

/**
 * Offline replay: every packet of a capture goes through the tenant's pipeline (the gateway's:
 * classify → tenant → flow cache → firewall → NAT or translation → emit) and every frame that
 * comes out (translated packets, ICMP errors) is written, in order, with the timestamp of the
 * packet that caused it. The capture's timestamps are the clock, so session and firewall timers
 * run as they would have live. Ethernet captures give Ethernet output; raw IP captures of any
 * kind give LINKTYPE_RAW, since the output mixes families.
 */
export function replay(opts: ReplayOptions): ReplaySummary {
  const source = opts.configSource ?? '<config>';
  const clock = new ManualClock(0);
  const state = { clock, changes: new ChangeLog(1 << 16), seed: opts.config.node.id };
  const tenant = buildTenant(opts.config, selectTenant(opts.config, opts.tenant, source), source, state);
  const reader = PcapReader.fromFile(opts.inPath);
  const inKind = linkKindOfPcap(reader.linkType);
  if (inKind === -1) throw new PcapUnsupportedLinkTypeError(opts.inPath, 0, reader.format === 'pcap' ? 'file header' : 'first interface', reader.linkType);
  const outKind = outputLinkKind(inKind);
  const outLinkType = pcapLinkTypeOf(outKind);
  const trace = opts.trace ?? null;
  const { pipeline, cache } = createGatewayPipeline([tenant], {
    trace: trace === null ? null : new TextTraceSink(trace),
    flowCacheSlots: opts.flowCacheSlots ?? 65536,
    seed: opts.config.node.id,
  });
  const ctx = new PacketContext(outKind);
  const rec = new PcapRecord();
  const writer = PcapWriter.toFile(opts.outPath, { linkType: outLinkType, nanosecond: reader.nanosecond });
  const summary: ReplaySummary = {
    tenant: tenant.name, inLinkType: reader.linkType, outLinkType,
    packetsIn: 0, packetsOut: 0, translated: 0, icmpErrors: 0, dropped: 0, drops: [],
    cacheHits: 0, cacheMisses: 0, heldSynErrors: 0, heldSynErrorsUnframed: 0, sessionCount: 0,
  };
  const responder = new HeldSynResponder();
  try {
    while (reader.next(rec)) {
      // A pcapng file may hold interfaces of several link types.
      const kind = rec.linkType === reader.linkType ? inKind : linkKindOfPcap(rec.linkType);
      if (kind === -1) throw new PcapUnsupportedLinkTypeError(opts.inPath, rec.offset, 'record ' + rec.index, rec.linkType);
      const ms = rec.tsSec * 1000 + Math.floor(rec.tsNsec / 1e6);
      if (ms > clock.now()) clock.set(ms);
      tenant.napt?.expire();
      tenant.conntrack?.expire();
      if (tenant.napt !== null && tenant.napt.drainHeldSyns(responder) > 0) {
        const o = responder.out;
        for (let i = 0; i < o.count; i++) {
          if (outKind === LinkKind.Ethernet) {
            summary.heldSynErrorsUnframed++;
            continue;
          }
          writer.write(o.bytes, o.offsets[i]!, o.lengths[i]!, rec.tsSec, rec.tsNsec);
          summary.heldSynErrors++;
          summary.icmpErrors++;
          summary.packetsOut++;
        }
        o.reset();
      }
      ctx.bind(rec.data, rec.offset, rec.length, kind, rec.index);
      ctx.traced = trace !== null;
      summary.packetsIn++;
      if (pipeline.run(ctx) === Verdict.Drop) summary.dropped++;
      const f = ctx.frames;
      for (let i = 0; i < f.count; i++) {
        writer.write(f.bytes, f.offsets[i]!, f.lengths[i]!, rec.tsSec, rec.tsNsec);
        if (f.kinds[i] === XlatOutputKind.IcmpError) summary.icmpErrors++;
        else summary.translated++;
      }
      summary.packetsOut += f.count;
    }
  } finally {
    writer.close();
  }
  summary.drops = pipeline.dropCounts();
  summary.cacheHits = cache?.hits ?? 0;
  summary.cacheMisses = cache?.misses ?? 0;
  summary.sessionCount = tenant.napt?.sessionCount ?? 0;
  if (opts.dumpSessions && tenant.napt !== null) summary.sessions = tenant.napt.sessions();
  return summary;
}

/** The summary as the lines `natmesh replay` prints. */
export function formatReplaySummary(s: ReplaySummary): string[] {
  const lines = [
    'tenant: ' + s.tenant,
    'packets in: ' + s.packetsIn,
    'packets out: ' + s.packetsOut + ' (translated ' + s.translated + ', icmp-error ' + s.icmpErrors + ')',
    'dropped: ' + s.dropped,
  ];
  if (s.heldSynErrors + s.heldSynErrorsUnframed > 0) lines.push('held SYNs answered with Port Unreachable: ' + s.heldSynErrors + (s.heldSynErrorsUnframed ? ' (' + s.heldSynErrorsUnframed + ' not written: Ethernet capture)' : ''));
  if (s.cacheHits + s.cacheMisses > 0) lines.push('flow cache: ' + s.cacheHits + ' hits, ' + s.cacheMisses + ' misses');
  if (s.sessionCount > 0 || s.sessions) lines.push('sessions: ' + s.sessionCount);
  for (const d of s.drops) lines.push('  ' + d.stage + '.' + d.reason + ': ' + d.count + ' (' + d.description + ')');
  return lines;
}

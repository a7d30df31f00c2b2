import { DropCounters } from '../wire/drop-reasons.js';
import type { PacketContext } from './packet-context.js';
import { StagePhase, type Stage } from './stage.js';
import type { TraceSink } from './trace-sink.js';
import { Verdict } from './verdict.js';

/** Per-stage counter slots, `STAGE_COUNTER_SLOTS` per stage in `Pipeline.stageCounts`. */
export const StageCounter = {
  /** Packets the stage was given. */
  In: 0,
  Continued: 1,
  Dropped: 2,
  Emitted: 3,
} as const;
export const STAGE_COUNTER_SLOTS = 4;

/** One non-zero drop counter, for reports. */
export interface DropCount {
  stage: string;
  reason: string;
  description: string;
  count: number;
}

/**
 * The packet path: an ordered list of stages run to completion on one packet at a time. The
 * pipeline, not the stages, owns the counters (packets in / continued / dropped / emitted per
 * stage, and per drop reason in each stage's own table) and the tracing of flagged packets.
 *
 * Order: ingress stages first, then egress stages. An ingress `Drop` ends the input packet, but
 * if it left packets in `pkt.packets` (an ICMP error toward the sender) they still go through
 * the egress stages. `Emit` ends processing with frames ready. A stage may set `pkt.skipTo` to
 * jump ahead: the flow cache does on a hit, having applied the cached actions of the stages it
 * skips, so a trace shows exactly which stages ran.
 */
export class Pipeline {
  readonly stages: readonly Stage[];
  /** Drop counters per stage, indexed like `stages`. */
  readonly drops: readonly DropCounters<string>[];
  /** `STAGE_COUNTER_SLOTS` counters per stage (Float64Array: exact far beyond 2^32 packets). */
  readonly stageCounts: Float64Array;
  /** Index of the first egress stage (`stages.length` when there is none). */
  readonly egressStart: number;
  trace: TraceSink | null;

  constructor(stages: readonly Stage[], trace: TraceSink | null = null) {
    if (stages.length === 0) throw new Error('a pipeline needs at least one stage');
    let egress = stages.length;
    const names = new Set<string>();
    stages.forEach((s, i) => {
      if (names.has(s.name)) throw new Error('two pipeline stages are named "' + s.name + '"');
      names.add(s.name);
      if (s.phase === StagePhase.Egress && egress === stages.length) egress = i;
      if (s.phase === StagePhase.Ingress && egress < stages.length) {
        throw new Error('ingress stage "' + s.name + '" is placed after egress stage "' + stages[egress]!.name + '"');
      }
    });
    this.stages = stages;
    this.egressStart = egress;
    this.drops = stages.map((s) => new DropCounters(s.reasons));
    this.stageCounts = new Float64Array(stages.length * STAGE_COUNTER_SLOTS);
    this.trace = trace;
  }

  /** Runs the bound packet through the stages; returns the final verdict (`Emit` or `Drop`;
   * `Continue` only if the last stage let the packet fall off the end). */
  run(pkt: PacketContext): Verdict {
    const n = this.stages.length;
    let i = 0;
    let verdict: Verdict = Verdict.Continue;
    while (i < n) {
      verdict = this.step(pkt, i);
      if (verdict === Verdict.Continue) {
        // A stage that did the work of the next few (a flow-cache hit) says where to resume.
        if (pkt.skipTo > i) {
          i = pkt.skipTo;
          pkt.skipTo = -1;
        } else i++;
        continue;
      }
      if (verdict === Verdict.Drop && i < this.egressStart && pkt.packets.count > 0) {
        // The input is gone but it produced packets (an ICMP error toward its sender): those
        // still leave through the egress stages. The first verdict is what the input got.
        for (let e = this.egressStart; e < n; e++) if (this.step(pkt, e) !== Verdict.Continue) break;
      }
      return verdict;
    }
    return verdict;
  }

  private step(pkt: PacketContext, i: number): Verdict {
    const stage = this.stages[i]!;
    const c = i * STAGE_COUNTER_SLOTS;
    const counts = this.stageCounts;
    counts[c + StageCounter.In]!++;
    const verdict = stage.process(pkt);
    if (verdict === Verdict.Continue) counts[c + StageCounter.Continued]!++;
    else if (verdict === Verdict.Drop) {
      counts[c + StageCounter.Dropped]!++;
      this.drops[i]!.add(pkt.reason);
      if (pkt.dropStage === -1) pkt.dropStage = i;
    } else counts[c + StageCounter.Emitted]!++;
    if (pkt.traced && this.trace !== null) this.trace.record(pkt, stage, verdict);
    return verdict;
  }

  /** Counter `slot` (a `StageCounter`) of stage `name`. */
  count(name: string, slot: number): number {
    return this.stageCounts[this.indexOf(name) * STAGE_COUNTER_SLOTS + slot]!;
  }

  /** Index of stage `name`; throws when there is none. */
  indexOf(name: string): number {
    const i = this.stages.findIndex((s) => s.name === name);
    if (i === -1) throw new Error('no stage named "' + name + '"');
    return i;
  }

  /** Every non-zero drop counter, in stage order then reason order. */
  dropCounts(): DropCount[] {
    const out: DropCount[] = [];
    this.stages.forEach((s, i) => {
      const counts = this.drops[i]!.counts;
      for (let r = 1; r < counts.length; r++) {
        if (counts[r]) out.push({ stage: s.name, reason: s.reasons.names[r]!, description: s.reasons.descriptions[r]!, count: counts[r]! });
      }
    });
    return out;
  }
}

import type { DropReasonTable } from '../wire/drop-reasons.js';
import type { PacketContext } from './packet-context.js';
import type { Verdict } from './verdict.js';

/**
 * Where a stage sits. Ingress stages work on the input packet (classify, flow-cache lookup,
 * firewall, NAT, translate, route); egress stages work on what the input produced (`packets`)
 * and turn it into frames. Egress stages also run after a drop when the dropping stage left
 * packets behind, which is how an ICMP error for a dropped packet still leaves.
 */
export const StagePhase = {
  Ingress: 0,
  Egress: 1,
} as const;
export type StagePhase = (typeof StagePhase)[keyof typeof StagePhase];

/**
 * One step of the packet path, VPP-graph-node style: single purpose, one table of drop reasons
 * that is both its enum and its counter names. A stage keeps no per-packet state outside the
 * context and never counts or traces itself; the pipeline does both from the verdict.
 */
export interface Stage {
  /** Short name for counters and traces (`classify`, `translate`). */
  readonly name: string;
  readonly phase: StagePhase;
  /** The stage's drop reasons; a `Verdict.Drop` carries one of these codes in `pkt.reason`. */
  readonly reasons: DropReasonTable<string>;
  process(pkt: PacketContext): Verdict;
  /** What the stage saw or did, for a trace line. Called only for traced packets, so it may
   * allocate. */
  describe?(pkt: PacketContext, verdict: Verdict): string;
}

import type { PacketContext } from './packet-context.js';
import type { Stage } from './stage.js';
import { Verdict, VERDICT_NAMES } from './verdict.js';

/**
 * Receives one call per stage for packets whose `traced` flag is set. The pipeline makes no
 * call, and so allocates nothing, for packets that are not traced.
 */
export interface TraceSink {
  record(pkt: PacketContext, stage: Stage, verdict: Verdict): void;
}

/**
 * Formats each record as one line:
 * `packet 3 translate drop ttlExpired (TTL or hop limit ran out ...): 1 icmp-error`.
 */
export class TextTraceSink implements TraceSink {
  constructor(private readonly write: (line: string) => void) {}

  record(pkt: PacketContext, stage: Stage, verdict: Verdict): void {
    let line = 'packet ' + pkt.index + ' ' + stage.name + ' ' + VERDICT_NAMES[verdict];
    if (verdict === Verdict.Drop) {
      line += ' ' + (stage.reasons.names[pkt.reason] ?? 'code ' + pkt.reason) + ' (' + (stage.reasons.descriptions[pkt.reason] ?? '?') + ')';
    }
    const detail = stage.describe?.(pkt, verdict);
    if (detail) line += ': ' + detail;
    this.write(line);
  }
}

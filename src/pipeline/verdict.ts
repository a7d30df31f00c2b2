/**
 * What a stage decided about the packet in hand. A verdict is a small integer so returning it
 * allocates nothing; a drop's reason travels in `PacketContext.reason`, coded in the dropping
 * stage's own reason table.
 */
export const Verdict = {
  /** Hand the packet to the next stage. */
  Continue: 0,
  /** The input packet goes no further (reason in `PacketContext.reason`). Packets it already
   * produced, such as an ICMP error toward its sender, still run through the egress stages. */
  Drop: 1,
  /** Processing is finished: `PacketContext.frames` holds what leaves. */
  Emit: 2,
} as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

export const VERDICT_NAMES: readonly string[] = Object.freeze(['continue', 'drop', 'emit']);

import type { Translator } from '../../src/xlat/translator.js';
import { XlatDrop } from '../../src/xlat/xlat-drop.js';
import { XlatOutputKind } from '../../src/xlat/xlat-output.js';
import type { PacketContext } from '../../src/pipeline/packet-context.js';
import { StagePhase, type Stage } from '../../src/pipeline/stage.js';
import { Verdict } from '../../src/pipeline/verdict.js';

/**
 * A bare translation stage for testing the `Pipeline` mechanics (counters per stage and per
 * reason, ingress/egress order, tracing) with a scripted translator: IPv6 packets go to
 * `translate6to4`, IPv4 packets to `translate4to6`. The gateway's own translate stage is
 * `NatStage` (src/pipeline/nat-stage.ts).
 *
 * What the translator appends to `pkt.packets` (translated packets, fragments,
 * ICMP errors it generated) is what the egress stages frame. A translator drop is this stage's
 * drop, coded in `XlatDrop`; an ICMP error it left behind still leaves (see `Pipeline`).
 */
/** The two calls of `Translator` this stage makes (a test can pass a stand-in). */
export type PacketTranslator = Pick<Translator, 'translate6to4' | 'translate4to6'>;

export class TranslateStage implements Stage {
  readonly name = 'translate';
  readonly phase = StagePhase.Ingress;
  readonly reasons = XlatDrop;

  constructor(readonly translator: PacketTranslator) {}

  process(pkt: PacketContext): Verdict {
    const code = pkt.ipVersion === 6
      ? this.translator.translate6to4(pkt.buf, pkt.l3Off, pkt.l3Len, pkt.packets)
      : this.translator.translate4to6(pkt.buf, pkt.l3Off, pkt.l3Len, pkt.packets);
    return code === 0 ? Verdict.Continue : pkt.drop(code);
  }

  describe(pkt: PacketContext): string {
    const out = pkt.packets;
    let translated = 0;
    let errors = 0;
    for (let i = 0; i < out.count; i++) {
      if (out.kinds[i] === XlatOutputKind.IcmpError) errors++;
      else translated++;
    }
    const parts: string[] = ['ipv' + pkt.ipVersion + ' to ipv' + (pkt.ipVersion === 6 ? 4 : 6)];
    if (translated) parts.push(translated + ' translated');
    if (errors) parts.push(errors + ' icmp-error toward the sender');
    return parts.join(', ');
  }
}

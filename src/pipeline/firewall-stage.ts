import { FirewallDrop } from '../state/firewall-drop.js';
import { composeDropReasons } from '../wire/drop-reasons.js';
import { FlowDrop } from '../xlat/flow-drop.js';
import { extractFlowTuple, FlowTuple } from '../xlat/flow-tuple.js';
import { XlatOutputKind } from '../xlat/xlat-output.js';
import { isHairpinned } from './nat-stage.js';
import type { PacketContext } from './packet-context.js';
import { StagePhase, type Stage } from './stage.js';
import type { TenantDatapath } from './tenant-datapath.js';
import { Verdict } from './verdict.js';

const reasons = composeDropReasons({}, { firewall: FirewallDrop, flow: FlowDrop });
export const FirewallStageDrop = reasons.table;
/** Offset of `FirewallDrop` codes in `FirewallStageDrop` (and in tables that embed it). */
export const FIREWALL_CODE_OFFSET = reasons.offsets['firewall']!;
const FLOW = reasons.offsets['flow']!;

/** Tuple of the packets the NAT stage produced (one scratch: the pipeline runs one packet at a time). */
const produced = new FlowTuple();

/**
 * The firewall's verdict on a packet that came from the outside, read before translation:
 * it must belong to a tracked connection (or be an ICMP error about one). 0 or a
 * `FirewallDrop` code.
 */
export function firewallInbound(pkt: PacketContext, t: TenantDatapath): number {
  const ct = t.conntrack;
  if (ct === null || !pkt.fromOutside || pkt.ipVersion !== 4) return 0;
  const tu = pkt.tuple;
  const l4 = tu.icmpError ? tu.innerL4Off : tu.l4Off;
  return ct.check(t.id, false, tu.proto, tu.src[3]! | 0, tu.srcPort, tu.dst[3]! | 0, tu.dstPort, tu.icmpError, pkt.buf, l4, tu.l3End - l4);
}

/**
 * The firewall's verdict on what an inside packet became on the IPv4 side (after NAT44 or
 * NAT64/SIIT translation): it creates or advances the connection. Returns 0, a `FirewallDrop`
 * code, or `FLOW_CODE_BIAS + FlowDrop` code when a produced packet cannot be read.
 */
export function firewallOutbound(pkt: PacketContext, t: TenantDatapath): number {
  const ct = t.conntrack;
  // A hairpinned packet went back inside without touching the IPv4 outside the firewall guards.
  if (ct === null || pkt.fromOutside || isHairpinned(pkt)) return 0;
  const out = pkt.packets;
  const tu = produced;
  for (let i = 0; i < out.count; i++) {
    if (out.kinds[i] !== XlatOutputKind.Translated) continue;
    const off = out.offsets[i]!;
    if (out.bytes[off]! >>> 4 !== 4) continue;
    const code = extractFlowTuple(out.bytes, off, out.lengths[i]!, tu);
    // Later fragments follow their first, which the firewall judged.
    if (code === FlowDrop.code.fragmentNoPorts) continue;
    if (code !== 0) return FLOW_CODE_BIAS + code;
    const l4 = tu.icmpError ? tu.innerL4Off : tu.l4Off;
    const rc = ct.check(t.id, true, tu.proto, tu.src[3]! | 0, tu.srcPort, tu.dst[3]! | 0, tu.dstPort, tu.icmpError, out.bytes, l4, tu.l3End - l4);
    if (rc !== 0) return rc;
  }
  return 0;
}

/** Added to a `FlowDrop` code returned by `firewallOutbound` to tell it from a firewall code. */
export const FLOW_CODE_BIAS = 0x10000;

/**
 * The stateful firewall of a tenant's IPv4 side (seed 000), as two stages around NAT: `in`
 * judges packets from the outside before they are translated, `out` judges what inside packets
 * became after translation, so the connection tracker always sees the IPv4 side's tuples.
 */
export class FirewallStage implements Stage {
  readonly name: string;
  readonly phase = StagePhase.Ingress;
  readonly reasons = FirewallStageDrop;

  constructor(readonly tenants: readonly TenantDatapath[], readonly direction: 'in' | 'out') {
    this.name = 'firewall-' + direction;
  }

  process(pkt: PacketContext): Verdict {
    const t = this.tenants[pkt.tenant]!;
    const rc = this.direction === 'in' ? firewallInbound(pkt, t) : firewallOutbound(pkt, t);
    if (rc === 0) return Verdict.Continue;
    // The outputs the NAT stage produced go nowhere.
    pkt.packets.reset();
    return pkt.drop(rc >= FLOW_CODE_BIAS ? FLOW + rc - FLOW_CODE_BIAS : FIREWALL_CODE_OFFSET + rc);
  }

  describe(pkt: PacketContext, verdict: Verdict): string {
    const t = this.tenants[pkt.tenant];
    if (t === undefined || t.conntrack === null) return 'no firewall';
    if ((this.direction === 'in') !== pkt.fromOutside) return 'not this direction';
    if (isHairpinned(pkt)) return 'hairpinned: stays inside';
    return verdict === Verdict.Continue ? 'accepted' : 'refused';
  }
}

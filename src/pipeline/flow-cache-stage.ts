import { FlowDrop } from '../xlat/flow-drop.js';
import { composeDropReasons } from '../wire/drop-reasons.js';
import { FirewallDrop } from '../state/firewall-drop.js';
import { NaptDrop } from '../state/napt-drop.js';
import { FlowCache } from './flow-cache.js';
import { firewallInbound, firewallOutbound, FLOW_CODE_BIAS } from './firewall-stage.js';
import { NatAction } from './nat-action.js';
import type { NatStage } from './nat-stage.js';
import { isHairpinned, NatDrop } from './nat-stage.js';
import type { PacketContext } from './packet-context.js';
import { StagePhase, type Stage } from './stage.js';
import type { TenantDatapath } from './tenant-datapath.js';
import { Verdict } from './verdict.js';

const reasons = composeDropReasons({}, { firewall: FirewallDrop, session: NaptDrop, nat: NatDrop, flow: FlowDrop });
export const FlowCacheDrop = reasons.table;
const FIREWALL = reasons.offsets['firewall']!;
const SESSION = reasons.offsets['session']!;
const NAT = reasons.offsets['nat']!;
const FLOW = reasons.offsets['flow']!;

/** TCP SYN, FIN and RST: segments that move the RFC 6146 §3.5.2 state machine take the full walk. */
const TCP_CONTROL = 0x02 | 0x01 | 0x04;

/**
 * Flow-cache lookup (seed 004): placed after the tenant stage, which reads the flow. On a hit
 * it applies what the first packet's walk decided (firewall, the session's timer and rewrite)
 * and jumps to `resumeAt`, skipping the stages it replaced; on a miss it marks the packet
 * cacheable and lets the walk run. Not cached: stateless tenants, ICMP errors (they never
 * create or refresh state, RFC 5508 REQ-4), TCP segments with SYN, FIN or RST, and packets
 * whose TTL runs out here.
 */
export class FlowCacheStage implements Stage {
  readonly name = 'flow-cache';
  readonly phase = StagePhase.Ingress;
  readonly reasons = FlowCacheDrop;
  /** Stage index to continue at after a hit (set by the pipeline builder). */
  resumeAt = -1;

  constructor(readonly tenants: readonly TenantDatapath[], readonly cache: FlowCache, readonly nat: NatStage) {}

  process(pkt: PacketContext): Verdict {
    const t = this.tenants[pkt.tenant]!;
    const napt = t.napt;
    if (napt === null || !pkt.hasTuple) return Verdict.Continue;
    const tu = pkt.tuple;
    if (tu.icmpError || (tu.proto === 6 && (tu.tcpFlags & TCP_CONTROL) !== 0)) return Verdict.Continue;
    // A packet dying here must not refresh its session: the NAT stage answers it.
    if (this.nat.runsOut(pkt, t)) return Verdict.Continue;
    const cache = this.cache;
    const slot = cache.slotOf(pkt.tenant, pkt.fromOutside, tu);
    if (!cache.matches(slot)) {
      pkt.cacheable = true;
      return Verdict.Continue;
    }
    const id = cache.sessions[slot]!;
    if (!napt.isLive(id, cache.sessionEntries[slot]!)) {
      // The session ended: the entry goes, and this packet takes the full walk.
      cache.forget(slot);
      pkt.cacheable = true;
      return Verdict.Continue;
    }
    pkt.cacheHit = true;
    pkt.session = id;
    pkt.sessionEntry = cache.sessionEntries[slot]!;
    const outbound = !pkt.fromOutside;
    if (!outbound) {
      const fw = firewallInbound(pkt, t);
      if (fw !== 0) return pkt.drop(FIREWALL + fw);
    }
    const rc = napt.refresh(id, outbound, tu.tcpFlags);
    if (rc !== 0) return pkt.drop(SESSION + rc);
    const verdict = outbound ? this.nat.applyOutbound(pkt, t, id) : this.nat.applyInbound(pkt, t, id);
    if (verdict === Verdict.Drop) return pkt.drop(NAT + pkt.reason);
    if (outbound) {
      const fw = firewallOutbound(pkt, t);
      if (fw !== 0) {
        pkt.packets.reset();
        return pkt.drop(fw >= FLOW_CODE_BIAS ? FLOW + fw - FLOW_CODE_BIAS : FIREWALL + fw);
      }
    }
    pkt.skipTo = this.resumeAt;
    return Verdict.Continue;
  }

  describe(pkt: PacketContext, verdict: Verdict): string {
    if (pkt.cacheHit) return verdict === Verdict.Continue ? 'hit, session ' + pkt.sessionEntry + ', stages skipped' : 'hit';
    return pkt.cacheable ? 'miss' : 'not cached';
  }
}

/**
 * Records the flow of a packet that missed the cache and came through every stage: placed
 * after the last stage whose work a hit replaces.
 */
export class FlowLearnStage implements Stage {
  readonly name = 'flow-learn';
  readonly phase = StagePhase.Ingress;
  readonly reasons = FlowCacheDrop;

  constructor(readonly tenants: readonly TenantDatapath[], readonly cache: FlowCache) {}

  process(pkt: PacketContext): Verdict {
    // A hairpin went through two sessions; an entry replays one.
    if (!pkt.cacheable || pkt.session < 0 || pkt.natAction === NatAction.None || isHairpinned(pkt)) return Verdict.Continue;
    // The key staged by the lookup: NAT44 has since rewritten the packet and its tuple.
    const cache = this.cache;
    cache.insert(cache.stagedSlot, pkt.session, pkt.sessionEntry, pkt.natAction);
    return Verdict.Continue;
  }

  describe(pkt: PacketContext): string {
    return pkt.cacheable && pkt.session >= 0 && pkt.natAction !== NatAction.None && !isHairpinned(pkt) ? 'recorded' : 'not recorded';
  }
}

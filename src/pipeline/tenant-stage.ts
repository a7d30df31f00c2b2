import { LPM_NONE } from '../addr/lpm-table.js';
import { readI32 } from '../wire/byte-order.js';
import { composeDropReasons } from '../wire/drop-reasons.js';
import { IPV4_HEADER_LEN, IPV4_OFF_DST, IPV4_OFF_SRC } from '../wire/ipv4.js';
import { FlowDrop } from '../xlat/flow-drop.js';
import { extractFlowTuple } from '../xlat/flow-tuple.js';
import type { PacketContext } from './packet-context.js';
import { StagePhase, type Stage } from './stage.js';
import type { TenantDatapath } from './tenant-datapath.js';
import { Verdict } from './verdict.js';

const reasons = composeDropReasons({
  unknownTenant: 'the packet belongs to no configured tenant',
  noIpv6Service: 'IPv6 packet for a tenant with neither SIIT nor NAT64',
  notForTenant: 'IPv4 packet neither to a pool address of the tenant nor from one of its NAT44 inside prefixes',
}, { flow: FlowDrop });
export const TenantDrop = reasons.table;
const D = reasons.own.code;
const FLOW = reasons.offsets['flow']!;

/**
 * Second stage: picks the tenant's datapath (`pkt.tenant`, set by the port from the VNI or by
 * the replay), decides the direction and reads the flow. IPv6 is the inside of a SIIT or NAT64
 * tenant. IPv4 from a NAT44 inside prefix goes out (even to a pool address: a hairpin); other
 * IPv4 addressed to a pool address comes from the outside; for SIIT the IPv4 side is the
 * outside. Stateful tenants and firewalls need the flow tuple; a packet whose tuple cannot be
 * read is dropped here under the flow reason.
 */
export class TenantStage implements Stage {
  readonly name = 'tenant';
  readonly phase = StagePhase.Ingress;
  readonly reasons = TenantDrop;

  constructor(readonly tenants: readonly TenantDatapath[]) {}

  process(pkt: PacketContext): Verdict {
    const t = this.tenants[pkt.tenant];
    if (t === undefined) return pkt.drop(D.unknownTenant);
    if (pkt.ipVersion === 6) {
      if (t.translator === null) return pkt.drop(D.noIpv6Service);
      pkt.fromOutside = false;
    } else if (t.napt === null) {
      pkt.fromOutside = true;
    } else {
      const b = pkt.buf;
      const o = pkt.l3Off;
      // A header too short to hold the addresses is left to extractFlowTuple to name.
      if (pkt.l3Len >= IPV4_HEADER_LEN) {
        // The inside prefix first: an inside host writing to a pool address is hairpinned
        // (RFC 4787 REQ-9), which starts as an outbound packet.
        if (t.nat44Inside !== null && t.nat44Inside.lookupIpv4(readI32(b, o + IPV4_OFF_SRC)) !== LPM_NONE) pkt.fromOutside = false;
        else if (t.pool4 !== null && t.pool4.lookupIpv4(readI32(b, o + IPV4_OFF_DST)) !== LPM_NONE) pkt.fromOutside = true;
        else return pkt.drop(D.notForTenant);
      }
    }
    if (t.napt !== null || t.conntrack !== null) {
      const code = extractFlowTuple(pkt.buf, pkt.l3Off, pkt.l3Len, pkt.tuple);
      if (code !== 0) return pkt.drop(FLOW + code);
      pkt.hasTuple = true;
    }
    return Verdict.Continue;
  }

  describe(pkt: PacketContext, verdict: Verdict): string {
    const t = this.tenants[pkt.tenant];
    if (t === undefined) return 'tenant index ' + pkt.tenant;
    return t.name + (verdict === Verdict.Continue ? (pkt.fromOutside ? ', from outside' : ', from inside') : '');
  }
}

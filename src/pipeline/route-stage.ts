import { defineDropReasons, DropCounters } from '../wire/drop-reasons.js';
import { ETHERNET_ADDR_LEN } from '../wire/ethernet.js';
import { ArpOperation } from '../wire/arp.js';
import { IPV4_HEADER_LEN, IPV4_OFF_DST } from '../wire/ipv4.js';
import { IPV6_ADDR_LEN, IPV6_HEADER_LEN, IPV6_OFF_DST } from '../wire/ipv6.js';
import type { InterfaceTable } from './interface-table.js';
import { LinkKind } from './link-kind.js';
import { NeighborFrameWriter } from './neighbor-stage.js';
import { NeighborAction, type NeighborTable } from './neighbor-table.js';
import type { PacketContext } from './packet-context.js';
import { RouteKind, type RouteTable } from './route-table.js';
import { StagePhase, type Stage } from './stage.js';
import { Verdict } from './verdict.js';

export const RouteDrop = defineDropReasons({
  noRoute: 'no route to the destination in the tenant\'s table',
  local: 'the destination is one of the gateway\'s own addresses, which it does not forward to',
  notUnicast: 'the destination is multicast or the IPv4 limited broadcast: the gateway routes unicast only',
  unresolved: 'the next hop\'s MAC is not known yet: an ARP request or Neighbor Solicitation went out (at most one a second) and the packet was dropped',
  neighborTableFull: 'the next hop\'s MAC is not known and the neighbor table has no room to ask for it',
  badPacket: 'a produced packet is neither IPv4 nor IPv6, or shorter than its header',
  noTenantRoutes: 'the packet\'s tenant has no routing table',
});
const D = RouteDrop.code;

/**
 * Egress stage before emit on the live gateway: for every packet the input produced (translated
 * packets, ICMP errors toward a sender) it chooses the egress interface by a longest-prefix match
 * in the tenant's table, the next hop (the destination, or the route's `via`), the next hop's
 * MAC from the neighbor table and the tunnel peer behind that MAC (-1: unknown, flood). The
 * decision goes to `pkt.egress*` for emit. A next hop whose MAC is unknown gets a broadcast ARP
 * request (RFC 826) or a multicast Neighbor Solicitation (RFC 4861 §7.2.2), written straight
 * into `pkt.frames`, and the packet is dropped (counted) rather than queued. An entry not
 * confirmed lately is used and re-confirmed by a unicast solicitation. TUN interfaces need no
 * next hop: bare IP goes out.
 *
 * Being an egress stage it also routes the ICMP errors an ingress stage left behind when it
 * dropped the input. The pipeline counts an input whose packets all failed to leave as this
 * stage's drop; `packetDrops` counts every produced packet that did not leave, by reason.
 */
export class RouteStage implements Stage {
  readonly name = 'route';
  readonly phase = StagePhase.Egress;
  readonly reasons = RouteDrop;
  readonly packetDrops = new DropCounters(RouteDrop);
  /** ARP requests and Neighbor Solicitations sent (broadcast/multicast, and unicast probes). */
  solicitations = 0;
  probes = 0;
  /** Solicitations that found no room in the frame batch. */
  solicitationsLost = 0;
  readonly writer: NeighborFrameWriter;

  constructor(readonly interfaces: InterfaceTable, readonly routes: readonly RouteTable[], readonly neighbors: NeighborTable) {
    this.writer = new NeighborFrameWriter(interfaces);
  }

  process(pkt: PacketContext): Verdict {
    pkt.routed = true;
    const out = pkt.packets;
    const table = this.routes[pkt.tenant];
    let sent = 0;
    let last = 0;
    for (let i = 0; i < out.count; i++) {
      const code = table === undefined ? D.noTenantRoutes : this.routeOne(pkt, table, i);
      if (code === 0) sent++;
      else {
        pkt.egressIface[i] = -1;
        this.packetDrops.add(code);
        last = code;
      }
    }
    if (sent === 0 && last !== 0) return pkt.drop(last);
    return Verdict.Continue;
  }

  private routeOne(pkt: PacketContext, table: RouteTable, i: number): number {
    const out = pkt.packets;
    const b = out.bytes;
    const off = out.offsets[i]!;
    const len = out.lengths[i]!;
    const version = len > 0 ? b[off]! >>> 4 : 0;
    let r: number;
    let dst4 = 0;
    if (version === 4) {
      if (len < IPV4_HEADER_LEN) return D.badPacket;
      const d = off + IPV4_OFF_DST;
      dst4 = (b[d]! << 24) | (b[d + 1]! << 16) | (b[d + 2]! << 8) | b[d + 3]!;
      // 224.0.0.0/4 (RFC 5771) and 255.255.255.255 (RFC 919).
      if ((dst4 >>> 28) === 14 || dst4 === -1) return D.notUnicast;
      r = table.lookup4(dst4);
    } else if (version === 6) {
      if (len < IPV6_HEADER_LEN) return D.badPacket;
      if (b[off + IPV6_OFF_DST] === 0xff) return D.notUnicast;
      r = table.lookup6(b, off + IPV6_OFF_DST);
    } else return D.badPacket;
    if (r < 0) return D.noRoute;
    const kind = table.kind[r]!;
    if (kind === RouteKind.Local) return D.local;
    const iface = table.iface[r]!;
    const t = this.interfaces;
    const link = t.link[iface]!;
    pkt.egressIface[i] = iface;
    pkt.egressLink[i] = link;
    pkt.egressPeer[i] = -1;
    if (link !== LinkKind.Ethernet) return 0;
    const n = this.neighbors;
    const via = kind === RouteKind.Via;
    let action: number;
    let nh4 = 0;
    let nhBuf = b;
    let nhOff = off + IPV6_OFF_DST;
    if (version === 4) {
      nh4 = via ? table.via4[r]! : dst4;
      action = n.resolve4(iface, nh4);
    } else {
      if (via) {
        nhBuf = table.via6;
        nhOff = r * IPV6_ADDR_LEN;
      }
      action = n.resolve6(iface, nhBuf, nhOff);
    }
    if (action === NeighborAction.Use || action === NeighborAction.UseAndProbe) {
      const id = n.lastId;
      const mo = n.macOff(id);
      const m = pkt.egressMacs;
      const e = i * 2 * ETHERNET_ADDR_LEN;
      const so = t.macOff(iface);
      for (let k = 0; k < ETHERNET_ADDR_LEN; k++) {
        m[e + k] = n.macs[mo + k]!;
        m[e + ETHERNET_ADDR_LEN + k] = t.macs[so + k]!;
      }
      const peer = n.peerOf(iface, n.macs, mo);
      pkt.egressPeer[i] = peer;
      if (action === NeighborAction.UseAndProbe) {
        this.probes++;
        this.solicit(pkt, iface, peer, version, nh4, nhBuf, nhOff, n.macs, mo);
      }
      return 0;
    }
    if (action === NeighborAction.Solicit) {
      this.solicitations++;
      this.solicit(pkt, iface, -1, version, nh4, nhBuf, nhOff, null, 0);
    }
    return action === NeighborAction.Full ? D.neighborTableFull : D.unresolved;
  }

  /** An ARP request or Neighbor Solicitation for the next hop: broadcast/multicast when `mac` is
   * null, else a unicast probe to it. */
  private solicit(pkt: PacketContext, iface: number, peer: number, version: number, nh4: number,
    nhBuf: Uint8Array, nhOff: number, mac: Uint8Array | null, macOff: number): void {
    const ok = version === 4
      ? this.writer.arpFrame(pkt.frames, iface, peer, ArpOperation.Request, mac, macOff, this.interfaces.source4(iface, nh4), null, 0, nh4)
      : this.writer.neighborSolicitation(pkt.frames, iface, peer, nhBuf, nhOff, mac, macOff);
    if (!ok) this.solicitationsLost++;
  }

  describe(pkt: PacketContext, verdict: Verdict): string {
    const parts: string[] = [];
    for (let i = 0; i < pkt.packets.count; i++) {
      const iface = pkt.egressIface[i]!;
      parts.push(iface < 0 ? 'not routed' : (this.interfaces.names[iface] ?? 'iface ' + iface) + (pkt.egressPeer[i]! >= 0 ? ' peer ' + pkt.egressPeer[i] : ''));
    }
    if (verdict === Verdict.Drop && pkt.frames.count > 0) parts.push('solicited the next hop');
    return parts.join(', ');
  }
}

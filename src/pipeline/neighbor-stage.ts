import { ARP_ETHERNET_IPV4_LEN, ArpOperation, ArpPacket, ArpRepr, emitArp, parseArp } from '../wire/arp.js';
import { readU16 } from '../wire/byte-order.js';
import { defineDropReasons } from '../wire/drop-reasons.js';
import { emitEthernet, ETHERNET_ADDR_LEN, ETHERNET_HEADER_LEN, ETHERNET_OFF_DST, ETHERNET_OFF_SRC, EthernetFrame, EthernetRepr, EtherType } from '../wire/ethernet.js';
import { Icmpv6Type } from '../wire/icmpv6.js';
import { IpProtocol } from '../wire/ip-protocol.js';
import { emitIpv6, IPV6_ADDR_LEN, IPV6_HEADER_LEN, IPV6_OFF_DST, IPV6_OFF_HOP_LIMIT, IPV6_OFF_NEXT_HEADER, IPV6_OFF_PAYLOAD_LEN, IPV6_OFF_SRC, Ipv6Packet, Ipv6Repr } from '../wire/ipv6.js';
import { emitNdp, NDP_LLADDR_OPTION_LEN, NDP_NS_NA_LEN, NdpNaFlag, NdpPacket, NdpRepr, parseNdp } from '../wire/ndp.js';
import { WireDrop } from '../wire/wire-drop.js';
import { XlatOutputKind } from '../xlat/xlat-output.js';
import type { FrameBatch } from './frame-batch.js';
import type { InterfaceTable } from './interface-table.js';
import { LinkKind } from './link-kind.js';
import { NeighborState, type NeighborTable } from './neighbor-table.js';
import type { PacketContext } from './packet-context.js';
import { StagePhase, type Stage } from './stage.js';
import { Verdict } from './verdict.js';

export const NeighborDrop = defineDropReasons({
  notOurMac: 'unicast frame for another MAC address (flooded by a tunnel endpoint): not the gateway\'s to route',
  groupAddressed: 'IP packet to an Ethernet broadcast or multicast address: the gateway routes unicast only',
  arpMalformed: 'ARP packet too short, not Ethernet/IPv4, or an operation other than request and reply',
  arpNotForUs: 'ARP for an address that is not the gateway\'s on this interface (an entry it has is still updated, RFC 826)',
  arpAddressConflict: 'ARP from a host that claims one of the gateway\'s own addresses',
  ndpHopLimit: 'Neighbor Discovery message with a hop limit other than 255: it crossed a router (RFC 4861 §7.1.1, §7.1.2)',
  ndpMalformed: 'NS/NA truncated, with a bad checksum or option, or with an unspecified source and a link-layer option (RFC 4861 §7.1)',
  nsNotForUs: 'Neighbor Solicitation for an address that is not the gateway\'s on this interface',
  naNoEntry: 'Neighbor Advertisement for an address the gateway did not ask about: silently discarded (RFC 4861 §7.2.5)',
  ndpOther: 'Router Solicitation or Advertisement, Redirect or MLD: the gateway takes no part in them',
  outputFull: 'no room in the frame batch for the answer',
});
const D = NeighborDrop.code;

/** Ethernet frames carry at least 46 bytes of payload (IEEE 802.3 §3.2.7); ARP is padded to it. */
const ETHERNET_MIN_PAYLOAD = 46;
export const ARP_FRAME_LEN = ETHERNET_HEADER_LEN + ETHERNET_MIN_PAYLOAD;
/** NS or NA with one link-layer address option, framed. */
export const NDP_FRAME_LEN = ETHERNET_HEADER_LEN + IPV6_HEADER_LEN + NDP_NS_NA_LEN + NDP_LLADDR_OPTION_LEN;
const NDP_HOP_LIMIT = 255;
const BROADCAST = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
/** ff02::1, all nodes (RFC 4291 §2.7.1): where an NA answering a DAD probe goes (RFC 4861 §7.2.4). */
const ALL_NODES = new Uint8Array([0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);

/**
 * Builds the ARP and NDP frames the gateway sends (answers here, solicitations in the route
 * stage) with the wire codecs, straight into the frame batch. One writer per stage: its
 * scratch values are reused, nothing is allocated per frame.
 */
export class NeighborFrameWriter {
  private readonly eth = new EthernetRepr();
  private readonly ethView = new EthernetFrame();
  private readonly arp = new ArpRepr();
  private readonly arpView = new ArpPacket();
  private readonly ip6 = new Ipv6Repr();
  private readonly ip6View = new Ipv6Packet();
  private readonly ndp = new NdpRepr();
  private readonly ndpView = new NdpPacket();

  constructor(readonly interfaces: InterfaceTable) {}

  /**
   * ARP from `iface` (RFC 826): `op` request or reply, to `dstMac` (at `m[mOff]`; null:
   * broadcast), sender the interface's MAC and `senderAddr`, target `targetMac` (null: zero, as
   * requests have) and `targetAddr`. False when the batch has no room.
   */
  arpFrame(frames: FrameBatch, iface: number, peer: number, op: number, dst: Uint8Array | null, dstOff: number,
    senderAddr: number, target: Uint8Array | null, targetOff: number, targetAddr: number): boolean {
    if (frames.room() < ARP_FRAME_LEN) return false;
    const b = frames.bytes;
    const fo = frames.used;
    const t = this.interfaces;
    const eth = this.eth;
    copyMac(dst ?? BROADCAST, dst === null ? 0 : dstOff, eth.dst, 0);
    copyMac(t.macs, t.macOff(iface), eth.src, 0);
    eth.tagCount = 0;
    eth.etherType = EtherType.Arp;
    emitEthernet(eth, this.ethView.bind(b, fo, ETHERNET_HEADER_LEN));
    const a = this.arp;
    a.operation = op;
    copyMac(t.macs, t.macOff(iface), a.senderHardwareAddr, 0);
    a.senderProtocolAddr = senderAddr >>> 0;
    if (target === null) a.targetHardwareAddr.fill(0);
    else copyMac(target, targetOff, a.targetHardwareAddr, 0);
    a.targetProtocolAddr = targetAddr >>> 0;
    emitArp(a, this.arpView.bind(b, fo + ETHERNET_HEADER_LEN, ARP_ETHERNET_IPV4_LEN));
    for (let k = ETHERNET_HEADER_LEN + ARP_ETHERNET_IPV4_LEN; k < ARP_FRAME_LEN; k++) b[fo + k] = 0;
    frames.push(ARP_FRAME_LEN, XlatOutputKind.Translated, iface, peer);
    return true;
  }

  /**
   * Neighbor Solicitation from `iface`'s link-local address for the target at `tb[tOff]`, with
   * the interface's MAC as source link-layer option (RFC 4861 §4.3, §7.2.2). `unicastMac` null:
   * to the target's solicited-node multicast group (RFC 4291 §2.7.1) and its MAC (RFC 2464 §7);
   * otherwise a unicast probe to the target at that MAC.
   */
  neighborSolicitation(frames: FrameBatch, iface: number, peer: number, tb: Uint8Array, tOff: number, unicastMac: Uint8Array | null, macOff: number): boolean {
    const ip = this.ip6;
    const d = ip.dst;
    if (unicastMac === null) {
      d.fill(0);
      d[0] = 0xff; d[1] = 0x02; d[11] = 0x01; d[12] = 0xff;
      d[13] = tb[tOff + 13]!; d[14] = tb[tOff + 14]!; d[15] = tb[tOff + 15]!;
    } else for (let i = 0; i < IPV6_ADDR_LEN; i++) d[i] = tb[tOff + i]!;
    const t = this.interfaces;
    const ll = t.linkLocalOff(iface);
    for (let i = 0; i < IPV6_ADDR_LEN; i++) ip.src[i] = t.linkLocal[ll + i]!;
    const n = this.ndp;
    n.type = Icmpv6Type.NeighborSolicitation;
    n.flags = 0;
    for (let i = 0; i < IPV6_ADDR_LEN; i++) n.target[i] = tb[tOff + i]!;
    n.hasSourceLinkAddr = true;
    copyMac(t.macs, t.macOff(iface), n.sourceLinkAddr, 0);
    n.hasTargetLinkAddr = false;
    return this.ndpFrame(frames, iface, peer, unicastMac, macOff);
  }

  /**
   * Neighbor Advertisement for the gateway's address at `tb[tOff]` to `db[dOff]` at MAC
   * `mb[mOff]`, with the interface's MAC as target link-layer option (RFC 4861 §7.2.4).
   */
  neighborAdvertisement(frames: FrameBatch, iface: number, peer: number, tb: Uint8Array, tOff: number,
    db: Uint8Array, dOff: number, mb: Uint8Array, mOff: number, flags: number): boolean {
    const ip = this.ip6;
    for (let i = 0; i < IPV6_ADDR_LEN; i++) {
      ip.src[i] = tb[tOff + i]!;
      ip.dst[i] = db[dOff + i]!;
    }
    const t = this.interfaces;
    const n = this.ndp;
    n.type = Icmpv6Type.NeighborAdvertisement;
    n.flags = flags;
    for (let i = 0; i < IPV6_ADDR_LEN; i++) n.target[i] = tb[tOff + i]!;
    n.hasSourceLinkAddr = false;
    n.hasTargetLinkAddr = true;
    copyMac(t.macs, t.macOff(iface), n.targetLinkAddr, 0);
    return this.ndpFrame(frames, iface, peer, mb, mOff);
  }

  /** Frames `ip6`/`ndp` as staged; `mac` null: the IPv6 multicast MAC of the destination. */
  private ndpFrame(frames: FrameBatch, iface: number, peer: number, mac: Uint8Array | null, macOff: number): boolean {
    if (frames.room() < NDP_FRAME_LEN) return false;
    const b = frames.bytes;
    const fo = frames.used;
    const t = this.interfaces;
    const eth = this.eth;
    const ip = this.ip6;
    if (mac === null) {
      // RFC 2464 §7: 33:33 and the last four bytes of the multicast address.
      eth.dst[0] = 0x33; eth.dst[1] = 0x33;
      for (let i = 2; i < ETHERNET_ADDR_LEN; i++) eth.dst[i] = ip.dst[10 + i]!;
    } else copyMac(mac, macOff, eth.dst, 0);
    copyMac(t.macs, t.macOff(iface), eth.src, 0);
    eth.tagCount = 0;
    eth.etherType = EtherType.Ipv6;
    emitEthernet(eth, this.ethView.bind(b, fo, ETHERNET_HEADER_LEN));
    const len = NDP_NS_NA_LEN + NDP_LLADDR_OPTION_LEN;
    ip.trafficClass = 0;
    ip.flowLabel = 0;
    ip.payloadLen = len;
    ip.nextHeader = IpProtocol.Icmpv6;
    ip.hopLimit = NDP_HOP_LIMIT;
    const v = this.ip6View.bind(b, fo + ETHERNET_HEADER_LEN, IPV6_HEADER_LEN + len);
    emitIpv6(ip, v);
    emitNdp(this.ndp, this.ndpView.bind(b, fo + ETHERNET_HEADER_LEN + IPV6_HEADER_LEN, len), v.pseudoHeaderSum(IpProtocol.Icmpv6, len));
    frames.push(NDP_FRAME_LEN, XlatOutputKind.Translated, iface, peer);
    return true;
  }
}

/**
 * Right after classify on the live gateway: the Ethernet side of each tenant interface. Learns
 * behind which tunnel endpoint each source MAC lives; answers ARP requests (RFC 826) and Neighbor
 * Solicitations (RFC 4861 §7.2.3, §7.2.4) for the gateway's own addresses on the interface the
 * frame came in by, learning the asker; takes ARP replies and Neighbor Advertisements into the
 * neighbor table. An IP frame goes on only when it is addressed to the interface's MAC: a tunnel
 * floods unknown unicast to every endpoint, and those copies are not the gateway's to route.
 * TUN interfaces carry bare IP and pass straight through.
 *
 * A frame consumed here (an answer sent, a reply learned) ends with `Verdict.Emit`, its answer
 * (if any) in `pkt.frames`, leaving by the ingress interface toward the ingress peer.
 */
export class NeighborStage implements Stage {
  readonly name = 'neighbor';
  readonly phase = StagePhase.Ingress;
  readonly reasons = NeighborDrop;
  /** ARP requests answered, ARP replies taken, NS answered, NA taken. */
  arpAnswered = 0;
  arpLearned = 0;
  nsAnswered = 0;
  naLearned = 0;
  readonly writer: NeighborFrameWriter;
  private readonly arpView = new ArpPacket();
  private readonly arp = new ArpRepr();
  private readonly ip6View = new Ipv6Packet();
  private readonly ndpView = new NdpPacket();
  private readonly ndp = new NdpRepr();

  constructor(readonly interfaces: InterfaceTable, readonly neighbors: NeighborTable) {
    this.writer = new NeighborFrameWriter(interfaces);
  }

  process(pkt: PacketContext): Verdict {
    const iface = pkt.ingressIface;
    if (pkt.linkKind !== LinkKind.Ethernet || iface < 0) return Verdict.Continue;
    const b = pkt.buf;
    if (pkt.ingressPeer >= 0) this.neighbors.learnPeer(iface, b, pkt.off + ETHERNET_OFF_SRC, pkt.ingressPeer);
    if (pkt.ipVersion === 0) return this.arpIn(pkt, iface);
    const o = pkt.l3Off;
    if (pkt.ipVersion === 6 && pkt.l3Len > IPV6_HEADER_LEN && b[o + IPV6_OFF_NEXT_HEADER] === IpProtocol.Icmpv6) {
      const type = b[o + IPV6_HEADER_LEN]!;
      if (type === Icmpv6Type.NeighborSolicitation || type === Icmpv6Type.NeighborAdvertisement) return this.ndpIn(pkt, iface, type);
      if ((type >= Icmpv6Type.MldQuery && type <= Icmpv6Type.Redirect) || type === Icmpv6Type.Mldv2Report) return pkt.drop(D.ndpOther);
    }
    const dst = pkt.off + ETHERNET_OFF_DST;
    if ((b[dst]! & 1) !== 0) return pkt.drop(D.groupAddressed);
    const m = this.interfaces.macs;
    const mo = this.interfaces.macOff(iface);
    for (let i = 0; i < ETHERNET_ADDR_LEN; i++) if (b[dst + i] !== m[mo + i]) return pkt.drop(D.notOurMac);
    return Verdict.Continue;
  }

  private arpIn(pkt: PacketContext, iface: number): Verdict {
    const a = this.arp;
    if (parseArp(this.arpView.bind(pkt.buf, pkt.l3Off, pkt.l3Len), a) !== 0) return pkt.drop(D.arpMalformed);
    const t = this.interfaces;
    const spa = a.senderProtocolAddr | 0;
    if (spa !== 0 && t.isOwn4(iface, spa)) return pkt.drop(D.arpAddressConflict);
    const ours = t.isOwn4(iface, a.targetProtocolAddr);
    // RFC 826 packet reception: update the sender's entry if there is one; add it if we are the
    // target. A probe's unspecified sender (RFC 5227 §2.1.1) and group MACs are not learned.
    if (spa !== 0 && (a.senderHardwareAddr[0]! & 1) === 0) this.neighbors.confirm4(iface, spa, a.senderHardwareAddr, 0, ours);
    if (!ours) return pkt.drop(D.arpNotForUs);
    if (a.operation === ArpOperation.Reply) {
      this.arpLearned++;
      return Verdict.Emit;
    }
    // The reply goes to the asker's hardware address, from the address it asked about.
    if (!this.writer.arpFrame(pkt.frames, iface, pkt.ingressPeer, ArpOperation.Reply, a.senderHardwareAddr, 0,
      a.targetProtocolAddr, a.senderHardwareAddr, 0, a.senderProtocolAddr)) return pkt.drop(D.outputFull);
    this.arpAnswered++;
    return Verdict.Emit;
  }

  private ndpIn(pkt: PacketContext, iface: number, type: number): Verdict {
    const b = pkt.buf;
    const o = pkt.l3Off;
    if (b[o + IPV6_OFF_HOP_LIMIT] !== NDP_HOP_LIMIT) return pkt.drop(D.ndpHopLimit);
    const payloadLen = readU16(b, o + IPV6_OFF_PAYLOAD_LEN);
    if (IPV6_HEADER_LEN + payloadLen > pkt.l3Len) return pkt.drop(D.ndpMalformed);
    const ip = this.ip6View.bind(b, o, IPV6_HEADER_LEN + payloadLen);
    const n = this.ndp;
    const rc = parseNdp(this.ndpView.bind(b, o + IPV6_HEADER_LEN, payloadLen), n, ip.pseudoHeaderSum(IpProtocol.Icmpv6, payloadLen));
    if (rc !== WireDrop.code.none) return pkt.drop(D.ndpMalformed);
    const t = this.interfaces;
    const src = o + IPV6_OFF_SRC;
    const unspecified = isZero16(b, src);
    if (type === Icmpv6Type.NeighborAdvertisement) {
      if (t.isOwn6(iface, n.target, 0)) return pkt.drop(D.ndpMalformed);
      const solicited = (n.flags & NdpNaFlag.Solicited) !== 0;
      const override = (n.flags & NdpNaFlag.Override) !== 0;
      // §7.1.2: a solicited advertisement to a multicast destination is invalid.
      if (solicited && b[o + IPV6_OFF_DST] === 0xff) return pkt.drop(D.ndpMalformed);
      const id = n.hasTargetLinkAddr
        ? this.neighbors.advertise6(iface, n.target, 0, n.targetLinkAddr, 0, solicited, override)
        : this.neighbors.find6(iface, n.target, 0);
      if (id < 0) return pkt.drop(D.naNoEntry);
      if (!n.hasTargetLinkAddr && solicited && this.neighbors.state[id] === NeighborState.Resolved) this.neighbors.confirmedAt[id] = this.neighbors.clock.now();
      this.naLearned++;
      return Verdict.Emit;
    }
    // §7.1.1: a solicitation from the unspecified address (DAD) carries no link-layer option.
    if (unspecified && n.hasSourceLinkAddr) return pkt.drop(D.ndpMalformed);
    if (!t.isOwn6(iface, n.target, 0)) return pkt.drop(D.nsNotForUs);
    if (!unspecified && n.hasSourceLinkAddr) this.neighbors.confirm6(iface, b, src, n.sourceLinkAddr, 0, true);
    // §7.2.4: to the solicitation's source, or to all nodes (Solicited clear) for a DAD probe;
    // R set, the gateway being a router; O set, the address being its own, not anycast.
    let flags = NdpNaFlag.Router | NdpNaFlag.Override;
    let ok: boolean;
    if (unspecified) {
      ok = this.writer.neighborAdvertisement(pkt.frames, iface, pkt.ingressPeer, n.target, 0, ALL_NODES, 0, MULTICAST_ALL_NODES_MAC, 0, flags);
    } else {
      flags |= NdpNaFlag.Solicited;
      const mac = n.hasSourceLinkAddr ? n.sourceLinkAddr : b;
      const macOff = n.hasSourceLinkAddr ? 0 : pkt.off + ETHERNET_OFF_SRC;
      ok = this.writer.neighborAdvertisement(pkt.frames, iface, pkt.ingressPeer, n.target, 0, b, src, mac, macOff, flags);
    }
    if (!ok) return pkt.drop(D.outputFull);
    this.nsAnswered++;
    return Verdict.Emit;
  }

  describe(pkt: PacketContext, verdict: Verdict): string {
    if (pkt.linkKind !== LinkKind.Ethernet) return 'not Ethernet';
    if (verdict === Verdict.Emit) return pkt.frames.count > 0 ? 'answered' : 'learned';
    return verdict === Verdict.Continue ? 'for the gateway' : 'not routed';
  }
}

/** 33:33:00:00:00:01, the MAC of ff02::1 (RFC 2464 §7). */
const MULTICAST_ALL_NODES_MAC = new Uint8Array([0x33, 0x33, 0, 0, 0, 1]);

function copyMac(src: Uint8Array, so: number, dst: Uint8Array, d: number): void {
  for (let i = 0; i < ETHERNET_ADDR_LEN; i++) dst[d + i] = src[so + i]!;
}

function isZero16(b: Uint8Array, off: number): boolean {
  for (let i = 0; i < IPV6_ADDR_LEN; i++) if (b[off + i] !== 0) return false;
  return true;
}

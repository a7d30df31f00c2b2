import { defineDropReasons } from '../wire/drop-reasons.js';
import { ETHERNET_HEADER_LEN, ETHERNET_OFF_ETHERTYPE, EtherType } from '../wire/ethernet.js';
import { IPV4_OFF_TOTAL_LEN } from '../wire/ipv4.js';
import { IPV6_HEADER_LEN, IPV6_OFF_PAYLOAD_LEN } from '../wire/ipv6.js';
import { WireDrop } from '../wire/wire-drop.js';
import { LinkKind } from './link-kind.js';
import type { PacketContext } from './packet-context.js';
import { StagePhase, type Stage } from './stage.js';
import { Verdict } from './verdict.js';

export const ClassifyDrop = defineDropReasons({
  ethernetTruncated: 'Ethernet: frame shorter than its header and VLAN tags',
  ethernetUnsupported: 'Ethernet: IEEE 802.3 length (LLC) frame, or a VLAN stack other than C-tag, S-tag + C-tag',
  arp: 'ARP (RFC 826): not IP, the gateway does not translate it',
  notIp: 'EtherType is neither IPv4 nor IPv6 (LLDP, MPLS, PPPoE, ...)',
  ipEmpty: 'no IP header: the link payload is empty',
  ipVersionMismatch: 'IP version field disagrees with the EtherType or the link type',
  ipUnknownVersion: 'IP version field is neither 4 nor 6',
});

/**
 * First stage: finds the IP packet inside the frame and its family. Ethernet frames are read
 * through the wire `EthernetFrame` view (802.1Q C-tag and 802.1ad S-tag + C-tag stacks); raw IP
 * links start with the IP header. Frames that are not IP are dropped here with a reason naming
 * what they were; ARP too, unless a neighbor stage follows (`passArp`), which gets it with
 * `ipVersion` 0 and `l3Off` at the ARP packet. Nothing beyond the version nibble and the length
 * field of the IP header is checked: the translator owns IP validation.
 */
export class ClassifyStage implements Stage {
  readonly name = 'classify';
  readonly phase = StagePhase.Ingress;
  readonly reasons = ClassifyDrop;

  /** @param passArp hand ARP frames on (to the neighbor stage) instead of dropping them. */
  constructor(readonly passArp = false) {}

  process(pkt: PacketContext): Verdict {
    let etherType = 0;
    if (pkt.linkKind === LinkKind.Ethernet) {
      const eth = pkt.eth.bind(pkt.buf, pkt.off, pkt.len);
      const drop = eth.check();
      if (drop !== 0) return pkt.drop(drop === WireDrop.code.truncated ? ClassifyDrop.code.ethernetTruncated : ClassifyDrop.code.ethernetUnsupported);
      etherType = eth.etherType();
      const payload = eth.payloadOff();
      if (etherType === EtherType.Arp) {
        if (!this.passArp) return pkt.drop(ClassifyDrop.code.arp);
        pkt.l2Len = payload - pkt.off;
        pkt.l3Off = payload;
        pkt.l3Len = pkt.off + pkt.len - payload;
        pkt.ipVersion = 0;
        return Verdict.Continue;
      }
      if (etherType !== EtherType.Ipv4 && etherType !== EtherType.Ipv6) return pkt.drop(ClassifyDrop.code.notIp);
      pkt.l2Len = payload - pkt.off;
      pkt.l3Off = payload;
      pkt.l3Len = pkt.off + pkt.len - payload;
    } else {
      pkt.l2Len = 0;
      pkt.l3Off = pkt.off;
      pkt.l3Len = pkt.len;
    }
    if (pkt.l3Len === 0) return pkt.drop(ClassifyDrop.code.ipEmpty);
    const b = pkt.buf;
    const o = pkt.l3Off;
    const version = b[o]! >>> 4;
    if (version !== 4 && version !== 6) return pkt.drop(ClassifyDrop.code.ipUnknownVersion);
    const expected = pkt.linkKind === LinkKind.Ethernet ? (etherType === EtherType.Ipv4 ? 4 : 6)
      : pkt.linkKind === LinkKind.Ipv4 ? 4 : pkt.linkKind === LinkKind.Ipv6 ? 6 : version;
    if (version !== expected) return pkt.drop(ClassifyDrop.code.ipVersionMismatch);
    pkt.ipVersion = version;
    // 802.3 §3.2.7: frames shorter than 64 bytes are padded after the datagram. The padding is
    // the link's, not the packet's, so the IP packet ends where its own length field says when
    // that is inside the frame. A length beyond the frame is left for the translator to refuse.
    if (pkt.linkKind === LinkKind.Ethernet) {
      let ipLen = -1;
      if (version === 4 && pkt.l3Len >= IPV4_OFF_TOTAL_LEN + 2) ipLen = (b[o + IPV4_OFF_TOTAL_LEN]! << 8) | b[o + IPV4_OFF_TOTAL_LEN + 1]!;
      else if (version === 6 && pkt.l3Len >= IPV6_OFF_PAYLOAD_LEN + 2) {
        const payloadLen = (b[o + IPV6_OFF_PAYLOAD_LEN]! << 8) | b[o + IPV6_OFF_PAYLOAD_LEN + 1]!;
        // Payload length 0 is a jumbogram (RFC 2675) or garbage: not a padding question.
        if (payloadLen !== 0) ipLen = IPV6_HEADER_LEN + payloadLen;
      }
      if (ipLen > 0 && ipLen < pkt.l3Len) pkt.l3Len = ipLen;
    }
    return Verdict.Continue;
  }

  describe(pkt: PacketContext, verdict: Verdict): string {
    if (verdict !== Verdict.Continue) {
      if (pkt.linkKind !== LinkKind.Ethernet || pkt.len < ETHERNET_HEADER_LEN) return pkt.len + ' bytes';
      const t = pkt.eth.check() === 0 ? pkt.eth.etherType() : (pkt.buf[pkt.off + ETHERNET_OFF_ETHERTYPE]! << 8) | pkt.buf[pkt.off + ETHERNET_OFF_ETHERTYPE + 1]!;
      return 'ethertype 0x' + t.toString(16).padStart(4, '0') + ', ' + pkt.len + ' bytes';
    }
    let s = (pkt.ipVersion === 0 ? 'arp' : 'ipv' + pkt.ipVersion) + ', ' + pkt.l3Len + ' bytes';
    if (pkt.linkKind === LinkKind.Ethernet) {
      const tags = pkt.eth.tagCount();
      s += ' in ethernet';
      for (let t = 0; t < tags; t++) s += (t === 0 ? ' vlan ' : '.') + pkt.eth.vid(t);
    }
    return s;
  }
}

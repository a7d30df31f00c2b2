import { defineDropReasons } from '../wire/drop-reasons.js';
import { ETHERNET_ADDR_LEN, ETHERNET_HEADER_LEN, ETHERNET_OFF_DST, ETHERNET_OFF_ETHERTYPE, ETHERNET_OFF_SRC, EtherType } from '../wire/ethernet.js';
import { copyBytes } from '../xlat/byte-copy.js';
import { XlatOutputKind } from '../xlat/xlat-output.js';
import { LinkKind } from './link-kind.js';
import type { PacketContext } from './packet-context.js';
import { StagePhase, type Stage } from './stage.js';
import { Verdict } from './verdict.js';

export const EmitDrop = defineDropReasons({
  nothingToSend: 'no packet was produced for this input',
  noLinkHeader: 'output link is Ethernet but the input came without an Ethernet header to answer from',
  familyNotCarried: 'output link carries only the other IP family (LINKTYPE_IPV4/IPV6)',
  badPacket: 'produced packet has an IP version other than 4 or 6',
  outputFull: 'frame buffer or frame slots of the output port exhausted',
});

/**
 * Last stage: frames every packet in `pkt.packets` for the output link (`pkt.frames.linkKind`).
 * On Ethernet the input frame's header is kept (addresses and VLAN tags) with the EtherType of
 * the new family; an ICMP error the translator generated goes back toward the sender, so its
 * frame swaps the MAC addresses. Raw IP output is the packet alone, and not copied: when no
 * packet needs a link-layer header the frames are the packets where the translator wrote them
 * (`FrameBatch.borrow`), which spares a TUN device's 64 KB super-segments a copy. A packet that
 * cannot be framed drops the rest of the batch with a reason; frames already written stay.
 */
export class EmitStage implements Stage {
  readonly name = 'emit';
  readonly phase = StagePhase.Egress;
  readonly reasons = EmitDrop;

  process(pkt: PacketContext): Verdict {
    const src = pkt.packets;
    if (src.count === 0) return pkt.drop(EmitDrop.code.nothingToSend);
    if (pkt.routed) return this.emitRouted(pkt);
    const frames = pkt.frames;
    const kind = frames.linkKind;
    if (kind !== LinkKind.Ethernet && frames.isEmpty() && src.count <= frames.offsets.length) return this.emitBare(pkt, kind);
    const l2 = kind === LinkKind.Ethernet ? pkt.l2Len : 0;
    if (kind === LinkKind.Ethernet && (pkt.linkKind !== LinkKind.Ethernet || l2 === 0)) return pkt.drop(EmitDrop.code.noLinkHeader);
    const ib = pkt.buf;
    const fb = frames.bytes;
    const sb = src.bytes;
    for (let i = 0; i < src.count; i++) {
      const so = src.offsets[i]!;
      const len = src.lengths[i]!;
      const version = len > 0 ? sb[so]! >>> 4 : 0;
      if (version !== 4 && version !== 6) return pkt.drop(EmitDrop.code.badPacket);
      if ((kind === LinkKind.Ipv4 && version !== 4) || (kind === LinkKind.Ipv6 && version !== 6)) return pkt.drop(EmitDrop.code.familyNotCarried);
      if (frames.room() < l2 + len) return pkt.drop(EmitDrop.code.outputFull);
      const fo = frames.used;
      if (l2 > 0) {
        for (let k = 0; k < l2; k++) fb[fo + k] = ib[pkt.off + k]!;
        if (src.kinds[i] === XlatOutputKind.IcmpError) {
          for (let k = 0; k < ETHERNET_ADDR_LEN; k++) {
            fb[fo + ETHERNET_OFF_DST + k] = ib[pkt.off + ETHERNET_OFF_SRC + k]!;
            fb[fo + ETHERNET_OFF_SRC + k] = ib[pkt.off + ETHERNET_OFF_DST + k]!;
          }
        }
        // The EtherType naming the payload is the last two bytes of the header, after any tags.
        const type = version === 4 ? EtherType.Ipv4 : EtherType.Ipv6;
        fb[fo + l2 - 2] = type >>> 8;
        fb[fo + l2 - 1] = type & 0xff;
      }
      copyBytes(sb, so, fb, fo + l2, len);
      frames.push(l2 + len, src.kinds[i]!, -1, -1, src.gsoSizes[i]!);
    }
    return Verdict.Emit;
  }

  /** Raw IP output (the caller's one output link): every packet is its frame, where the
   * translator wrote it (`FrameBatch.borrow`), with the checks of the copying path. */
  private emitBare(pkt: PacketContext, kind: LinkKind): Verdict {
    const src = pkt.packets;
    const frames = pkt.frames;
    const sb = src.bytes;
    frames.borrow(sb, src.used);
    for (let i = 0; i < src.count; i++) {
      const so = src.offsets[i]!;
      const len = src.lengths[i]!;
      const version = len > 0 ? sb[so]! >>> 4 : 0;
      if (version !== 4 && version !== 6) return pkt.drop(EmitDrop.code.badPacket);
      if ((kind === LinkKind.Ipv4 && version !== 4) || (kind === LinkKind.Ipv6 && version !== 6)) return pkt.drop(EmitDrop.code.familyNotCarried);
      frames.pushAt(so, len, src.kinds[i]!, -1, -1, src.gsoSizes[i]!);
    }
    return Verdict.Emit;
  }

  /** Routed output whose packets all leave by bare-IP interfaces (TUN): the same, each frame
   * toward its packet's interface. */
  private emitRoutedBare(pkt: PacketContext): Verdict {
    const src = pkt.packets;
    const frames = pkt.frames;
    const sb = src.bytes;
    frames.borrow(sb, src.used);
    for (let i = 0; i < src.count; i++) {
      const iface = pkt.egressIface[i]!;
      if (iface < 0) continue;
      const so = src.offsets[i]!;
      const len = src.lengths[i]!;
      const version = len > 0 ? sb[so]! >>> 4 : 0;
      if (version !== 4 && version !== 6) return pkt.drop(EmitDrop.code.badPacket);
      frames.pushAt(so, len, src.kinds[i]!, iface, pkt.egressPeer[i]!, src.gsoSizes[i]!);
    }
    return Verdict.Emit;
  }

  /** Every packet that leaves, leaves by an interface without a link-layer header, and there
   * are frame slots for all: frames can be the packets themselves. */
  private allBare(pkt: PacketContext): boolean {
    const src = pkt.packets;
    if (!pkt.frames.isEmpty() || src.count > pkt.frames.offsets.length) return false;
    for (let i = 0; i < src.count; i++) if (pkt.egressIface[i]! >= 0 && pkt.egressLink[i] === LinkKind.Ethernet) return false;
    return true;
  }

  private emitRouted(pkt: PacketContext): Verdict {
    if (this.allBare(pkt)) return this.emitRoutedBare(pkt);
    const src = pkt.packets;
    const frames = pkt.frames;
    const fb = frames.bytes;
    const sb = src.bytes;
    const macs = pkt.egressMacs;
    for (let i = 0; i < src.count; i++) {
      const iface = pkt.egressIface[i]!;
      if (iface < 0) continue;
      const so = src.offsets[i]!;
      const len = src.lengths[i]!;
      const version = len > 0 ? sb[so]! >>> 4 : 0;
      if (version !== 4 && version !== 6) return pkt.drop(EmitDrop.code.badPacket);
      const l2 = pkt.egressLink[i] === LinkKind.Ethernet ? ETHERNET_HEADER_LEN : 0;
      if (frames.room() < l2 + len) return pkt.drop(EmitDrop.code.outputFull);
      const fo = frames.used;
      if (l2 > 0) {
        // Destination then source MAC, as the route stage laid them out; no VLAN tag.
        const m = i * 2 * ETHERNET_ADDR_LEN;
        for (let k = 0; k < 2 * ETHERNET_ADDR_LEN; k++) fb[fo + k] = macs[m + k]!;
        const type = version === 4 ? EtherType.Ipv4 : EtherType.Ipv6;
        fb[fo + ETHERNET_OFF_ETHERTYPE] = type >>> 8;
        fb[fo + ETHERNET_OFF_ETHERTYPE + 1] = type & 0xff;
      }
      copyBytes(sb, so, fb, fo + l2, len);
      frames.push(l2 + len, src.kinds[i]!, iface, pkt.egressPeer[i]!, src.gsoSizes[i]!);
    }
    return Verdict.Emit;
  }

  describe(pkt: PacketContext, verdict: Verdict): string {
    const f = pkt.frames;
    const parts: string[] = [];
    if (pkt.routed) {
      for (let i = 0; i < f.count; i++) parts.push((f.kinds[i] === XlatOutputKind.IcmpError ? 'icmp-error ' : '') + f.lengths[i] + ' bytes by iface ' + f.ifaces[i] + (f.peers[i]! >= 0 ? ' to peer ' + f.peers[i] : ''));
      return parts.length === 0 ? 'nothing' : f.count + (f.count === 1 ? ' frame: ' : ' frames: ') + parts.join(', ');
    }
    for (let i = 0; i < f.count; i++) {
      const l2 = f.linkKind === LinkKind.Ethernet ? pkt.l2Len : 0;
      const version = f.bytes[f.offsets[i]! + l2]! >>> 4;
      parts.push((f.kinds[i] === XlatOutputKind.IcmpError ? 'icmp-error ' : '') + 'ipv' + version + ' ' + f.lengths[i] + ' bytes');
    }
    if (parts.length === 0) return verdict === Verdict.Emit ? 'nothing' : 'no frame written';
    return f.count + (f.count === 1 ? ' frame: ' : ' frames: ') + parts.join(', ');
  }
}

import { EMPTY_BYTES, readU16, writeU16 } from './byte-order.js';
import { WireDrop } from './wire-drop.js';

/**
 * Ethernet II (IEEE 802.3 clause 3.2.6 Type interpretation) with up to two VLAN tags:
 * a customer tag (802.1Q, TPID 0x8100) and, outside it, a service tag (802.1ad, TPID 0x88a8) or
 * a second 0x8100 tag (the pre-802.1ad double tagging still seen on provider links).
 *
 * +-----------------+-----------------+------------------+-------------+---------------+
 * | Destination (6) |   Source (6)    | [TPID(2) TCI(2)] | [TPID TCI]  | EtherType (2) |
 * +-----------------+-----------------+------------------+-------------+---------------+
 *
 * TCI: PCP (3 bits) | DEI (1 bit) | VID (12 bits), 802.1Q §9.6.
 * The frame check sequence is not part of the buffer (ports hand over frames without it).
 */
export const ETHERNET_HEADER_LEN = 14;
export const ETHERNET_ADDR_LEN = 6;
export const ETHERNET_OFF_DST = 0;
export const ETHERNET_OFF_SRC = 6;
/** EtherType of an untagged frame, or TPID of the outermost tag. */
export const ETHERNET_OFF_ETHERTYPE = 12;
export const VLAN_TAG_LEN = 4;
/** Tags this codec follows: S-tag + C-tag. A third tag is refused as `unsupported`. */
export const ETHERNET_MAX_TAGS = 2;
export const ETHERNET_MAX_HEADER_LEN = ETHERNET_HEADER_LEN + ETHERNET_MAX_TAGS * VLAN_TAG_LEN;
export const VLAN_VID_MASK = 0x0fff;
export const VLAN_DEI = 0x1000;
export const VLAN_PCP_SHIFT = 13;

export const EtherType = {
  Ipv4: 0x0800,
  Arp: 0x0806,
  Vlan: 0x8100,
  Ipv6: 0x86dd,
  QinQ: 0x88a8,
} as const;

/** Values below this in the type position are IEEE 802.3 lengths, not EtherTypes (802.3 §3.2.6). */
export const ETHERTYPE_MIN = 0x0600;

/** Zero-copy view of an Ethernet II frame, bound to a buffer and reused. */
export class EthernetFrame {
  buf: Uint8Array = EMPTY_BYTES;
  off = 0;
  len = 0;

  bind(buf: Uint8Array, off: number, len: number): this {
    this.buf = buf;
    this.off = off;
    this.len = len;
    return this;
  }

  /**
   * Validates the frame's tag stack. Once it returns 0, every accessor reads inside the bound
   * length and `payloadOff()` is at most `off + len`.
   */
  check(): number {
    if (this.len < ETHERNET_HEADER_LEN) return WireDrop.code.truncated;
    const b = this.buf;
    let p = this.off + ETHERNET_OFF_ETHERTYPE;
    const end = this.off + this.len;
    let type = readU16(b, p);
    let tags = 0;
    while (type === EtherType.Vlan || type === EtherType.QinQ) {
      // 802.1ad §6.13: an S-tag is only ever the outer tag; one inside a C-tag is not a stack
      // we can forward correctly, and more than two tags is not a provider stack at all.
      if (tags === ETHERNET_MAX_TAGS || (tags > 0 && type === EtherType.QinQ)) return WireDrop.code.unsupported;
      p += VLAN_TAG_LEN;
      if (p + 2 > end) return WireDrop.code.truncated;
      type = readU16(b, p);
      tags++;
    }
    if (type < ETHERTYPE_MIN) return WireDrop.code.unsupported;
    return WireDrop.code.none;
  }

  dstOff(): number {
    return this.off + ETHERNET_OFF_DST;
  }

  srcOff(): number {
    return this.off + ETHERNET_OFF_SRC;
  }

  /** Number of VLAN tags (0..2). */
  tagCount(): number {
    const b = this.buf;
    let p = this.off + ETHERNET_OFF_ETHERTYPE;
    let tags = 0;
    while (tags < ETHERNET_MAX_TAGS) {
      const t = readU16(b, p);
      if (t !== EtherType.Vlan && t !== EtherType.QinQ) break;
      p += VLAN_TAG_LEN;
      tags++;
    }
    return tags;
  }

  /** TPID of tag `i` (0 = outermost). */
  tpid(i: number): number {
    const p = this.off + ETHERNET_OFF_ETHERTYPE + i * VLAN_TAG_LEN;
    return readU16(this.buf, p);
  }

  /** TCI of tag `i` (0 = outermost). */
  tci(i: number): number {
    const p = this.off + ETHERNET_OFF_ETHERTYPE + i * VLAN_TAG_LEN + 2;
    return readU16(this.buf, p);
  }

  setTci(i: number, tci: number): void {
    const p = this.off + ETHERNET_OFF_ETHERTYPE + i * VLAN_TAG_LEN + 2;
    writeU16(this.buf, p, tci);
  }

  /** VLAN ID of tag `i`. */
  vid(i: number): number {
    return this.tci(i) & VLAN_VID_MASK;
  }

  /** Offset of the EtherType that names the payload (after all tags). */
  etherTypeOff(): number {
    return this.off + ETHERNET_OFF_ETHERTYPE + this.tagCount() * VLAN_TAG_LEN;
  }

  /** The inner EtherType: the protocol of the payload. */
  etherType(): number {
    const p = this.etherTypeOff();
    return readU16(this.buf, p);
  }

  setEtherType(type: number): void {
    const p = this.etherTypeOff();
    writeU16(this.buf, p, type);
  }

  headerLen(): number {
    return ETHERNET_HEADER_LEN + this.tagCount() * VLAN_TAG_LEN;
  }

  /** Absolute offset of the payload in `buf`. */
  payloadOff(): number {
    return this.etherTypeOff() + 2;
  }

  payloadLen(): number {
    return this.len - this.headerLen();
  }

  setDst(src: Uint8Array, srcOff: number): void {
    copy6(src, srcOff, this.buf, this.off + ETHERNET_OFF_DST);
  }

  setSrc(src: Uint8Array, srcOff: number): void {
    copy6(src, srcOff, this.buf, this.off + ETHERNET_OFF_SRC);
  }
}

/** Ethernet header as a value. Reused: parse overwrites every field. */
export class EthernetRepr {
  readonly dst = new Uint8Array(ETHERNET_ADDR_LEN);
  readonly src = new Uint8Array(ETHERNET_ADDR_LEN);
  /** 0, 1 or 2. */
  tagCount = 0;
  /** TPID of the outer tag when `tagCount > 0`: `EtherType.Vlan` or `EtherType.QinQ`. The inner
   * tag of a two-tag stack is always `EtherType.Vlan`. */
  outerTpid: number = EtherType.Vlan;
  outerTci = 0;
  /** TCI of the inner tag when `tagCount === 2`. */
  innerTci = 0;
  etherType = 0;
}

/** Length of the header `emitEthernet` writes for `repr`. */
export function ethernetReprHeaderLen(repr: EthernetRepr): number {
  return ETHERNET_HEADER_LEN + repr.tagCount * VLAN_TAG_LEN;
}

export function parseEthernet(view: EthernetFrame, out: EthernetRepr): number {
  const drop = view.check();
  if (drop !== 0) return drop;
  copy6(view.buf, view.off + ETHERNET_OFF_DST, out.dst, 0);
  copy6(view.buf, view.off + ETHERNET_OFF_SRC, out.src, 0);
  const tags = view.tagCount();
  out.tagCount = tags;
  out.outerTpid = tags > 0 ? view.tpid(0) : EtherType.Vlan;
  out.outerTci = tags > 0 ? view.tci(0) : 0;
  out.innerTci = tags > 1 ? view.tci(1) : 0;
  out.etherType = view.etherType();
  return 0;
}

/** Writes the header (addresses, tags, EtherType) at the start of `view`; the view must be bound
 * to at least `ethernetReprHeaderLen(repr)` bytes. */
export function emitEthernet(repr: EthernetRepr, view: EthernetFrame): void {
  const b = view.buf;
  copy6(repr.dst, 0, b, view.off + ETHERNET_OFF_DST);
  copy6(repr.src, 0, b, view.off + ETHERNET_OFF_SRC);
  let p = view.off + ETHERNET_OFF_ETHERTYPE;
  if (repr.tagCount > 0) {
    writeU16(b, p, repr.outerTpid); p += 2;
    writeU16(b, p, repr.outerTci); p += 2;
  }
  if (repr.tagCount > 1) {
    writeU16(b, p, EtherType.Vlan); p += 2;
    writeU16(b, p, repr.innerTci); p += 2;
  }
  writeU16(b, p, repr.etherType);
}

function copy6(src: Uint8Array, so: number, dst: Uint8Array, d: number): void {
  for (let i = 0; i < ETHERNET_ADDR_LEN; i++) dst[d + i] = src[so + i]!;
}

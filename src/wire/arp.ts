import { EMPTY_BYTES, readU16, readU32, writeU16, writeU32 } from './byte-order.js';
import { EtherType, ETHERNET_ADDR_LEN } from './ethernet.js';
import { WireDrop } from './wire-drop.js';

/**
 * ARP (RFC 826). The view reads any hardware/protocol address sizes; the Repr is the one form a
 * gateway answers: Ethernet hardware, IPv4 protocol addresses, request or reply.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Hardware Type          |         Protocol Type         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  HW Addr Len  | Proto Addr Len|           Operation           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Sender HW address (hlen) | Sender proto address (plen) |
 * | Target HW address (hlen) | Target proto address (plen) |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
export const ARP_FIXED_LEN = 8;
export const ARP_OFF_HTYPE = 0;
export const ARP_OFF_PTYPE = 2;
export const ARP_OFF_HLEN = 4;
export const ARP_OFF_PLEN = 5;
export const ARP_OFF_OPER = 6;
export const ARP_OFF_SHA = 8;
/** Length of an Ethernet/IPv4 ARP packet. */
export const ARP_ETHERNET_IPV4_LEN = ARP_FIXED_LEN + 2 * (ETHERNET_ADDR_LEN + 4);

/** Hardware type of Ethernet (IANA ARP parameters). */
export const ARP_HTYPE_ETHERNET = 1;

export const ArpOperation = {
  Request: 1,
  Reply: 2,
} as const;

/** Zero-copy view of an ARP packet, bound to a buffer and reused. */
export class ArpPacket {
  buf: Uint8Array = EMPTY_BYTES;
  off = 0;
  len = 0;

  bind(buf: Uint8Array, off: number, len: number): this {
    this.buf = buf;
    this.off = off;
    this.len = len;
    return this;
  }

  /** Once this returns 0, the four addresses lie inside the bound length. */
  check(): number {
    if (this.len < ARP_FIXED_LEN) return WireDrop.code.truncated;
    if (this.len < ARP_FIXED_LEN + 2 * (this.hlen() + this.plen())) return WireDrop.code.truncated;
    return 0;
  }

  htype(): number {
    return readU16(this.buf, this.off + ARP_OFF_HTYPE);
  }

  ptype(): number {
    return readU16(this.buf, this.off + ARP_OFF_PTYPE);
  }

  hlen(): number {
    return this.buf[this.off + ARP_OFF_HLEN]!;
  }

  plen(): number {
    return this.buf[this.off + ARP_OFF_PLEN]!;
  }

  operation(): number {
    return readU16(this.buf, this.off + ARP_OFF_OPER);
  }

  /** Absolute offsets of the four addresses. */
  shaOff(): number {
    return this.off + ARP_OFF_SHA;
  }

  spaOff(): number {
    return this.shaOff() + this.hlen();
  }

  thaOff(): number {
    return this.spaOff() + this.plen();
  }

  tpaOff(): number {
    return this.thaOff() + this.hlen();
  }

  /** Sender protocol address as an unsigned 32-bit number (valid when `plen() === 4`). */
  spa(): number {
    return readU32(this.buf, this.spaOff());
  }

  tpa(): number {
    return readU32(this.buf, this.tpaOff());
  }

  setHtype(v: number): void {
    writeU16(this.buf, this.off + ARP_OFF_HTYPE, v);
  }

  setPtype(v: number): void {
    writeU16(this.buf, this.off + ARP_OFF_PTYPE, v);
  }

  setHlen(v: number): void {
    this.buf[this.off + ARP_OFF_HLEN] = v;
  }

  setPlen(v: number): void {
    this.buf[this.off + ARP_OFF_PLEN] = v;
  }

  setOperation(v: number): void {
    writeU16(this.buf, this.off + ARP_OFF_OPER, v);
  }
}

/** An Ethernet/IPv4 ARP request or reply. Reused: parse overwrites every field. */
export class ArpRepr {
  operation = 0;
  readonly senderHardwareAddr = new Uint8Array(ETHERNET_ADDR_LEN);
  /** IPv4 address as an unsigned 32-bit number. */
  senderProtocolAddr = 0;
  readonly targetHardwareAddr = new Uint8Array(ETHERNET_ADDR_LEN);
  targetProtocolAddr = 0;
}

export function parseArp(view: ArpPacket, out: ArpRepr): number {
  const drop = view.check();
  if (drop !== 0) return drop;
  if (view.htype() !== ARP_HTYPE_ETHERNET || view.ptype() !== EtherType.Ipv4 ||
    view.hlen() !== ETHERNET_ADDR_LEN || view.plen() !== 4) return WireDrop.code.unsupported;
  const op = view.operation();
  // RFC 5227 probes/announcements are requests; RARP and InARP operations are other protocols.
  if (op !== ArpOperation.Request && op !== ArpOperation.Reply) return WireDrop.code.badType;
  out.operation = op;
  copy6(view.buf, view.shaOff(), out.senderHardwareAddr, 0);
  out.senderProtocolAddr = view.spa();
  copy6(view.buf, view.thaOff(), out.targetHardwareAddr, 0);
  out.targetProtocolAddr = view.tpa();
  return 0;
}

/** Writes all `ARP_ETHERNET_IPV4_LEN` bytes. */
export function emitArp(repr: ArpRepr, view: ArpPacket): void {
  view.setHtype(ARP_HTYPE_ETHERNET);
  view.setPtype(EtherType.Ipv4);
  view.setHlen(ETHERNET_ADDR_LEN);
  view.setPlen(4);
  view.setOperation(repr.operation);
  const b = view.buf;
  copy6(repr.senderHardwareAddr, 0, b, view.shaOff());
  writeU32(b, view.spaOff(), repr.senderProtocolAddr);
  copy6(repr.targetHardwareAddr, 0, b, view.thaOff());
  writeU32(b, view.tpaOff(), repr.targetProtocolAddr);
}

export function arpReprLen(_repr: ArpRepr): number {
  return ARP_ETHERNET_IPV4_LEN;
}

function copy6(src: Uint8Array, so: number, dst: Uint8Array, d: number): void {
  for (let i = 0; i < ETHERNET_ADDR_LEN; i++) dst[d + i] = src[so + i]!;
}

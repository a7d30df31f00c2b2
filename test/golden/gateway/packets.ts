import { parseIpv4 as parseIpv4Text } from '../../../src/addr/ipv4-address.js';
import { parseIpv6 as parseIpv6Text } from '../../../src/addr/ipv6-address.js';
import { emitIcmpv4, Icmpv4Packet, Icmpv4Repr } from '../../../src/wire/icmpv4.js';
import { emitIcmpv6, Icmpv6Packet, Icmpv6Repr } from '../../../src/wire/icmpv6.js';
import { emitIpv4, Ipv4Packet, Ipv4Repr } from '../../../src/wire/ipv4.js';
import { emitIpv6, Ipv6Packet, Ipv6Repr } from '../../../src/wire/ipv6.js';
import { emitTcp, TcpPacket, TcpRepr } from '../../../src/wire/tcp.js';
import { emitUdp, UdpPacket, UdpRepr } from '../../../src/wire/udp.js';

/**
 * Packets for the gateway pipeline tests whose fields are known only at run time (a reply to the
 * pool port the table allocated, an ICMP error quoting what the gateway sent), built with the
 * wire emitters: every checksum is computed by emit. The fixed scenarios are scapy's
 * (vectors.json beside this file).
 */

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

export interface Ip4Fields {
  ttl?: number;
  ident?: number;
}

export interface Ip6Fields {
  hopLimit?: number;
}

function isV6(addr: string): boolean {
  return addr.includes(':');
}

/** The IP header for `payload` (already holding its L4 header), with the L4 checksum filled by
 * `fillL4(pseudoSum)` after the addresses are in place. */
function ipPacket(src: string, dst: string, proto: number, l4Len: number, fields: Ip4Fields & Ip6Fields,
  fill: (buf: Uint8Array, l4Off: number, pseudoSum: number) => void, build: (buf: Uint8Array, l4Off: number) => void): Uint8Array {
  if (isV6(src) !== isV6(dst)) throw new Error('mixed families: ' + src + ' ' + dst);
  if (isV6(src)) {
    const buf = new Uint8Array(40 + l4Len);
    build(buf, 40);
    const r = new Ipv6Repr();
    r.payloadLen = l4Len;
    r.nextHeader = proto;
    r.hopLimit = fields.hopLimit ?? 64;
    r.src.set(parseIpv6Text(src));
    r.dst.set(parseIpv6Text(dst));
    const v = new Ipv6Packet().bind(buf, 0, buf.length);
    emitIpv6(r, v);
    fill(buf, 40, v.pseudoHeaderSum(proto, l4Len));
    return buf;
  }
  const buf = new Uint8Array(20 + l4Len);
  build(buf, 20);
  const r = new Ipv4Repr();
  r.payloadLen = l4Len;
  r.protocol = proto;
  r.ttl = fields.ttl ?? 64;
  r.ident = fields.ident ?? 0x1234;
  r.src = parseIpv4Text(src);
  r.dst = parseIpv4Text(dst);
  const v = new Ipv4Packet().bind(buf, 0, buf.length);
  emitIpv4(r, v);
  fill(buf, 20, v.pseudoHeaderSum(l4Len));
  return buf;
}

/** A UDP datagram of either family (the addresses say which). */
export function udp(src: string, sport: number, dst: string, dport: number, payload: string | Uint8Array = 'ping', fields: Ip4Fields & Ip6Fields = {}): Uint8Array {
  const data = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  const len = 8 + data.length;
  return ipPacket(src, dst, 17, len, fields, (buf, o, ps) => {
    const r = new UdpRepr();
    r.srcPort = sport;
    r.dstPort = dport;
    r.payloadLen = data.length;
    emitUdp(r, new UdpPacket().bind(buf, o, len), ps);
  }, (buf, o) => buf.set(data, o + 8));
}

export interface TcpFields extends Ip4Fields, Ip6Fields {
  seq?: number;
  ack?: number;
  window?: number;
  payload?: string;
}

/** A TCP segment of either family. */
export function tcp(src: string, sport: number, dst: string, dport: number, flags: number, f: TcpFields = {}): Uint8Array {
  const data = new TextEncoder().encode(f.payload ?? '');
  const len = 20 + data.length;
  return ipPacket(src, dst, 6, len, f, (buf, o, ps) => {
    const r = new TcpRepr();
    r.srcPort = sport;
    r.dstPort = dport;
    r.seq = f.seq ?? 1000;
    r.ack = f.ack ?? 0;
    r.flags = flags;
    r.window = f.window ?? 65535;
    r.payloadLen = data.length;
    emitTcp(r, new TcpPacket().bind(buf, o, len), ps);
  }, (buf, o) => buf.set(data, o + 20));
}

/** ICMP Echo Request (`reply` false) or Echo Reply of either family. */
export function echo(src: string, dst: string, ident: number, seq: number, reply = false, fields: Ip4Fields & Ip6Fields = {}): Uint8Array {
  const data = new TextEncoder().encode('echo-data');
  const len = 8 + data.length;
  const v6 = isV6(src);
  return ipPacket(src, dst, v6 ? 58 : 1, len, fields, (buf, o, ps) => {
    if (v6) {
      const r = new Icmpv6Repr();
      r.type = reply ? 129 : 128;
      r.ident = ident;
      r.seq = seq;
      r.payloadLen = data.length;
      emitIcmpv6(r, new Icmpv6Packet().bind(buf, o, len), ps);
    } else {
      const r = new Icmpv4Repr();
      r.type = reply ? 0 : 8;
      r.ident = ident;
      r.seq = seq;
      r.payloadLen = data.length;
      emitIcmpv4(r, new Icmpv4Packet().bind(buf, o, len));
    }
  }, (buf, o) => buf.set(data, o + 8));
}

/** An ICMP error of either family quoting `quoted` (cut to `quoteLen` bytes). Types are the
 * family's own: ICMPv4 3 Destination Unreachable, 11 Time Exceeded; ICMPv6 1, 3. */
export function icmpError(src: string, dst: string, type: number, code: number, quoted: Uint8Array, quoteLen = quoted.length, fields: Ip4Fields & Ip6Fields = {}): Uint8Array {
  const q = quoted.subarray(0, Math.min(quoteLen, quoted.length));
  const len = 8 + q.length;
  const v6 = isV6(src);
  return ipPacket(src, dst, v6 ? 58 : 1, len, fields, (buf, o, ps) => {
    if (v6) {
      const r = new Icmpv6Repr();
      r.type = type;
      r.code = code;
      r.payloadLen = q.length;
      emitIcmpv6(r, new Icmpv6Packet().bind(buf, o, len), ps);
    } else {
      const r = new Icmpv4Repr();
      r.type = type;
      r.code = code;
      r.payloadLen = q.length;
      emitIcmpv4(r, new Icmpv4Packet().bind(buf, o, len));
    }
  }, (buf, o) => buf.set(q, o + 8));
}

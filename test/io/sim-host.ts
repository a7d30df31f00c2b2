/**
 * Simulated hosts for gateway tests on a `MemoryNetwork`: each is an Ethernet host in one tunnel
 * segment (VNI) that resolves its default gateway with ARP or NDP, answers ARP and Neighbor
 * Solicitations for its own address, and sends and records UDP. Built on the wire codecs but
 * not on the gateway's stages, so the gateway's answers are checked by a separate client.
 */
import { formatIpv4, parseIpv4 } from '../../src/addr/ipv4-address.js';
import { formatIpv6, parseIpv6 } from '../../src/addr/ipv6-address.js';
import type { MemoryEndpoint, MemoryNetwork } from '../../src/io/memory-port.js';
import { ArpOperation, ArpPacket, ArpRepr, emitArp, parseArp } from '../../src/wire/arp.js';
import { internetChecksum, pseudoHeaderSum4, pseudoHeaderSum6, verifyChecksum } from '../../src/wire/checksum.js';
import { EtherType } from '../../src/wire/ethernet.js';
import { Icmpv6Type } from '../../src/wire/icmpv6.js';
import { emitNdp, NdpNaFlag, NdpPacket, NdpRepr, ndpReprLen, parseNdp } from '../../src/wire/ndp.js';

export interface SimHostOptions {
  network: MemoryNetwork;
  name: string;
  mac: Uint8Array;
  vni: number;
  /** Endpoint name of the gateway's port (the host's only tunnel peer). */
  gatewayPort: string;
  ipv4?: { address: string; gateway: string };
  ipv6?: { address: string; gateway: string };
}

/** A UDP datagram the host received (or an ICMP message, `proto` 1/58). */
export interface HostPacket {
  version: 4 | 6;
  src: string;
  dst: string;
  proto: number;
  srcPort: number;
  dstPort: number;
  payload: string;
  /** Header and transport checksums verified. */
  checksumsOk: boolean;
  bytes: Uint8Array;
}

export class SimHost implements MemoryEndpoint {
  readonly index: number;
  readonly received: HostPacket[] = [];
  /** Every frame delivered to this host (copies), including ones it ignored. */
  readonly frames: Uint8Array[] = [];
  readonly neighbors = new Map<string, Uint8Array>();
  /** ARP requests / NS the host sent, and answers it gave. */
  solicitations = 0;
  answers = 0;
  private pending: { nextHop: string; ip: Uint8Array }[] = [];

  constructor(readonly opts: SimHostOptions) {
    this.index = opts.network.attach(opts.name, this);
  }

  get mac(): Uint8Array {
    return this.opts.mac;
  }

  deliver(_from: number, vni: number, buf: Uint8Array, off: number, len: number): void {
    const f = buf.slice(off, off + len);
    this.frames.push(f);
    if (vni !== this.opts.vni) return;
    const dstOk = (f[0]! & 1) === 1 || equal(f.subarray(0, 6), this.mac);
    if (!dstOk) return;
    const type = (f[12]! << 8) | f[13]!;
    if (type === EtherType.Arp) return this.arp(f);
    if (type === EtherType.Ipv6 && f[14 + 6] === 58 && (f[54] === Icmpv6Type.NeighborSolicitation || f[54] === Icmpv6Type.NeighborAdvertisement)) return this.ndp(f);
    if (type === EtherType.Ipv4 || type === EtherType.Ipv6) this.received.push(readPacket(f.subarray(14)));
  }

  /** Sends a UDP datagram through the default gateway of the destination's family. */
  sendUdp(dst: string, srcPort: number, dstPort: number, payload: string): void {
    const data = new TextEncoder().encode(payload);
    if (dst.includes(':')) {
      const v6 = this.opts.ipv6!;
      this.sendIp(buildUdp6(v6.address, dst, srcPort, dstPort, data), v6.gateway);
    } else {
      const v4 = this.opts.ipv4!;
      this.sendIp(buildUdp4(v4.address, dst, srcPort, dstPort, data), v4.gateway);
    }
  }

  /** Sends a raw IP packet through the default gateway of its family. */
  sendIp(ip: Uint8Array, nextHop = ip[0]! >>> 4 === 6 ? this.opts.ipv6!.gateway : this.opts.ipv4!.gateway): void {
    const mac = this.neighbors.get(nextHop);
    if (mac === undefined) {
      this.pending.push({ nextHop, ip });
      this.solicit(nextHop);
      return;
    }
    this.transmit(frame(mac, this.mac, ip[0]! >>> 4 === 6 ? EtherType.Ipv6 : EtherType.Ipv4, ip));
  }

  /** Sends a frame as is. */
  transmit(f: Uint8Array): void {
    const net = this.opts.network;
    net.transmit(this.index, net.indexOf(this.opts.gatewayPort), this.opts.vni, f, 0, f.length);
    net.run();
  }

  private solicit(nextHop: string): void {
    this.solicitations++;
    if (!nextHop.includes(':')) {
      const a = new ArpRepr();
      a.operation = ArpOperation.Request;
      a.senderHardwareAddr.set(this.mac);
      a.senderProtocolAddr = parseIpv4(this.opts.ipv4!.address);
      a.targetProtocolAddr = parseIpv4(nextHop);
      const body = new Uint8Array(28);
      emitArp(a, new ArpPacket().bind(body, 0, 28));
      this.transmit(frame(Uint8Array.of(255, 255, 255, 255, 255, 255), this.mac, EtherType.Arp, body));
      return;
    }
    const target = parseIpv6(nextHop);
    const group = parseIpv6('ff02::1:ff00:0');
    group.set(target.subarray(13), 13);
    const n = new NdpRepr();
    n.type = Icmpv6Type.NeighborSolicitation;
    n.target.set(target);
    n.hasSourceLinkAddr = true;
    n.sourceLinkAddr.set(this.mac);
    const ip = ndpPacket(parseIpv6(this.opts.ipv6!.address), group, n);
    this.transmit(frame(Uint8Array.of(0x33, 0x33, ...group.subarray(12)), this.mac, EtherType.Ipv6, ip));
  }

  private arp(f: Uint8Array): void {
    const a = new ArpRepr();
    if (parseArp(new ArpPacket().bind(f, 14, f.length - 14), a) !== 0) return;
    const mine = this.opts.ipv4 !== undefined && a.targetProtocolAddr === parseIpv4(this.opts.ipv4.address);
    if (a.senderProtocolAddr !== 0 && (mine || a.operation === ArpOperation.Reply)) this.learn(formatIpv4(a.senderProtocolAddr), a.senderHardwareAddr.slice());
    if (!mine || a.operation !== ArpOperation.Request) return;
    const r = new ArpRepr();
    r.operation = ArpOperation.Reply;
    r.senderHardwareAddr.set(this.mac);
    r.senderProtocolAddr = a.targetProtocolAddr;
    r.targetHardwareAddr.set(a.senderHardwareAddr);
    r.targetProtocolAddr = a.senderProtocolAddr;
    const body = new Uint8Array(28);
    emitArp(r, new ArpPacket().bind(body, 0, 28));
    this.answers++;
    this.transmit(frame(a.senderHardwareAddr, this.mac, EtherType.Arp, body));
  }

  private ndp(f: Uint8Array): void {
    const ip = f.subarray(14);
    const len = (ip[4]! << 8) | ip[5]!;
    const n = new NdpRepr();
    const sum = pseudoHeaderSum6(ip, 8, 24, 58, len);
    if (parseNdp(new NdpPacket().bind(ip, 40, len), n, sum) !== 0 || ip[7] !== 255) return;
    if (n.type === Icmpv6Type.NeighborAdvertisement) {
      if (n.hasTargetLinkAddr) this.learn(formatIpv6(n.target), n.targetLinkAddr.slice());
      return;
    }
    if (this.opts.ipv6 === undefined || !equal(n.target, parseIpv6(this.opts.ipv6.address))) return;
    const src = ip.slice(8, 24);
    if (n.hasSourceLinkAddr) this.learn(formatIpv6(src), n.sourceLinkAddr.slice());
    const a = new NdpRepr();
    a.type = Icmpv6Type.NeighborAdvertisement;
    a.flags = NdpNaFlag.Solicited | NdpNaFlag.Override;
    a.target.set(n.target);
    a.hasTargetLinkAddr = true;
    a.targetLinkAddr.set(this.mac);
    this.answers++;
    this.transmit(frame(n.hasSourceLinkAddr ? n.sourceLinkAddr : f.subarray(6, 12), this.mac, EtherType.Ipv6, ndpPacket(n.target, src, a)));
  }

  private learn(ip: string, mac: Uint8Array): void {
    this.neighbors.set(ip, mac);
    const ready = this.pending.filter((p) => p.nextHop === ip);
    this.pending = this.pending.filter((p) => p.nextHop !== ip);
    for (const p of ready) this.sendIp(p.ip, p.nextHop);
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function frame(dst: Uint8Array, src: Uint8Array, type: number, payload: Uint8Array): Uint8Array {
  const f = new Uint8Array(14 + payload.length);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = type >>> 8;
  f[13] = type & 255;
  f.set(payload, 14);
  return f;
}

function ndpPacket(src: Uint8Array, dst: Uint8Array, n: NdpRepr): Uint8Array {
  const len = ndpReprLen(n);
  const ip = new Uint8Array(40 + len);
  ip[0] = 0x60;
  ip[4] = len >>> 8;
  ip[5] = len & 255;
  ip[6] = 58;
  ip[7] = 255;
  ip.set(src, 8);
  ip.set(dst, 24);
  emitNdp(n, new NdpPacket().bind(ip, 40, len), pseudoHeaderSum6(ip, 8, 24, 58, len));
  return ip;
}

export function buildUdp6(src: string, dst: string, sport: number, dport: number, data: Uint8Array, hopLimit = 64): Uint8Array {
  const ulen = 8 + data.length;
  const p = new Uint8Array(40 + ulen);
  p[0] = 0x60;
  p[4] = ulen >>> 8;
  p[5] = ulen & 255;
  p[6] = 17;
  p[7] = hopLimit;
  p.set(parseIpv6(src), 8);
  p.set(parseIpv6(dst), 24);
  writeUdp(p, 40, sport, dport, data);
  const ck = internetChecksum(p, 40, ulen, pseudoHeaderSum6(p, 8, 24, 17, ulen)) || 0xffff;
  p[46] = ck >>> 8;
  p[47] = ck & 255;
  return p;
}

export function buildUdp4(src: string, dst: string, sport: number, dport: number, data: Uint8Array, ttl = 64): Uint8Array {
  const ulen = 8 + data.length;
  const p = new Uint8Array(20 + ulen);
  p[0] = 0x45;
  p[2] = (20 + ulen) >>> 8;
  p[3] = (20 + ulen) & 255;
  p[8] = ttl;
  p[9] = 17;
  const s = parseIpv4(src);
  const d = parseIpv4(dst);
  p.set([s >>> 24, (s >>> 16) & 255, (s >>> 8) & 255, s & 255], 12);
  p.set([d >>> 24, (d >>> 16) & 255, (d >>> 8) & 255, d & 255], 16);
  const hc = internetChecksum(p, 0, 20);
  p[10] = hc >>> 8;
  p[11] = hc & 255;
  writeUdp(p, 20, sport, dport, data);
  const ck = internetChecksum(p, 20, ulen, pseudoHeaderSum4(p, 12, 16, 17, ulen)) || 0xffff;
  p[26] = ck >>> 8;
  p[27] = ck & 255;
  return p;
}

function writeUdp(p: Uint8Array, o: number, sport: number, dport: number, data: Uint8Array): void {
  const ulen = 8 + data.length;
  p[o] = sport >>> 8;
  p[o + 1] = sport & 255;
  p[o + 2] = dport >>> 8;
  p[o + 3] = dport & 255;
  p[o + 4] = ulen >>> 8;
  p[o + 5] = ulen & 255;
  p.set(data, o + 8);
}

/** Reads an IPv4 or IPv6 packet (no extension headers) and verifies its checksums. */
export function readPacket(ip: Uint8Array): HostPacket {
  const bytes = ip.slice();
  if (ip[0]! >>> 4 === 4) {
    const ihl = (ip[0]! & 15) * 4;
    const total = (ip[2]! << 8) | ip[3]!;
    const proto = ip[9]!;
    const l4 = ip.subarray(ihl, total);
    let ok = verifyChecksum(ip, 0, ihl);
    if (proto === 17 || proto === 6) ok &&= verifyChecksum(ip, ihl, total - ihl, pseudoHeaderSum4(ip, 12, 16, proto, total - ihl));
    if (proto === 1) ok &&= verifyChecksum(ip, ihl, total - ihl);
    return {
      version: 4, src: formatIpv4(readU32(ip, 12)), dst: formatIpv4(readU32(ip, 16)), proto,
      srcPort: (l4[0]! << 8) | l4[1]!, dstPort: (l4[2]! << 8) | l4[3]!, payload: new TextDecoder().decode(l4.subarray(proto === 6 ? (l4[12]! >>> 4) * 4 : 8)), checksumsOk: ok, bytes,
    };
  }
  const len = (ip[4]! << 8) | ip[5]!;
  const proto = ip[6]!;
  const l4 = ip.subarray(40, 40 + len);
  const ok = proto === 17 || proto === 58 || proto === 6 ? verifyChecksum(ip, 40, len, pseudoHeaderSum6(ip, 8, 24, proto, len)) : true;
  return {
    version: 6, src: formatIpv6(ip, 8), dst: formatIpv6(ip, 24), proto,
    srcPort: (l4[0]! << 8) | l4[1]!, dstPort: (l4[2]! << 8) | l4[3]!, payload: new TextDecoder().decode(l4.subarray(8)), checksumsOk: ok, bytes,
  };
}

function readU32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

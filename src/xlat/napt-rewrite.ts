import { readU16, writeU16 } from '../wire/byte-order.js';
import { adjustChecksum, adjustChecksum16 } from '../wire/checksum.js';
import { ICMPV4_HEADER_LEN, ICMPV4_OFF_CHECKSUM, ICMPV4_OFF_IDENT } from '../wire/icmpv4.js';
import { IpProtocol } from '../wire/ip-protocol.js';
import { IPV4_HEADER_LEN, IPV4_OFF_CHECKSUM, IPV4_OFF_DST, IPV4_OFF_SRC, IPV4_OFF_TOTAL_LEN } from '../wire/ipv4.js';
import { IPV6_HEADER_LEN } from '../wire/ipv6.js';
import { TCP_HEADER_LEN, TCP_OFF_CHECKSUM, TCP_OFF_DST_PORT, TCP_OFF_SRC_PORT } from '../wire/tcp.js';
import { UDP_CHECKSUM_NONE, UDP_HEADER_LEN, UDP_OFF_CHECKSUM } from '../wire/udp.js';
import { FlowDrop } from './flow-drop.js';
import type { FlowTuple } from './flow-tuple.js';

/**
 * NAPT endpoint rewrite (RFC 4787/5382 NAPT, RFC 5508 §3/§4, RFC 6146 §3.7): in
 * place, every checksum the change touches kept right by RFC 1624 incremental update, so the
 * cost does not grow with the packet and a truncated quote in an ICMP error stays consistent
 * with the whole packet it came from.
 *
 * `rewriteSource` / `rewriteDestination` return 0, or a `FlowDrop` code when the arguments do
 * not fit the packet (nothing is written then). `t` must be the tuple `extractFlowTuple` filled
 * from these bytes; the rewrite reads its offsets and, after writing, updates its endpoint
 * fields so it keeps describing the bytes (a second rewrite, or the reverse one, can follow).
 *
 * `addr` holds an address the way `FlowTuple` does (an IPv4 address in word 3); `null` leaves
 * the addresses alone, as NAT64 needs after the translator wrote them. IPv6 packets take `null`
 * only. `port` is the new TCP/UDP port, or the new Echo identifier of an ICMP query (for which
 * source and destination both mean "the identifier", RFC 5508 §3.1).
 *
 * Checksum rules: the IPv4 header checksum follows its addresses; TCP and UDP checksums follow
 * the port and the pseudo-header address (RFC 768, RFC 793 §3.1); an IPv4 UDP checksum of zero
 * means "none" and stays zero (RFC 768), as does a zero one over IPv6, which only RFC 6935
 * tunnels send and a rewrite cannot make valid; a UDP checksum that comes out 0x0000 is sent as
 * 0xffff (RFC 768). ICMPv4 has no pseudo-header; ICMPv6 has one (RFC 4443 §2.3), but its
 * addresses never change here.
 */

const D = FlowDrop.code;

/** Sets the packet's source endpoint: source address (IPv4) and source port / Echo identifier.
 * For an ICMP error (an inside host reporting on an inbound packet, RFC 5508 §4): the outer
 * source address, and the QUOTED destination address and port, since the quoted packet is the
 * inbound one as the inside host saw it. `t.dst`/`t.dstPort` then change, as the tuple is the
 * quoted packet's. */
export function rewriteSource(buf: Uint8Array, l3Off: number, l3Len: number, t: FlowTuple, addr: Uint32Array | null, port: number): number {
  return rewrite(buf, l3Off, l3Len, t, addr, port, false);
}

/** Sets the packet's destination endpoint: destination address (IPv4) and destination port /
 * Echo identifier. For an ICMP error travelling back toward the inside host (RFC 5508 §4):
 * the outer destination address, and the QUOTED source address and port, since the quoted
 * packet is the one the inside host sent. `t.src`/`t.srcPort` then change. */
export function rewriteDestination(buf: Uint8Array, l3Off: number, l3Len: number, t: FlowTuple, addr: Uint32Array | null, port: number): number {
  return rewrite(buf, l3Off, l3Len, t, addr, port, true);
}

function rewrite(buf: Uint8Array, l3Off: number, l3Len: number, t: FlowTuple, addr: Uint32Array | null, port: number,
  toDestination: boolean): number {
  const drop = checkTuple(buf, l3Off, l3Len, t);
  if (drop !== 0) return drop;
  if (addr !== null && t.family !== 4) return D.rewriteIpv6Address;
  port &= 0xffff;
  const proto = t.proto;
  const transport = proto === IpProtocol.Tcp || proto === IpProtocol.Udp;

  // The packet's own address, and the IPv4 header checksum over it.
  let addrWas = 0;
  let addrNow = 0;
  if (addr !== null) {
    const a = l3Off + (toDestination ? IPV4_OFF_DST : IPV4_OFF_SRC);
    addrWas = addressSum(buf, a);
    addrNow = writeAddress(buf, a, addr);
    writeU16(buf, l3Off + IPV4_OFF_CHECKSUM, adjustChecksum(readU16(buf, l3Off + IPV4_OFF_CHECKSUM), addrWas, addrNow));
  }

  if (!t.icmpError) {
    const l4 = t.l4Off;
    if (transport) {
      // The address is in the pseudo-header of TCP and UDP (RFC 768, RFC 793 §3.1): one
      // adjustment covers it and the port.
      const p = l4 + (toDestination ? TCP_OFF_DST_PORT : TCP_OFF_SRC_PORT);
      const was = readU16(buf, p);
      writeU16(buf, p, port);
      const c = l4 + (proto === IpProtocol.Tcp ? TCP_OFF_CHECKSUM : UDP_OFF_CHECKSUM);
      const ck = readU16(buf, c);
      if (proto === IpProtocol.Tcp || ck !== UDP_CHECKSUM_NONE) {
        writeU16(buf, c, transportChecksum(proto, adjustChecksum(ck, addrWas + was, addrNow + port)));
      }
      setPort(t, toDestination, port);
    } else {
      // ICMPv4 has no pseudo-header, and ICMPv6 addresses never change here: the identifier
      // is the whole change.
      const was = readU16(buf, l4 + ICMPV4_OFF_IDENT);
      writeU16(buf, l4 + ICMPV4_OFF_IDENT, port);
      let ck = adjustChecksum16(readU16(buf, l4 + ICMPV4_OFF_CHECKSUM), was, port);
      if (ck === 0 && t.family === 4 && allZero(buf, l4, t.l3End, l4 + ICMPV4_OFF_CHECKSUM)) ck = 0xffff;
      writeU16(buf, l4 + ICMPV4_OFF_CHECKSUM, ck);
      t.srcPort = port;
      t.dstPort = port;
    }
    if (addr !== null) setAddress(t, toDestination, addr);
    return 0;
  }

  // ICMP error: the quoted packet runs the other way, so the outer destination pairs with the
  // quoted source and the outer source with the quoted destination (RFC 5508 §4: the
  // embedded headers are reverted to their form on the other side). Every quoted word changed
  // is also a change to the outer ICMP checksum, which covers the quote.
  const q = t.innerL3Off;
  const q4 = t.innerL4Off;
  const end = t.l3End;
  let icmpWas = 0;
  let icmpNow = 0;
  let pseudoWas = 0;
  let pseudoNow = 0;
  if (addr !== null) {
    const a = q + (toDestination ? IPV4_OFF_SRC : IPV4_OFF_DST);
    pseudoWas = addressSum(buf, a);
    pseudoNow = writeAddress(buf, a, addr);
    const ck = readU16(buf, q + IPV4_OFF_CHECKSUM);
    const ckNow = adjustChecksum(ck, pseudoWas, pseudoNow);
    writeU16(buf, q + IPV4_OFF_CHECKSUM, ckNow);
    icmpWas += pseudoWas + ck;
    icmpNow += pseudoNow + ckNow;
    setAddress(t, !toDestination, addr);
  }
  if (transport) {
    const p = q4 + (toDestination ? TCP_OFF_SRC_PORT : TCP_OFF_DST_PORT);
    const was = readU16(buf, p);
    writeU16(buf, p, port);
    icmpWas += was;
    icmpNow += port;
    // The quoted checksum covers the whole original packet, of which the quote may be a prefix:
    // adjusted, never recomputed, and only when the quote holds all of it (RFC 792 promises 8
    // bytes). A quote cut between its two bytes keeps the one it has: the new value of that
    // byte depends on the missing one. Routers cut at 8 bytes or at 576 / 1280 bytes in all,
    // never there.
    const c = q4 + (proto === IpProtocol.Tcp ? TCP_OFF_CHECKSUM : UDP_OFF_CHECKSUM);
    if (c + 2 <= end) {
      const ck = readU16(buf, c);
      if (proto === IpProtocol.Tcp || ck !== UDP_CHECKSUM_NONE) {
        const ckNow = transportChecksum(proto, adjustChecksum(ck, pseudoWas + was, pseudoNow + port));
        writeU16(buf, c, ckNow);
        icmpWas += ck;
        icmpNow += ckNow;
      }
    }
    setPort(t, !toDestination, port);
  } else {
    const was = readU16(buf, q4 + ICMPV4_OFF_IDENT);
    writeU16(buf, q4 + ICMPV4_OFF_IDENT, port);
    const ck = readU16(buf, q4 + ICMPV4_OFF_CHECKSUM);
    let ckNow = adjustChecksum16(ck, was, port);
    if (ckNow === 0 && t.family === 4) {
      // Only a complete quote can show that the whole Echo message is zero.
      const msgEnd = q + readU16(buf, q + IPV4_OFF_TOTAL_LEN);
      if (msgEnd >= q4 + ICMPV4_HEADER_LEN && msgEnd <= end && allZero(buf, q4, msgEnd, q4 + ICMPV4_OFF_CHECKSUM)) ckNow = 0xffff;
    }
    writeU16(buf, q4 + ICMPV4_OFF_CHECKSUM, ckNow);
    icmpWas += was + ck;
    icmpNow += port + ckNow;
    t.srcPort = port;
    t.dstPort = port;
  }
  const oc = t.l4Off + ICMPV4_OFF_CHECKSUM;
  writeU16(buf, oc, adjustChecksum(readU16(buf, oc), icmpWas, icmpNow));
  return 0;
}

/**
 * Refuses a tuple whose offsets would put a write outside the packet: the checks are what a
 * rewrite of this tuple's kind touches, so a correct tuple costs a few comparisons.
 */
function checkTuple(buf: Uint8Array, l3Off: number, l3Len: number, t: FlowTuple): number {
  if (l3Off < 0 || l3Off + l3Len > buf.length || t.l3End > l3Off + l3Len) return D.rewriteTupleMismatch;
  const family = t.family;
  if (family !== 4 && family !== 6) return D.rewriteTupleMismatch;
  const l3Min = family === 4 ? IPV4_HEADER_LEN : IPV6_HEADER_LEN;
  if (l3Len < l3Min || buf[l3Off]! >>> 4 !== family || t.l4Off < l3Off + l3Min) return D.rewriteTupleMismatch;
  const proto = t.proto;
  const transport = proto === IpProtocol.Tcp || proto === IpProtocol.Udp;
  if (!transport && proto !== (family === 4 ? IpProtocol.Icmp : IpProtocol.Icmpv6)) return D.rewriteTupleMismatch;
  if (!t.icmpError) {
    const need = proto === IpProtocol.Tcp ? TCP_HEADER_LEN : UDP_HEADER_LEN;
    return t.l4Off + need <= t.l3End ? 0 : D.rewriteTupleMismatch;
  }
  const q = t.innerL3Off;
  const q4 = t.innerL4Off;
  if (q < t.l4Off + ICMPV4_HEADER_LEN || q4 < q + l3Min || q4 + (transport ? 4 : ICMPV4_OFF_IDENT + 2) > t.l3End) {
    return D.rewriteTupleMismatch;
  }
  return 0;
}

// Addresses move as two 16-bit halves: a whole IPv4 address is often above 2^30, and passing
// such a number to a function V8 did not inline boxes it (an allocation per packet).

/** Unfolded sum of the two 16-bit words of the IPv4 address at `off`. */
function addressSum(buf: Uint8Array, off: number): number {
  return readU16(buf, off) + readU16(buf, off + 2);
}

/** Writes the IPv4 address of `addr` (word 3) at `off`; returns the sum of its two words. */
function writeAddress(buf: Uint8Array, off: number, addr: Uint32Array): number {
  const hi = addr[3]! >>> 16;
  const lo = addr[3]! & 0xffff;
  writeU16(buf, off, hi);
  writeU16(buf, off + 2, lo);
  return hi + lo;
}

/** RFC 768: a UDP checksum computed as zero is sent as all ones (zero means "none"). */
function transportChecksum(proto: number, ck: number): number {
  return ck === 0 && proto === IpProtocol.Udp ? 0xffff : ck;
}

/**
 * RFC 1624 §3 eqn. 3 yields 0x0000 where a full computation yields 0xffff only for a message
 * that is zero throughout, which for the messages rewritten here is an ICMPv4 Echo Reply with
 * identifier, sequence number and data all zero (every other one has a non-zero type or a
 * pseudo-header). Checked only when the adjustment gave zero, so it costs nothing otherwise.
 * A first fragment shows only its own bytes; if the rest is not zero, 0xffff still verifies
 * (RFC 1624 §3: both zeros sum alike for non-zero data), it just differs from a recomputation.
 */
function allZero(buf: Uint8Array, off: number, end: number, skip: number): boolean {
  for (let i = off; i < end; i++) if (buf[i] !== 0 && i !== skip && i !== skip + 1) return false;
  return true;
}

function setPort(t: FlowTuple, destination: boolean, port: number): void {
  if (destination) t.dstPort = port;
  else t.srcPort = port;
}

function setAddress(t: FlowTuple, destination: boolean, addr: Uint32Array): void {
  if (destination) t.dst[3] = addr[3]!;
  else t.src[3] = addr[3]!;
}

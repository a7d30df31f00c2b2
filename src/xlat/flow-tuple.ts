import { readU16 } from '../wire/byte-order.js';
import { isIcmpv4Error, Icmpv4Type, ICMPV4_HEADER_LEN, ICMPV4_OFF_IDENT } from '../wire/icmpv4.js';
import { Icmpv6Type } from '../wire/icmpv6.js';
import { IpProtocol } from '../wire/ip-protocol.js';
import {
  IPV4_FRAG_OFFSET_MASK, IPV4_HEADER_LEN, IPV4_OFF_DST, IPV4_OFF_FLAGS_FRAG, IPV4_OFF_PROTOCOL, IPV4_OFF_SRC,
  IPV4_OFF_TOTAL_LEN,
} from '../wire/ipv4.js';
import { Ipv6ExtChain } from '../wire/ipv6-extension-headers.js';
import {
  IPV6_HEADER_LEN, IPV6_OFF_DST, IPV6_OFF_NEXT_HEADER, IPV6_OFF_PAYLOAD_LEN, IPV6_OFF_SRC, Ipv6ParseFlag,
} from '../wire/ipv6.js';
import { TCP_HEADER_LEN, TCP_OFF_DATA_OFF, TCP_OFF_FLAGS } from '../wire/tcp.js';
import { UDP_HEADER_LEN } from '../wire/udp.js';
import { WireDrop } from '../wire/wire-drop.js';
import { FlowDrop } from './flow-drop.js';

const D = FlowDrop.code;

/** Quoted bytes a tuple needs behind the quoted IP header (RFC 792 and RFC 4443 quote at least
 * 8): TCP/UDP ports are the first 4, the Echo identifier ends at byte 6. */
const QUOTED_PORTS_LEN = 4;
const QUOTED_ECHO_LEN = ICMPV4_OFF_IDENT + 2;
/** Word 2 of an IPv4-mapped IPv6 address, ::ffff:a.b.c.d (RFC 4291 §2.5.5.2). */
const MAPPED_V4_WORD = 0xffff;

/**
 * The flow a packet belongs to, as a NAPT stage matches it (RFC 4787/5382 5-tuple, RFC 5508 §3
 * for ICMP queries, RFC 6146 §3.4 "Determining the Incoming Tuple"). Allocate one and refill it
 * per packet with `extractFlowTuple`; the rewrite functions of napt-rewrite.ts read its offsets
 * and keep its endpoint fields in step with the bytes they write.
 */
export class FlowTuple {
  /** 4 or 6. */
  family = 0;
  /** L4 protocol of the flow: 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6. For an ICMP error, the quoted
   * packet's protocol. */
  proto = 0;
  /** Addresses as four big-endian 32-bit words; IPv4 as IPv4-mapped ::ffff:a.b.c.d, so words
   * 0-2 are 0, 0, 0xffff and word 3 is the address. */
  readonly src = new Uint32Array(4);
  readonly dst = new Uint32Array(4);
  /** TCP/UDP ports; for an ICMP query both are the Echo identifier (RFC 5508 §3.1). */
  srcPort = 0;
  dstPort = 0;
  /** True when the packet is an ICMP error: family, proto, addresses, ports and
   * `icmpQueryRequest` are then the QUOTED packet's (the flow the error is about; RFC 5508 §4,
   * RFC 6146 §3.4), as it was sent, so a match looks it up reversed. */
  icmpError = false;
  /** Echo Request (ICMPv4 type 8, ICMPv6 128) rather than Echo Reply; for an ICMP error, of the
   * quoted Echo. False for TCP and UDP. */
  icmpQueryRequest = false;
  /** The packet's own TCP flags byte; 0 when it is not TCP or is an ICMP error. */
  tcpFlags = 0;
  /** Absolute offset of the packet's (outer) L4 header: TCP, UDP, ICMP(v6). */
  l4Off = 0;
  /** For an ICMP error: absolute offsets of the quoted IP header and of the quoted L4 header
   * (past any quoted IPv4 options or IPv6 extension headers); 0 otherwise. */
  innerL3Off = 0;
  innerL4Off = 0;
  /** Absolute end of the IP packet (its offset plus the length its header claims), at most
   * `l3Off + l3Len`: bytes after it (link padding) are not part of the packet or the quote. */
  l3End = 0;
}

/** One chain walker for every call: the walk fills it, the caller reads it before the next. */
const chain = new Ipv6ExtChain();

/**
 * Fills `t` from the IP packet at `buf[l3Off, l3Off + l3Len)`. Returns 0, or a `FlowDrop` code
 * when the packet has no flow a NAPT can translate; `t` is then partly filled and meaningless.
 * Reads nothing outside the given range, allocates nothing and verifies no checksum (a NAT
 * forwards what the end hosts will judge; RFC 5508 REQ-3 c for quoted transport checksums).
 */
export function extractFlowTuple(buf: Uint8Array, l3Off: number, l3Len: number, t: FlowTuple): number {
  t.icmpError = false;
  t.icmpQueryRequest = false;
  t.tcpFlags = 0;
  t.srcPort = 0;
  t.dstPort = 0;
  t.innerL3Off = 0;
  t.innerL4Off = 0;
  if (l3Off < 0 || l3Len < 1 || l3Off + l3Len > buf.length) return D.ipTruncated;
  const version = buf[l3Off]! >>> 4;
  let proto: number;
  let l4: number;
  let end: number;
  if (version === 4) {
    if (l3Len < IPV4_HEADER_LEN) return D.ipTruncated;
    const hl = (buf[l3Off]! & 0x0f) << 2;
    const total = readU16(buf, l3Off + IPV4_OFF_TOTAL_LEN);
    if (hl < IPV4_HEADER_LEN || total < hl) return D.ipv4BadHeaderLength;
    if (total > l3Len) return D.ipTruncated;
    end = l3Off + total;
    l4 = l3Off + hl;
    proto = buf[l3Off + IPV4_OFF_PROTOCOL]!;
    t.family = 4;
    readAddress4(buf, l3Off + IPV4_OFF_SRC, t.src);
    readAddress4(buf, l3Off + IPV4_OFF_DST, t.dst);
    if (proto !== IpProtocol.Tcp && proto !== IpProtocol.Udp && proto !== IpProtocol.Icmp) return D.unsupportedProtocol;
    if ((readU16(buf, l3Off + IPV4_OFF_FLAGS_FRAG) & IPV4_FRAG_OFFSET_MASK) !== 0) return D.fragmentNoPorts;
  } else if (version === 6) {
    if (l3Len < IPV6_HEADER_LEN) return D.ipTruncated;
    const payLen = readU16(buf, l3Off + IPV6_OFF_PAYLOAD_LEN);
    const nh = buf[l3Off + IPV6_OFF_NEXT_HEADER]!;
    if (payLen === 0 && nh === IpProtocol.HopByHop) return D.ipv6BadPayloadLength;
    if (IPV6_HEADER_LEN + payLen > l3Len) return D.ipTruncated;
    end = l3Off + IPV6_HEADER_LEN + payLen;
    const drop = chain.walk(buf, l3Off + IPV6_HEADER_LEN, end, nh, l3Off + IPV6_OFF_NEXT_HEADER, 0);
    if (drop !== 0) return drop === WireDrop.code.badFragment ? D.badFragment : D.ipv6BadExtensionHeader;
    l4 = chain.upperOff;
    proto = chain.upperProtocol;
    t.family = 6;
    readAddress6(buf, l3Off + IPV6_OFF_SRC, t.src);
    readAddress6(buf, l3Off + IPV6_OFF_DST, t.dst);
    if (proto !== IpProtocol.Tcp && proto !== IpProtocol.Udp && proto !== IpProtocol.Icmpv6) return D.unsupportedProtocol;
    // The walk stops at the Fragment header of a non-first fragment: what follows is data.
    if (chain.fragOffset !== 0) return D.fragmentNoPorts;
  } else {
    return D.ipBadVersion;
  }
  t.proto = proto;
  t.l4Off = l4;
  t.l3End = end;

  if (proto === IpProtocol.Tcp) {
    // RFC 1858 §3: a first fragment too short for the whole TCP header hides the flags.
    if (l4 + TCP_HEADER_LEN > end) return D.transportTruncated;
    const dataOff = (buf[l4 + TCP_OFF_DATA_OFF]! >>> 4) << 2;
    if (dataOff < TCP_HEADER_LEN || l4 + dataOff > end) return D.transportTruncated;
    t.srcPort = readU16(buf, l4);
    t.dstPort = readU16(buf, l4 + 2);
    t.tcpFlags = buf[l4 + TCP_OFF_FLAGS]!;
    return 0;
  }
  if (proto === IpProtocol.Udp) {
    if (l4 + UDP_HEADER_LEN > end) return D.transportTruncated;
    t.srcPort = readU16(buf, l4);
    t.dstPort = readU16(buf, l4 + 2);
    return 0;
  }
  if (l4 + ICMPV4_HEADER_LEN > end) return D.transportTruncated;
  const type = buf[l4]!;
  if (version === 4) {
    if (type === Icmpv4Type.EchoRequest || type === Icmpv4Type.EchoReply) {
      return echoQuery(buf, l4, type === Icmpv4Type.EchoRequest, t);
    }
    // RFC 6633 deprecates Source Quench; RFC 5508 §4 forwards the errors that report on a flow.
    if (type === Icmpv4Type.SourceQuench) return D.icmpSourceQuench;
    if (type !== Icmpv4Type.DestUnreachable && type !== Icmpv4Type.TimeExceeded && type !== Icmpv4Type.ParameterProblem) {
      return D.icmpUnsupportedType;
    }
    return quoted4(buf, l4 + ICMPV4_HEADER_LEN, end, t);
  }
  if (type === Icmpv6Type.EchoRequest || type === Icmpv6Type.EchoReply) {
    return echoQuery(buf, l4, type === Icmpv6Type.EchoRequest, t);
  }
  // RFC 6146 §3.5: ICMPv6 informational messages other than Echo (NDP, MLD) are not translated;
  // errors of unassigned or experimental types (RFC 4443 §2.1) report on no flow.
  if (type !== Icmpv6Type.DestUnreachable && type !== Icmpv6Type.PacketTooBig && type !== Icmpv6Type.TimeExceeded &&
    type !== Icmpv6Type.ParameterProblem) {
    return D.icmpUnsupportedType;
  }
  return quoted6(buf, l4 + ICMPV4_HEADER_LEN, end, t);
}

/** RFC 5508 §3.1 / RFC 6146 §3.5.3: the Echo identifier stands in for both ports. */
function echoQuery(buf: Uint8Array, l4: number, request: boolean, t: FlowTuple): number {
  const id = readU16(buf, l4 + ICMPV4_OFF_IDENT);
  t.srcPort = id;
  t.dstPort = id;
  t.icmpQueryRequest = request;
  return 0;
}

/** The tuple of the IPv4 packet an ICMPv4 error quotes at `q` (RFC 5508 §4, RFC 792). */
function quoted4(buf: Uint8Array, q: number, end: number, t: FlowTuple): number {
  if (q + 1 > end) return D.icmpInnerTruncated;
  if (buf[q]! >>> 4 !== 4) return D.icmpInnerWrongFamily;
  if (q + IPV4_HEADER_LEN > end) return D.icmpInnerTruncated;
  const hl = (buf[q]! & 0x0f) << 2;
  if (hl < IPV4_HEADER_LEN) return D.icmpInnerBadHeader;
  // RFC 5508 REQ-3 b: options are walked past to find the quoted transport header. The quoted
  // Total Length is not trusted: some routers rewrite it before quoting.
  const q4 = q + hl;
  if (q4 > end) return D.icmpInnerTruncated;
  const proto = buf[q + IPV4_OFF_PROTOCOL]!;
  if (proto !== IpProtocol.Tcp && proto !== IpProtocol.Udp && proto !== IpProtocol.Icmp) return D.icmpInnerUnsupportedProtocol;
  if ((readU16(buf, q + IPV4_OFF_FLAGS_FRAG) & IPV4_FRAG_OFFSET_MASK) !== 0) return D.icmpInnerFragment;
  readAddress4(buf, q + IPV4_OFF_SRC, t.src);
  readAddress4(buf, q + IPV4_OFF_DST, t.dst);
  if (proto === IpProtocol.Icmp) {
    if (q4 + 1 > end) return D.icmpInnerTruncated;
    const type = buf[q4]!;
    // RFC 1122 §3.2.2: no error is sent about an error, so such a message reports on no flow.
    if (isIcmpv4Error(type)) return D.icmpErrorAboutIcmpError;
    if (type !== Icmpv4Type.EchoRequest && type !== Icmpv4Type.EchoReply) return D.icmpInnerUnsupportedType;
    if (q4 + QUOTED_ECHO_LEN > end) return D.icmpInnerTruncated;
    return quotedDone(buf, q, q4, proto, type === Icmpv4Type.EchoRequest, t);
  }
  if (q4 + QUOTED_PORTS_LEN > end) return D.icmpInnerTruncated;
  return quotedDone(buf, q, q4, proto, false, t);
}

/** The tuple of the IPv6 packet an ICMPv6 error quotes at `q` (RFC 4443 §2.4 (c), §3). */
function quoted6(buf: Uint8Array, q: number, end: number, t: FlowTuple): number {
  if (q + 1 > end) return D.icmpInnerTruncated;
  if (buf[q]! >>> 4 !== 6) return D.icmpInnerWrongFamily;
  if (q + IPV6_HEADER_LEN > end) return D.icmpInnerTruncated;
  // The quote is cut where the error's size limit fell, not where its Payload Length says.
  const drop = chain.walk(buf, q + IPV6_HEADER_LEN, end, buf[q + IPV6_OFF_NEXT_HEADER]!, q + IPV6_OFF_NEXT_HEADER, Ipv6ParseFlag.quoted);
  if (drop !== 0) return drop === WireDrop.code.truncated ? D.icmpInnerTruncated : D.icmpInnerBadHeader;
  const proto = chain.upperProtocol;
  const q4 = chain.upperOff;
  if (proto !== IpProtocol.Tcp && proto !== IpProtocol.Udp && proto !== IpProtocol.Icmpv6) return D.icmpInnerUnsupportedProtocol;
  if (chain.fragOffset !== 0) return D.icmpInnerFragment;
  readAddress6(buf, q + IPV6_OFF_SRC, t.src);
  readAddress6(buf, q + IPV6_OFF_DST, t.dst);
  if (proto === IpProtocol.Icmpv6) {
    if (q4 + 1 > end) return D.icmpInnerTruncated;
    const type = buf[q4]!;
    // RFC 4443 §2.4 (e.1): no ICMPv6 error is sent about an ICMPv6 error.
    if (type < 128) return D.icmpErrorAboutIcmpError;
    if (type !== Icmpv6Type.EchoRequest && type !== Icmpv6Type.EchoReply) return D.icmpInnerUnsupportedType;
    if (q4 + QUOTED_ECHO_LEN > end) return D.icmpInnerTruncated;
    return quotedDone(buf, q, q4, proto, type === Icmpv6Type.EchoRequest, t);
  }
  if (q4 + QUOTED_PORTS_LEN > end) return D.icmpInnerTruncated;
  return quotedDone(buf, q, q4, proto, false, t);
}

function quotedDone(buf: Uint8Array, q: number, q4: number, proto: number, echoRequest: boolean, t: FlowTuple): number {
  t.icmpError = true;
  t.proto = proto;
  t.innerL3Off = q;
  t.innerL4Off = q4;
  t.icmpQueryRequest = echoRequest;
  if (proto === IpProtocol.Tcp || proto === IpProtocol.Udp) {
    t.srcPort = readU16(buf, q4);
    t.dstPort = readU16(buf, q4 + 2);
  } else {
    const id = readU16(buf, q4 + ICMPV4_OFF_IDENT);
    t.srcPort = id;
    t.dstPort = id;
  }
  return 0;
}

// The words are assembled here rather than returned by readU32: a word above 2^30 returned from
// a call V8 did not inline is boxed, an allocation per packet; stored straight into the typed
// array it never is.

function readAddress4(buf: Uint8Array, off: number, out: Uint32Array): void {
  out[0] = 0;
  out[1] = 0;
  out[2] = MAPPED_V4_WORD;
  out[3] = (buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!;
}

function readAddress6(buf: Uint8Array, off: number, out: Uint32Array): void {
  for (let i = 0; i < 4; i++) {
    const p = off + 4 * i;
    out[i] = (buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!;
  }
}

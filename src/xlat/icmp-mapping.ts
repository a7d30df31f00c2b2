import { Icmpv4Type, Icmpv4UnreachCode } from '../wire/icmpv4.js';
import { Icmpv6ParamProblemCode, Icmpv6Type, Icmpv6UnreachCode } from '../wire/icmpv6.js';
import { IPV6_OFF_NEXT_HEADER } from '../wire/ipv6.js';

/**
 * ICMP type/code translation of RFC 7915 §4.2 (ICMPv4 → ICMPv6) and §5.2 (ICMPv6 → ICMPv4),
 * and the Parameter Problem pointer tables of its Figure 3 and Figure 6.
 *
 * A mapping is one number, `(newType << 8) | newCode`, so the translator reads it without
 * allocating; `ICMP_MAP_DROP` (-1) means the RFC says "silently drop". The rest of the ICMP
 * header is the caller's: the MTU of Packet Too Big / Fragmentation Needed comes from
 * `mtu.ts`, the Parameter Problem pointer from the pointer functions below, and a Destination
 * Unreachable Protocol Unreachable that becomes a Parameter Problem carries
 * `PROTOCOL_UNREACHABLE_POINTER6`.
 */

/** The RFC says to silently drop the message. */
export const ICMP_MAP_DROP = -1;

/** RFC 7915 §4.2, Destination Unreachable Code 2: the ICMPv6 Parameter Problem "make[s] the
 * Pointer point to the IPv6 Next Header field". */
export const PROTOCOL_UNREACHABLE_POINTER6 = IPV6_OFF_NEXT_HEADER;

/** Type of a successful mapping. */
export function mappedType(mapping: number): number {
  return (mapping >>> 8) & 0xff;
}

/** Code of a successful mapping. */
export function mappedCode(mapping: number): number {
  return mapping & 0xff;
}

/**
 * ICMPv4 query (informational) types: RFC 792 echo, timestamp and information messages,
 * RFC 950 address mask, RFC 1256 router discovery. RFC 7915 §4.2 lists these as "ICMPv4 query
 * messages".
 */
export function isIcmpv4Informational(type: number): boolean {
  switch (type) {
    case Icmpv4Type.EchoReply:
    case Icmpv4Type.EchoRequest:
    case Icmpv4Type.RouterAdvertisement:
    case Icmpv4Type.RouterSolicitation:
    case Icmpv4Type.Timestamp:
    case Icmpv4Type.TimestampReply:
    case Icmpv4Type.InfoRequest:
    case Icmpv4Type.InfoReply:
    case Icmpv4Type.AddressMaskRequest:
    case Icmpv4Type.AddressMaskReply:
      return true;
    default:
      return false;
  }
}

/**
 * ICMPv4 error types: the ones RFC 7915 §4.2 lists as "ICMPv4 error messages" (RFC 792
 * Destination Unreachable, Source Quench, Redirect, Time Exceeded, Parameter Problem; RFC 1812
 * §4.3.2.7 names the same set) plus Alternate Host Address. These quote an IPv4 packet.
 * ICMPv4 has no type range for errors, so a type that is neither this nor informational is
 * unknown: RFC 7915 drops it either way.
 */
export function isIcmpv4Error(type: number): boolean {
  switch (type) {
    case Icmpv4Type.DestUnreachable:
    case Icmpv4Type.SourceQuench:
    case Icmpv4Type.Redirect:
    case Icmpv4Type.AlternateHostAddress:
    case Icmpv4Type.TimeExceeded:
    case Icmpv4Type.ParameterProblem:
      return true;
    default:
      return false;
  }
}

/** RFC 4443 §2.1: ICMPv6 informational messages have types 128 to 255. */
export function isIcmpv6Informational(type: number): boolean {
  return type >= 128 && type <= 255;
}

/** RFC 4443 §2.1: ICMPv6 error messages have types 0 to 127 (high-order bit clear). */
export function isIcmpv6Error(type: number): boolean {
  return type >= 0 && type < 128;
}

/**
 * RFC 7915 §4.2: ICMPv4 type/code → ICMPv6, as `(type << 8) | code`, or `ICMP_MAP_DROP`.
 * Code values outside 0..255 and types with no rule drop.
 *
 * For Parameter Problem (Type 12) the result is only valid when
 * `mapParamProblemPointer4to6(pointer)` is not `ICMP_MAP_DROP`; for Destination Unreachable
 * Code 2 the new Parameter Problem carries `PROTOCOL_UNREACHABLE_POINTER6`; for Code 4 the
 * Packet Too Big MTU comes from `mtuForPacketTooBig`.
 */
export function mapIcmp4to6(type: number, code: number): number {
  if (code < 0 || code > 255) return ICMP_MAP_DROP;
  switch (type) {
    // "Echo and Echo Reply (Type 8 and Type 0): Adjust the Type values to 128 and 129,
    // respectively"; the Code is not mentioned, so it is carried over.
    case Icmpv4Type.EchoRequest:
      return (Icmpv6Type.EchoRequest << 8) | code;
    case Icmpv4Type.EchoReply:
      return (Icmpv6Type.EchoReply << 8) | code;
    case Icmpv4Type.DestUnreachable:
      return mapDestUnreachable4to6(code);
    // "Time Exceeded (Type 11): Set the Type to 3 ... The Code is unchanged."
    case Icmpv4Type.TimeExceeded:
      return (Icmpv6Type.TimeExceeded << 8) | code;
    case Icmpv4Type.ParameterProblem:
      // "Code 0 (Pointer indicates the error)" and "Code 2 (Bad length)": Code 0 (Erroneous
      // header field encountered), pointer per Figure 3. "Code 1 (Missing a required option)"
      // and "Other Code values": silently drop.
      if (code === 0 || code === 2) return (Icmpv6Type.ParameterProblem << 8) | Icmpv6ParamProblemCode.ErroneousHeader;
      return ICMP_MAP_DROP;
    // Information Request/Reply, Timestamp/Timestamp Reply, Address Mask Request/Reply
    // ("Obsoleted in ICMPv6"), Router Advertisement/Solicitation ("Single-hop message"),
    // Source Quench ("Obsoleted in ICMPv6"), Redirect ("Single-hop message"), Alternative Host
    // Address, and "Unknown ICMPv4 types": silently drop.
    default:
      return ICMP_MAP_DROP;
  }
}

/** RFC 7915 §4.2, Destination Unreachable (Type 3) → ICMPv6 Type 1 unless stated otherwise. */
function mapDestUnreachable4to6(code: number): number {
  const unreach = Icmpv6Type.DestUnreachable << 8;
  switch (code) {
    // "Code 0, 1 (Net Unreachable, Host Unreachable): Set the Code to 0 (No route to
    // destination)."
    case Icmpv4UnreachCode.Net:
    case Icmpv4UnreachCode.Host:
      return unreach | Icmpv6UnreachCode.NoRoute;
    // "Code 2 (Protocol Unreachable): Translate to an ICMPv6 Parameter Problem (Type 4, Code 1)
    // and make the Pointer point to the IPv6 Next Header field."
    case Icmpv4UnreachCode.Protocol:
      return (Icmpv6Type.ParameterProblem << 8) | Icmpv6ParamProblemCode.UnrecognizedNextHeader;
    // "Code 3 (Port Unreachable): Set the Code to 4 (Port unreachable)."
    case Icmpv4UnreachCode.Port:
      return unreach | Icmpv6UnreachCode.Port;
    // "Code 4 (Fragmentation Needed and DF was Set): Translate to an ICMPv6 Packet Too Big
    // message (Type 2) with Code set to 0."
    case Icmpv4UnreachCode.FragNeeded:
      return Icmpv6Type.PacketTooBig << 8;
    // "Code 5 (Source Route Failed): Set the Code to 0"; "Code 6, 7, 8: Set the Code to 0";
    // "Code 11, 12: Set the Code to 0 (No route to destination)."
    case Icmpv4UnreachCode.SourceRouteFailed:
    case Icmpv4UnreachCode.NetUnknown:
    case Icmpv4UnreachCode.HostUnknown:
    case Icmpv4UnreachCode.SourceHostIsolated:
    case Icmpv4UnreachCode.NetTos:
    case Icmpv4UnreachCode.HostTos:
      return unreach | Icmpv6UnreachCode.NoRoute;
    // "Code 9, 10 (Communication with Destination Host Administratively Prohibited)", "Code 13
    // (Communication Administratively Prohibited)" and "Code 15 (Precedence cutoff in effect)":
    // Set the Code to 1 (Communication with destination administratively prohibited).
    case Icmpv4UnreachCode.NetProhibited:
    case Icmpv4UnreachCode.HostProhibited:
    case Icmpv4UnreachCode.AdminProhibited:
    case Icmpv4UnreachCode.PrecedenceCutoff:
      return unreach | Icmpv6UnreachCode.AdminProhibited;
    // "Code 14 (Host Precedence Violation): Silently drop." "Other Code values: Silently drop."
    default:
      return ICMP_MAP_DROP;
  }
}

/**
 * RFC 7915 §5.2: ICMPv6 type/code → ICMPv4, as `(type << 8) | code`, or `ICMP_MAP_DROP`.
 *
 * For Parameter Problem Code 0 the result is only valid when
 * `mapParamProblemPointer6to4(pointer)` is not `ICMP_MAP_DROP`; for Packet Too Big the
 * Fragmentation Needed MTU comes from `mtuForFragmentationNeeded`.
 */
export function mapIcmp6to4(type: number, code: number): number {
  if (code < 0 || code > 255) return ICMP_MAP_DROP;
  switch (type) {
    // "Echo Request and Echo Reply (Type 128 and 129): Adjust the Type values to 8 and 0,
    // respectively"; the Code is carried over.
    case Icmpv6Type.EchoRequest:
      return (Icmpv4Type.EchoRequest << 8) | code;
    case Icmpv6Type.EchoReply:
      return (Icmpv4Type.EchoReply << 8) | code;
    case Icmpv6Type.DestUnreachable:
      return mapDestUnreachable6to4(code);
    // "Packet Too Big (Type 2): Translate to an ICMPv4 Destination Unreachable (Type 3) with
    // Code 4". The Code of the ICMPv6 message is not consulted (RFC 4443 §3.2 sets it to 0).
    case Icmpv6Type.PacketTooBig:
      return (Icmpv4Type.DestUnreachable << 8) | Icmpv4UnreachCode.FragNeeded;
    // "Time Exceeded (Type 3): Set the Type to 11 ... The Code is unchanged."
    case Icmpv6Type.TimeExceeded:
      return (Icmpv4Type.TimeExceeded << 8) | code;
    case Icmpv6Type.ParameterProblem:
      // "Code 0 (Erroneous header field encountered): Set to Type 12, Code 0, and update the
      // pointer as defined in Figure 6."
      if (code === Icmpv6ParamProblemCode.ErroneousHeader) return Icmpv4Type.ParameterProblem << 8;
      // "Code 1 (Unrecognized Next Header type encountered): Translate this to an ICMPv4
      // protocol unreachable (Type 3, Code 2)."
      if (code === Icmpv6ParamProblemCode.UnrecognizedNextHeader) return (Icmpv4Type.DestUnreachable << 8) | Icmpv4UnreachCode.Protocol;
      // "Code 2 (Unrecognized IPv6 option encountered): Silently drop." Later codes (RFC 7112,
      // RFC 8883) have no ICMPv4 counterpart: "Unknown error messages: Silently drop."
      return ICMP_MAP_DROP;
    // MLD Query/Report/Done (130-132) and Neighbor Discovery (133-137): "Single-hop message.
    // Silently drop." "Unknown informational messages" and "Unknown error messages": silently
    // drop.
    default:
      return ICMP_MAP_DROP;
  }
}

/** RFC 7915 §5.2, Destination Unreachable (Type 1) → ICMPv4 Type 3. */
function mapDestUnreachable6to4(code: number): number {
  const unreach = Icmpv4Type.DestUnreachable << 8;
  switch (code) {
    // "Code 0 (No route to destination)", "Code 2 (Beyond scope of source address)" and
    // "Code 3 (Address unreachable)": Set the Code to 1 (Host unreachable).
    case Icmpv6UnreachCode.NoRoute:
    case Icmpv6UnreachCode.BeyondScope:
    case Icmpv6UnreachCode.Address:
      return unreach | Icmpv4UnreachCode.Host;
    // "Code 1 (Communication with destination administratively prohibited): Set the Code to 10
    // (Communication with destination host administratively prohibited)."
    case Icmpv6UnreachCode.AdminProhibited:
      return unreach | Icmpv4UnreachCode.HostProhibited;
    // "Code 4 (Port unreachable): Set the Code to 3 (Port unreachable)."
    case Icmpv6UnreachCode.Port:
      return unreach | Icmpv4UnreachCode.Port;
    // "Other Code values: Silently drop." (5 source address failed ingress/egress policy,
    // 6 reject route, and later codes.)
    default:
      return ICMP_MAP_DROP;
  }
}

/**
 * RFC 7915 Figure 3 (Pointer Value for Translating from IPv4 to IPv6), indexed by the IPv4
 * pointer; -1 is "n/a". Pointers past 19 (IPv4 options) are "not listed".
 */
const POINTER_4TO6 = Int8Array.of(
  0, // 0 Version/IHL → 0 Version/Traffic Class
  1, // 1 Type Of Service → 1 Traffic Class/Flow Label
  4, 4, // 2,3 Total Length → 4 Payload Length
  -1, -1, // 4,5 Identification → n/a
  -1, // 6 Flags/Fragment Offset → n/a
  -1, // 7 Fragment Offset → n/a
  7, // 8 Time to Live → 7 Hop Limit
  6, // 9 Protocol → 6 Next Header
  -1, -1, // 10,11 Header Checksum → n/a
  8, 8, 8, 8, // 12-15 Source Address → 8 Source Address
  24, 24, 24, 24, // 16-19 Destination Address → 24 Destination Address
);

/**
 * RFC 7915 Figure 6 (Pointer Value for Translating from IPv6 to IPv4), indexed by the IPv6
 * pointer; -1 is "n/a". Pointers past 39 (extension headers, payload) are "not listed".
 */
const POINTER_6TO4 = Int8Array.of(
  0, // 0 Version/Traffic Class → 0 Version/IHL, Type Of Service
  1, // 1 Traffic Class/Flow Label → 1 Type Of Service
  -1, -1, // 2,3 Flow Label → n/a
  2, 2, // 4,5 Payload Length → 2 Total Length
  9, // 6 Next Header → 9 Protocol
  8, // 7 Hop Limit → 8 Time to Live
  12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, // 8-23 Source Address → 12
  16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, // 24-39 Destination Address → 16
);

/**
 * RFC 7915 §4.2, Parameter Problem Code 0 and 2: the ICMPv6 pointer for an ICMPv4 pointer per
 * Figure 3, or `ICMP_MAP_DROP` when "the Original IPv4 Pointer Value is not listed or the
 * Translated IPv6 Pointer Value is listed as 'n/a'".
 */
export function mapParamProblemPointer4to6(pointer: number): number {
  if (!(pointer >= 0 && pointer < POINTER_4TO6.length)) return ICMP_MAP_DROP;
  return POINTER_4TO6[pointer | 0]!;
}

/**
 * RFC 7915 §5.2, Parameter Problem Code 0: the ICMPv4 pointer for an ICMPv6 pointer per
 * Figure 6, or `ICMP_MAP_DROP` when "the Original IPv6 Pointer Value is not listed or the
 * Translated IPv4 Pointer Value is listed as 'n/a'".
 */
export function mapParamProblemPointer6to4(pointer: number): number {
  if (!(pointer >= 0 && pointer < POINTER_6TO4.length)) return ICMP_MAP_DROP;
  return POINTER_6TO4[pointer | 0]!;
}

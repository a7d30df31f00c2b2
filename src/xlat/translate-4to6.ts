import { adjustChecksum16, finishChecksum, foldSum, sumWords } from '../wire/checksum.js';
import { Icmpv4Type, Icmpv4UnreachCode } from '../wire/icmpv4.js';
import { Icmpv6Type } from '../wire/icmpv6.js';
import { IpProtocol } from '../wire/ip-protocol.js';
import { checkIpv4Options, findIpv4Option, Ipv4OptionKind } from '../wire/ipv4-options.js';
import { IPV4_FLAG_DF, IPV4_FLAG_MF, IPV4_FLAG_RESERVED, IPV4_FRAG_OFFSET_MASK, IPV4_HEADER_LEN } from '../wire/ipv4.js';
import { IPV6_FRAG_HEADER_LEN, IPV6_HEADER_LEN, IPV6_MIN_MTU } from '../wire/ipv6.js';
import type { AddressMapper } from './address-mapper.js';
import { adjustAddresses, sum4, sum6 } from './address-sums.js';
import { copyBytes } from './byte-copy.js';
import { buildIcmpv4Error, mayGenerateIcmpv4Error } from './icmp-error-builder.js';
import { ICMP_MAP_DROP, isIcmpv4Informational, mapIcmp4to6, mapParamProblemPointer4to6, PROTOCOL_UNREACHABLE_POINTER6 } from './icmp-mapping.js';
import { type MapperContext, mapperContext } from './mapper-context.js';
import { mtuForPacketTooBig } from './mtu.js';
import { MAP_CTX_ICMP_ERROR, MAP_CTX_INNER, MAP_CTX_SRC_IS_INNER_DST } from './siit-address-mapper.js';
import type { TranslatorConfig } from './translator-config.js';
import { XlatDrop } from './xlat-drop.js';
import { type XlatOutput, XlatOutputKind } from './xlat-output.js';
import { adjustQuotedTransportChecksum, writeIcmpHeader, writeIpv6Header } from './xlat-headers.js';

const D = XlatDrop.code;
/** IPv6 header plus Fragment header. */
const V6_FRAG = IPV6_HEADER_LEN + IPV6_FRAG_HEADER_LEN;
/** ICMPv4 and ICMPv6 headers are both 8 bytes (type, code, checksum, 32-bit rest). */
const ICMP_HDR = 8;
/** RFC 4884 §4.1: with extensions, the original-datagram field is padded to at least 128 bytes. */
const RFC4884_MIN_ORIGINAL = 128;

/**
 * IPv4 → IPv6, RFC 7915 §4. One instance per `Translator`; it keeps the mapped addresses and a
 * staging area between calls so a translation allocates nothing.
 *
 * Buffers: the input is read at `buf[off, off+len)` and outputs are appended to `out`. When the
 * input lies in `out.bytes` where outputs are about to be written, it is first copied to the
 * staging area, so every path below may write in any order.
 */
export class Translate4to6 {
  private readonly resetTc: boolean;
  private readonly decrementTtl: boolean;
  private readonly sendErrors: boolean;
  private readonly computeUdpZero: boolean;
  private readonly ipv4LinkMtu: number;
  private readonly ipv6LinkMtu: number;
  private readonly lowestIpv6Mtu: number;
  /** RFC 7915 §4.1: packets without DF are cut to the lowest IPv6 MTU (never above the link's). */
  private readonly fragLimit: number;
  private readonly plateaus: Int32Array;
  /** Source of the ICMPv4 errors this direction originates (§4.4). */
  private readonly errorSource: Uint8Array;
  /** Mapped outer addresses: source at 0, destination at 16. */
  private readonly addr = new Uint8Array(32);
  /** Mapped addresses of the packet quoted in an ICMP error. */
  private readonly inner = new Uint8Array(32);
  private readonly ctx: MapperContext | null;

  constructor(config: TranslatorConfig, private readonly mapper: AddressMapper, private readonly stage: Uint8Array) {
    this.resetTc = config.resetTrafficClass;
    this.decrementTtl = config.decrementTtl;
    this.sendErrors = config.generateIcmpErrors;
    this.computeUdpZero = config.udpZeroChecksum === 'compute';
    this.ipv4LinkMtu = config.ipv4LinkMtu;
    this.ipv6LinkMtu = config.ipv6LinkMtu;
    this.lowestIpv6Mtu = config.lowestIpv6Mtu;
    this.fragLimit = Math.min(config.lowestIpv6Mtu, config.ipv6LinkMtu);
    this.plateaus = Int32Array.from(config.mtuPlateaus);
    this.errorSource = Uint8Array.from(config.ipv4SourceForErrors ?? config.pool6791.subarray(0, 4));
    this.ctx = mapperContext(mapper);
  }

  /** Returns 0 when translated, else the `XlatDrop` code (the caller counts it). */
  translate(buf: Uint8Array, off: number, len: number, out: XlatOutput): number {
    // RFC 1812 §5.2.2: a router checks length, version, header length and header checksum.
    if (off < 0 || len < IPV4_HEADER_LEN || off + len > buf.length) return D.ipv4Truncated;
    const verIhl = buf[off]!;
    if (verIhl >>> 4 !== 4) return D.ipv4BadVersion;
    const ihl = (verIhl & 0x0f) << 2;
    if (ihl < IPV4_HEADER_LEN) return D.ipv4BadHeaderLength;
    if (ihl > len) return D.ipv4Truncated;
    const total = (buf[off + 2]! << 8) | buf[off + 3]!;
    if (total < ihl) return D.ipv4BadHeaderLength;
    if (total > len) return D.ipv4Truncated;
    let sum = 0;
    for (let i = off, e = off + ihl; i < e; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
    sum = (sum & 0xffff) + (sum >>> 16);
    sum = (sum & 0xffff) + (sum >>> 16);
    if (sum !== 0xffff) return D.ipv4BadChecksum;
    const ff = (buf[off + 6]! << 8) | buf[off + 7]!;
    const fragOff = (ff & IPV4_FRAG_OFFSET_MASK) << 3;
    const payLen = total - ihl;
    // RFC 791: the reserved flag is zero, a datagram ends by octet 65535, and every fragment but
    // the last carries a multiple of 8 octets.
    if ((ff & IPV4_FLAG_RESERVED) !== 0 || fragOff + total > 0xffff || ((ff & IPV4_FLAG_MF) !== 0 && (payLen & 7) !== 0)) {
      return D.ipv4BadFragment;
    }
    const proto = buf[off + 9]!;
    // RFC 7915 §4.1 "Next Header": copied, but an IPv6 node would parse these numbers as an
    // extension header or an ICMPv6 message whose checksum no one computed.
    if (proto === IpProtocol.HopByHop || proto === IpProtocol.Ipv6Route || proto === IpProtocol.Ipv6Frag ||
      proto === IpProtocol.Ipv6Opts || proto === IpProtocol.Icmpv6) {
      return D.ipv4UnsupportedProtocol;
    }
    if (buf === out.bytes && off + total > out.used) {
      copyBytes(buf, off, this.stage, 0, total);
      buf = this.stage;
      off = 0;
    }
    if (ihl > IPV4_HEADER_LEN) {
      const drop = this.checkOptions(buf, off, ihl, total, out);
      if (drop !== 0) return drop;
    }
    const isFrag = (ff & (IPV4_FLAG_MF | IPV4_FRAG_OFFSET_MASK)) !== 0;
    const payOff = off + ihl;
    // Only a whole TCP or UDP packet is a GSO super-segment: any other is the ordinary packet
    // it claims to be.
    if (out.gsoSize !== 0 && (isFrag || (proto !== IpProtocol.Tcp && proto !== IpProtocol.Udp))) out.gsoSize = 0;

    let icmpMap = 0;
    let ctxBits = 0;
    if (proto === IpProtocol.Icmp) {
      // RFC 7915 §1.2: "Fragmented ICMP/ICMPv6 packets will not be translated": the ICMPv6
      // checksum covers the whole message and a pseudo-header, which no single fragment allows.
      if (isFrag) return D.fragmentedIcmp;
      if (payLen < ICMP_HDR) return D.transportTruncated;
      icmpMap = mapIcmp4to6(buf[payOff]!, buf[payOff + 1]!);
      if (icmpMap === ICMP_MAP_DROP) return D.icmpUntranslatableType;
      if (!isIcmpv4Informational(buf[payOff]!)) {
        ctxBits = MAP_CTX_ICMP_ERROR;
        if (payLen >= ICMP_HDR + IPV4_HEADER_LEN && equal4(buf, off + 12, buf, payOff + ICMP_HDR + 16)) ctxBits |= MAP_CTX_SRC_IS_INNER_DST;
      }
    }

    // RFC 7915 §4.1: "If the translator gets an illegal source address (e.g., 0.0.0.0,
    // 127.0.0.1, etc.), the translator SHOULD silently drop the packet (as discussed in Section
    // 5.3.7 of [RFC1812])", except the source of an ICMPv4 error, kept "for the purpose of
    // trouble shooting". Multicast and reserved destinations have no unicast IPv6 form either.
    if ((ctxBits === 0 && martian4(buf[off + 12]!)) || martian4(buf[off + 16]!)) return D.ipv4IllegalAddress;

    // RFC 7915 §4.1 "Source Address" / "Destination Address": mapped per §6, straight into the
    // address fields of the output header (slow paths copy them to `addr` first). An
    // untranslatable source is dropped silently like an illegal one (RFC 1812 §5.3.7); an
    // untranslatable destination is answered, as a router without a route would.
    if (out.room() < IPV6_HEADER_LEN) return D.outputFull;
    const ob = out.bytes;
    const o = out.used;
    const ctx = this.ctx;
    if (ctx !== null) ctx.context = ctxBits;
    if (!this.mapper.source4to6(buf, off + 12, ob, o + 8)) return D.untranslatableSource;
    if (!this.mapper.destination4to6(buf, off + 16, ob, o + 24)) {
      return this.reject(buf, off, total, out, Icmpv4Type.DestUnreachable, Icmpv4UnreachCode.Host, 0, D.untranslatableDestination);
    }

    // RFC 7915 §4.1 "Hop Limit": the translator is a router and decrements, answering Time
    // Exceeded (RFC 792 code 0, "time to live exceeded in transit") when nothing is left.
    let hop = buf[off + 8]!;
    if (this.decrementTtl) {
      if (hop <= 1) return this.reject(buf, off, total, out, Icmpv4Type.TimeExceeded, 0, 0, D.ttlExpired);
      hop--;
    }
    // RFC 7915 §4.1 "Traffic Class": the TOS octet, or zero when configured.
    const tc = this.resetTc ? 0 : buf[off + 1]!;

    if (proto === IpProtocol.Icmp) {
      if (ctxBits !== 0) {
        copyBytes(ob, o + 8, this.addr, 0, 32);
        return this.icmpError(buf, payOff, payLen, hop, tc, icmpMap, out);
      }
      // RFC 7915 §4.2 Echo/Echo Reply: new type; the ICMPv6 checksum adds the pseudo-header
      // (RFC 4443 §2.3), so the old checksum is adjusted by it and by the type word (RFC 1624).
      const oldWord = (buf[payOff]! << 8) | buf[payOff + 1]!;
      const ck = adjustAddresses((buf[payOff + 2]! << 8) | buf[payOff + 3]!, oldWord, icmpMap + sum6(ob, o + 8) + IpProtocol.Icmpv6 + payLen);
      return this.emit(buf, off, total, payOff, payLen, IpProtocol.Icmpv6, hop, tc, ff, 2, ck, icmpMap, out);
    }

    // A GSO super-segment (`out.gsoSize`) is translated once, as one packet.
    if (out.gsoSize !== 0) return this.superSegment(buf, off, payOff, payLen, proto, hop, tc, ff, out);

    // RFC 7915 §4.5: TCP and UDP checksums cover a pseudo-header whose addresses changed; length
    // and protocol are the same in both pseudo-headers, so the address sums are the whole delta
    // (RFC 1624). Only the first fragment holds the header; the delta is the datagram's.
    let ckRel = -1;
    let ck = 0;
    if (fragOff === 0) {
      if (proto === IpProtocol.Tcp) {
        if (payLen < 20) return D.transportTruncated;
        ckRel = 16;
        ck = adjustAddresses((buf[payOff + 16]! << 8) | buf[payOff + 17]!, sum4(buf, off + 12), sum6(ob, o + 8));
      } else if (proto === IpProtocol.Udp) {
        if (payLen < 8) return D.transportTruncated;
        ckRel = 6;
        const old = (buf[payOff + 6]! << 8) | buf[payOff + 7]!;
        if (old === 0) {
          // RFC 7915 §4.5: zero means "no checksum" in IPv4 but is forbidden in IPv6 (RFC 8200
          // §8.1). Compute it only when the whole datagram is here; otherwise drop and answer
          // with the §4.4 default error.
          if (!this.computeUdpZero || isFrag) {
            return this.reject(buf, off, total, out, Icmpv4Type.DestUnreachable, Icmpv4UnreachCode.AdminProhibited, 0, D.udpZeroChecksum);
          }
          ck = finishChecksum(sumWords(buf, payOff, payLen, sum6(ob, o + 8) + IpProtocol.Udp + payLen));
          // RFC 768: a computed zero is sent as all ones.
          if (ck === 0) ck = 0xffff;
        } else {
          ck = adjustAddresses(old, sum4(buf, off + 12), sum6(ob, o + 8));
        }
      }
    }
    // The common case inline: a whole packet that fits (the rules are those of `emit`).
    const whole = IPV6_HEADER_LEN + payLen;
    if (!isFrag && ((ff & IPV4_FLAG_DF) !== 0 || whole <= this.fragLimit) && whole <= this.ipv6LinkMtu && out.room() >= whole) {
      copyBytes(buf, payOff, ob, o + IPV6_HEADER_LEN, payLen);
      ob[o] = 0x60 | (tc >>> 4);
      ob[o + 1] = (tc << 4) & 0xf0;
      ob[o + 2] = 0;
      ob[o + 3] = 0;
      ob[o + 4] = payLen >>> 8;
      ob[o + 5] = payLen & 0xff;
      ob[o + 6] = proto;
      ob[o + 7] = hop;
      if (ckRel >= 0) {
        ob[o + IPV6_HEADER_LEN + ckRel] = ck >>> 8;
        ob[o + IPV6_HEADER_LEN + ckRel + 1] = ck & 0xff;
      }
      out.push(whole, XlatOutputKind.Translated);
      return 0;
    }
    return this.emit(buf, off, total, payOff, payLen, proto, hop, tc, ff, ckRel, ck, -1, out);
  }

  /**
   * Writes the translated packet: one IPv6 packet, or IPv6 fragments (RFC 7915 §4.1). `ckRel`
   * (offset in the payload, -1 none) receives `ck`, and `typeCode` (-1 none) replaces the first
   * payload word (ICMP type and code), both in the piece holding the payload start.
   */
  private emit(
    buf: Uint8Array, off: number, total: number, payOff: number, payLen: number, nh: number, hop: number, tc: number,
    ff: number, ckRel: number, ck: number, typeCode: number, out: XlatOutput,
  ): number {
    const df = (ff & IPV4_FLAG_DF) !== 0;
    const isFrag = (ff & (IPV4_FLAG_MF | IPV4_FRAG_OFFSET_MASK)) !== 0;
    const whole = IPV6_HEADER_LEN + payLen;
    if (!isFrag && (df || whole <= this.fragLimit)) {
      // RFC 7915 §4.1: "If the DF bit is set and the MTU of the next-hop interface is less than
      // the total length value of the IPv4 packet plus 20, the translator MUST send an ICMPv4
      // 'Fragmentation Needed' error message"; its MTU is the IPv6 link's in IPv4 terms.
      if (whole > this.ipv6LinkMtu) {
        return this.reject(buf, off, total, out, Icmpv4Type.DestUnreachable, Icmpv4UnreachCode.FragNeeded,
          this.ipv6LinkMtu - (IPV6_HEADER_LEN - IPV4_HEADER_LEN), D.packetTooBig);
      }
      // No Fragment header for a whole packet (RFC 7915 §4.1, RFC 8021). The addresses are
      // already in place.
      if (out.room() < whole) return D.outputFull;
      const b = out.bytes;
      const o = out.used;
      copyBytes(buf, payOff, b, o + IPV6_HEADER_LEN, payLen);
      b[o] = 0x60 | (tc >>> 4);
      b[o + 1] = (tc << 4) & 0xf0;
      b[o + 2] = 0;
      b[o + 3] = 0;
      b[o + 4] = payLen >>> 8;
      b[o + 5] = payLen & 0xff;
      b[o + 6] = nh;
      b[o + 7] = hop;
      const p = o + IPV6_HEADER_LEN;
      if (typeCode >= 0) {
        b[p] = typeCode >>> 8;
        b[p + 1] = typeCode & 0xff;
      }
      if (ckRel >= 0) {
        b[p + ckRel] = ck >>> 8;
        b[p + ckRel + 1] = ck & 0xff;
      }
      out.push(whole, XlatOutputKind.Translated);
      return 0;
    }

    // A Fragment header is needed: the packet is a fragment, or has DF clear and exceeds the
    // lowest IPv6 MTU (RFC 7915 §4.1). Its Identification is the IPv4 one, zero-extended, its
    // offset and M flag the IPv4 offset and MF; pieces beyond the limit are cut on 8-octet
    // boundaries ("the resulting IPv6 packet (with Fragment Header added to each fragment) will
    // be less than or equal to lowest-ipv6-mtu").
    if (df && V6_FRAG + payLen > this.ipv6LinkMtu) {
      return this.reject(buf, off, total, out, Icmpv4Type.DestUnreachable, Icmpv4UnreachCode.FragNeeded,
        this.ipv6LinkMtu - (V6_FRAG - IPV4_HEADER_LEN), D.packetTooBig);
    }
    copyBytes(out.bytes, out.used + 8, this.addr, 0, 32);
    const limit = df ? this.ipv6LinkMtu : this.fragLimit;
    const maxData = V6_FRAG + payLen <= limit ? payLen : (limit - V6_FRAG) & ~7;
    const pieces = ((payLen + maxData - 1) / maxData) | 0 || 1;
    if (out.freeSlots() < pieces || out.bytes.length - out.used < pieces * V6_FRAG + payLen) return D.outputFull;
    const fragOff = (ff & IPV4_FRAG_OFFSET_MASK) << 3;
    const mf = (ff & IPV4_FLAG_MF) !== 0;
    const ident = (buf[off + 4]! << 8) | buf[off + 5]!;
    const b = out.bytes;
    let done = 0;
    for (let k = 0; k < pieces; k++) {
      const last = k === pieces - 1;
      const n = last ? payLen - done : maxData;
      const o = out.used;
      const p = o + V6_FRAG;
      copyBytes(buf, payOff + done, b, p, n);
      writeIpv6Header(b, o, tc, IPV6_FRAG_HEADER_LEN + n, IpProtocol.Ipv6Frag, hop, this.addr);
      const offFlags = (fragOff + done) | (last && !mf ? 0 : 1);
      b[o + 40] = nh;
      b[o + 41] = 0;
      b[o + 42] = offFlags >>> 8;
      b[o + 43] = offFlags & 0xff;
      b[o + 44] = 0;
      b[o + 45] = 0;
      b[o + 46] = ident >>> 8;
      b[o + 47] = ident & 0xff;
      if (k === 0) {
        if (typeCode >= 0) {
          b[p] = typeCode >>> 8;
          b[p + 1] = typeCode & 0xff;
        }
        if (ckRel >= 0) {
          b[p + ckRel] = ck >>> 8;
          b[p + ckRel + 1] = ck & 0xff;
        }
      }
      out.push(V6_FRAG + n, XlatOutputKind.Translated);
      done += n;
    }
    return 0;
  }

  /**
   * A GSO super-segment of `out.gsoSize` payload bytes per segment, translated once into one
   * IPv6 packet (no Fragment header) that the egress cuts into segments with their own Payload
   * Length and checksums. RFC 7915 §4.1 holds per wire packet, so one segment's size decides:
   * a segment that would not fit (over the IPv6 link MTU with DF set, or over the lowest IPv6
   * MTU with DF clear, which the RFC cuts into fragments) is, for TCP, cut smaller (the same
   * byte stream, packetised finer, as a TSO device does for any segment size: the 20 bytes the
   * translation adds no longer cost a Fragmentation Needed round trip); for UDP, whose segments
   * are datagrams of fixed size, answered with Fragmentation Needed as one of them would be
   * (quoting the first segment) when DF is set or it exceeds the IPv6 link. A DF-clear UDP
   * segment that fits the link but not the lowest IPv6 MTU leaves whole: a super-segment cannot
   * be cut into fragments. The transport checksum is partial in and out (virtio NEEDS_CSUM):
   * the pseudo-header sum, written anew for the IPv6 pseudo-header rather than adjusted.
   */
  private superSegment(
    buf: Uint8Array, off: number, payOff: number, payLen: number, proto: number, hop: number, tc: number, ff: number, out: XlatOutput,
  ): number {
    const tcp = proto === IpProtocol.Tcp;
    const thl = tcp ? (buf[payOff + 12]! >>> 4) << 2 : 8;
    if (payLen < thl || thl < (tcp ? 20 : 8)) return D.transportTruncated;
    const df = (ff & IPV4_FLAG_DF) !== 0;
    let size = out.gsoSize;
    const whole = IPV6_HEADER_LEN + payLen;
    // One segment's IPv6 length (the whole, when the data is a segment or less).
    let seg = IPV6_HEADER_LEN + thl + size;
    if (seg > whole) seg = whole;
    const limit = df ? this.ipv6LinkMtu : this.fragLimit;
    if (seg > limit) {
      if (tcp) {
        size = limit - IPV6_HEADER_LEN - thl;
      } else if (df || seg > this.ipv6LinkMtu) {
        const ihl = payOff - off;
        const l4First = thl + out.gsoSize < payLen ? thl + out.gsoSize : payLen;
        const first = out.count;
        const drop = this.reject(buf, off, ihl + l4First, out, Icmpv4Type.DestUnreachable, Icmpv4UnreachCode.FragNeeded,
          this.ipv6LinkMtu - (IPV6_HEADER_LEN - IPV4_HEADER_LEN), D.packetTooBig);
        if (out.count > first) quoteFirstSegment4(out, first, ihl, l4First);
        return drop;
      }
    }
    if (out.room() < whole) return D.outputFull;
    const b = out.bytes;
    const o = out.used;
    const p = o + IPV6_HEADER_LEN;
    copyBytes(buf, payOff, b, p, payLen);
    b[o] = 0x60 | (tc >>> 4);
    b[o + 1] = (tc << 4) & 0xf0;
    b[o + 2] = 0;
    b[o + 3] = 0;
    b[o + 4] = payLen >>> 8;
    b[o + 5] = payLen & 0xff;
    b[o + 6] = proto;
    b[o + 7] = hop;
    const ck = foldSum(sum6(b, o + 8) + proto + payLen);
    const at = p + (tcp ? 16 : 6);
    b[at] = ck >>> 8;
    b[at + 1] = ck & 0xff;
    out.push(whole, XlatOutputKind.Translated);
    out.gsoSizes[out.count - 1] = size;
    return 0;
  }

  /**
   * RFC 7915 §4.2/§4.3: an ICMPv4 error. The type, code and rest of the header are mapped, the
   * quoted IPv4 packet is translated one level (addresses by their roles in it, TTL kept,
   * Fragment header when it was a fragment, transport checksum adjusted where the quote holds
   * it), RFC 4884 extensions are carried with their length re-expressed in 64-bit words, and the
   * result is cut to the IPv6 minimum MTU (RFC 4443 §2.4 (c)). The checksum is recomputed.
   */
  private icmpError(
    buf: Uint8Array, icmpOff: number, icmpLen: number, hop: number, tc: number,
    icmpMap: number, out: XlatOutput,
  ): number {
    // The checksum is recomputed from scratch below, so verify first: a corrupt ICMPv4 error
    // must not leave as a valid ICMPv6 one.
    if (foldSum(sumWords(buf, icmpOff, icmpLen, 0)) !== 0xffff) return D.icmpBadChecksum;
    const type = buf[icmpOff]!;
    const newType = icmpMap >>> 8;

    // RFC 4884 §4: Destination Unreachable, Time Exceeded and Parameter Problem may give the
    // original datagram's length in 32-bit words (octet 5); what follows is an extension
    // structure. A length past the message is not RFC 4884 and is ignored.
    const dataOff = icmpOff + ICMP_HDR;
    const dataLen = icmpLen - ICMP_HDR;
    let origLen = dataLen;
    let extLen = 0;
    const lengthWords = buf[icmpOff + 5]!;
    if (lengthWords !== 0 && (type === Icmpv4Type.DestUnreachable || type === Icmpv4Type.TimeExceeded || type === Icmpv4Type.ParameterProblem) &&
      lengthWords * 4 <= dataLen) {
      origLen = lengthWords * 4;
      extLen = dataLen - origLen;
    }

    // The quoted IPv4 header (RFC 792: the header plus at least 64 bits of data).
    const q = dataOff;
    if (origLen < IPV4_HEADER_LEN || buf[q]! >>> 4 !== 4) return D.icmpInnerBad;
    const qIhl = (buf[q]! & 0x0f) << 2;
    const qTotal = (buf[q + 2]! << 8) | buf[q + 3]!;
    if (qIhl < IPV4_HEADER_LEN || qIhl > origLen || qTotal < qIhl) return D.icmpInnerBad;
    const qProto = buf[q + 9]!;
    if (qProto === IpProtocol.HopByHop || qProto === IpProtocol.Ipv6Route || qProto === IpProtocol.Ipv6Frag ||
      qProto === IpProtocol.Ipv6Opts || qProto === IpProtocol.Icmpv6) {
      return D.icmpInnerBad;
    }
    const qff = (buf[q + 6]! << 8) | buf[q + 7]!;
    const qFragOff = (qff & IPV4_FRAG_OFFSET_MASK) << 3;
    const qIsFrag = (qff & (IPV4_FLAG_MF | IPV4_FRAG_OFFSET_MASK)) !== 0;
    const qPay = q + qIhl;
    // Bytes of the quoted payload present: the quote may be cut short, and RFC 4884 padding past
    // the quoted datagram's own length is not part of it.
    let qPayAvail = origLen - qIhl;
    if (qPayAvail > qTotal - qIhl) qPayAvail = qTotal - qIhl;
    if (qProto === IpProtocol.Icmp && qFragOff === 0) {
      // RFC 7915 §4.3 translates one level only; an error about an error is never sent
      // (RFC 1122 §3.2.2), so one cannot be translated either.
      if (qPayAvail < 1) return D.icmpInnerBad;
      const qType = buf[qPay]!;
      if (qType !== Icmpv4Type.EchoRequest && qType !== Icmpv4Type.EchoReply) {
        return isIcmpv4Informational(qType) ? D.icmpUntranslatableType : D.icmpErrorAboutIcmpError;
      }
    }
    const inner = this.inner;
    const ctx = this.ctx;
    if (ctx !== null) ctx.context = MAP_CTX_ICMP_ERROR | MAP_CTX_INNER;
    const innerOk = this.mapper.source4to6(buf, q + 12, inner, 0) && this.mapper.destination4to6(buf, q + 16, inner, 16);
    if (!innerOk) return D.icmpInnerUntranslatable;

    // The 32-bit rest of the ICMPv6 header (RFC 4443 §3).
    let rest = 0;
    const ext = extLen > 0 && (newType === Icmpv6Type.DestUnreachable || newType === Icmpv6Type.TimeExceeded);
    if (newType === Icmpv6Type.ParameterProblem) {
      if (type === Icmpv4Type.DestUnreachable) {
        rest = PROTOCOL_UNREACHABLE_POINTER6;
      } else {
        rest = mapParamProblemPointer4to6(buf[icmpOff + 4]!);
        if (rest === ICMP_MAP_DROP) return D.icmpUntranslatablePointer;
      }
    } else if (newType === Icmpv6Type.PacketTooBig) {
      // RFC 7915 §4.2 Code 4: "minimum(advertised MTU+20, MTU_of_IPv6_nexthop,
      // (MTU_of_IPv4_nexthop)+20)", plateaus when the router sent no MTU, never below 1280.
      rest = mtuForPacketTooBig((buf[icmpOff + 6]! << 8) | buf[icmpOff + 7]!, this.ipv4LinkMtu, this.ipv6LinkMtu, qTotal,
        this.plateaus, this.lowestIpv6Mtu);
    }

    // Layout: IPv6 | ICMPv6 | quoted IPv6 (+ Fragment header) | quoted payload | [pad | extension].
    const qHdr6 = qIsFrag ? V6_FRAG : IPV6_HEADER_LEN;
    const origOut = qHdr6 + qPayAvail;
    let padded = origOut;
    let useExt = false;
    if (ext) {
      // RFC 4884 §4.1/§5.1: the ICMPv6 original-datagram field is a multiple of 8 bytes, at
      // least 128. RFC 7915 §4.2: an extension that no longer fits is simply truncated; a
      // truncated extension structure is unreadable, so it is left out whole.
      padded = (origOut + 7) & ~7;
      if (padded < RFC4884_MIN_ORIGINAL) padded = RFC4884_MIN_ORIGINAL;
      useExt = IPV6_HEADER_LEN + ICMP_HDR + padded + extLen <= IPV6_MIN_MTU;
    }
    let msgLen: number;
    if (useExt) {
      msgLen = ICMP_HDR + padded + extLen;
      rest = (padded >>> 3) << 24;
    } else {
      msgLen = ICMP_HDR + origOut;
      if (IPV6_HEADER_LEN + msgLen > IPV6_MIN_MTU) msgLen = IPV6_MIN_MTU - IPV6_HEADER_LEN;
    }
    const pktLen = IPV6_HEADER_LEN + msgLen;
    if (out.room() < pktLen) return D.outputFull;

    const b = out.bytes;
    const o = out.used;
    const m = o + IPV6_HEADER_LEN;
    const qo = m + ICMP_HDR;
    const qp = qo + qHdr6;
    const copied = (useExt ? origOut : msgLen - ICMP_HDR) - qHdr6;
    copyBytes(buf, qPay, b, qp, copied);
    if (useExt) {
      b.fill(0, qo + origOut, qo + padded);
      copyBytes(buf, dataOff + origLen, b, qo + padded, extLen);
    }

    // The quoted header, translated like an outer one except that its TTL is kept (§4.3).
    const qTc = this.resetTc ? 0 : buf[q + 1]!;
    const qNh = qProto === IpProtocol.Icmp ? IpProtocol.Icmpv6 : qProto;
    const qPayLen = qTotal - qIhl;
    writeIpv6Header(b, qo, qTc, qPayLen + (qIsFrag ? IPV6_FRAG_HEADER_LEN : 0), qIsFrag ? IpProtocol.Ipv6Frag : qNh, buf[q + 8]!, inner);
    if (qIsFrag) {
      const offFlags = qFragOff | ((qff & IPV4_FLAG_MF) !== 0 ? 1 : 0);
      b[qo + 40] = qNh;
      b[qo + 41] = 0;
      b[qo + 42] = offFlags >>> 8;
      b[qo + 43] = offFlags & 0xff;
      b[qo + 44] = 0;
      b[qo + 45] = 0;
      b[qo + 46] = buf[q + 4]!;
      b[qo + 47] = buf[q + 5]!;
    }
    if (qFragOff === 0) this.quotedTransport(buf, q, qProto, qPayLen, copied, b, qp);

    writeIpv6Header(b, o, tc, msgLen, IpProtocol.Icmpv6, hop, this.addr);
    writeIcmpHeader(b, m, newType, icmpMap & 0xff, rest);
    const ck = finishChecksum(sumWords(b, m, msgLen, sum6(b, o + 8) + IpProtocol.Icmpv6 + msgLen));
    b[m + 2] = ck >>> 8;
    b[m + 3] = ck & 0xff;
    out.push(pktLen, XlatOutputKind.Translated);
    return 0;
  }

  /**
   * The transport header of the quoted packet, already copied to `b[qp…]` (`avail` bytes): its
   * checksum follows the quoted addresses where the quote holds it (RFC 7915 §4.3, "translated
   * just like a normal IP packet"); an echo gets its ICMPv6 type and pseudo-header.
   */
  private quotedTransport(buf: Uint8Array, q: number, proto: number, payLen: number, avail: number, b: Uint8Array, qp: number): void {
    if (proto === IpProtocol.Tcp || proto === IpProtocol.Udp) {
      adjustQuotedTransportChecksum(b, qp, proto, avail, sum4(buf, q + 12), sum6(this.inner, 0));
    } else if (proto === IpProtocol.Icmp && avail >= 4) {
      const oldWord = (b[qp]! << 8) | b[qp + 1]!;
      const newType = b[qp] === Icmpv4Type.EchoRequest ? Icmpv6Type.EchoRequest : Icmpv6Type.EchoReply;
      const newWord = (newType << 8) | b[qp + 1]!;
      const ck = adjustAddresses((b[qp + 2]! << 8) | b[qp + 3]!, oldWord, newWord + sum6(this.inner, 0) + IpProtocol.Icmpv6 + payLen);
      b[qp] = newType;
      b[qp + 2] = ck >>> 8;
      b[qp + 3] = ck & 0xff;
    }
  }

  /** RFC 7915 §4.1: options are ignored, "However, if an unexpired source route option is
   * present, then the packet MUST instead be discarded, and an ICMPv4 'Destination Unreachable,
   * Source Route Failed' (Type 3, Code 5) error message SHOULD be returned to the sender." */
  private checkOptions(buf: Uint8Array, off: number, ihl: number, total: number, out: XlatOutput): number {
    const optOff = off + IPV4_HEADER_LEN;
    const optLen = ihl - IPV4_HEADER_LEN;
    if (checkIpv4Options(buf, optOff, optLen) !== 0) return D.ipv4BadOption;
    let opt = findIpv4Option(buf, optOff, optLen, Ipv4OptionKind.Lsrr);
    if (opt < 0) opt = findIpv4Option(buf, optOff, optLen, Ipv4OptionKind.Ssrr);
    // RFC 791: the pointer (third octet) indexes the next address; past the length the route
    // is used up.
    if (opt >= 0 && buf[opt + 1]! >= 3 && buf[opt + 2]! <= buf[opt + 1]!) {
      return this.reject(buf, off, total, out, Icmpv4Type.DestUnreachable, Icmpv4UnreachCode.SourceRouteFailed, 0, D.ipv4SourceRoute);
    }
    return 0;
  }

  /**
   * Drops with `drop`, first sending the ICMPv4 error `type`/`code`/`rest` back to the sender
   * when configured and allowed (RFC 7915 §4.4; RFC 1812 §4.3.2.7 via `mayGenerateIcmpv4Error`).
   */
  private reject(buf: Uint8Array, off: number, total: number, out: XlatOutput, type: number, code: number, rest: number, drop: number): number {
    if (this.sendErrors && mayGenerateIcmpv4Error(buf, off, total)) {
      // The error leaves on the IPv4 link: no larger than its MTU (the builder caps at 576).
      const room = out.room();
      const n = buildIcmpv4Error(out.bytes, out.used, room < this.ipv4LinkMtu ? room : this.ipv4LinkMtu, this.errorSource, 0, buf, off + 12,
        type, code, rest, buf, off, total);
      if (n > 0) out.push(n, XlatOutputKind.IcmpError);
    }
    return drop;
  }
}

/**
 * Makes the quote of the ICMPv4 error `i` of `out` (built from the start of a UDP
 * super-segment) describe the first segment alone, the datagram that did not fit: quoted Total
 * Length (`ihl` + `l4Len`), its header checksum and the UDP Length, with the ICMPv4 checksum
 * adjusted for all three (RFC 1624).
 */
function quoteFirstSegment4(out: XlatOutput, i: number, ihl: number, l4Len: number): void {
  const b = out.bytes;
  const e = out.offsets[i]!;
  const end = e + out.lengths[i]!;
  const q = e + IPV4_HEADER_LEN + ICMP_HDR;
  const ckAt = e + IPV4_HEADER_LEN + 2;
  let ck = (b[ckAt]! << 8) | b[ckAt + 1]!;
  if (q + IPV4_HEADER_LEN <= end) {
    const lenWas = (b[q + 2]! << 8) | b[q + 3]!;
    const len = ihl + l4Len;
    const hck = adjustChecksum16((b[q + 10]! << 8) | b[q + 11]!, lenWas, len);
    ck = setWord(b, q + 2, len, ck);
    ck = setWord(b, q + 10, hck, ck);
  }
  if (q + ihl + 6 <= end) ck = setWord(b, q + ihl + 4, l4Len, ck);
  b[ckAt] = ck >>> 8;
  b[ckAt + 1] = ck & 0xff;
}

/** Writes the 16-bit `value` at `b[at]` and returns `checksum` adjusted for it (RFC 1624). */
function setWord(b: Uint8Array, at: number, value: number, checksum: number): number {
  const was = (b[at]! << 8) | b[at + 1]!;
  b[at] = value >>> 8;
  b[at + 1] = value & 0xff;
  return adjustChecksum16(checksum, was, value);
}

/** RFC 1812 §5.3.7 by first octet: 0/8, 127/8, 224/4 (multicast), 240/4 (reserved and the
 * limited broadcast address). */
function martian4(firstOctet: number): boolean {
  return firstOctet === 0 || firstOctet === 127 || firstOctet >= 224;
}

function equal4(a: Uint8Array, ao: number, b: Uint8Array, bo: number): boolean {
  return a[ao] === b[bo] && a[ao + 1] === b[bo + 1] && a[ao + 2] === b[bo + 2] && a[ao + 3] === b[bo + 3];
}

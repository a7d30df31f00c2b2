import { adjustChecksum16, finishChecksum, foldSum, sumWords } from '../wire/checksum.js';
import { Icmpv4Type } from '../wire/icmpv4.js';
import { Icmpv6ParamProblemCode, Icmpv6Type, Icmpv6UnreachCode } from '../wire/icmpv6.js';
import { IpProtocol } from '../wire/ip-protocol.js';
import { IPV4_FLAG_DF, IPV4_FLAG_MF, IPV4_HEADER_LEN } from '../wire/ipv4.js';
import { IPV6_MAX_EXTENSION_HEADERS } from '../wire/ipv6-extension-headers.js';
import { IPV6_FRAG_FLAG_M, IPV6_FRAG_HEADER_LEN, IPV6_FRAG_OFFSET_MASK, IPV6_HEADER_LEN, IPV6_MIN_MTU } from '../wire/ipv6.js';
import type { AddressMapper } from './address-mapper.js';
import { adjustAddresses, sum4, sum6 } from './address-sums.js';
import { copyBytes } from './byte-copy.js';
import { buildIcmpv6Error, mayGenerateIcmpv6Error } from './icmp-error-builder.js';
import { ICMP_MAP_DROP, mapIcmp6to4, mapParamProblemPointer6to4 } from './icmp-mapping.js';
import { Ipv4Identification } from './ipv4-identification.js';
import { Rfc6791Pool } from './rfc6791-pool.js';
import { type MapperContext, mapperContext } from './mapper-context.js';
import { mtuForFragmentationNeeded } from './mtu.js';
import { MAP_CTX_ICMP_ERROR, MAP_CTX_INNER } from './siit-address-mapper.js';
import type { TranslatorConfig } from './translator-config.js';
import { XlatDrop } from './xlat-drop.js';
import { adjustQuotedTransportChecksum, writeIcmpHeader, writeIpv4Header } from './xlat-headers.js';
import { type XlatOutput, XlatOutputKind } from './xlat-output.js';

const D = XlatDrop.code;
const ICMP_HDR = 8;
/** RFC 1812 §4.3.2.3: an ICMPv4 error datagram is at most 576 bytes. */
const ICMPV4_ERROR_MAX_PACKET = 576;
/** RFC 7915 §5.1 "Flags": DF is set on translated packets longer than this (the IPv4 size of a
 * 1280-byte IPv6 packet), so path MTU discovery works end to end above the IPv6 minimum. */
const DF_THRESHOLD = 1260;
/** RFC 4884 §4.1: with extensions, the original-datagram field is padded to at least 128 bytes. */
const RFC4884_MIN_ORIGINAL = 128;

/**
 * IPv6 → IPv4, RFC 7915 §5. One instance per `Translator`; it keeps the mapped addresses, the
 * Identification generator and a staging area between calls so a translation allocates
 * nothing. Buffer rules as in `Translate4to6`.
 */
export class Translate6to4 {
  private readonly resetTc: boolean;
  private readonly decrementTtl: boolean;
  private readonly sendErrors: boolean;
  private readonly ipv4LinkMtu: number;
  private readonly ipv6LinkMtu: number;
  /** Largest translated ICMPv4 error: 576 bytes, or less on a smaller IPv4 link. */
  private readonly icmpErrorMax: number;
  /** Source of the ICMPv6 errors this direction originates (§5.4); null: none are sent. */
  private readonly errorSource: Uint8Array | null;
  private readonly pool6791: Rfc6791Pool;
  private readonly ident: Ipv4Identification;
  /** Mapped outer addresses: source at 0, destination at 4. */
  private readonly addr = new Uint8Array(8);
  /** Mapped addresses of the packet quoted in an ICMP error. */
  private readonly inner = new Uint8Array(8);
  private readonly ctx: MapperContext | null;

  constructor(config: TranslatorConfig, private readonly mapper: AddressMapper, private readonly stage: Uint8Array) {
    this.resetTc = config.resetTrafficClass;
    this.decrementTtl = config.decrementTtl;
    this.sendErrors = config.generateIcmpErrors;
    this.ipv4LinkMtu = config.ipv4LinkMtu;
    this.ipv6LinkMtu = config.ipv6LinkMtu;
    this.icmpErrorMax = Math.min(ICMPV4_ERROR_MAX_PACKET, config.ipv4LinkMtu);
    this.errorSource = config.ipv6SourceForErrors === null ? null : Uint8Array.from(config.ipv6SourceForErrors);
    this.ident = new Ipv4Identification(config.hashSeed);
    this.pool6791 = Rfc6791Pool.fromAddressBytes(config.pool6791, { seed: config.hashSeed, allowPrivate: true, path: 'pool6791' });
    this.ctx = mapperContext(mapper);
  }

  /** Returns 0 when translated, else the `XlatDrop` code (the caller counts it). */
  translate(buf: Uint8Array, off: number, len: number, out: XlatOutput): number {
    if (off < 0 || len < IPV6_HEADER_LEN || off + len > buf.length) return D.ipv6Truncated;
    if (buf[off]! >>> 4 !== 6) return D.ipv6BadVersion;
    const payLen = (buf[off + 4]! << 8) | buf[off + 5]!;
    let nh = buf[off + 6]!;
    // RFC 2675: a zero payload length behind a Hop-by-Hop header is a jumbogram, which IPv4
    // cannot carry.
    if (payLen === 0 && nh === IpProtocol.HopByHop) return D.ipv6BadPayloadLength;
    const pktLen = IPV6_HEADER_LEN + payLen;
    if (pktLen > len) return D.ipv6Truncated;
    if (buf === out.bytes && off + pktLen > out.used) {
      copyBytes(buf, off, this.stage, 0, pktLen);
      buf = this.stage;
      off = 0;
    }
    const end = off + pktLen;

    // RFC 7915 §5.1: extension headers are not translated; the Protocol is the Next Header of
    // the last one. Hop-by-Hop only directly after the IPv6 header (RFC 8200 §4.1).
    let p = off + IPV6_HEADER_LEN;
    let fragP = -1;
    let segLeftPtr = -1;
    for (let n = 0; ; n++) {
      if (n > IPV6_MAX_EXTENSION_HEADERS) return D.ipv6BadExtensionHeader;
      if (nh === IpProtocol.HopByHop || nh === IpProtocol.Ipv6Route || nh === IpProtocol.Ipv6Opts) {
        // RFC 7915 §5.1 "Total Length": "If the Next Header field of the Fragment Header is an
        // extension header (except ESP, but including the Authentication Header (AH)), then the
        // packet SHOULD be dropped and logged."
        if (fragP >= 0) return D.ipv6HeaderAfterFragment;
        if (nh === IpProtocol.HopByHop && p !== off + IPV6_HEADER_LEN) return D.ipv6BadExtensionHeader;
        if (p + 8 > end) return D.ipv6BadExtensionHeader;
        const hl = (buf[p + 1]! + 1) << 3;
        if (p + hl > end) return D.ipv6BadExtensionHeader;
        if (nh === IpProtocol.Ipv6Route && buf[p + 3] !== 0 && segLeftPtr < 0) segLeftPtr = p + 3 - off;
        nh = buf[p]!;
        p += hl;
      } else if (nh === IpProtocol.Ipv6Frag) {
        if (fragP >= 0) return D.ipv6TwoFragmentHeaders;
        if (p + IPV6_FRAG_HEADER_LEN > end) return D.ipv6BadExtensionHeader;
        fragP = p;
        nh = buf[p]!;
        p += IPV6_FRAG_HEADER_LEN;
      } else {
        break;
      }
    }
    // RFC 7915 §5.1: "If a Routing header with a non-zero Segments Left field is present, then
    // the packet MUST NOT be translated, and an ICMPv6 'parameter problem/erroneous header field
    // encountered' (Type 4, Code 0) error message, with the Pointer field indicating the first
    // byte of the Segments Left field, SHOULD be returned to the sender."
    if (segLeftPtr >= 0) {
      return this.reject(buf, off, pktLen, out, Icmpv6Type.ParameterProblem, Icmpv6ParamProblemCode.ErroneousHeader, segLeftPtr, D.ipv6RoutingHeader);
    }
    // Upper layers with no IPv4 meaning: ICMPv4 inside IPv6, and the RFC 7045 extension headers
    // (Mobility, HIP, Shim6) a translator cannot carry.
    if (nh === IpProtocol.Icmp || nh === IpProtocol.Mobility || nh === IpProtocol.Hip || nh === IpProtocol.Shim6) {
      return D.ipv6UnsupportedNextHeader;
    }
    const upOff = p;
    const upLen = end - p;

    // RFC 7915 §5.1.1: a Fragment header becomes the IPv4 fragment fields. A fragment must fit
    // the IPv4 datagram size, and all but the last carry multiples of 8 octets (RFC 8200 §4.5).
    let fragOff = 0;
    let more = false;
    if (fragP >= 0) {
      const fo = (buf[fragP + 2]! << 8) | buf[fragP + 3]!;
      fragOff = fo & IPV6_FRAG_OFFSET_MASK;
      more = (fo & IPV6_FRAG_FLAG_M) !== 0;
      if ((more && (upLen & 7) !== 0) || fragOff + IPV4_HEADER_LEN + upLen > 0xffff) return D.ipv6BadFragment;
    }
    // An atomic fragment (offset 0, M 0) is a whole packet (RFC 8200 §4.5, RFC 6946).
    const isFrag = fragOff !== 0 || more;
    // Only a whole TCP or UDP packet is a GSO super-segment (one IPv4 datagram at most): any
    // other is the ordinary packet it claims to be.
    if (out.gsoSize !== 0 && (fragP >= 0 || (nh !== IpProtocol.Tcp && nh !== IpProtocol.Udp) || IPV4_HEADER_LEN + upLen > 0xffff)) {
      out.gsoSize = 0;
    }

    let icmpMap = 0;
    let icmpError = false;
    if (nh === IpProtocol.Icmpv6) {
      // RFC 7915 §1.2: fragmented ICMPv6 is not translated (its checksum spans every fragment).
      if (isFrag) return D.fragmentedIcmp;
      if (upLen < ICMP_HDR) return D.transportTruncated;
      icmpMap = mapIcmp6to4(buf[upOff]!, buf[upOff + 1]!);
      if (icmpMap === ICMP_MAP_DROP) return D.icmpUntranslatableType;
      icmpError = buf[upOff]! < 128;
    }

    // RFC 7915 §5.1 drops illegal sources silently; unspecified, loopback and multicast addresses
    // (RFC 4291 §2.5.2, §2.5.3, §2.7) name no single remote node on either side.
    if (illegal6(buf, off + 8) || illegal6(buf, off + 24)) return D.ipv6IllegalAddress;

    const addr = this.addr;
    const ctx = this.ctx;
    if (ctx !== null) ctx.context = icmpError ? MAP_CTX_ICMP_ERROR : 0;
    if (!this.mapper.source6to4(buf, off + 8, addr, 0)) {
      // RFC 7915 §5.2 (end) and RFC 6791: an ICMPv6 error from a node without an IPv4 form (an
      // IPv6 router) still reaches the IPv4 host, from an RFC 6791 pool address (a keyed hash
      // of the error's addresses, so one router keeps one address toward one host).
      if (!icmpError) return D.untranslatableSource;
      this.pool6791.select(buf, off + 8, buf, off + 24, addr, 0);
    }
    if (!this.mapper.destination6to4(buf, off + 24, addr, 4)) {
      // RFC 7915 §5.4 lets a translator choose its errors; a destination with no IPv4 form is
      // what RFC 4443 §3.1 calls Address Unreachable.
      return this.reject(buf, off, pktLen, out, Icmpv6Type.DestUnreachable, Icmpv6UnreachCode.Address, 0, D.untranslatableDestination);
    }

    // RFC 7915 §5.1 "Time to Live": the translator decrements as a router and answers Hop
    // Limit Exceeded (RFC 4443 §3.3 code 0) when nothing is left.
    let hop = buf[off + 7]!;
    if (this.decrementTtl) {
      if (hop <= 1) return this.reject(buf, off, pktLen, out, Icmpv6Type.TimeExceeded, 0, 0, D.ttlExpired);
      hop--;
    }
    // RFC 7915 §5.1 "Type of Service": the Traffic Class, or zero when configured.
    const tos = this.resetTc ? 0 : ((buf[off]! & 0x0f) << 4) | (buf[off + 1]! >>> 4);

    if (nh === IpProtocol.Icmpv6) {
      if (icmpError) return this.icmpError(buf, off, upOff, upLen, hop, tos, icmpMap, out);
      // RFC 7915 §5.2 Echo/Echo Reply: new type; the ICMPv4 checksum has no pseudo-header, so
      // the IPv6 one leaves the sum along with the old type word (RFC 1624).
      const oldWord = (buf[upOff]! << 8) | buf[upOff + 1]!;
      const pseudo = sum6(buf, off + 8) + IpProtocol.Icmpv6 + upLen;
      const ck = adjustAddresses((buf[upOff + 2]! << 8) | buf[upOff + 3]!, oldWord + pseudo, icmpMap);
      return this.emit(buf, off, pktLen, upOff, upLen, IpProtocol.Icmp, hop, tos, fragP, fragOff, more, 2, ck, icmpMap, out);
    }

    // A GSO super-segment (`out.gsoSize`) is translated once, as one packet.
    if (out.gsoSize !== 0) return this.superSegment(buf, off, upOff, upLen, nh, hop, tos, out);

    // RFC 7915 §5.5: TCP and UDP checksums follow the pseudo-header's addresses (length and
    // protocol are the same in both), only in the fragment that holds the header.
    let ckRel = -1;
    let ck = 0;
    if (fragOff === 0) {
      if (nh === IpProtocol.Tcp) {
        if (upLen < 20) return D.transportTruncated;
        ckRel = 16;
        ck = adjustAddresses((buf[upOff + 16]! << 8) | buf[upOff + 17]!, sum6(buf, off + 8), sum4(addr, 0));
      } else if (nh === IpProtocol.Udp) {
        if (upLen < 8) return D.transportTruncated;
        const old = (buf[upOff + 6]! << 8) | buf[upOff + 7]!;
        // A zero UDP checksum (RFC 6935 tunnels) already means "none" in IPv4: it stays zero.
        if (old !== 0) {
          ckRel = 6;
          ck = adjustAddresses(old, sum6(buf, off + 8), sum4(addr, 0));
        }
      }
    }
    // The common case inline: no Fragment header, DF clear (≤ 1260 bytes), fits the link.
    const total = IPV4_HEADER_LEN + upLen;
    if (fragP < 0 && total <= DF_THRESHOLD && total <= this.ipv4LinkMtu && out.room() >= total) {
      const b = out.bytes;
      const o = out.used;
      copyBytes(buf, upOff, b, o + IPV4_HEADER_LEN, upLen);
      const ident = this.ident.next((addr[4]! << 24) | (addr[5]! << 16) | (addr[6]! << 8) | addr[7]!);
      writeIpv4Header(b, o, tos, total, ident, 0, hop, nh, addr);
      if (ckRel >= 0) {
        b[o + IPV4_HEADER_LEN + ckRel] = ck >>> 8;
        b[o + IPV4_HEADER_LEN + ckRel + 1] = ck & 0xff;
      }
      out.push(total, XlatOutputKind.Translated);
      return 0;
    }
    return this.emit(buf, off, pktLen, upOff, upLen, nh, hop, tos, fragP, fragOff, more, ckRel, ck, -1, out);
  }

  /**
   * Writes the translated packet (RFC 7915 §5.1): DF per the 1260-byte rule, Identification
   * from the Fragment header or the generator; cut into IPv4 fragments when DF is clear and the
   * link is smaller (RFC 791 §3.2, as RFC 7915 §5 expects of routers on links below 1260), or
   * answered with Packet Too Big when DF is set. `ckRel`/`ck`/`typeCode` patch the first
   * payload bytes as in `Translate4to6.emit`.
   */
  private emit(
    buf: Uint8Array, off: number, pktLen: number, upOff: number, upLen: number, proto: number, hop: number, tos: number,
    fragP: number, fragOff: number, more: boolean, ckRel: number, ck: number, typeCode: number, out: XlatOutput,
  ): number {
    const total = IPV4_HEADER_LEN + upLen;
    let ident: number;
    let df: boolean;
    if (fragP >= 0) {
      // RFC 7915 §5.1.1: "Identification: Copied from the low-order 16 bits in the
      // Identification field in the Fragment Header"; DF cleared so IPv4 routers may fragment.
      ident = (buf[fragP + 6]! << 8) | buf[fragP + 7]!;
      df = false;
    } else if (total > DF_THRESHOLD) {
      // An atomic datagram: RFC 6864 §4.1 lets its Identification be anything.
      ident = 0;
      df = true;
    } else {
      // May be fragmented on the way: an ID unique toward this destination (RFC 6864 §4.2).
      const a = this.addr;
      ident = this.ident.next((a[4]! << 24) | (a[5]! << 16) | (a[6]! << 8) | a[7]!);
      df = false;
    }

    if (total <= this.ipv4LinkMtu) {
      if (out.room() < total) return D.outputFull;
      const b = out.bytes;
      const o = out.used;
      const pp = o + IPV4_HEADER_LEN;
      copyBytes(buf, upOff, b, pp, upLen);
      writeIpv4Header(b, o, tos, total, ident, (df ? IPV4_FLAG_DF : 0) | (more ? IPV4_FLAG_MF : 0) | (fragOff >>> 3), hop, proto, this.addr);
      if (typeCode >= 0) {
        b[pp] = typeCode >>> 8;
        b[pp + 1] = typeCode & 0xff;
      }
      if (ckRel >= 0) {
        b[pp + ckRel] = ck >>> 8;
        b[pp + ckRel + 1] = ck & 0xff;
      }
      out.push(total, XlatOutputKind.Translated);
      return 0;
    }
    if (df) {
      // RFC 7915 §1.4: the translator "MUST send a Packet Too Big error message or fragment the
      // packet when the packet size exceeds the MTU of the next-hop interface". The MTU is the
      // IPv4 link's in IPv6 terms, never below the IPv6 minimum (RFC 8200 §5).
      let mtu = this.ipv4LinkMtu + (IPV6_HEADER_LEN - IPV4_HEADER_LEN);
      if (mtu < IPV6_MIN_MTU) mtu = IPV6_MIN_MTU;
      return this.reject(buf, off, pktLen, out, Icmpv6Type.PacketTooBig, 0, mtu, D.packetTooBig);
    }
    const maxData = (this.ipv4LinkMtu - IPV4_HEADER_LEN) & ~7;
    const pieces = ((upLen + maxData - 1) / maxData) | 0;
    if (out.freeSlots() < pieces || out.bytes.length - out.used < pieces * IPV4_HEADER_LEN + upLen) return D.outputFull;
    const b = out.bytes;
    let done = 0;
    for (let k = 0; k < pieces; k++) {
      const last = k === pieces - 1;
      const n = last ? upLen - done : maxData;
      const o = out.used;
      const pp = o + IPV4_HEADER_LEN;
      copyBytes(buf, upOff + done, b, pp, n);
      const flags = (last && !more ? 0 : IPV4_FLAG_MF) | ((fragOff + done) >>> 3);
      writeIpv4Header(b, o, tos, IPV4_HEADER_LEN + n, ident, flags, hop, proto, this.addr);
      if (k === 0) {
        if (typeCode >= 0) {
          b[pp] = typeCode >>> 8;
          b[pp + 1] = typeCode & 0xff;
        }
        if (ckRel >= 0) {
          b[pp + ckRel] = ck >>> 8;
          b[pp + ckRel + 1] = ck & 0xff;
        }
      }
      out.push(IPV4_HEADER_LEN + n, XlatOutputKind.Translated);
      done += n;
    }
    return 0;
  }

  /**
   * A GSO super-segment of `out.gsoSize` payload bytes per segment, translated once into one
   * IPv4 packet that the egress cuts (the kernel behind a TUN device, or software segmentation
   * before a tunnel), each segment getting its own Total Length, Identification (the
   * super-segment's plus its index, as Linux numbers them) and checksums. RFC 7915 §5.1 holds
   * per wire packet, so one segment's size decides, not the whole's:
   * - DF by the 1260-byte rule; DF-clear segments take consecutive Identifications from the
   *   generator, one each, so they stay unique toward the destination (RFC 6864 §4.2);
   * - a segment over the IPv4 link MTU: TCP segments are cut smaller (the byte stream is the
   *   same, only packetised finer, as a TSO device does for any segment size); UDP segments are
   *   datagrams whose size cannot change, so a DF one is answered with Packet Too Big as it
   *   would be alone (§5.1, quoting the first segment). A DF-clear one (1260 bytes or less,
   *   on a link below that) would be fragmented; a super-segment cannot be, so it leaves whole
   *   with DF clear and the hop that needs fragments cuts them (Linux fragments GSO segments).
   * The transport checksum is partial in and out (virtio NEEDS_CSUM): the pseudo-header sum,
   * written anew for the IPv4 pseudo-header rather than adjusted.
   */
  private superSegment(
    buf: Uint8Array, off: number, upOff: number, upLen: number, proto: number, hop: number, tos: number, out: XlatOutput,
  ): number {
    const tcp = proto === IpProtocol.Tcp;
    const thl = tcp ? (buf[upOff + 12]! >>> 4) << 2 : 8;
    if (upLen < thl || thl < (tcp ? 20 : 8)) return D.transportTruncated;
    const total = IPV4_HEADER_LEN + upLen;
    let size = out.gsoSize;
    // One segment's IPv4 length (the whole, when the data is a segment or less).
    let seg = IPV4_HEADER_LEN + thl + size;
    if (seg > total) seg = total;
    if (seg > this.ipv4LinkMtu) {
      if (tcp && this.ipv4LinkMtu - IPV4_HEADER_LEN - thl > 0) {
        size = this.ipv4LinkMtu - IPV4_HEADER_LEN - thl;
        seg = this.ipv4LinkMtu;
      } else if (seg > DF_THRESHOLD) {
        let mtu = this.ipv4LinkMtu + (IPV6_HEADER_LEN - IPV4_HEADER_LEN);
        if (mtu < IPV6_MIN_MTU) mtu = IPV6_MIN_MTU;
        const l4First = thl + out.gsoSize < upLen ? thl + out.gsoSize : upLen;
        const first = out.count;
        const drop = this.reject(buf, off, upOff - off + l4First, out, Icmpv6Type.PacketTooBig, 0, mtu, D.packetTooBig);
        if (out.count > first) quoteFirstSegment6(out, first, upOff - off, l4First, !tcp);
        return drop;
      }
    }
    const data = upLen - thl;
    const segments = data <= size ? 1 : ((data + size - 1) / size) | 0;
    let ident = 0;
    let df = true;
    if (seg <= DF_THRESHOLD) {
      const a = this.addr;
      const dst = (a[4]! << 24) | (a[5]! << 16) | (a[6]! << 8) | a[7]!;
      ident = this.ident.next(dst);
      for (let k = 1; k < segments; k++) this.ident.next(dst);
      df = false;
    }
    if (out.room() < total) return D.outputFull;
    const b = out.bytes;
    const o = out.used;
    const pp = o + IPV4_HEADER_LEN;
    copyBytes(buf, upOff, b, pp, upLen);
    writeIpv4Header(b, o, tos, total, ident, df ? IPV4_FLAG_DF : 0, hop, proto, this.addr);
    const ck = foldSum(sum4(b, o + 12) + proto + upLen);
    const at = pp + (tcp ? 16 : 6);
    b[at] = ck >>> 8;
    b[at + 1] = ck & 0xff;
    out.push(total, XlatOutputKind.Translated);
    out.gsoSizes[out.count - 1] = size;
    return 0;
  }

  /**
   * RFC 7915 §5.2/§5.3: an ICMPv6 error. Type, code and the rest of the header are mapped; the
   * quoted IPv6 packet loses its extension headers and is translated one level (addresses by
   * their roles in it, hop limit kept, a Fragment header becoming the IPv4 fragment fields,
   * transport checksum adjusted where the quote holds it); RFC 4884 extensions are carried with
   * the length in 32-bit words; the result is cut to 576 bytes (RFC 1812 §4.3.2.3), or to a smaller IPv4 link's MTU.
   */
  private icmpError(
    buf: Uint8Array, off: number, icmpOff: number, icmpLen: number, hop: number, tos: number, icmpMap: number, out: XlatOutput,
  ): number {
    // Verified before the checksum is recomputed, so corruption is not laundered.
    if (foldSum(sumWords(buf, icmpOff, icmpLen, sum6(buf, off + 8) + IpProtocol.Icmpv6 + icmpLen)) !== 0xffff) return D.icmpBadChecksum;
    const type = buf[icmpOff]!;
    const newType = icmpMap >>> 8;
    const newCode = icmpMap & 0xff;

    // RFC 4884 §4: Destination Unreachable and Time Exceeded may give the original datagram's
    // length in 64-bit words (octet 4). A length past the message is ignored.
    const dataOff = icmpOff + ICMP_HDR;
    const dataLen = icmpLen - ICMP_HDR;
    let origLen = dataLen;
    let extLen = 0;
    const lengthWords = buf[icmpOff + 4]!;
    if (lengthWords !== 0 && (type === Icmpv6Type.DestUnreachable || type === Icmpv6Type.TimeExceeded) && lengthWords * 8 <= dataLen) {
      origLen = lengthWords * 8;
      extLen = dataLen - origLen;
    }

    // The quoted IPv6 packet and its extension headers, within what the quote holds.
    const q = dataOff;
    if (origLen < IPV6_HEADER_LEN || buf[q]! >>> 4 !== 6) return D.icmpInnerBad;
    const qPayLenField = (buf[q + 4]! << 8) | buf[q + 5]!;
    const qEnd = q + (origLen < IPV6_HEADER_LEN + qPayLenField ? origLen : IPV6_HEADER_LEN + qPayLenField);
    let qNh = buf[q + 6]!;
    let p = q + IPV6_HEADER_LEN;
    let qFragP = -1;
    for (let n = 0; ; n++) {
      if (n > IPV6_MAX_EXTENSION_HEADERS) return D.icmpInnerBad;
      if (qNh === IpProtocol.HopByHop || qNh === IpProtocol.Ipv6Route || qNh === IpProtocol.Ipv6Opts) {
        if (qFragP >= 0 || p + 8 > qEnd) return D.icmpInnerBad;
        const hl = (buf[p + 1]! + 1) << 3;
        if (p + hl > qEnd) return D.icmpInnerBad;
        qNh = buf[p]!;
        p += hl;
      } else if (qNh === IpProtocol.Ipv6Frag) {
        if (qFragP >= 0 || p + IPV6_FRAG_HEADER_LEN > qEnd) return D.icmpInnerBad;
        qFragP = p;
        qNh = buf[p]!;
        p += IPV6_FRAG_HEADER_LEN;
      } else {
        break;
      }
    }
    if (qNh === IpProtocol.Icmp || qNh === IpProtocol.Mobility || qNh === IpProtocol.Hip || qNh === IpProtocol.Shim6) return D.icmpInnerBad;
    const qUp = p;
    const qUpLen = qPayLenField - (qUp - q - IPV6_HEADER_LEN);
    if (qUpLen < 0) return D.icmpInnerBad;
    const qAvail = qEnd - qUp;
    let qFragOff = 0;
    let qMore = false;
    if (qFragP >= 0) {
      const fo = (buf[qFragP + 2]! << 8) | buf[qFragP + 3]!;
      qFragOff = fo & IPV6_FRAG_OFFSET_MASK;
      qMore = (fo & IPV6_FRAG_FLAG_M) !== 0;
    }
    if (qNh === IpProtocol.Icmpv6 && qFragOff === 0) {
      // One level only (RFC 7915 §5.3), and no error about an error (RFC 4443 §2.4 (e.1)).
      if (qAvail < 1) return D.icmpInnerBad;
      const qType = buf[qUp]!;
      if (qType < 128) return D.icmpErrorAboutIcmpError;
      if (qType !== Icmpv6Type.EchoRequest && qType !== Icmpv6Type.EchoReply) return D.icmpUntranslatableType;
    }
    const inner = this.inner;
    const ctx = this.ctx;
    if (ctx !== null) ctx.context = MAP_CTX_ICMP_ERROR | MAP_CTX_INNER;
    const innerOk = this.mapper.source6to4(buf, q + 8, inner, 0) && this.mapper.destination6to4(buf, q + 24, inner, 4);
    if (!innerOk) return D.icmpInnerUntranslatable;

    // The 32-bit rest of the ICMPv4 header (RFC 792, RFC 1191).
    let rest = 0;
    const restIn = ((buf[icmpOff + 4]! << 24) | (buf[icmpOff + 5]! << 16) | (buf[icmpOff + 6]! << 8) | buf[icmpOff + 7]!) >>> 0;
    if (type === Icmpv6Type.PacketTooBig) {
      // RFC 7915 §5.2: "minimum(advertised MTU-20, MTU_of_IPv4_nexthop, (MTU_of_IPv6_nexthop)-20)".
      rest = mtuForFragmentationNeeded(restIn, this.ipv4LinkMtu, this.ipv6LinkMtu);
    } else if (newType === Icmpv4Type.ParameterProblem) {
      const ptr = mapParamProblemPointer6to4(restIn);
      if (ptr === ICMP_MAP_DROP) return D.icmpUntranslatablePointer;
      rest = ptr << 24;
    }

    // Layout: IPv4 | ICMPv4 | quoted IPv4 | quoted upper layer | [pad | extension].
    const origOut = IPV4_HEADER_LEN + qAvail;
    let padded = origOut;
    let useExt = false;
    if (extLen > 0) {
      // RFC 4884 §4.1/§5.1: a multiple of 4 bytes, at least 128; an extension that no longer
      // fits is left out whole (RFC 7915 §5.2 only adjusts its length; a cut one is unreadable).
      padded = (origOut + 3) & ~3;
      if (padded < RFC4884_MIN_ORIGINAL) padded = RFC4884_MIN_ORIGINAL;
      useExt = IPV4_HEADER_LEN + ICMP_HDR + padded + extLen <= this.icmpErrorMax;
    }
    let msgLen: number;
    if (useExt) {
      msgLen = ICMP_HDR + padded + extLen;
      rest |= (padded >>> 2) << 16;
    } else {
      msgLen = ICMP_HDR + origOut;
      if (IPV4_HEADER_LEN + msgLen > this.icmpErrorMax) msgLen = this.icmpErrorMax - IPV4_HEADER_LEN;
    }
    const total = IPV4_HEADER_LEN + msgLen;
    if (out.room() < total) return D.outputFull;

    const b = out.bytes;
    const o = out.used;
    const m = o + IPV4_HEADER_LEN;
    const qo = m + ICMP_HDR;
    const qp = qo + IPV4_HEADER_LEN;
    const copied = (useExt ? origOut : msgLen - ICMP_HDR) - IPV4_HEADER_LEN;
    copyBytes(buf, qUp, b, qp, copied);
    if (useExt) {
      b.fill(0, qo + origOut, qo + padded);
      copyBytes(buf, dataOff + origLen, b, qo + padded, extLen);
    }

    // The quoted header as this translator would have made it (§5.3), hop limit kept; without
    // a Fragment header its Identification is unknowable and left zero.
    const qTos = this.resetTc ? 0 : ((buf[q]! & 0x0f) << 4) | (buf[q + 1]! >>> 4);
    const qTotal = IPV4_HEADER_LEN + qUpLen;
    const qProto = qNh === IpProtocol.Icmpv6 ? IpProtocol.Icmp : qNh;
    let qIdent = 0;
    let qFlags = qTotal > DF_THRESHOLD ? IPV4_FLAG_DF : 0;
    if (qFragP >= 0) {
      qIdent = (buf[qFragP + 6]! << 8) | buf[qFragP + 7]!;
      qFlags = (qMore ? IPV4_FLAG_MF : 0) | (qFragOff >>> 3);
    }
    writeIpv4Header(b, qo, qTos, qTotal & 0xffff, qIdent, qFlags, buf[q + 7]!, qProto, inner);
    if (qFragOff === 0) this.quotedTransport(buf, q, qNh, qUpLen, copied, b, qp);

    // RFC 7915 §5.3 leaves the outer packet's ID to §5.1: at most 576 bytes, so DF is clear and
    // the ID comes from the generator.
    const a = this.addr;
    const ident = this.ident.next((a[4]! << 24) | (a[5]! << 16) | (a[6]! << 8) | a[7]!);
    writeIpv4Header(b, o, tos, total, ident, 0, hop, IpProtocol.Icmp, a);
    writeIcmpHeader(b, m, newType, newCode, rest);
    const ck = finishChecksum(sumWords(b, m, msgLen, 0));
    b[m + 2] = ck >>> 8;
    b[m + 3] = ck & 0xff;
    out.push(total, XlatOutputKind.Translated);
    return 0;
  }

  /** The quoted transport header, already copied to `b[qp…]` (`avail` bytes): checksums follow
   * the quoted addresses, an echo gets its ICMPv4 type and loses the pseudo-header. */
  private quotedTransport(buf: Uint8Array, q: number, nh: number, upLen: number, avail: number, b: Uint8Array, qp: number): void {
    if (nh === IpProtocol.Tcp || nh === IpProtocol.Udp) {
      adjustQuotedTransportChecksum(b, qp, nh, avail, sum6(buf, q + 8), sum4(this.inner, 0));
    } else if (nh === IpProtocol.Icmpv6 && avail >= 4) {
      const oldWord = (b[qp]! << 8) | b[qp + 1]!;
      const newType = b[qp] === Icmpv6Type.EchoRequest ? Icmpv4Type.EchoRequest : Icmpv4Type.EchoReply;
      const newWord = (newType << 8) | b[qp + 1]!;
      const pseudo = sum6(buf, q + 8) + IpProtocol.Icmpv6 + (upLen >>> 16) + (upLen & 0xffff);
      const ck = adjustAddresses((b[qp + 2]! << 8) | b[qp + 3]!, oldWord + pseudo, newWord);
      b[qp] = newType;
      b[qp + 2] = ck >>> 8;
      b[qp + 3] = ck & 0xff;
    }
  }

  /**
   * Drops with `drop`, first sending the ICMPv6 error back to the sender when configured (an
   * error source exists) and allowed (RFC 7915 §5.4; RFC 4443 §2.4 (e) via
   * `mayGenerateIcmpv6Error`).
   */
  private reject(buf: Uint8Array, off: number, pktLen: number, out: XlatOutput, type: number, code: number, rest: number, drop: number): number {
    const src = this.errorSource;
    if (this.sendErrors && src !== null && mayGenerateIcmpv6Error(buf, off, pktLen)) {
      const n = buildIcmpv6Error(out.bytes, out.used, out.room(), src, 0, buf, off + 8, type, code, rest, buf, off, pktLen);
      if (n > 0) out.push(n, XlatOutputKind.IcmpError);
    }
    return drop;
  }
}

/**
 * Makes the quote of the ICMPv6 error `i` of `out` (built from the start of a super-segment)
 * describe the first segment alone, the packet that did not fit: IPv6 Payload Length and (for
 * `udp`) UDP Length of one segment (`l4Len` transport bytes behind `l4Rel` bytes of IPv6
 * headers), the ICMPv6 checksum adjusted for both (RFC 1624).
 */
function quoteFirstSegment6(out: XlatOutput, i: number, l4Rel: number, l4Len: number, udp: boolean): void {
  const b = out.bytes;
  const e = out.offsets[i]!;
  const end = e + out.lengths[i]!;
  const q = e + IPV6_HEADER_LEN + ICMP_HDR;
  const ckAt = e + IPV6_HEADER_LEN + 2;
  let ck = (b[ckAt]! << 8) | b[ckAt + 1]!;
  const payAt = q + 4;
  if (payAt + 2 <= end) ck = setWord(b, payAt, l4Rel - IPV6_HEADER_LEN + l4Len, ck);
  const udpLenAt = q + l4Rel + 4;
  if (udp && udpLenAt + 2 <= end) ck = setWord(b, udpLenAt, l4Len, ck);
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

/** Unspecified (::), loopback (::1) or multicast (ff00::/8). */
function illegal6(b: Uint8Array, o: number): boolean {
  const first = b[o]!;
  if (first === 0xff) return true;
  if (first !== 0) return false;
  for (let i = 1; i < 15; i++) if (b[o + i] !== 0) return false;
  return b[o + 15]! <= 1;
}

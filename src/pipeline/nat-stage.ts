import { NaptDrop } from '../state/napt-drop.js';
import { adjustChecksum16 } from '../wire/checksum.js';
import { composeDropReasons } from '../wire/drop-reasons.js';
import { Icmpv4TimeExceededCode, Icmpv4Type } from '../wire/icmpv4.js';
import { Icmpv6Type, Icmpv6UnreachCode } from '../wire/icmpv6.js';
import { LPM_NONE } from '../addr/lpm-table.js';
import { readI32 } from '../wire/byte-order.js';
import { IPV4_OFF_CHECKSUM, IPV4_OFF_DST, IPV4_OFF_SRC, IPV4_OFF_TTL } from '../wire/ipv4.js';
import { IPV6_OFF_HOP_LIMIT, IPV6_OFF_SRC } from '../wire/ipv6.js';
import { copyBytes } from '../xlat/byte-copy.js';
import { FlowDrop } from '../xlat/flow-drop.js';
import { extractFlowTuple, FlowTuple } from '../xlat/flow-tuple.js';
import { buildIcmpv4Error, buildIcmpv6Error, mayGenerateIcmpv4Error, mayGenerateIcmpv6Error } from '../xlat/icmp-error-builder.js';
import { rewriteDestination, rewriteSource } from '../xlat/napt-rewrite.js';
import { XlatDrop } from '../xlat/xlat-drop.js';
import { XlatOutputKind, type XlatOutput } from '../xlat/xlat-output.js';
import { NatAction, NAT_ACTION_NAMES } from './nat-action.js';
import type { PacketContext } from './packet-context.js';
import { StagePhase, type Stage } from './stage.js';
import type { TenantDatapath } from './tenant-datapath.js';
import { Verdict } from './verdict.js';

const reasons = composeDropReasons({
  noPrefix: 'NAT64: IPv6 destination (or quoted source) is not under the tenant\'s RFC 6052 prefix',
  icmpErrorNoSession: 'ICMP error whose quoted packet matches no session: never creates state (RFC 5508 REQ-4, RFC 6146 §3.5.4)',
  ttlExpired: 'NAT44: TTL ran out at this hop (RFC 1812 §5.3.1); Time Exceeded sent',
  wrongFamily: 'NAT44 session for an IPv6 packet or NAT64 session for an IPv4 one (hairpin across families)',
  hairpinIcmpQuery: 'ICMP query from the inside to a pool address: under NAPT the identifier names no other inside host, so queries are not hairpinned (RFC 5508 REQ-7 asks it of Basic NAT only)',
  hairpinFragmented: 'hairpinned packet whose outbound half left as several IPv4 fragments: hairpinning does not reassemble',
}, { nat: NaptDrop, xlat: XlatDrop, flow: FlowDrop });
export const NatDrop = reasons.table;
const D = reasons.own.code;
const NAT = reasons.offsets['nat']!;
const XLAT = reasons.offsets['xlat']!;
const FLOW = reasons.offsets['flow']!;

/** ICMP protocol key of the session tables: both ICMPv4 and ICMPv6 queries (RFC 6146 §3.5.3). */
const ICMP_QUERY = 1;

// IPv4 addresses cross calls as int32 (`| 0`): a number of 2^31 or more is a heap number in V8,
// and passing one to a call that is not inlined allocates on every packet.

/**
 * The translate stage: stateless SIIT, or NAT64 and NAT44 through the tenant's session table. The
 * slow path looks the session up (creating it for an outbound first packet: the table applies
 * RFC 4787/5382/5508/6146 mapping, filtering and the TCP state machine); `applyOutbound` /
 * `applyInbound` then do the rewrite, and are what the flow cache calls on a hit with the
 * session it remembered.
 *
 * NAT64: the translator (RFC 7915) writes the headers with `Nat64AddressMapper` bound to the
 * session (X' ⇄ T, everything else through the RFC 6052 prefix); the port or ICMP identifier
 * is rewritten afterwards in each translated packet that carries the transport header (RFC
 * 6146 §3.7). NAT44: the packet is rewritten in place (RFC 3022 §4.2) with its TTL decremented
 * and copied out. ICMP errors find their session through the quoted packet and never create
 * one; their quoted endpoint is rewritten with the outer one (RFC 5508 §4.2, REQ-3).
 *
 * Hairpinning (RFC 4787 REQ-9, RFC 5382 REQ-8, RFC 5508 REQ-7, RFC 6146 §3.8): an inside packet
 * whose outbound half comes out addressed to a pool address is taken as inbound from the
 * sender's mapping and goes back inside; see `hairpin`.
 */
export class NatStage implements Stage {
  readonly name = 'translate';
  readonly phase = StagePhase.Ingress;
  readonly reasons = NatDrop;
  private readonly inside = new Uint32Array(4);
  private readonly addr = new Uint32Array(4);
  private readonly outTuple = new FlowTuple();
  private readonly v4Scratch = new Uint8Array(4);

  constructor(readonly tenants: readonly TenantDatapath[]) {}

  process(pkt: PacketContext): Verdict {
    const t = this.tenants[pkt.tenant]!;
    const napt = t.napt;
    if (napt === null) return this.siit(pkt, t);
    const tu = pkt.tuple;
    // A packet that dies at this hop is answered as a router answers it, before the table sees
    // it: it must not create or refresh a mapping it never uses (a traceroute through the
    // gateway would otherwise leave a session per probe).
    if (!tu.icmpError && this.runsOut(pkt, t)) return this.expired(pkt, t);
    const proto = tu.proto === 58 ? ICMP_QUERY : tu.proto;
    let id: number;
    if (!pkt.fromOutside) {
      let remote: number;
      if (pkt.ipVersion === 6) {
        // Z is embedded in Y': the outer destination, or the quoted source of an error.
        const at = tu.icmpError ? tu.innerL3Off + IPV6_OFF_SRC : pkt.l3Off + 24;
        if (!t.pool6!.contains(pkt.buf, at)) return pkt.drop(D.noPrefix);
        remote = t.pool6!.extractIpv4Bits(pkt.buf, at);
      } else remote = (tu.icmpError ? tu.src[3]! : tu.dst[3]!) | 0;
      if (tu.icmpError) {
        // The quoted packet came in from the outside: its destination is the inside host.
        id = napt.findOutbound(t.id, proto, tu.dst, tu.dstPort, remote, tu.srcPort);
        if (id < 0) return pkt.drop(D.icmpErrorNoSession);
      } else {
        // Refused before it makes a mapping it could never use.
        if (proto === ICMP_QUERY && isPoolAddress(t, remote)) return pkt.drop(D.hairpinIcmpQuery);
        id = napt.outbound(t.id, proto, tu.src, tu.srcPort, remote, tu.dstPort, tu.tcpFlags);
        if (id < 0) return this.refusedOutbound(pkt, napt.lastDrop);
      }
      pkt.session = id;
      pkt.sessionEntry = napt.entryNumber(id);
      const first = pkt.packets.count;
      const verdict = this.applyOutbound(pkt, t, id);
      // Only the slow path hairpins: a hairpinned flow is never cached, so a cache hit is never
      // one and pays no pool lookup.
      if (verdict !== Verdict.Continue || !leavesToPool(pkt.packets, first, t)) return verdict;
      return this.hairpin(pkt, t, first);
    }
    if (tu.icmpError) {
      // The quoted packet is one the gateway sent out: its source is the pool endpoint.
      id = napt.findInbound(t.id, proto, tu.src[3]! | 0, tu.srcPort, tu.dst[3]! | 0, tu.dstPort);
      if (id < 0) return pkt.drop(D.icmpErrorNoSession);
    } else {
      id = napt.inbound(t.id, proto, tu.dst[3]! | 0, tu.dstPort, tu.src[3]! | 0, tu.srcPort, tu.tcpFlags, pkt.buf, pkt.l3Off, pkt.l3Len);
      if (id < 0) return pkt.drop(NAT + napt.lastDrop);
    }
    pkt.session = id;
    pkt.sessionEntry = napt.entryNumber(id);
    return this.applyInbound(pkt, t, id);
  }

  /** Inside → outside through session `id` (IPv6: NAT64; IPv4: NAT44). */
  applyOutbound(pkt: PacketContext, t: TenantDatapath, id: number): Verdict {
    const napt = t.napt!;
    napt.insideAddr(id, this.inside);
    const out = pkt.packets;
    const first = out.count;
    if (pkt.ipVersion === 6) {
      if (isMappedIpv4(this.inside)) return pkt.drop(D.wrongFamily);
      t.nat64Mapper!.bind(this.inside, napt.outsideAddrBits(id));
      const code = t.translator!.translate6to4(pkt.buf, pkt.l3Off, pkt.l3Len, out);
      if (code !== 0) return pkt.drop(XLAT + code);
      pkt.natAction = NatAction.Nat64Out;
      return this.rewritePorts(pkt, out, first, false, napt.outsidePort(id));
    }
    if (!isMappedIpv4(this.inside)) return pkt.drop(D.wrongFamily);
    if (!this.decrementTtl(pkt, t)) return pkt.drop(D.ttlExpired);
    this.addr[3] = napt.outsideAddrBits(id);
    const code = rewriteSource(pkt.buf, pkt.l3Off, pkt.l3Len, pkt.tuple, this.addr, napt.outsidePort(id));
    if (code !== 0) return pkt.drop(FLOW + code);
    pkt.natAction = NatAction.Nat44Out;
    return copyOut(pkt, out);
  }

  /** Outside → inside through session `id`. */
  applyInbound(pkt: PacketContext, t: TenantDatapath, id: number): Verdict {
    const napt = t.napt!;
    napt.insideAddr(id, this.inside);
    const out = pkt.packets;
    if (isMappedIpv4(this.inside)) {
      if (!this.decrementTtl(pkt, t)) return pkt.drop(D.ttlExpired);
      const code = rewriteDestination(pkt.buf, pkt.l3Off, pkt.l3Len, pkt.tuple, this.inside, napt.insidePort(id));
      if (code !== 0) return pkt.drop(FLOW + code);
      pkt.natAction = NatAction.Nat44In;
      return copyOut(pkt, out);
    }
    if (t.translator === null) return pkt.drop(D.wrongFamily);
    const first = out.count;
    t.nat64Mapper!.bind(this.inside, napt.outsideAddrBits(id));
    const code = t.translator.translate4to6(pkt.buf, pkt.l3Off, pkt.l3Len, out);
    if (code !== 0) return pkt.drop(XLAT + code);
    pkt.natAction = NatAction.Nat64In;
    return this.rewritePorts(pkt, out, first, true, napt.insidePort(id));
  }

  /**
   * Hairpinning (RFC 4787 REQ-9, RFC 5382 REQ-8, RFC 6146 §3.8): the outbound half left packet
   * `first` of the output, an IPv4 packet from the sender's mapping T1:t1 to a pool transport
   * address T2:t2. It is now an inbound packet from T1:t1: through T2:t2's session (found, or
   * created as the filtering allows) it goes back inside, to X2:x2 with source T1:t1 (NAT44,
   * rewritten in place; REQ-9a "external source IP address and port") or from Y' = prefix + T1
   * (NAT64, translated again by the translator with the mapper in hairpin mode). An ICMP error
   * about a hairpinned packet takes the same way and reaches the host the quoted packet came
   * from (RFC 5508 REQ-7/REQ-7a). The trip is one hop: TTL minus one in all.
   *
   * The outcome is recorded as the inbound half's action from the inside (see `isHairpinned`):
   * the flow cache does not record it (an entry holds one session) and the firewall does not
   * judge it (it never reaches the IPv4 outside).
   */
  private hairpin(pkt: PacketContext, t: TenantDatapath, first: number): Verdict {
    const out = pkt.packets;
    if (out.count !== first + 1) {
      truncateOutput(out, first);
      return pkt.drop(D.hairpinFragmented);
    }
    const napt = t.napt!;
    const b = out.bytes;
    const off = out.offsets[first]!;
    const len = out.lengths[first]!;
    const tu = this.outTuple;
    const code = extractFlowTuple(b, off, len, tu);
    let id = -1;
    if (code === 0) {
      id = tu.icmpError
        ? napt.findInbound(t.id, tu.proto, tu.src[3]! | 0, tu.srcPort, tu.dst[3]! | 0, tu.dstPort)
        : napt.inbound(t.id, tu.proto, tu.dst[3]! | 0, tu.dstPort, tu.src[3]! | 0, tu.srcPort, tu.tcpFlags, b, off, len);
    }
    if (id < 0) {
      truncateOutput(out, first);
      if (code !== 0) return pkt.drop(FLOW + code);
      return pkt.drop(tu.icmpError ? D.icmpErrorNoSession : NAT + napt.lastDrop);
    }
    napt.insideAddr(id, this.inside);
    if (isMappedIpv4(this.inside)) {
      const rc = rewriteDestination(b, off, len, tu, this.inside, napt.insidePort(id));
      if (rc !== 0) {
        truncateOutput(out, first);
        return pkt.drop(FLOW + rc);
      }
      pkt.natAction = NatAction.Nat44In;
      return Verdict.Continue;
    }
    const tr = t.translator;
    if (tr === null) {
      truncateOutput(out, first);
      return pkt.drop(D.wrongFamily);
    }
    // The outbound half already took the hop off; the translator would take a second.
    if (tr.config.decrementTtl) {
      const ttl = b[off + IPV4_OFF_TTL]!;
      const word = (ttl << 8) | b[off + IPV4_OFF_TTL + 1]!;
      const ck = adjustChecksum16((b[off + IPV4_OFF_CHECKSUM]! << 8) | b[off + IPV4_OFF_CHECKSUM + 1]!, word, word + 0x100);
      b[off + IPV4_OFF_TTL] = ttl + 1;
      b[off + IPV4_OFF_CHECKSUM] = ck >>> 8;
      b[off + IPV4_OFF_CHECKSUM + 1] = ck & 0xff;
    }
    const mapper = t.nat64Mapper!;
    mapper.bind(this.inside, napt.outsideAddrBits(id));
    mapper.hairpin = true;
    const xc = tr.translate4to6(b, off, len, out);
    mapper.hairpin = false;
    // The IPv4 packet was only the way between the halves.
    removeOutput(out, first);
    if (xc !== 0) {
      truncateOutput(out, first);
      return pkt.drop(XLAT + xc);
    }
    pkt.natAction = NatAction.Nat64In;
    return this.rewritePorts(pkt, out, first, true, napt.insidePort(id));
  }

  private siit(pkt: PacketContext, t: TenantDatapath): Verdict {
    const tr = t.translator!;
    const code = pkt.ipVersion === 6
      ? tr.translate6to4(pkt.buf, pkt.l3Off, pkt.l3Len, pkt.packets)
      : tr.translate4to6(pkt.buf, pkt.l3Off, pkt.l3Len, pkt.packets);
    if (code !== 0) return pkt.drop(XLAT + code);
    pkt.natAction = NatAction.Siit;
    return Verdict.Continue;
  }

  /**
   * Sets the port (or identifier) in every packet the translator produced for the flow from
   * `first` on. Fragments after the first carry no transport header and are left alone; ICMP
   * errors the translator generated toward the sender quote the packet as the sender sent it
   * and are left alone too.
   */
  private rewritePorts(pkt: PacketContext, out: XlatOutput, first: number, destination: boolean, port: number): Verdict {
    const tu = this.outTuple;
    for (let i = first; i < out.count; i++) {
      if (out.kinds[i] !== XlatOutputKind.Translated) continue;
      const off = out.offsets[i]!;
      const len = out.lengths[i]!;
      const code = extractFlowTuple(out.bytes, off, len, tu);
      if (code === FlowDrop.code.fragmentNoPorts) continue;
      if (code !== 0) return pkt.drop(FLOW + code);
      const rc = destination ? rewriteDestination(out.bytes, off, len, tu, null, port) : rewriteSource(out.bytes, off, len, tu, null, port);
      if (rc !== 0) return pkt.drop(FLOW + rc);
    }
    return Verdict.Continue;
  }

  /**
   * True when the TTL (hop limit) of the packet runs out here: NAT44 forwards every IPv4 packet
   * as a router (a tenant with NAT44 decrements all of its IPv4), NAT64 decrements as its
   * translator is configured (RFC 7915 §4.1, §5.1).
   */
  runsOut(pkt: PacketContext, t: TenantDatapath): boolean {
    const b = pkt.buf;
    const o = pkt.l3Off;
    if (pkt.ipVersion === 6) return t.translator !== null && t.translator.config.decrementTtl && b[o + IPV6_OFF_HOP_LIMIT]! <= 1;
    if (b[o + IPV4_OFF_TTL]! > 1) return false;
    return t.nat44Inside !== null || (t.translator !== null && t.translator.config.decrementTtl);
  }

  /**
   * Drops a packet whose TTL runs out here, with the Time Exceeded it calls for. NAT64's
   * translator answers as configured (its error source, whether it sends errors at all); it
   * only needs some binding to map the addresses before it looks at the hop limit, and the
   * error it builds quotes the packet as it came.
   */
  private expired(pkt: PacketContext, t: TenantDatapath): Verdict {
    if (pkt.ipVersion === 4 && t.nat44Inside !== null) {
      this.decrementTtl(pkt, t);
      return pkt.drop(D.ttlExpired);
    }
    const out = pkt.packets;
    const first = out.count;
    t.nat64Mapper!.bind(pkt.tuple.src, 0);
    const code = pkt.ipVersion === 6
      ? t.translator!.translate6to4(pkt.buf, pkt.l3Off, pkt.l3Len, out)
      : t.translator!.translate4to6(pkt.buf, pkt.l3Off, pkt.l3Len, out);
    if (code !== 0) return pkt.drop(XLAT + code);
    // Not reached: the translator decrements and the hop limit is at most 1.
    truncateOutput(out, first);
    return pkt.drop(D.ttlExpired);
  }

  /**
   * NAT44 forwards as a router: TTL minus one, and at the last hop a Time Exceeded (RFC 1812
   * §5.3.1, §4.3.2.4) from the pool address toward the sender. False when the TTL ran out.
   */
  private decrementTtl(pkt: PacketContext, t: TenantDatapath): boolean {
    const b = pkt.buf;
    const o = pkt.l3Off;
    const ttl = b[o + IPV4_OFF_TTL]!;
    if (ttl <= 1) {
      if (mayGenerateIcmpv4Error(b, o, pkt.l3Len)) {
        const out = pkt.packets;
        const s = this.v4Scratch;
        s[0] = t.nat44ErrorSource >>> 24;
        s[1] = (t.nat44ErrorSource >>> 16) & 0xff;
        s[2] = (t.nat44ErrorSource >>> 8) & 0xff;
        s[3] = t.nat44ErrorSource & 0xff;
        const n = buildIcmpv4Error(out.bytes, out.used, out.room(), s, 0, b, o + IPV4_OFF_SRC,
          Icmpv4Type.TimeExceeded, Icmpv4TimeExceededCode.TtlExceeded, 0, b, o, pkt.l3Len);
        if (n > 0) out.push(n, XlatOutputKind.IcmpError);
      }
      return false;
    }
    const word = (ttl << 8) | b[o + IPV4_OFF_TTL + 1]!;
    const ck = adjustChecksum16((b[o + IPV4_OFF_CHECKSUM]! << 8) | b[o + IPV4_OFF_CHECKSUM + 1]!, word, word - 0x100);
    b[o + IPV4_OFF_TTL] = ttl - 1;
    b[o + IPV4_OFF_CHECKSUM] = ck >>> 8;
    b[o + IPV4_OFF_CHECKSUM + 1] = ck & 0xff;
    return true;
  }

  /**
   * An outbound first packet the table refused. When no IPv4 transport address could be
   * allocated or no BIB entry created (RFC 6146 §3.5.1.1, §3.5.2.1, §3.5.3), an IPv6 sender is
   * answered with Destination Unreachable, Address Unreachable, from the sender's own
   * destination, the only IPv6 address of the path the gateway can speak for. The host's paired
   * address running dry (RFC 4787 REQ-2) is such a case: pairing is how the address is chosen.
   */
  private refusedOutbound(pkt: PacketContext, code: number): Verdict {
    if (pkt.ipVersion === 6 && noMappingPossible(code)) {
      const b = pkt.buf;
      const o = pkt.l3Off;
      if (mayGenerateIcmpv6Error(b, o, pkt.l3Len)) {
        const out = pkt.packets;
        const n = buildIcmpv6Error(out.bytes, out.used, out.room(), b, o + 24, b, o + IPV6_OFF_SRC,
          Icmpv6Type.DestUnreachable, Icmpv6UnreachCode.Address, 0, b, o, pkt.l3Len);
        if (n > 0) out.push(n, XlatOutputKind.IcmpError);
      }
    }
    return pkt.drop(NAT + code);
  }

  describe(pkt: PacketContext, verdict: Verdict): string {
    const t = this.tenants[pkt.tenant]!;
    const out = pkt.packets;
    let translated = 0;
    let errors = 0;
    for (let i = 0; i < out.count; i++) {
      if (out.kinds[i] === XlatOutputKind.IcmpError) errors++;
      else translated++;
    }
    const parts: string[] = [];
    if (t.napt === null || pkt.ipVersion !== (pkt.fromOutside ? 4 : 6) || t.translator !== null) {
      // Translation between families, or NAT44 within IPv4; a hairpin ends where its inbound
      // half delivers.
      const a = pkt.natAction;
      const to = isHairpinned(pkt) ? (a === NatAction.Nat44In ? 4 : 6)
        : a === NatAction.Nat44In || a === NatAction.Nat44Out ? pkt.ipVersion : pkt.ipVersion === 6 ? 4 : 6;
      parts.push('ipv' + pkt.ipVersion + ' to ipv' + to);
    }
    if (t.napt !== null && pkt.natAction !== NatAction.None) parts.push(NAT_ACTION_NAMES[pkt.natAction]!);
    if (isHairpinned(pkt)) parts.push('hairpinned');
    if (pkt.session >= 0 && t.napt !== null) parts.push('session ' + pkt.sessionEntry);
    if (translated) parts.push(translated + ' translated');
    if (errors) parts.push(errors + ' icmp-error toward the sender');
    if (verdict !== Verdict.Continue && pkt.session < 0 && t.napt !== null) parts.push('no session');
    return parts.join(', ');
  }
}

/**
 * True when the NAT stage hairpinned the packet: an inside packet whose recorded action is the
 * inbound one of the session that delivered it back inside (RFC 4787 REQ-9, RFC 6146 §3.8).
 */
export function isHairpinned(pkt: PacketContext): boolean {
  return !pkt.fromOutside && (pkt.natAction === NatAction.Nat44In || pkt.natAction === NatAction.Nat64In);
}

/** `addr` (IPv4, u32 or its int32 pattern) is one of the tenant's pool addresses. */
function isPoolAddress(t: TenantDatapath, addr: number): boolean {
  return t.pool4 !== null && t.pool4.lookupIpv4(addr | 0) !== LPM_NONE;
}

/** The outbound half's packet `first` is IPv4 to a pool address: a hairpin. */
function leavesToPool(out: XlatOutput, first: number, t: TenantDatapath): boolean {
  if (t.pool4 === null || out.count <= first || out.kinds[first] !== XlatOutputKind.Translated) return false;
  const off = out.offsets[first]!;
  return out.bytes[off]! >>> 4 === 4 && isPoolAddress(t, readI32(out.bytes, off + IPV4_OFF_DST));
}

/** Removes packet `i` of `out`, moving the later ones down. */
function removeOutput(out: XlatOutput, i: number): void {
  const start = out.offsets[i]!;
  const len = out.lengths[i]!;
  out.bytes.copyWithin(start, start + len, out.used);
  for (let k = i + 1; k < out.count; k++) {
    out.offsets[k - 1] = out.offsets[k]! - len;
    out.lengths[k - 1] = out.lengths[k]!;
    out.kinds[k - 1] = out.kinds[k]!;
  }
  out.count--;
  out.used -= len;
}

/** Table refusals of RFC 6146 §3.5.1.1: no IPv4 transport address or no room for a BIB entry. */
function noMappingPossible(code: number): boolean {
  const N = NaptDrop.code;
  return code === N.poolExhausted || code === N.pairedAddressExhausted || code === N.noPortBlocks || code === N.bibTableFull || code === N.hostTableFull;
}

function isMappedIpv4(w: Uint32Array): boolean {
  return w[0] === 0 && w[1] === 0 && w[2] === 0xffff;
}

/** Forgets the packets of `out` from index `first` on. */
function truncateOutput(out: XlatOutput, first: number): void {
  if (first >= out.count) return;
  out.used = out.offsets[first]!;
  out.count = first;
}

/** Appends the (rewritten) input IP packet to the output batch. */
function copyOut(pkt: PacketContext, out: XlatOutput): Verdict {
  const len = pkt.l3Len;
  if (out.room() < len) return pkt.drop(XLAT + XlatDrop.code.outputFull);
  copyBytes(pkt.buf, pkt.l3Off, out.bytes, out.used, len);
  out.push(len, XlatOutputKind.Translated);
  return Verdict.Continue;
}

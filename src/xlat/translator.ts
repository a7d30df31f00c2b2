import { DropCounters } from '../wire/drop-reasons.js';
import { IPV6_HEADER_LEN } from '../wire/ipv6.js';
import type { AddressMapper } from './address-mapper.js';
import { Translate4to6 } from './translate-4to6.js';
import { Translate6to4 } from './translate-6to4.js';
import { checkTranslatorConfig, type TranslatorConfig } from './translator-config.js';
import { XlatDrop, type XlatDropName } from './xlat-drop.js';
import type { XlatOutput } from './xlat-output.js';

/**
 * Stateless IP/ICMP translator (SIIT, RFC 7915): IPv4 ⇄ IPv6 headers, fragments, ICMP with the
 * quoted packet, and the ICMP errors a translator originates. Addresses come from the
 * `AddressMapper` (RFC 6052 + EAMT for SIIT; session-backed for NAT64).
 *
 * Each call translates one whole IP packet at `buf[off, off+len)` (bytes past the IP length,
 * such as Ethernet padding, are ignored) and appends its outputs to `out`; it returns 0 or the
 * `XlatDrop` code, which it also counts in `drops`. Nothing is allocated per packet and bad
 * input never throws. Not reentrant: one translator per worker. The configuration is read once,
 * at construction; build a new translator to change it.
 *
 * GSO: when the caller sets `out.gsoSize` (a TUN device handed over a TCP or UDP super-segment
 * of up to 64 KB standing for segments of that many payload bytes), the packet is translated
 * once, as one packet, and the MTU rules (DF, Packet Too Big, Fragmentation Needed, cutting to
 * the lowest IPv6 MTU) are applied to one segment rather than to the whole: TCP segments that
 * would not fit are cut smaller (`out.gsoSizes` of the output says by how much), UDP ones are
 * answered with the ICMP error one segment would get. Its partial transport checksum is
 * rewritten for the new pseudo-header. With `gsoSize` 0 nothing changes.
 */
export class Translator {
  readonly drops: DropCounters<XlatDropName>;
  private readonly to6: Translate4to6;
  private readonly to4: Translate6to4;

  /** @throws TranslatorConfigError when a field of `config` is out of range. */
  constructor(readonly config: TranslatorConfig, readonly mapper: AddressMapper) {
    checkTranslatorConfig(config);
    this.drops = new DropCounters(XlatDrop);
    // Where an input that overlaps the output area is copied first: the largest IP packet.
    const stage = new Uint8Array(IPV6_HEADER_LEN + 0xffff);
    this.to6 = new Translate4to6(config, mapper, stage);
    this.to4 = new Translate6to4(config, mapper, stage);
  }

  /** IPv6 → IPv4 (RFC 7915 §5). */
  translate6to4(buf: Uint8Array, off: number, len: number, out: XlatOutput): number {
    const code = this.to4.translate(buf, off, len, out);
    if (code !== 0) this.drops.counts[code]!++;
    return code;
  }

  /** IPv4 → IPv6 (RFC 7915 §4). */
  translate4to6(buf: Uint8Array, off: number, len: number, out: XlatOutput): number {
    const code = this.to6.translate(buf, off, len, out);
    if (code !== 0) this.drops.counts[code]!++;
    return code;
  }
}

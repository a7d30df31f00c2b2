import { DropCounters } from '../wire/drop-reasons.js';
import type { AddressMapper } from './address-mapper.js';
import type { TranslatorConfig } from './translator-config.js';
import { XlatDrop, type XlatDropName } from './xlat-drop.js';
import type { XlatOutput } from './xlat-output.js';

/**
 * Stateless IP/ICMP translator (RFC 7915). Body in progress: the signatures are final.
 */
export class Translator {
  readonly drops: DropCounters<XlatDropName>;

  constructor(readonly config: TranslatorConfig, readonly mapper: AddressMapper) {
    this.drops = new DropCounters(XlatDrop);
  }

  /** Translates the IPv6 packet at `buf[off, off+len)` to IPv4, appending to `out`. Returns 0 or
   * the `XlatDrop` code (also counted in `drops`). */
  translate6to4(buf: Uint8Array, off: number, len: number, out: XlatOutput): number {
    void buf; void off; void len; void out;
    return this.drop(XlatDrop.code.ipv6Truncated);
  }

  /** Translates the IPv4 packet at `buf[off, off+len)` to IPv6, appending to `out`. */
  translate4to6(buf: Uint8Array, off: number, len: number, out: XlatOutput): number {
    void buf; void off; void len; void out;
    return this.drop(XlatDrop.code.ipv4Truncated);
  }

  private drop(code: number): number {
    this.drops.add(code);
    return code;
  }
}

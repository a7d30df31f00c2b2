import { EMPTY_BYTES, readU16, writeU16 } from './byte-order.js';
import { WireDrop } from './wire-drop.js';

/**
 * Geneve (RFC 8926 §3.4), carried in UDP to port 6081.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Virtual Network Identifier (VNI)       |    Reserved   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Variable-Length Options                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Option (§3.5):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Option Class         |      Type     |R|R|R| Length  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Variable-Length Option Data                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Opt Len and option Length count 4-byte words; an option's Length excludes its 4-byte header.
 */
export const GENEVE_HEADER_LEN = 8;
export const GENEVE_OFF_VER_OPT_LEN = 0;
export const GENEVE_OFF_FLAGS = 1;
export const GENEVE_OFF_PROTOCOL = 2;
export const GENEVE_OFF_VNI = 4;
export const GENEVE_VERSION = 0;
/** O: control (OAM) packet; C: critical options present (RFC 8926 §3.4). */
export const GENEVE_FLAG_OAM = 0x80;
export const GENEVE_FLAG_CRITICAL = 0x40;
/** Opt Len is 6 bits of 4-byte words. */
export const GENEVE_OPTIONS_MAX_LEN = 63 * 4;
export const GENEVE_OPTION_HEADER_LEN = 4;
/** High bit of an option's Type: the receiver must understand it or drop the packet (§3.5). */
export const GENEVE_OPTION_CRITICAL = 0x80;
export const GENEVE_VNI_MAX = 0xffffff;
/** IANA-assigned UDP destination port (RFC 8926 §3.3). */
export const GENEVE_UDP_PORT = 6081;

/** Protocol Type values: EtherTypes (RFC 8926 §3.4). */
export const GeneveProtocol = {
  /** Transparent Ethernet Bridging: an Ethernet frame follows. */
  Ethernet: 0x6558,
  Ipv4: 0x0800,
  Ipv6: 0x86dd,
} as const;

/**
 * Walks Geneve options without allocating. Reused: `reset` then `next()` until it returns false;
 * after each true, `optClass`, `type`, `off` (absolute offset of the option header), `optLen`
 * (header and data), `dataOff` and `dataLen` describe the option. When `next()` returns false,
 * `error` is 0 at the end of the area, else `WireDrop.code.badOption` (an option past the end).
 */
export class GeneveOptionIter {
  buf: Uint8Array = EMPTY_BYTES;
  private pos = 0;
  private end = 0;
  optClass = 0;
  type = 0;
  off = 0;
  optLen = 0;
  dataOff = 0;
  dataLen = 0;
  error = 0;

  reset(buf: Uint8Array, off: number, len: number): this {
    this.buf = buf;
    this.pos = off;
    this.end = off + len;
    this.error = 0;
    return this;
  }

  next(): boolean {
    const p = this.pos, end = this.end, b = this.buf;
    if (p >= end) return false;
    if (p + GENEVE_OPTION_HEADER_LEN > end) return this.fail();
    const dataLen = (b[p + 3]! & 0x1f) << 2;
    const l = GENEVE_OPTION_HEADER_LEN + dataLen;
    if (p + l > end) return this.fail();
    this.optClass = readU16(b, p);
    this.type = b[p + 2]!;
    this.off = p;
    this.optLen = l;
    this.dataOff = p + GENEVE_OPTION_HEADER_LEN;
    this.dataLen = dataLen;
    this.pos = p + l;
    return true;
  }

  /** The current option must be understood by the receiver (RFC 8926 §3.5). */
  critical(): boolean {
    return (this.type & GENEVE_OPTION_CRITICAL) !== 0;
  }

  private fail(): boolean {
    this.error = WireDrop.code.badOption;
    this.pos = this.end;
    return false;
  }
}

/**
 * Zero-copy view of a Geneve header, its options and the payload after them, bound to a buffer
 * and reused. `off` is the absolute offset of the header in `buf`, `len` the UDP payload length.
 */
export class GenevePacket {
  buf: Uint8Array = EMPTY_BYTES;
  off = 0;
  len = 0;

  bind(buf: Uint8Array, off: number, len: number): this {
    this.buf = buf;
    this.off = off;
    this.len = len;
    return this;
  }

  /**
   * Validates version (RFC 8926 §3.4: an unknown version is dropped) and that the options fit.
   * Reserved bits are ignored on receipt. Once it returns 0 the header and options lie in the
   * bound length; option structure is checked by `parseGeneve`.
   */
  check(): number {
    if (this.len < GENEVE_HEADER_LEN) return WireDrop.code.truncated;
    if (this.version() !== GENEVE_VERSION) return WireDrop.code.badVersion;
    if (this.headerLen() > this.len) return WireDrop.code.badHeaderLength;
    return WireDrop.code.none;
  }

  version(): number {
    return this.buf[this.off + GENEVE_OFF_VER_OPT_LEN]! >>> 6;
  }

  /** Length of the options in bytes. */
  optionsLen(): number {
    return (this.buf[this.off + GENEVE_OFF_VER_OPT_LEN]! & 0x3f) << 2;
  }

  headerLen(): number {
    return GENEVE_HEADER_LEN + this.optionsLen();
  }

  oam(): boolean {
    return (this.buf[this.off + GENEVE_OFF_FLAGS]! & GENEVE_FLAG_OAM) !== 0;
  }

  critical(): boolean {
    return (this.buf[this.off + GENEVE_OFF_FLAGS]! & GENEVE_FLAG_CRITICAL) !== 0;
  }

  protocolType(): number {
    return readU16(this.buf, this.off + GENEVE_OFF_PROTOCOL);
  }

  vni(): number {
    const b = this.buf, p = this.off + GENEVE_OFF_VNI;
    return (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
  }

  optionsOff(): number {
    return this.off + GENEVE_HEADER_LEN;
  }

  payloadOff(): number {
    return this.off + this.headerLen();
  }

  payloadLen(): number {
    return this.len - this.headerLen();
  }

  /** Writes version 0 and the options length (`bytes`, a multiple of 4 up to 252). */
  setOptionsLen(bytes: number): void {
    this.buf[this.off + GENEVE_OFF_VER_OPT_LEN] = (GENEVE_VERSION << 6) | ((bytes >>> 2) & 0x3f);
  }

  /** Writes the O and C bits and zeroes the reserved bits beside them. */
  setFlags(oam: boolean, critical: boolean): void {
    this.buf[this.off + GENEVE_OFF_FLAGS] = (oam ? GENEVE_FLAG_OAM : 0) | (critical ? GENEVE_FLAG_CRITICAL : 0);
  }

  setProtocolType(v: number): void {
    writeU16(this.buf, this.off + GENEVE_OFF_PROTOCOL, v);
  }

  /** Writes the VNI and zeroes the reserved byte after it. */
  setVni(v: number): void {
    const b = this.buf, p = this.off + GENEVE_OFF_VNI;
    b[p] = v >>> 16; b[p + 1] = v >>> 8; b[p + 2] = v; b[p + 3] = 0;
  }
}

/**
 * A Geneve header as a value. Reused: parse overwrites every field. Options are kept raw, as on
 * the wire, in `options[0, optionsLen)` (walk them with `GeneveOptionIter`), so emit writes back
 * options of any class, the ones this product does not know included.
 */
export class GeneveRepr {
  oam = false;
  critical = false;
  protocolType: number = GeneveProtocol.Ethernet;
  vni = 0;
  readonly options = new Uint8Array(GENEVE_OPTIONS_MAX_LEN);
  optionsLen = 0;
  /** Length of what follows the options. */
  payloadLen = 0;
}

export function geneveReprHeaderLen(repr: GeneveRepr): number {
  return GENEVE_HEADER_LEN + repr.optionsLen;
}

/** Header, options and payload: the UDP payload length `emitGeneve` covers. */
export function geneveReprLen(repr: GeneveRepr): number {
  return GENEVE_HEADER_LEN + repr.optionsLen + repr.payloadLen;
}

const iter = new GeneveOptionIter();

/** Parses and validates a header: version and length (`check`), then the option structure. */
export function parseGeneve(view: GenevePacket, out: GeneveRepr): number {
  const drop = view.check();
  if (drop !== 0) return drop;
  const b = view.buf;
  const o = view.optionsOff();
  const n = view.optionsLen();
  const r = iter.reset(b, o, n);
  while (r.next()) { /* structure only */ }
  if (r.error !== 0) return r.error;
  out.oam = view.oam();
  out.critical = view.critical();
  out.protocolType = view.protocolType();
  out.vni = view.vni();
  for (let i = 0; i < n; i++) out.options[i] = b[o + i]!;
  out.optionsLen = n;
  out.payloadLen = view.payloadLen();
  return WireDrop.code.none;
}

/**
 * Writes every header byte (reserved fields zero) and the raw options. Afterwards `view.len` is
 * `geneveReprLen(repr)`. Throws RangeError (a caller bug) when the view is shorter than that, the
 * options length is not a multiple of 4 up to 252, or the VNI does not fit 24 bits.
 */
export function emitGeneve(repr: GeneveRepr, view: GenevePacket): void {
  const n = repr.optionsLen;
  if ((n & 3) !== 0 || n > GENEVE_OPTIONS_MAX_LEN) throw new RangeError('Geneve options are 4-byte words, at most 252 bytes');
  if (repr.vni < 0 || repr.vni > GENEVE_VNI_MAX) throw new RangeError('Geneve VNI is 24 bits');
  const total = GENEVE_HEADER_LEN + n + repr.payloadLen;
  if (view.len < total) throw new RangeError('Geneve packet does not fit the view');
  view.len = total;
  view.setOptionsLen(n);
  view.setFlags(repr.oam, repr.critical);
  view.setProtocolType(repr.protocolType);
  view.setVni(repr.vni);
  const b = view.buf;
  const o = view.optionsOff();
  for (let i = 0; i < n; i++) b[o + i] = repr.options[i]!;
}

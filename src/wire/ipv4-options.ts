import { EMPTY_BYTES } from './byte-order.js';
import { WireDrop } from './wire-drop.js';

/**
 * IPv4 options (RFC 791 §3.1 "Options"). Two forms: a single octet (End of Option List, No
 * Operation) or type, length (counting the type and length octets), data. Every kind this codec
 * does not interpret is kept as raw bytes; the translator only needs to recognise source routes
 * (RFC 7915 §4.1 drops unexpired ones) and the rest is carried or dropped whole.
 */
export const Ipv4OptionKind = {
  /** End of Option List: the rest of the options area is padding. */
  Eol: 0,
  Nop: 1,
  Security: 130,
  Lsrr: 131,
  Timestamp: 68,
  RecordRoute: 7,
  StreamId: 136,
  Ssrr: 137,
  /** RFC 2113. */
  RouterAlert: 148,
} as const;

/** Options area capacity: a 60-byte header minus the fixed 20. */
export const IPV4_OPTIONS_MAX_LEN = 40;

/** Copied flag of the option type octet: the option is repeated in every fragment (RFC 791). */
export const IPV4_OPTION_COPIED = 0x80;

/**
 * Walks the options of one header without allocating. Reused: `reset` then `next()` until it
 * returns false; after each true, `kind`, `off` (absolute offset of the type octet), `optLen`
 * (whole option, 1 for EOL/NOP), `dataOff` and `dataLen` describe the option. When `next()`
 * returns false, `error` is 0 at the end of the area or after EOL, else a WireDrop code.
 */
export class Ipv4OptionIter {
  buf: Uint8Array = EMPTY_BYTES;
  private pos = 0;
  private end = 0;
  kind = 0;
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
    const p = this.pos;
    if (p >= this.end) return false;
    const b = this.buf;
    const kind = b[p]!;
    this.kind = kind;
    this.off = p;
    if (kind === Ipv4OptionKind.Eol) {
      // Yield EOL once so emitters can see it, then stop: what follows is padding.
      this.optLen = 1;
      this.dataOff = p + 1;
      this.dataLen = 0;
      this.pos = this.end;
      return true;
    }
    if (kind === Ipv4OptionKind.Nop) {
      this.optLen = 1;
      this.dataOff = p + 1;
      this.dataLen = 0;
      this.pos = p + 1;
      return true;
    }
    if (p + 2 > this.end) return this.fail();
    const len = b[p + 1]!;
    // A length below 2 would not cover its own type and length octets.
    if (len < 2 || p + len > this.end) return this.fail();
    this.optLen = len;
    this.dataOff = p + 2;
    this.dataLen = len - 2;
    this.pos = p + len;
    return true;
  }

  private fail(): boolean {
    this.error = WireDrop.code.badOption;
    this.pos = this.end;
    return false;
  }
}

const scratch = new Ipv4OptionIter();

/** 0 when the options area is a well-formed TLV sequence, else `WireDrop.code.badOption`. */
export function checkIpv4Options(buf: Uint8Array, off: number, len: number): number {
  const it = scratch.reset(buf, off, len);
  while (it.next()) { /* structure only */ }
  const error = it.error;
  it.buf = EMPTY_BYTES;
  return error;
}

/**
 * Finds the first option of `kind` in the area; returns its absolute offset or -1. EOL ends the
 * search. Malformed areas return -1 (callers check the area first).
 */
export function findIpv4Option(buf: Uint8Array, off: number, len: number, kind: number): number {
  const it = scratch.reset(buf, off, len);
  let found = -1;
  while (it.next()) {
    if (it.kind === kind) { found = it.off; break; }
  }
  it.buf = EMPTY_BYTES;
  return found;
}

/**
 * Writes one type-length-data option at `off` with the data copied from `data[dataOff,
 * dataOff+dataLen)`; returns the offset after it. EOL and NOP are written as one octet.
 */
export function emitIpv4Option(buf: Uint8Array, off: number, kind: number, data: Uint8Array, dataOff: number, dataLen: number): number {
  buf[off] = kind;
  if (kind === Ipv4OptionKind.Eol || kind === Ipv4OptionKind.Nop) return off + 1;
  buf[off + 1] = dataLen + 2;
  for (let i = 0; i < dataLen; i++) buf[off + 2 + i] = data[dataOff + i]!;
  return off + 2 + dataLen;
}

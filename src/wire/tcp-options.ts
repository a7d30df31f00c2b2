import { EMPTY_BYTES, readU16, readU32, writeU16, writeU32 } from './byte-order.js';
import { adjustChecksum16 } from './checksum.js';
import type { TcpPacket } from './tcp.js';
import { WireDrop } from './wire-drop.js';

/**
 * TCP options (RFC 9293 §3.1, §3.2): after the fixed header, up to 40 bytes of options, each
 * either a single kind byte (EOL, NOP) or kind, length (counting both bytes) and data.
 *
 *   +--------+--------+---------...
 *   |  Kind  | Length |  Data ...
 *   +--------+--------+---------...
 */
export const TcpOptionKind = {
  Eol: 0,
  Nop: 1,
  Mss: 2,
  /** RFC 7323 §2. */
  WindowScale: 3,
  /** RFC 2018 §2. */
  SackPermitted: 4,
  /** RFC 2018 §3. */
  Sack: 5,
  /** RFC 7323 §3. */
  Timestamp: 8,
} as const;

/** Option space: data offset 15 words minus the 20-byte fixed header. */
export const TCP_OPTIONS_MAX_LEN = 40;
export const TCP_OPT_MSS_LEN = 4;
export const TCP_OPT_WINDOW_SCALE_LEN = 3;
export const TCP_OPT_SACK_PERMITTED_LEN = 2;
export const TCP_OPT_TIMESTAMP_LEN = 10;
/** A SACK option is 2 bytes plus 8 per block; 4 blocks fill the option space (RFC 2018 §3). */
export const TCP_SACK_MAX_BLOCKS = 4;
/** Largest shift a receiver honours (RFC 7323 §2.3); larger values are kept as sent. */
export const TCP_WINDOW_SCALE_MAX = 14;

/**
 * Walks the options of one segment without allocating. Reused: `reset` then `next()` until it
 * returns false; after each true, `kind`, `off` (absolute offset of the kind byte), `optLen`
 * (whole option, 1 for NOP), `dataOff` and `dataLen` describe the option, and the value methods
 * of its kind read it. EOL ends the walk (what follows is padding, RFC 9293 §3.2). When `next()`
 * returns false, `error` is 0 at the end of the area or after EOL, else `WireDrop.code.badOption`
 * (length below 2, past the end, or a known kind with the wrong length), so the value methods
 * never read outside a well-formed option.
 */
export class TcpOptionIter {
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

  /** Resets to the options of a segment that passed `check()`. */
  resetSegment(seg: TcpPacket): this {
    return this.reset(seg.buf, seg.optionsOff(), seg.optionsLen());
  }

  next(): boolean {
    const p = this.pos, end = this.end, b = this.buf;
    if (p >= end) return false;
    const k = b[p]!;
    if (k === TcpOptionKind.Eol) {
      this.pos = end;
      return false;
    }
    if (k === TcpOptionKind.Nop) {
      this.set(k, p, 1);
      return true;
    }
    if (p + 2 > end) return this.fail();
    const l = b[p + 1]!;
    if (l < 2 || p + l > end) return this.fail();
    switch (k) {
      case TcpOptionKind.Mss: if (l !== TCP_OPT_MSS_LEN) return this.fail(); break;
      case TcpOptionKind.WindowScale: if (l !== TCP_OPT_WINDOW_SCALE_LEN) return this.fail(); break;
      case TcpOptionKind.SackPermitted: if (l !== TCP_OPT_SACK_PERMITTED_LEN) return this.fail(); break;
      case TcpOptionKind.Timestamp: if (l !== TCP_OPT_TIMESTAMP_LEN) return this.fail(); break;
      case TcpOptionKind.Sack: if (l < 10 || ((l - 2) & 7) !== 0) return this.fail(); break;
      default: break;
    }
    this.set(k, p, l);
    return true;
  }

  /** MSS option: the maximum segment size. */
  mss(): number {
    return readU16(this.buf, this.dataOff);
  }

  /** Window-scale option: the shift count. */
  windowScale(): number {
    return this.buf[this.dataOff]!;
  }

  /** Timestamps option: TSval and TSecr. */
  tsVal(): number {
    return readU32(this.buf, this.dataOff);
  }

  tsEcr(): number {
    return readU32(this.buf, this.dataOff + 4);
  }

  /** SACK option: number of blocks and the edges of block `i`. */
  sackBlockCount(): number {
    return this.dataLen >>> 3;
  }

  sackLeft(i: number): number {
    return readU32(this.buf, this.dataOff + i * 8);
  }

  sackRight(i: number): number {
    return readU32(this.buf, this.dataOff + 4 + i * 8);
  }

  private set(kind: number, off: number, optLen: number): void {
    this.kind = kind;
    this.off = off;
    this.optLen = optLen;
    this.dataOff = off + (optLen > 1 ? 2 : 1);
    this.dataLen = optLen > 1 ? optLen - 2 : 0;
    this.pos = off + optLen;
  }

  private fail(): boolean {
    this.error = WireDrop.code.badOption;
    this.pos = this.end;
    return false;
  }
}

/**
 * TCP options as values. Known kinds are decoded; options of other kinds are kept raw (kind,
 * length, data, in arrival order) in `unknown[0, unknownLen)` so emit writes them back. A
 * kind that appears twice keeps its last value. NOP/EOL padding is not kept: emit lays options
 * out afresh.
 */
export class TcpOptionsRepr {
  hasMss = false;
  mss = 0;
  hasWindowScale = false;
  windowScale = 0;
  sackPermitted = false;
  hasTimestamp = false;
  tsVal = 0;
  tsEcr = 0;
  /** Number of SACK blocks; 0 when there is no SACK option. */
  sackBlocks = 0;
  /** Left and right edges: block i is `sack[2i]`, `sack[2i+1]`. */
  readonly sack = new Uint32Array(TCP_SACK_MAX_BLOCKS * 2);
  unknownLen = 0;
  readonly unknown = new Uint8Array(TCP_OPTIONS_MAX_LEN);

  clear(): void {
    this.hasMss = false; this.mss = 0;
    this.hasWindowScale = false; this.windowScale = 0;
    this.sackPermitted = false;
    this.hasTimestamp = false; this.tsVal = 0; this.tsEcr = 0;
    this.sackBlocks = 0; this.sack.fill(0);
    this.unknownLen = 0; this.unknown.fill(0);
  }
}

const iter = new TcpOptionIter();

/** Parses the options in `buf[off, off+len)` into `out`; returns 0 or `WireDrop.code.badOption`. */
export function parseTcpOptions(buf: Uint8Array, off: number, len: number, out: TcpOptionsRepr): number {
  out.clear();
  if (len > TCP_OPTIONS_MAX_LEN) return WireDrop.code.badOption;
  const r = iter.reset(buf, off, len);
  while (r.next()) {
    switch (r.kind) {
      case TcpOptionKind.Nop: break;
      case TcpOptionKind.Mss: out.hasMss = true; out.mss = r.mss(); break;
      case TcpOptionKind.WindowScale: out.hasWindowScale = true; out.windowScale = r.windowScale(); break;
      case TcpOptionKind.SackPermitted: out.sackPermitted = true; break;
      case TcpOptionKind.Timestamp: out.hasTimestamp = true; out.tsVal = r.tsVal(); out.tsEcr = r.tsEcr(); break;
      case TcpOptionKind.Sack: {
        const n = r.sackBlockCount();
        out.sackBlocks = n;
        for (let i = 0; i < n; i++) {
          out.sack[2 * i] = r.sackLeft(i);
          out.sack[2 * i + 1] = r.sackRight(i);
        }
        break;
      }
      default:
        // len ≤ 40 bounds the sum of option lengths, so the raw copy always fits.
        for (let i = 0, u = out.unknownLen; i < r.optLen; i++) out.unknown[u + i] = buf[r.off + i]!;
        out.unknownLen += r.optLen;
    }
  }
  return r.error;
}

/**
 * Lays the options out, writing them when `write` is set; returns their length before padding.
 * Aligned layout puts NOPs so 32-bit fields start on word boundaries, as common stacks send
 * them (RFC 7323 Appendix A); compact layout has no NOPs, for sets that do not fit otherwise.
 */
function layout(o: TcpOptionsRepr, buf: Uint8Array, off: number, aligned: boolean, write: boolean): number {
  let p = off;
  if (o.hasMss) {
    if (write) { buf[p] = TcpOptionKind.Mss; buf[p + 1] = TCP_OPT_MSS_LEN; writeU16(buf, p + 2, o.mss); }
    p += TCP_OPT_MSS_LEN;
  }
  if (o.sackPermitted && o.hasTimestamp && aligned) {
    // SACK-permitted stands in for the two NOPs before the timestamps.
    if (write) { buf[p] = TcpOptionKind.SackPermitted; buf[p + 1] = TCP_OPT_SACK_PERMITTED_LEN; }
    p += TCP_OPT_SACK_PERMITTED_LEN;
  } else if (o.sackPermitted) {
    if (aligned) { if (write) { buf[p] = TcpOptionKind.Nop; buf[p + 1] = TcpOptionKind.Nop; } p += 2; }
    if (write) { buf[p] = TcpOptionKind.SackPermitted; buf[p + 1] = TCP_OPT_SACK_PERMITTED_LEN; }
    p += TCP_OPT_SACK_PERMITTED_LEN;
  } else if (o.hasTimestamp && aligned) {
    if (write) { buf[p] = TcpOptionKind.Nop; buf[p + 1] = TcpOptionKind.Nop; }
    p += 2;
  }
  if (o.hasTimestamp) {
    if (write) {
      buf[p] = TcpOptionKind.Timestamp; buf[p + 1] = TCP_OPT_TIMESTAMP_LEN;
      writeU32(buf, p + 2, o.tsVal); writeU32(buf, p + 6, o.tsEcr);
    }
    p += TCP_OPT_TIMESTAMP_LEN;
  }
  if (o.hasWindowScale) {
    if (aligned) { if (write) buf[p] = TcpOptionKind.Nop; p += 1; }
    if (write) { buf[p] = TcpOptionKind.WindowScale; buf[p + 1] = TCP_OPT_WINDOW_SCALE_LEN; buf[p + 2] = o.windowScale; }
    p += TCP_OPT_WINDOW_SCALE_LEN;
  }
  if (o.sackBlocks > 0) {
    if (aligned) { if (write) { buf[p] = TcpOptionKind.Nop; buf[p + 1] = TcpOptionKind.Nop; } p += 2; }
    const l = 2 + 8 * o.sackBlocks;
    if (write) {
      buf[p] = TcpOptionKind.Sack; buf[p + 1] = l;
      for (let i = 0; i < o.sackBlocks; i++) {
        writeU32(buf, p + 2 + 8 * i, o.sack[2 * i]!);
        writeU32(buf, p + 6 + 8 * i, o.sack[2 * i + 1]!);
      }
    }
    p += l;
  }
  if (o.unknownLen > 0) {
    if (write) for (let i = 0; i < o.unknownLen; i++) buf[p + i] = o.unknown[i]!;
    p += o.unknownLen;
  }
  return p - off;
}

/** Length of the options `o` emits, padded to a multiple of 4 (the data offset counts words).
 * Above `TCP_OPTIONS_MAX_LEN` when the set cannot fit a TCP header. */
export function tcpOptionsReprLen(o: TcpOptionsRepr): number {
  let n = layout(o, EMPTY_BYTES, 0, true, false);
  if (n > TCP_OPTIONS_MAX_LEN) n = layout(o, EMPTY_BYTES, 0, false, false);
  return (n + 3) & ~3;
}

/**
 * Writes the options `o` describes at `buf[off]`, followed by zero (EOL) padding to a word
 * boundary (RFC 9293 §3.1); returns the bytes written, `tcpOptionsReprLen(o)`. Throws RangeError
 * (a caller bug) when the set does not fit the 40-byte option space.
 */
export function emitTcpOptions(o: TcpOptionsRepr, buf: Uint8Array, off: number): number {
  let aligned = true;
  let n = layout(o, EMPTY_BYTES, 0, true, false);
  if (n > TCP_OPTIONS_MAX_LEN) { aligned = false; n = layout(o, EMPTY_BYTES, 0, false, false); }
  if (n > TCP_OPTIONS_MAX_LEN) throw new RangeError('TCP options exceed the 40-byte option space');
  layout(o, buf, off, aligned, true);
  const padded = (n + 3) & ~3;
  for (let i = off + n; i < off + padded; i++) buf[i] = TcpOptionKind.Eol;
  return padded;
}

/**
 * Absolute offset in `seg.buf` of the value of the segment's first MSS option, or -1 when it
 * has none or its options are malformed. `seg` must have passed `check()`.
 */
export function findTcpMss(seg: TcpPacket): number {
  const r = iter.resetSegment(seg);
  while (r.next()) if (r.kind === TcpOptionKind.Mss) return r.dataOff;
  return -1;
}

/**
 * Rewrites the MSS option of `seg` to `mss` in place and updates the TCP checksum
 * incrementally (RFC 1624); returns false when the segment carries no MSS option.
 */
export function setTcpMss(seg: TcpPacket, mss: number): boolean {
  const at = findTcpMss(seg);
  if (at < 0) return false;
  writeWordKeepingChecksum(seg, at, mss & 0xffff);
  return true;
}

/**
 * Lowers the MSS option of `seg` to `maxMss` when it announces more, so segments still fit
 * after translation grows the IP header (IPv4 → IPv6 adds 20 bytes; state carried in the
 * packet adds more). Returns true when the option was rewritten. MSS is only meaningful on SYN
 * segments (RFC 9293 §3.7.1); callers choose which segments to clamp.
 */
export function clampTcpMss(seg: TcpPacket, maxMss: number): boolean {
  const at = findTcpMss(seg);
  if (at < 0) return false;
  const b = seg.buf;
  const cur = readU16(b, at);
  if (cur <= maxMss) return false;
  writeWordKeepingChecksum(seg, at, maxMss & 0xffff);
  return true;
}

/**
 * Writes a 16-bit value at absolute offset `at` inside the segment and folds the change into
 * the checksum. Options need not be word-aligned: a value at an odd distance from the segment
 * start straddles two checksum words, and its contribution to the sum is then its byte swap
 * (RFC 1071 §2 (B), byte-order independence).
 */
function writeWordKeepingChecksum(seg: TcpPacket, at: number, value: number): void {
  const b = seg.buf;
  const old = readU16(b, at);
  writeU16(b, at, value);
  if (((at - seg.off) & 1) === 0) {
    seg.setChecksum(adjustChecksum16(seg.checksum(), old, value));
  } else {
    seg.setChecksum(adjustChecksum16(seg.checksum(), swap16(old), swap16(value)));
  }
}

function swap16(v: number): number {
  return ((v & 0xff) << 8) | (v >>> 8);
}

import { EMPTY_BYTES, readU16, readU32, writeU16, writeU32 } from '../wire/byte-order.js';
import { WireDrop } from '../wire/wire-drop.js';

/**
 * One change to a NAPT table, as peers receive it (seed 002: "every change to a node's NAT table
 * becomes a queued change record"; FIGURE 4A action + FIGURE 4B entry). Fixed layout, big-endian,
 * version 1, 60 bytes:
 *
 *  0      7 8     15 16    23 24    31
 * +--------+--------+--------+--------+
 * |Version | Action |  Kind  |Protocol|  0
 * +--------+--------+--------+--------+
 * | Flags  |Reserved|Inside Local Port|  4   x
 * +--------+--------+--------+--------+
 * |           Entry Number            |  8   FIGURE 4B field 452
 * +--------+--------+--------+--------+
 * |           NAT ID (owner)          | 12   field 466
 * +--------+--------+--------+--------+
 * |              Tenant               | 16
 * +--------+--------+--------+--------+
 * |                                   | 20   X: IPv6, or ::ffff:a.b.c.d for NAT44
 * |  Inside Local Address (16 bytes)  |      (field 454)
 * |                                   |
 * |                                   |
 * +--------+--------+--------+--------+
 * |   Inside Global Address (T)       | 36   field 456
 * +--------+--------+--------+--------+
 * | Inside Global   | Outside Global  | 40   t, z
 * |   Port (t)      |   Port (z)      |
 * +--------+--------+--------+--------+
 * |   Outside Global Address (Z)      | 44   field 458
 * +--------+--------+--------+--------+
 * |   Outside Local Address           | 48   field 460: Z for NAT44; 0 for NAT64, where the
 * +--------+--------+--------+--------+      receiver derives Y' from Z by RFC 6052
 * | Outside Local   |    Reserved     | 52   (flag `outsideLocalDerived`)
 * |   Port          |                 |
 * +--------+--------+--------+--------+
 * |       Application Context         | 56   field 462: bits 0-7 the TCP state
 * +--------+--------+--------+--------+
 *
 * A BIB record (kind `bib`) leaves the outside fields and the application context zero. Timer
 * refreshes are not changes: a node that takes entries over restarts their timers (seed 002).
 */
export const CHANGE_RECORD_VERSION = 1;
export const CHANGE_RECORD_LEN = 60;
export const CR_OFF_VERSION = 0;
export const CR_OFF_ACTION = 1;
export const CR_OFF_KIND = 2;
export const CR_OFF_PROTOCOL = 3;
export const CR_OFF_FLAGS = 4;
export const CR_OFF_RESERVED1 = 5;
export const CR_OFF_INSIDE_LOCAL_PORT = 6;
export const CR_OFF_ENTRY_NUMBER = 8;
export const CR_OFF_NAT_ID = 12;
export const CR_OFF_TENANT = 16;
export const CR_OFF_INSIDE_LOCAL_ADDR = 20;
export const CR_OFF_INSIDE_GLOBAL_ADDR = 36;
export const CR_OFF_INSIDE_GLOBAL_PORT = 40;
export const CR_OFF_OUTSIDE_GLOBAL_PORT = 42;
export const CR_OFF_OUTSIDE_GLOBAL_ADDR = 44;
export const CR_OFF_OUTSIDE_LOCAL_ADDR = 48;
export const CR_OFF_OUTSIDE_LOCAL_PORT = 52;
export const CR_OFF_RESERVED2 = 54;
export const CR_OFF_APP_CONTEXT = 56;

/** FIGURE 4A / FIGURE 6 action field. */
export const ChangeAction = {
  add: 1,
  update: 2,
  delete: 3,
} as const;
export type ChangeAction = (typeof ChangeAction)[keyof typeof ChangeAction];

export const ChangeKind = {
  /** A BIB entry (mapping): inside local ⇄ inside global. */
  bib: 1,
  /** A session: a BIB entry plus the outside endpoint. */
  session: 2,
} as const;
export type ChangeKind = (typeof ChangeKind)[keyof typeof ChangeKind];

export const ChangeFlag = {
  /** Static BIB entry (never expires). */
  static: 1,
  /** NAT64: the outside local address is Y' = RFC 6052 prefix + Z, derived by the receiver. */
  outsideLocalDerived: 2,
} as const;
const KNOWN_FLAGS = ChangeFlag.static | ChangeFlag.outsideLocalDerived;

/** Zero-copy view of a change record, bound to a buffer and reused. */
export class ChangeRecordView {
  buf: Uint8Array = EMPTY_BYTES;
  off = 0;
  len = 0;

  bind(buf: Uint8Array, off: number, len: number): this {
    this.buf = buf;
    this.off = off;
    this.len = len;
    return this;
  }

  /** 0 when the bound bytes hold a whole record header; afterwards no accessor reads out of bounds. */
  check(): number {
    return this.len < CHANGE_RECORD_LEN || this.off + CHANGE_RECORD_LEN > this.buf.length ? WireDrop.code.truncated : WireDrop.code.none;
  }

  version(): number { return this.buf[this.off + CR_OFF_VERSION]!; }
  action(): number { return this.buf[this.off + CR_OFF_ACTION]!; }
  kind(): number { return this.buf[this.off + CR_OFF_KIND]!; }
  protocol(): number { return this.buf[this.off + CR_OFF_PROTOCOL]!; }
  flags(): number { return this.buf[this.off + CR_OFF_FLAGS]!; }
  reserved1(): number { return this.buf[this.off + CR_OFF_RESERVED1]!; }
  insideLocalPort(): number { return readU16(this.buf, this.off + CR_OFF_INSIDE_LOCAL_PORT); }
  entryNumber(): number { return readU32(this.buf, this.off + CR_OFF_ENTRY_NUMBER); }
  natId(): number { return readU32(this.buf, this.off + CR_OFF_NAT_ID); }
  tenant(): number { return readU32(this.buf, this.off + CR_OFF_TENANT); }
  /** Word `i` (0..3) of the inside local address. */
  insideLocalAddrWord(i: number): number { return readU32(this.buf, this.off + CR_OFF_INSIDE_LOCAL_ADDR + 4 * i); }
  insideGlobalAddr(): number { return readU32(this.buf, this.off + CR_OFF_INSIDE_GLOBAL_ADDR); }
  insideGlobalPort(): number { return readU16(this.buf, this.off + CR_OFF_INSIDE_GLOBAL_PORT); }
  outsideGlobalPort(): number { return readU16(this.buf, this.off + CR_OFF_OUTSIDE_GLOBAL_PORT); }
  outsideGlobalAddr(): number { return readU32(this.buf, this.off + CR_OFF_OUTSIDE_GLOBAL_ADDR); }
  outsideLocalAddr(): number { return readU32(this.buf, this.off + CR_OFF_OUTSIDE_LOCAL_ADDR); }
  outsideLocalPort(): number { return readU16(this.buf, this.off + CR_OFF_OUTSIDE_LOCAL_PORT); }
  reserved2(): number { return readU16(this.buf, this.off + CR_OFF_RESERVED2); }
  appContext(): number { return readU32(this.buf, this.off + CR_OFF_APP_CONTEXT); }

  setVersion(v: number): void { this.buf[this.off + CR_OFF_VERSION] = v; }
  setAction(v: number): void { this.buf[this.off + CR_OFF_ACTION] = v; }
  setKind(v: number): void { this.buf[this.off + CR_OFF_KIND] = v; }
  setProtocol(v: number): void { this.buf[this.off + CR_OFF_PROTOCOL] = v; }
  setFlags(v: number): void { this.buf[this.off + CR_OFF_FLAGS] = v; }
  setReserved1(v: number): void { this.buf[this.off + CR_OFF_RESERVED1] = v; }
  setInsideLocalPort(v: number): void { writeU16(this.buf, this.off + CR_OFF_INSIDE_LOCAL_PORT, v); }
  setEntryNumber(v: number): void { writeU32(this.buf, this.off + CR_OFF_ENTRY_NUMBER, v); }
  setNatId(v: number): void { writeU32(this.buf, this.off + CR_OFF_NAT_ID, v); }
  setTenant(v: number): void { writeU32(this.buf, this.off + CR_OFF_TENANT, v); }
  setInsideLocalAddrWord(i: number, v: number): void { writeU32(this.buf, this.off + CR_OFF_INSIDE_LOCAL_ADDR + 4 * i, v); }
  setInsideGlobalAddr(v: number): void { writeU32(this.buf, this.off + CR_OFF_INSIDE_GLOBAL_ADDR, v); }
  setInsideGlobalPort(v: number): void { writeU16(this.buf, this.off + CR_OFF_INSIDE_GLOBAL_PORT, v); }
  setOutsideGlobalPort(v: number): void { writeU16(this.buf, this.off + CR_OFF_OUTSIDE_GLOBAL_PORT, v); }
  setOutsideGlobalAddr(v: number): void { writeU32(this.buf, this.off + CR_OFF_OUTSIDE_GLOBAL_ADDR, v); }
  setOutsideLocalAddr(v: number): void { writeU32(this.buf, this.off + CR_OFF_OUTSIDE_LOCAL_ADDR, v); }
  setOutsideLocalPort(v: number): void { writeU16(this.buf, this.off + CR_OFF_OUTSIDE_LOCAL_PORT, v); }
  setReserved2(v: number): void { writeU16(this.buf, this.off + CR_OFF_RESERVED2, v); }
  setAppContext(v: number): void { writeU32(this.buf, this.off + CR_OFF_APP_CONTEXT, v); }
}

/**
 * A change record as values. Names follow FIGURE 4B (seed 002); in RFC 6146 terms inside local
 * is (X',x), inside global (T,t), outside global (Z,z) and outside local (Y',y).
 */
export class ChangeRecordRepr {
  action = 0;
  kind = 0;
  protocol = 0;
  flags = 0;
  entryNumber = 0;
  natId = 0;
  tenant = 0;
  /** 4 words, first word = first 4 address bytes. */
  readonly insideLocalAddr = new Uint32Array(4);
  insideLocalPort = 0;
  insideGlobalAddr = 0;
  insideGlobalPort = 0;
  outsideGlobalAddr = 0;
  outsideGlobalPort = 0;
  outsideLocalAddr = 0;
  outsideLocalPort = 0;
  appContext = 0;

  copyFrom(o: ChangeRecordRepr): this {
    this.action = o.action;
    this.kind = o.kind;
    this.protocol = o.protocol;
    this.flags = o.flags;
    this.entryNumber = o.entryNumber;
    this.natId = o.natId;
    this.tenant = o.tenant;
    this.insideLocalAddr.set(o.insideLocalAddr);
    this.insideLocalPort = o.insideLocalPort;
    this.insideGlobalAddr = o.insideGlobalAddr;
    this.insideGlobalPort = o.insideGlobalPort;
    this.outsideGlobalAddr = o.outsideGlobalAddr;
    this.outsideGlobalPort = o.outsideGlobalPort;
    this.outsideLocalAddr = o.outsideLocalAddr;
    this.outsideLocalPort = o.outsideLocalPort;
    this.appContext = o.appContext;
    return this;
  }
}

/**
 * Parses and validates the record at the view: length, version, action, kind, protocol (TCP,
 * UDP or ICMP query) and that reserved bits are zero. Returns a `WireDrop` code, 0 when `out`
 * holds the record.
 */
export function parseChangeRecord(view: ChangeRecordView, out: ChangeRecordRepr): number {
  const drop = view.check();
  if (drop !== 0) return drop;
  if (view.version() !== CHANGE_RECORD_VERSION) return WireDrop.code.badVersion;
  const action = view.action();
  const kind = view.kind();
  if (action < ChangeAction.add || action > ChangeAction.delete || (kind !== ChangeKind.bib && kind !== ChangeKind.session)) return WireDrop.code.badType;
  const protocol = view.protocol();
  if (protocol !== 6 && protocol !== 17 && protocol !== 1) return WireDrop.code.unsupported;
  const flags = view.flags();
  if ((flags & ~KNOWN_FLAGS) !== 0 || view.reserved1() !== 0 || view.reserved2() !== 0) return WireDrop.code.badFlags;
  out.action = action;
  out.kind = kind;
  out.protocol = protocol;
  out.flags = flags;
  out.insideLocalPort = view.insideLocalPort();
  out.entryNumber = view.entryNumber();
  out.natId = view.natId();
  out.tenant = view.tenant();
  const a = out.insideLocalAddr;
  a[0] = view.insideLocalAddrWord(0);
  a[1] = view.insideLocalAddrWord(1);
  a[2] = view.insideLocalAddrWord(2);
  a[3] = view.insideLocalAddrWord(3);
  out.insideGlobalAddr = view.insideGlobalAddr();
  out.insideGlobalPort = view.insideGlobalPort();
  out.outsideGlobalPort = view.outsideGlobalPort();
  out.outsideGlobalAddr = view.outsideGlobalAddr();
  out.outsideLocalAddr = view.outsideLocalAddr();
  out.outsideLocalPort = view.outsideLocalPort();
  out.appContext = view.appContext();
  return WireDrop.code.none;
}

/** Writes every byte of the record (reserved ones zero). Throws RangeError (a caller bug) when
 * the view is shorter than `CHANGE_RECORD_LEN`. */
export function emitChangeRecord(repr: ChangeRecordRepr, view: ChangeRecordView): void {
  if (view.check() !== 0) throw new RangeError('change record does not fit the view');
  view.setVersion(CHANGE_RECORD_VERSION);
  view.setAction(repr.action);
  view.setKind(repr.kind);
  view.setProtocol(repr.protocol);
  view.setFlags(repr.flags);
  view.setReserved1(0);
  view.setInsideLocalPort(repr.insideLocalPort);
  view.setEntryNumber(repr.entryNumber);
  view.setNatId(repr.natId);
  view.setTenant(repr.tenant);
  const a = repr.insideLocalAddr;
  view.setInsideLocalAddrWord(0, a[0]!);
  view.setInsideLocalAddrWord(1, a[1]!);
  view.setInsideLocalAddrWord(2, a[2]!);
  view.setInsideLocalAddrWord(3, a[3]!);
  view.setInsideGlobalAddr(repr.insideGlobalAddr);
  view.setInsideGlobalPort(repr.insideGlobalPort);
  view.setOutsideGlobalPort(repr.outsideGlobalPort);
  view.setOutsideGlobalAddr(repr.outsideGlobalAddr);
  view.setOutsideLocalAddr(repr.outsideLocalAddr);
  view.setOutsideLocalPort(repr.outsideLocalPort);
  view.setReserved2(0);
  view.setAppContext(repr.appContext);
}

import { readFileSync } from 'node:fs';
import { PcapBadFieldError, PcapBadLengthError, PcapBadMagicError, PcapTruncatedError } from './pcap-error.js';

/**
 * Reader of capture files: classic pcap (draft-ietf-opsawg-pcap: either byte order, microsecond
 * magic a1b2c3d4 or nanosecond magic a1b23c4d) and pcapng (draft-ietf-opsawg-pcapng: Section
 * Header, Interface Description, Enhanced Packet, Simple Packet and the obsolete Packet block;
 * other blocks are skipped by their length, as §3.1 requires of readers).
 *
 * The whole file is held in memory and `next` fills a caller-owned `PcapRecord` with the offset
 * and length of the next packet inside it, so iterating allocates nothing per packet. A
 * malformed file throws a `PcapError` naming the record or block, its byte offset and the
 * problem; a capture that simply ends after a whole record is not an error.
 */
export const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
export const PCAP_MAGIC_NANO = 0xa1b23c4d;
export const PCAP_FILE_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;
/** Largest captured length accepted whatever the snapshot length says: Wireshark's limit for
 * all link types this project reads, so a corrupt length is caught rather than believed. */
export const PCAP_MAX_CAPTURE_LEN = 262144;

export const PCAPNG_SHB = 0x0a0d0d0a;
export const PCAPNG_IDB = 0x00000001;
export const PCAPNG_OPB = 0x00000002;
export const PCAPNG_SPB = 0x00000003;
export const PCAPNG_EPB = 0x00000006;
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** Option code of if_tsresol in an Interface Description Block (pcapng §4.2). */
export const PCAPNG_OPT_IF_TSRESOL = 9;
export const PCAPNG_OPT_END = 0;
const PCAPNG_MIN_BLOCK_LEN = 12;

/** One packet of the file, reused across `next` calls. `data[offset, offset+length)` are the
 * captured bytes; `data` is the file buffer itself, so the bytes stay valid while the reader
 * lives and must not be modified by the caller if it wants to read them again. */
export class PcapRecord {
  data: Uint8Array = EMPTY;
  offset = 0;
  /** Captured length. */
  length = 0;
  /** Length on the wire (may exceed `length` when the capture was cut at the snapshot length). */
  originalLength = 0;
  /** Link type of the interface the packet was captured on. */
  linkType = 0;
  /** pcapng interface id (0 for classic pcap). */
  interfaceId = 0;
  /** Timestamp: whole seconds since 1970 and nanoseconds within the second. */
  tsSec = 0;
  tsNsec = 0;
  /** 1-based number of the packet in the file, as Wireshark numbers frames. */
  index = 0;
}

export type PcapFormat = 'pcap' | 'pcapng';

export class PcapReader {
  readonly bytes: Uint8Array;
  readonly source: string;
  readonly format: PcapFormat;
  /** Link type of the first interface (classic pcap: the file's only link type). */
  readonly linkType: number;
  /** Whether timestamps are finer than microseconds (classic nanosecond magic, or a pcapng
   * interface with a finer if_tsresol), so a writer can keep them. */
  readonly nanosecond: boolean;
  private readonly view: DataView;
  private le = true;
  private pos = 0;
  private records = 0;
  private blocks = 0;
  // Classic pcap.
  private snapLen = 0;
  private nanoFrac = false;
  // pcapng: interfaces of the current section, by id.
  private ifLinkType: number[] = [];
  private ifSnapLen: number[] = [];
  /** Per interface: units per second as divisor, or -log2 for binary resolutions (negated). */
  private ifTsDiv: number[] = [];

  static fromFile(path: string): PcapReader {
    return new PcapReader(new Uint8Array(readFileSync(path)), path);
  }

  constructor(bytes: Uint8Array, source = '<buffer>') {
    this.bytes = bytes;
    this.source = source;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length < 4) throw new PcapTruncatedError(source, 0, 'file header', 4, bytes.length);
    const magicBe = this.view.getUint32(0, false);
    if (magicBe === PCAPNG_SHB) {
      this.format = 'pcapng';
      const first = this.scanFirstInterface();
      this.linkType = first.linkType;
      this.nanosecond = first.nanosecond;
      return;
    }
    this.format = 'pcap';
    const magicLe = this.view.getUint32(0, true);
    if (magicLe === PCAP_MAGIC_MICRO || magicLe === PCAP_MAGIC_NANO) this.le = true;
    else if (magicBe === PCAP_MAGIC_MICRO || magicBe === PCAP_MAGIC_NANO) this.le = false;
    else throw new PcapBadMagicError(source, magicBe);
    this.nanoFrac = (this.le ? magicLe : magicBe) === PCAP_MAGIC_NANO;
    this.nanosecond = this.nanoFrac;
    if (bytes.length < PCAP_FILE_HEADER_LEN) throw new PcapTruncatedError(source, 0, 'file header', PCAP_FILE_HEADER_LEN, bytes.length);
    const major = this.u16(4);
    if (major !== 2) throw new PcapBadFieldError(source, 4, 'file header', 'version ' + major + '.' + this.u16(6) + ' is not 2.x');
    this.snapLen = this.u32(16);
    // The link type is the low 16 bits; the upper bits carry FCS information (pcap draft §4).
    this.linkType = this.u32(20) & 0xffff;
    this.pos = PCAP_FILE_HEADER_LEN;
  }

  /** Fills `rec` with the next packet; false at the end of the file. Throws `PcapError` on a
   * malformed record. */
  next(rec: PcapRecord): boolean {
    return this.format === 'pcap' ? this.nextClassic(rec) : this.nextNg(rec);
  }

  private nextClassic(rec: PcapRecord): boolean {
    const at = this.pos;
    const left = this.bytes.length - at;
    if (left === 0) return false;
    const n = this.records + 1;
    if (left < PCAP_RECORD_HEADER_LEN) throw new PcapTruncatedError(this.source, at, 'record ' + n + ' header', PCAP_RECORD_HEADER_LEN, left);
    const sec = this.u32(at);
    const frac = this.u32(at + 4);
    const incl = this.u32(at + 8);
    const orig = this.u32(at + 12);
    if (incl > PCAP_MAX_CAPTURE_LEN && incl > this.snapLen) {
      throw new PcapBadLengthError(this.source, at, 'record ' + n, 'captured length ' + incl + ' exceeds the snapshot length ' + this.snapLen);
    }
    if (frac >= (this.nanoFrac ? 1e9 : 1e6)) {
      throw new PcapBadFieldError(this.source, at + 4, 'record ' + n, 'sub-second timestamp ' + frac + ' is not below one second');
    }
    const data = at + PCAP_RECORD_HEADER_LEN;
    if (incl > this.bytes.length - data) {
      throw new PcapTruncatedError(this.source, at, 'record ' + n + ' data', incl, this.bytes.length - data);
    }
    this.pos = data + incl;
    this.records = n;
    rec.data = this.bytes;
    rec.offset = data;
    rec.length = incl;
    rec.originalLength = orig;
    rec.linkType = this.linkType;
    rec.interfaceId = 0;
    rec.tsSec = sec;
    rec.tsNsec = this.nanoFrac ? frac : frac * 1000;
    rec.index = n;
    return true;
  }

  private nextNg(rec: PcapRecord): boolean {
    for (;;) {
      const at = this.pos;
      if (at === this.bytes.length) return false;
      const type = this.blockHeader(at);
      const total = this.u32(at + 4);
      this.blocks++;
      this.pos = at + total;
      switch (type) {
        case PCAPNG_SHB:
          this.readSectionHeader(at, total);
          break;
        case PCAPNG_IDB:
          this.readInterface(at, total);
          break;
        case PCAPNG_EPB:
          this.readEnhancedPacket(at, total, rec);
          return true;
        case PCAPNG_OPB:
          this.readObsoletePacket(at, total, rec);
          return true;
        case PCAPNG_SPB:
          this.readSimplePacket(at, total, rec);
          return true;
        default:
          // §3.1: a reader skips blocks it does not know, by their length.
          break;
      }
    }
  }

  /** Validates the framing of the block at `at` (length, alignment, trailer) and returns its
   * type. A Section Header Block sets the byte order first, since its length is in it. */
  private blockHeader(at: number): number {
    const left = this.bytes.length - at;
    const where = 'pcapng block ' + (this.blocks + 1);
    if (left < PCAPNG_MIN_BLOCK_LEN) throw new PcapTruncatedError(this.source, at, where, PCAPNG_MIN_BLOCK_LEN, left);
    let type = this.u32(at);
    if (this.view.getUint32(at, false) === PCAPNG_SHB) {
      type = PCAPNG_SHB;
      if (left < 16) throw new PcapTruncatedError(this.source, at, where + ' (Section Header)', 16, left);
      const bom = this.view.getUint32(at + 8, false);
      if (bom === PCAPNG_BYTE_ORDER_MAGIC) this.le = false;
      else if (bom === 0x4d3c2b1a) this.le = true;
      else throw new PcapBadFieldError(this.source, at + 8, where + ' (Section Header)', 'byte-order magic 0x' + bom.toString(16) + ' is not 1a2b3c4d in either byte order');
    }
    const total = this.u32(at + 4);
    if (total < PCAPNG_MIN_BLOCK_LEN || (total & 3) !== 0) {
      throw new PcapBadLengthError(this.source, at, where, 'block total length ' + total + ' is below 12 or not a multiple of 4');
    }
    if (total > left) throw new PcapTruncatedError(this.source, at, where, total, left);
    const trailer = this.u32(at + total - 4);
    if (trailer !== total) {
      throw new PcapBadLengthError(this.source, at, where, 'block total length ' + total + ' disagrees with the trailing copy ' + trailer);
    }
    return type;
  }

  private readSectionHeader(at: number, total: number): void {
    const where = 'pcapng block ' + this.blocks + ' (Section Header)';
    if (total < 28) throw new PcapBadLengthError(this.source, at, where, 'block total length ' + total + ' is below the 28 bytes of a Section Header');
    const major = this.u16(at + 12);
    if (major !== 1) throw new PcapBadFieldError(this.source, at + 12, where, 'version ' + major + '.' + this.u16(at + 14) + ' is not 1.x');
    // Interface ids are local to a section (§4.1).
    this.ifLinkType.length = 0;
    this.ifSnapLen.length = 0;
    this.ifTsDiv.length = 0;
  }

  private readInterface(at: number, total: number): void {
    const where = 'pcapng block ' + this.blocks + ' (Interface Description)';
    if (total < 20) throw new PcapBadLengthError(this.source, at, where, 'block total length ' + total + ' is below the 20 bytes of an Interface Description');
    this.ifLinkType.push(this.u16(at + 8));
    this.ifSnapLen.push(this.u32(at + 12));
    let div = 1e6;
    const end = at + total - 4;
    let p = at + 16;
    while (p + 4 <= end) {
      const code = this.u16(p);
      const len = this.u16(p + 2);
      if (code === PCAPNG_OPT_END) break;
      if (p + 4 + len > end) throw new PcapBadLengthError(this.source, p, where, 'option ' + code + ' of length ' + len + ' runs past the block');
      if (code === PCAPNG_OPT_IF_TSRESOL && len >= 1) {
        const v = this.bytes[p + 4]!;
        // §4.2 if_tsresol: MSB clear = negative power of 10, set = negative power of 2.
        if ((v & 0x80) === 0) {
          if (v > 9) throw new PcapBadFieldError(this.source, p + 4, where, 'if_tsresol 10^-' + v + ' is finer than nanoseconds');
          div = 10 ** v;
        } else {
          const e = v & 0x7f;
          if (e > 30) throw new PcapBadFieldError(this.source, p + 4, where, 'if_tsresol 2^-' + e + ' is finer than this reader keeps');
          div = 2 ** e;
        }
      }
      p += 4 + ((len + 3) & ~3);
    }
    this.ifTsDiv.push(div);
  }

  private checkInterface(id: number, at: number, where: string): void {
    if (id >= this.ifLinkType.length) {
      throw new PcapBadFieldError(this.source, at, where, 'interface id ' + id + ' has no Interface Description Block in this section (' + this.ifLinkType.length + ' defined)');
    }
  }

  private readEnhancedPacket(at: number, total: number, rec: PcapRecord): void {
    const n = this.records + 1;
    const where = 'record ' + n + ' (pcapng block ' + this.blocks + ', Enhanced Packet)';
    if (total < 32) throw new PcapBadLengthError(this.source, at, where, 'block total length ' + total + ' is below the 32 bytes of an Enhanced Packet Block');
    const id = this.u32(at + 8);
    this.checkInterface(id, at + 8, where);
    const cap = this.u32(at + 20);
    if (cap > total - 32) throw new PcapBadLengthError(this.source, at + 20, where, 'captured length ' + cap + ' exceeds the ' + (total - 32) + ' bytes the block holds');
    this.fillNg(rec, n, id, at + 28, cap, this.u32(at + 24), this.u32(at + 12), this.u32(at + 16));
  }

  private readObsoletePacket(at: number, total: number, rec: PcapRecord): void {
    const n = this.records + 1;
    const where = 'record ' + n + ' (pcapng block ' + this.blocks + ', Packet)';
    if (total < 32) throw new PcapBadLengthError(this.source, at, where, 'block total length ' + total + ' is below the 32 bytes of a Packet Block');
    const id = this.u16(at + 8);
    this.checkInterface(id, at + 8, where);
    const cap = this.u32(at + 20);
    if (cap > total - 32) throw new PcapBadLengthError(this.source, at + 20, where, 'captured length ' + cap + ' exceeds the ' + (total - 32) + ' bytes the block holds');
    this.fillNg(rec, n, id, at + 28, cap, this.u32(at + 24), this.u32(at + 12), this.u32(at + 16));
  }

  private readSimplePacket(at: number, total: number, rec: PcapRecord): void {
    const n = this.records + 1;
    const where = 'record ' + n + ' (pcapng block ' + this.blocks + ', Simple Packet)';
    if (total < 16) throw new PcapBadLengthError(this.source, at, where, 'block total length ' + total + ' is below the 16 bytes of a Simple Packet Block');
    // §4.4: a Simple Packet belongs to interface 0; its captured length is the original length
    // cut to that interface's snapshot length and to the block.
    this.checkInterface(0, at, where);
    const orig = this.u32(at + 8);
    const snap = this.ifSnapLen[0]!;
    let cap = Math.min(orig, total - 16);
    if (snap !== 0 && snap < cap) cap = snap;
    this.fillNg(rec, n, 0, at + 12, cap, orig, 0, 0);
    rec.tsSec = 0;
    rec.tsNsec = 0;
  }

  private fillNg(rec: PcapRecord, n: number, id: number, data: number, cap: number, orig: number, tsHigh: number, tsLow: number): void {
    this.records = n;
    rec.data = this.bytes;
    rec.offset = data;
    rec.length = cap;
    rec.originalLength = orig;
    rec.linkType = this.ifLinkType[id]!;
    rec.interfaceId = id;
    rec.index = n;
    splitTimestamp(tsHigh, tsLow, this.ifTsDiv[id]!, rec);
  }

  /** Walks blocks up to the first Interface Description without consuming packets. */
  private scanFirstInterface(): { linkType: number; nanosecond: boolean } {
    const savedBlocks = this.blocks;
    let at = 0;
    let found: { linkType: number; nanosecond: boolean } = { linkType: -1, nanosecond: false };
    while (at < this.bytes.length) {
      const type = this.blockHeader(at);
      const total = this.u32(at + 4);
      this.blocks++;
      if (type === PCAPNG_SHB) this.readSectionHeader(at, total);
      else if (type === PCAPNG_IDB) {
        this.readInterface(at, total);
        found = { linkType: this.ifLinkType[0]!, nanosecond: this.ifTsDiv[0]! > 1e6 };
        break;
      }
      at += total;
    }
    this.blocks = savedBlocks;
    this.ifLinkType.length = 0;
    this.ifSnapLen.length = 0;
    this.ifTsDiv.length = 0;
    this.pos = 0;
    return found;
  }

  private u16(off: number): number {
    return this.view.getUint16(off, this.le);
  }

  private u32(off: number): number {
    return this.view.getUint32(off, this.le);
  }
}

/**
 * Converts a pcapng 64-bit timestamp (`high`·2^32 + `low` units of 1/`div` second) into seconds
 * and nanoseconds exactly. The 64-bit value does not fit a double, so it is divided by `div`
 * 16 bits at a time (each partial dividend stays below 2^46).
 */
export function splitTimestamp(high: number, low: number, div: number, rec: PcapRecord): void {
  let cur = high >>> 16;
  let q = Math.floor(cur / div);
  let rem = cur - q * div;
  cur = rem * 65536 + (high & 0xffff);
  let qi = Math.floor(cur / div);
  rem = cur - qi * div;
  q = q * 65536 + qi;
  cur = rem * 65536 + (low >>> 16);
  qi = Math.floor(cur / div);
  rem = cur - qi * div;
  q = q * 65536 + qi;
  cur = rem * 65536 + (low & 0xffff);
  qi = Math.floor(cur / div);
  rem = cur - qi * div;
  rec.tsSec = q * 65536 + qi;
  // Exact in doubles: for a power of ten 1e9/div is an integer; for a power of two rem·1e9 is
  // rem·1953125 (below 2^51) times 2^9, and the division only shifts the exponent.
  rec.tsNsec = 1e9 % div === 0 ? rem * (1e9 / div) : Math.floor((rem * 1e9) / div);
}

const EMPTY = new Uint8Array(0);

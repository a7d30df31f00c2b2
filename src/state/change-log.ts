import { CHANGE_RECORD_LEN, ChangeRecordRepr, ChangeRecordView, emitChangeRecord, parseChangeRecord } from './change-record.js';

/** What `ChangeLog.read` / `ChangeLogReader.next` found. */
export const ChangeLogRead = {
  /** `out` holds the record. */
  record: 0,
  /** Nothing at that sequence number yet. */
  empty: 1,
  /** The ring has overwritten that sequence number: the reader fell behind and must start over
   * from a bulk dump (seed 002: "bulk dump on join or restart"). */
  lost: 2,
} as const;
export type ChangeLogRead = (typeof ChangeLogRead)[keyof typeof ChangeLogRead];

/**
 * The change stream of a NAPT table (seed 002's SNAT queue): a bounded ring of fixed-size change
 * records with monotonically increasing sequence numbers, the first being 1. Appending never
 * fails and never allocates: the oldest record is overwritten. Readers (one per peer connection,
 * in sync/) keep their own position and read from any sequence number still held; one that has
 * fallen behind the ring learns it, and the overflow is counted, rather than silently skipping
 * changes.
 */
export class ChangeLog {
  /** Records held. */
  readonly capacity: number;
  /** The ring: record `seq` is at `offsetOf(seq)`, `CHANGE_RECORD_LEN` bytes. */
  readonly bytes: Uint8Array;
  /** `bytes` as a DataView (big-endian word access for `appendInPlace` writers). */
  readonly data: DataView;
  private readonly view = new ChangeRecordView();
  /** Sequence number the next appended record gets. */
  nextSeq = 1;
  /** Readers that fell behind the ring (each counted once, when it found out). */
  overflows = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 26) throw new RangeError('change log capacity must be an integer in 1..2^26 records, got ' + capacity);
    this.capacity = capacity;
    this.bytes = new Uint8Array(capacity * CHANGE_RECORD_LEN);
    this.data = new DataView(this.bytes.buffer);
  }

  /** Oldest sequence number still held (equal to `nextSeq` when the log is empty). */
  get oldestSeq(): number {
    return Math.max(1, this.nextSeq - this.capacity);
  }

  /** True when record `seq` was appended and not yet overwritten. */
  holds(seq: number): boolean {
    return seq >= this.oldestSeq && seq < this.nextSeq;
  }

  /** Byte offset of record `seq`'s slot in `bytes` (for zero-copy batching by sync/). */
  offsetOf(seq: number): number {
    return (seq % this.capacity) * CHANGE_RECORD_LEN;
  }

  /** Appends `repr`; returns its sequence number. */
  append(repr: ChangeRecordRepr): number {
    const seq = this.nextSeq++;
    emitChangeRecord(repr, this.view.bind(this.bytes, this.offsetOf(seq), CHANGE_RECORD_LEN));
    return seq;
  }

  /**
   * Appends a record written in place: returns the byte offset of the next slot in `bytes` (and
   * `data`), which the caller fills completely, every field with version and reserved bytes
   * included (what `emitChangeRecord` writes), before the next append. Lets a table write its
   * fields straight from its arrays, a word at a time, with no value object in between.
   */
  appendInPlace(): number {
    return this.offsetOf(this.nextSeq++);
  }

  /** Reads record `seq` into `out`. Does not count overflows (readers do). */
  read(seq: number, out: ChangeRecordRepr): ChangeLogRead {
    if (seq >= this.nextSeq) return ChangeLogRead.empty;
    if (seq < this.oldestSeq) return ChangeLogRead.lost;
    // The log wrote it, so it parses.
    parseChangeRecord(this.view.bind(this.bytes, this.offsetOf(seq), CHANGE_RECORD_LEN), out);
    return ChangeLogRead.record;
  }

  /** A reader starting at `fromSeq` (default: only records appended from now on). */
  reader(fromSeq = this.nextSeq): ChangeLogReader {
    return new ChangeLogReader(this, fromSeq);
  }
}

/** A position in a `ChangeLog`, advanced by `next`. */
export class ChangeLogReader {
  /** Sequence number of the next record to read. */
  seq: number;
  private fellBehind = false;

  constructor(private readonly log: ChangeLog, fromSeq: number) {
    this.seq = fromSeq;
  }

  /** True from the moment `next` found its position overwritten until `resync`. */
  get behind(): boolean {
    return this.fellBehind;
  }

  /** Reads the next record into `out` and advances. `lost`: the reader fell behind; the
   * overflow is counted once and every later call says `lost` until `resync`. */
  next(out: ChangeRecordRepr): ChangeLogRead {
    if (this.fellBehind) return ChangeLogRead.lost;
    const r = this.log.read(this.seq, out);
    if (r === ChangeLogRead.record) this.seq++;
    else if (r === ChangeLogRead.lost) {
      this.fellBehind = true;
      this.log.overflows++;
    }
    return r;
  }

  /** Records between the reader and the head of the log. */
  get pending(): number {
    return this.log.nextSeq - this.seq;
  }

  /** After a bulk dump taken now: continue with the records appended from here on. */
  resync(): void {
    this.seq = this.log.nextSeq;
    this.fellBehind = false;
  }
}

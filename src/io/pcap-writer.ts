import { closeSync, openSync, writeSync } from 'node:fs';
import { PCAP_FILE_HEADER_LEN, PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO, PCAP_MAX_CAPTURE_LEN, PCAP_RECORD_HEADER_LEN } from './pcap-reader.js';

export interface PcapWriterOptions {
  /** LINKTYPE_ value of every record (see `PcapLinkType`). */
  linkType: number;
  /** Write the nanosecond magic and nanosecond timestamps (default: microseconds, which every
   * reader understands). */
  nanosecond?: boolean;
  /** Snapshot length in the file header (default 262144). */
  snapLen?: number;
  /** Bytes buffered before a write to the file (default 1 MiB). */
  bufferSize?: number;
}

/**
 * Writer of classic pcap files (draft-ietf-opsawg-pcap), little-endian. Records are copied into
 * one reusable buffer that is flushed to the file descriptor when full, so writing a packet
 * allocates nothing. Without a file (`PcapWriter.inMemory`) the buffer grows and `bytes()`
 * returns the file image, for tests.
 */
export class PcapWriter {
  private buf: Uint8Array;
  private view: DataView;
  private used = 0;
  private readonly fd: number;
  private readonly nano: boolean;
  /** Packets written so far. */
  count = 0;

  static toFile(path: string, options: PcapWriterOptions): PcapWriter {
    return new PcapWriter(options, openSync(path, 'w'));
  }

  static inMemory(options: PcapWriterOptions): PcapWriter {
    return new PcapWriter(options, -1);
  }

  private constructor(options: PcapWriterOptions, fd: number) {
    const size = options.bufferSize ?? 1 << 20;
    if (size < PCAP_FILE_HEADER_LEN + PCAP_RECORD_HEADER_LEN) throw new RangeError('PcapWriter buffer must hold at least a header and a record header');
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
    this.fd = fd;
    this.nano = options.nanosecond ?? false;
    const v = this.view;
    v.setUint32(0, this.nano ? PCAP_MAGIC_NANO : PCAP_MAGIC_MICRO, true);
    v.setUint16(4, 2, true);
    v.setUint16(6, 4, true);
    v.setInt32(8, 0, true);
    v.setUint32(12, 0, true);
    v.setUint32(16, options.snapLen ?? PCAP_MAX_CAPTURE_LEN, true);
    v.setUint32(20, options.linkType, true);
    this.used = PCAP_FILE_HEADER_LEN;
  }

  /** Appends the packet `data[off, off+len)` with the given timestamp (seconds, nanoseconds). */
  write(data: Uint8Array, off: number, len: number, tsSec: number, tsNsec: number, originalLength = len): void {
    const need = PCAP_RECORD_HEADER_LEN + len;
    if (this.used + need > this.buf.length) this.makeRoom(need);
    const v = this.view;
    const at = this.used;
    v.setUint32(at, tsSec, true);
    v.setUint32(at + 4, this.nano ? tsNsec : Math.floor(tsNsec / 1000), true);
    v.setUint32(at + 8, len, true);
    v.setUint32(at + 12, originalLength, true);
    const b = this.buf;
    const d = at + PCAP_RECORD_HEADER_LEN;
    for (let i = 0; i < len; i++) b[d + i] = data[off + i]!;
    this.used = at + need;
    this.count++;
  }

  /** The file image so far (in-memory writers only). */
  bytes(): Uint8Array {
    if (this.fd !== -1) throw new Error('PcapWriter.bytes() is for in-memory writers');
    return this.buf.subarray(0, this.used);
  }

  /** Flushes what is buffered to the file. */
  flush(): void {
    if (this.fd === -1) return;
    let done = 0;
    while (done < this.used) done += writeSync(this.fd, this.buf, done, this.used - done);
    this.used = 0;
  }

  /** Flushes and closes the file. */
  close(): void {
    if (this.fd === -1) return;
    this.flush();
    closeSync(this.fd);
  }

  private makeRoom(need: number): void {
    if (this.fd !== -1) {
      this.flush();
      if (need <= this.buf.length) return;
    }
    let size = this.buf.length * 2;
    while (size < this.used + need) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.used));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }
}

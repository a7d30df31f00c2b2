/**
 * Errors raised while reading a capture file. One class per condition, each with a stable `code`
 * to match on; the message names the file, the record (1-based, as Wireshark numbers frames) or
 * block, the byte offset and the problem, so a malformed capture can be located with a hex dump.
 * Reading happens at the edge (files handed to `natmesh replay`), so throwing is allowed here.
 */
export abstract class PcapError extends Error {
  abstract readonly code: string;
  /** File name (or `<buffer>`) the error is about. */
  readonly source: string;
  /** Byte offset in the file where the bad structure starts. */
  readonly offset: number;
  constructor(source: string, offset: number, where: string, problem: string) {
    super(source + ': ' + where + ' at byte ' + offset + ': ' + problem);
    this.source = source;
    this.offset = offset;
  }
  override get name(): string {
    return this.constructor.name;
  }
}

/** The first four bytes are neither a classic pcap magic (either byte order, µs or ns) nor a
 * pcapng Section Header Block. */
export class PcapBadMagicError extends PcapError {
  readonly code = 'ERR_PCAP_BAD_MAGIC';
  constructor(source: string, magic: number) {
    super(source, 0, 'file header', 'magic 0x' + (magic >>> 0).toString(16).padStart(8, '0')
      + ' is not classic pcap (a1b2c3d4 / a1b23c4d, either byte order) nor pcapng (0a0d0d0a)');
  }
}

/** A header, record or block runs past the end of the file. */
export class PcapTruncatedError extends PcapError {
  readonly code = 'ERR_PCAP_TRUNCATED';
  constructor(source: string, offset: number, where: string, needed: number, left: number) {
    super(source, offset, where, 'needs ' + needed + ' bytes but only ' + left + ' remain (file truncated)');
  }
}

/** A length field is inconsistent (captured length beyond the snapshot length or the original
 * length, a pcapng block length not a multiple of 4 or disagreeing with its trailer, ...). */
export class PcapBadLengthError extends PcapError {
  readonly code = 'ERR_PCAP_BAD_LENGTH';
}

/** A field holds a value the format does not allow (version, byte-order magic, interface id). */
export class PcapBadFieldError extends PcapError {
  readonly code = 'ERR_PCAP_BAD_FIELD';
}

/** The capture's link type is one the packet pipeline cannot classify. */
export class PcapUnsupportedLinkTypeError extends PcapError {
  readonly code = 'ERR_PCAP_UNSUPPORTED_LINK_TYPE';
  readonly linkType: number;
  constructor(source: string, offset: number, where: string, linkType: number) {
    super(source, offset, where, 'link type ' + linkType
      + ' is not supported (supported: 1 Ethernet, 101/12/14 raw IP, 228 IPv4, 229 IPv6)');
    this.linkType = linkType;
  }
}

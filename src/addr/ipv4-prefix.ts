import { InvalidPrefixLengthError, PrefixHostBitsSetError } from './address-config-error.js';
import { formatIpv4, ipv4Bytes, parseIpv4, readIpv4 } from './ipv4-address.js';

/** Network mask of a prefix length, as an unsigned 32-bit number (0 for /0). */
export function ipv4Mask(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

/** An IPv4 prefix `address/length` whose host bits are all zero. */
export class Ipv4Prefix {
  readonly address: number;
  readonly length: number;
  readonly mask: number;
  /** The address as 4 bytes, for tables keyed by bytes. */
  readonly bytes: Uint8Array;

  constructor(address: number, length: number, path = '') {
    if (!Number.isInteger(length) || length < 0 || length > 32) {
      throw new InvalidPrefixLengthError(formatIpv4(address >>> 0) + '/' + length, 32, path);
    }
    if (!Number.isInteger(address) || address < 0 || address > 0xffffffff) {
      throw new RangeError('IPv4 address must be an unsigned 32-bit integer, got ' + address);
    }
    this.mask = ipv4Mask(length);
    if (((address & ~this.mask) >>> 0) !== 0) {
      throw new PrefixHostBitsSetError(formatIpv4(address) + '/' + length, formatIpv4((address & this.mask) >>> 0) + '/' + length, path);
    }
    this.address = address;
    this.length = length;
    this.bytes = ipv4Bytes(address);
  }

  /** Parses `a.b.c.d/len`; a bare address is the /32 of that one address. */
  static parse(text: string, path = ''): Ipv4Prefix {
    const slash = text.indexOf('/');
    if (slash === -1) return new Ipv4Prefix(parseIpv4(text, path), 32, path);
    const lenText = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]?)$/.test(lenText) || Number(lenText) > 32) throw new InvalidPrefixLengthError(text, 32, path);
    const address = parseIpv4(text.slice(0, slash), path);
    const length = Number(lenText);
    const mask = ipv4Mask(length);
    if (((address & ~mask) >>> 0) !== 0) {
      throw new PrefixHostBitsSetError(text, formatIpv4((address & mask) >>> 0) + '/' + length, path);
    }
    return new Ipv4Prefix(address, length, path);
  }

  contains(addr: number): boolean {
    return ((addr & this.mask) >>> 0) === this.address;
  }

  /** Whether the 4 bytes at `off` lie in this prefix. */
  containsBytes(b: Uint8Array, off: number): boolean {
    return this.contains(readIpv4(b, off));
  }

  /** Whether every address of `other` lies in this prefix. */
  covers(other: Ipv4Prefix): boolean {
    return other.length >= this.length && this.contains(other.address);
  }

  equals(other: Ipv4Prefix): boolean {
    return this.address === other.address && this.length === other.length;
  }

  toString(): string {
    return formatIpv4(this.address) + '/' + this.length;
  }
}

import { InvalidPrefixLengthError, PrefixHostBitsSetError } from './address-config-error.js';
import { formatIpv6, IPV6_ADDRESS_LEN, parseIpv6 } from './ipv6-address.js';

/** Copy of `b` with the bits beyond `length` cleared. */
function masked(b: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(IPV6_ADDRESS_LEN);
  for (let i = 0; i < IPV6_ADDRESS_LEN; i++) {
    const bits = length - 8 * i;
    out[i] = bits >= 8 ? b[i]! : bits <= 0 ? 0 : b[i]! & (0xff << (8 - bits));
  }
  return out;
}

/** An IPv6 prefix `address/length` whose host bits are all zero. */
export class Ipv6Prefix {
  /** The prefix address (16 bytes, host bits zero). Treat as read-only. */
  readonly bytes: Uint8Array;
  readonly length: number;

  constructor(bytes: Uint8Array, length: number, path = '') {
    if (bytes.length !== IPV6_ADDRESS_LEN) throw new RangeError('IPv6 prefix address must be 16 bytes, got ' + bytes.length);
    if (!Number.isInteger(length) || length < 0 || length > 128) {
      throw new InvalidPrefixLengthError(formatIpv6(bytes) + '/' + length, 128, path);
    }
    const m = masked(bytes, length);
    for (let i = 0; i < IPV6_ADDRESS_LEN; i++) {
      if (m[i] !== bytes[i]) throw new PrefixHostBitsSetError(formatIpv6(bytes) + '/' + length, formatIpv6(m) + '/' + length, path);
    }
    this.bytes = m;
    this.length = length;
  }

  /** Parses `address/len`; a bare address is the /128 of that one address. */
  static parse(text: string, path = ''): Ipv6Prefix {
    const slash = text.indexOf('/');
    if (slash === -1) return new Ipv6Prefix(parseIpv6(text, path), 128, path);
    const lenText = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(lenText) || Number(lenText) > 128) throw new InvalidPrefixLengthError(text, 128, path);
    const bytes = parseIpv6(text.slice(0, slash), path);
    const length = Number(lenText);
    const m = masked(bytes, length);
    for (let i = 0; i < IPV6_ADDRESS_LEN; i++) {
      if (m[i] !== bytes[i]) throw new PrefixHostBitsSetError(text, formatIpv6(m) + '/' + length, path);
    }
    return new Ipv6Prefix(bytes, length, path);
  }

  /** Whether the 16 bytes at `off` lie in this prefix. */
  contains(b: Uint8Array, off: number): boolean {
    const p = this.bytes;
    const full = this.length >>> 3;
    for (let i = 0; i < full; i++) if (b[off + i] !== p[i]) return false;
    const rest = this.length & 7;
    if (rest === 0) return true;
    return (b[off + full]! & (0xff << (8 - rest)) & 0xff) === p[full];
  }

  /** Whether every address of `other` lies in this prefix. */
  covers(other: Ipv6Prefix): boolean {
    return other.length >= this.length && this.contains(other.bytes, 0);
  }

  equals(other: Ipv6Prefix): boolean {
    return this.length === other.length && this.contains(other.bytes, 0) && other.contains(this.bytes, 0);
  }

  toString(): string {
    return formatIpv6(this.bytes) + '/' + this.length;
  }
}

import { InvalidIpv4AddressError } from './address-config-error.js';

/**
 * IPv4 addresses. The API carries them as unsigned 32-bit numbers (network order: the first
 * octet is the most significant byte); packets carry them as 4 bytes, read and written here
 * with shifts so neither side allocates.
 */
export const IPV4_ADDRESS_LEN = 4;

/** Reads 4 bytes at `off` as an unsigned 32-bit address. */
export function readIpv4(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}

/** Writes `addr` as 4 bytes at `off`. */
export function writeIpv4(addr: number, b: Uint8Array, off: number): void {
  b[off] = addr >>> 24;
  b[off + 1] = (addr >>> 16) & 0xff;
  b[off + 2] = (addr >>> 8) & 0xff;
  b[off + 3] = addr & 0xff;
}

/**
 * Parses dotted-quad decimal only. Shorthand forms (`10.1`, `0x0a.0.0.1`) and octets with
 * leading zeros are refused: inet_aton reads `010` as octal 8 while other parsers read 10,
 * the ambiguity RFC 6943 §3.1.1 warns about, so a configuration must not depend on it.
 */
export function parseIpv4(text: string, path = ''): number {
  const parts = text.split('.');
  if (parts.length !== 4) throw new InvalidIpv4AddressError(text, 'expected four decimal octets a.b.c.d', path);
  let addr = 0;
  for (const part of parts) {
    if (!/^[0-9]{1,3}$/.test(part)) throw new InvalidIpv4AddressError(text, 'octet "' + part + '" is not 1 to 3 decimal digits', path);
    if (part.length > 1 && part.charCodeAt(0) === 0x30) {
      throw new InvalidIpv4AddressError(text, 'octet "' + part + '" has a leading zero (octal or decimal is ambiguous, RFC 6943 §3.1.1)', path);
    }
    const v = Number(part);
    if (v > 255) throw new InvalidIpv4AddressError(text, 'octet ' + part + ' is greater than 255', path);
    addr = addr * 256 + v;
  }
  return addr;
}

export function formatIpv4(addr: number): string {
  return (addr >>> 24) + '.' + ((addr >>> 16) & 0xff) + '.' + ((addr >>> 8) & 0xff) + '.' + (addr & 0xff);
}

/** Formats the 4 bytes at `off`. */
export function formatIpv4Bytes(b: Uint8Array, off = 0): string {
  return formatIpv4(readIpv4(b, off));
}

/** 4-byte form of `addr`, for configuration and tests. */
export function ipv4Bytes(addr: number): Uint8Array {
  const b = new Uint8Array(IPV4_ADDRESS_LEN);
  writeIpv4(addr, b, 0);
  return b;
}

import { AddressConfigError, InvalidIpv6AddressError } from './address-config-error.js';
import { formatIpv4, parseIpv4 } from './ipv4-address.js';

/** IPv6 addresses are 16-byte `Uint8Array`s (network order). */
export const IPV6_ADDRESS_LEN = 16;

/**
 * Parses RFC 4291 §2.2 text: eight groups of 1 to 4 hex digits, at most one `::` standing for
 * one or more zero groups, and optionally an IPv4 dotted quad as the last 32 bits. Zone
 * identifiers (RFC 6874 `%eth0`) are refused: a zone has no meaning in a translator's tables.
 */
export function parseIpv6(text: string, path = ''): Uint8Array {
  const fail = (reason: string): never => {
    throw new InvalidIpv6AddressError(text, reason, path);
  };
  if (text.length === 0) fail('empty');
  if (text.includes('%')) fail('zone identifiers are not allowed');
  const out = new Uint8Array(IPV6_ADDRESS_LEN);
  const dbl = text.indexOf('::');
  if (dbl !== -1 && text.indexOf('::', dbl + 1) !== -1) fail('"::" may appear only once');
  const head = dbl === -1 ? text : text.slice(0, dbl);
  const tail = dbl === -1 ? '' : text.slice(dbl + 2);
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  // The dotted quad may only end the address (RFC 4291 §2.2 form 3).
  const words: number[] = [];
  const tailWords: number[] = [];
  const readGroups = (groups: string[], into: number[], isLast: boolean): void => {
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (g.includes('.')) {
        if (!isLast || i !== groups.length - 1) fail('an embedded IPv4 address may only end the address');
        let v4 = 0;
        try {
          v4 = parseIpv4(g);
        } catch (e) {
          if (e instanceof AddressConfigError) fail('embedded IPv4 part "' + g + '" is not a dotted quad');
          throw e;
        }
        into.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) fail(g === '' ? 'empty group' : 'group "' + g + '" is not 1 to 4 hex digits');
        into.push(parseInt(g, 16));
      }
    }
  };
  readGroups(headGroups, words, dbl === -1);
  readGroups(tailGroups, tailWords, true);
  if (dbl === -1) {
    if (words.length !== 8) fail('expected 8 groups, found ' + words.length);
  } else {
    // RFC 4291 §2.2: "::" stands for one or more groups of zeros, so 8 explicit groups plus "::" is too many.
    if (words.length + tailWords.length > 7) fail('too many groups for "::" to stand for any');
    while (words.length + tailWords.length < 8) words.push(0);
    for (const w of tailWords) words.push(w);
  }
  for (let i = 0; i < 8; i++) {
    out[2 * i] = words[i]! >>> 8;
    out[2 * i + 1] = words[i]! & 0xff;
  }
  return out;
}

/**
 * RFC 5952 §4 canonical text: lowercase hex (§4.3), no leading zeros (§4.1), the longest run
 * of two or more zero groups replaced by `::`, the first one on ties (§4.2.1-§4.2.3), and a
 * lone zero group written as `0` (§4.2.2). IPv4-mapped addresses (::ffff:0:0/96, RFC 4291
 * §2.5.5.2) are written as ::ffff:a.b.c.d as §5 recommends for prefixes that mark an embedded
 * IPv4 address by themselves.
 */
export function formatIpv6(b: Uint8Array, off = 0): string {
  let mapped = b[off + 10] === 0xff && b[off + 11] === 0xff;
  for (let i = 0; mapped && i < 10; i++) if (b[off + i] !== 0) mapped = false;
  if (mapped) {
    return '::ffff:' + formatIpv4(((b[off + 12]! << 24) | (b[off + 13]! << 16) | (b[off + 14]! << 8) | b[off + 15]!) >>> 0);
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (b[off + 2 * i] === 0 && b[off + 2 * i + 1] === 0) {
      let j = i;
      while (j < 8 && b[off + 2 * j] === 0 && b[off + 2 * j + 1] === 0) j++;
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    } else {
      i++;
    }
  }
  if (bestLen < 2) bestStart = -1;
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += '::';
      i += bestLen - 1;
      continue;
    }
    if (s !== '' && !s.endsWith(':')) s += ':';
    s += (((b[off + 2 * i]! << 8) | b[off + 2 * i + 1]!)).toString(16);
  }
  return s;
}

export function ipv6Equal(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number): boolean {
  for (let i = 0; i < IPV6_ADDRESS_LEN; i++) if (a[aOff + i] !== b[bOff + i]) return false;
  return true;
}

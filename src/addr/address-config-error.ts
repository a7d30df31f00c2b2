/**
 * Configuration errors raised while reading addresses, prefixes and the tables built from them.
 * One class per condition, each with a stable `code` that callers match on (never the message),
 * and the configuration field `path` the bad value came from ('' when the caller gave none).
 * These are thrown only at configuration time; the hot path never throws.
 */
export abstract class AddressConfigError extends Error {
  abstract readonly code: string;
  readonly path: string;
  readonly value: string;
  constructor(path: string, value: string, problem: string) {
    super(path === '' ? problem : path + ': ' + problem);
    this.path = path;
    this.value = value;
  }
  override get name(): string {
    return this.constructor.name;
  }
}

export class InvalidIpv4AddressError extends AddressConfigError {
  readonly code = 'ERR_INVALID_IPV4_ADDRESS';
  constructor(value: string, reason: string, path = '') {
    super(path, value, 'invalid IPv4 address "' + value + '": ' + reason);
  }
}

export class InvalidIpv6AddressError extends AddressConfigError {
  readonly code = 'ERR_INVALID_IPV6_ADDRESS';
  constructor(value: string, reason: string, path = '') {
    super(path, value, 'invalid IPv6 address "' + value + '": ' + reason);
  }
}

export class InvalidPrefixLengthError extends AddressConfigError {
  readonly code = 'ERR_INVALID_PREFIX_LENGTH';
  constructor(value: string, max: number, path = '') {
    super(path, value, 'invalid prefix length in "' + value + '": expected an integer from 0 to ' + max);
  }
}

/** `192.0.2.1/24`: the address has bits set beyond the prefix length, so the intent is ambiguous. */
export class PrefixHostBitsSetError extends AddressConfigError {
  readonly code = 'ERR_PREFIX_HOST_BITS_SET';
  constructor(value: string, suggestion: string, path = '') {
    super(path, value, 'prefix "' + value + '" has host bits set beyond its length; did you mean "' + suggestion + '"?');
  }
}

/** An IPv4 prefix was given where an IPv6 one is needed, or the other way round. */
export class AddressFamilyMismatchError extends AddressConfigError {
  readonly code = 'ERR_ADDRESS_FAMILY_MISMATCH';
  constructor(value: string, expected: 'IPv4' | 'IPv6', path = '') {
    super(path, value, '"' + value + '" is not an ' + expected + ' prefix');
  }
}

export {
  AddressConfigError,
  AddressFamilyMismatchError,
  InvalidIpv4AddressError,
  InvalidIpv6AddressError,
  InvalidPrefixLengthError,
  PrefixHostBitsSetError,
} from './address-config-error.js';
export { formatIpv4, formatIpv4Bytes, IPV4_ADDRESS_LEN, ipv4Bytes, parseIpv4, readIpv4, writeIpv4 } from './ipv4-address.js';
export { formatIpv6, IPV6_ADDRESS_LEN, ipv6Equal, parseIpv6 } from './ipv6-address.js';
export { Ipv4Prefix, ipv4Mask } from './ipv4-prefix.js';
export { Ipv6Prefix } from './ipv6-prefix.js';
export { LPM_NONE, LpmTable } from './lpm-table.js';

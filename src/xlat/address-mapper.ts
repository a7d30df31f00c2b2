/**
 * How the translator turns addresses of one family into the other. The header code of RFC 7915
 * is written once against this interface; stateless SIIT (RFC 6052 prefix + EAMT of RFC 7757)
 * implements it now, and the stateful NAT64/NAT44 work plugs its session-backed mapping in
 * behind the same calls.
 *
 * Addresses are read from and written to byte buffers at offsets, so the hot path neither
 * allocates nor boxes 32-bit values. Each call returns true when the address is translatable
 * and was written, false when it is not (the translator then drops the packet, or for an ICMP
 * error it falls back to the RFC 6791 pool for the source).
 *
 * "Source" and "destination" are the roles in the packet being translated. For the packet
 * quoted inside an ICMP error the roles are those of the quoted header (RFC 7915 §4.3, §5.3).
 */
export interface AddressMapper {
  /** IPv6 source (16 bytes at `src`) → IPv4 (4 bytes at `dst`). */
  source6to4(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean;
  /** IPv6 destination → IPv4. */
  destination6to4(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean;
  /** IPv4 source (4 bytes at `src`) → IPv6 (16 bytes at `dst`). */
  source4to6(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean;
  /** IPv4 destination → IPv6. */
  destination4to6(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): boolean;
}

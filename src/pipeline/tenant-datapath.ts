import type { LpmTable } from '../addr/lpm-table.js';
import type { ConnTrack } from '../state/conntrack.js';
import type { NaptTable } from '../state/napt-table.js';
import type { Nat64AddressMapper } from '../xlat/nat64-address-mapper.js';
import type { Rfc6052Prefix } from '../xlat/rfc6052.js';
import type { Translator } from '../xlat/translator.js';

/**
 * What the stages use to process one tenant's packets: its translator, its NAT session table
 * and pools, its firewall. Built by control/ from the configuration; a tenant has stateless
 * SIIT or stateful NAT64, NAT44 or both (sharing one pool and session table), and optionally a
 * stateful firewall on its IPv4 side.
 */
export interface TenantDatapath {
  readonly index: number;
  /** Tenant ID (the configured 32-bit ID). */
  readonly id: number;
  readonly name: string;
  /** SIIT translator, or the NAT64 translator (whose mapper is `nat64Mapper`); null for a
   * NAT44-only tenant. */
  readonly translator: Translator | null;
  /** Stateful NAT64: the mapper the translator uses, bound to each packet's session. */
  readonly nat64Mapper: Nat64AddressMapper | null;
  /** Stateful NAT64: the RFC 6052 prefix (pool6). */
  readonly pool6: Rfc6052Prefix | null;
  /** Stateful NAT64/NAT44 session table (BIB + sessions). */
  readonly napt: NaptTable | null;
  /** IPv4 pool addresses: an IPv4 packet to one of them comes from the outside. */
  readonly pool4: LpmTable | null;
  /** NAT44: prefixes of the inside hosts; an IPv4 packet from one of them goes out through NAT44. */
  readonly nat44Inside: LpmTable | null;
  /** NAT44 source of the ICMP errors the gateway sends (Time Exceeded), a pool address. */
  readonly nat44ErrorSource: number;
  /** Stateful firewall of the IPv4 side. */
  readonly conntrack: ConnTrack | null;
}

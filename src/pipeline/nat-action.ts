/** What the NAT stage did with a packet; the flow cache replays it for the flow's later packets. */
export const NatAction = {
  None: 0,
  /** Stateless translation (RFC 7915), either direction. */
  Siit: 1,
  /** NAT64 IPv6 → IPv4 through a session (RFC 6146 §3.5, §3.7). */
  Nat64Out: 2,
  /** NAT64 IPv4 → IPv6 through a session. */
  Nat64In: 3,
  /** NAT44 inside → outside: source rewritten (RFC 3022 §4.2). */
  Nat44Out: 4,
  /** NAT44 outside → inside: destination rewritten. */
  Nat44In: 5,
} as const;
export type NatAction = (typeof NatAction)[keyof typeof NatAction];

export const NAT_ACTION_NAMES: readonly string[] = Object.freeze(['none', 'siit', 'nat64-out', 'nat64-in', 'nat44-out', 'nat44-in']);

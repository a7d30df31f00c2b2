import { defineDropReasons } from '../wire/drop-reasons.js';

/**
 * Why the NAPT session table (stateful NAT64, RFC 6146; NAT44, RFC 4787/5382/5508) refused a
 * packet or a replicated change. `NaptTable.outbound`/`inbound` return -1 and leave one of these
 * codes in `lastDrop` (counted in `drops`); `applyChange` returns one. The ICMP error a refusal
 * calls for is the caller's to send. Append new reasons at the end.
 */
export const NaptDrop = defineDropReasons({
  unsupportedProtocol: 'protocol other than TCP, UDP or ICMP query (the caller passed something the table does not map)',
  // Mapping creation (RFC 6146 §3.5.1.1, RFC 4787 REQ-1..4)
  noPortBlocks: 'this node owns no port block of the pool (blocks are assigned per node; assign some)',
  poolExhausted: 'no free pool port in this node\'s blocks (RFC 6146 §3.5.1.1: caller SHOULD send ICMPv6 Destination Unreachable code 3)',
  pairedAddressExhausted: 'the inside host\'s paired pool address has no free port in this node\'s blocks (RFC 4787 REQ-2 paired pooling)',
  bibTableFull: 'BIB at its configured capacity (maxBib)',
  hostTableFull: 'inside-host table at its configured capacity (maxHosts)',
  sessionTableFull: 'session table at its configured capacity (maxSessions)',
  tenantTableFull: 'tenant table at its configured capacity (maxTenants)',
  tenantSessionLimit: 'tenant at its session cap (maxSessionsPerTenant; RFC 6888 REQ-5)',
  hostSessionLimit: 'inside host at its session cap (maxSessionsPerHost; RFC 6888 REQ-4/REQ-5)',
  // Inbound filtering (RFC 4787 REQ-8, RFC 5382 REQ-3, RFC 6146 §3.5.1/§3.5.2/§3.5.3)
  noBinding: 'inbound packet to a pool transport address with no BIB entry (RFC 6146 §3.5.1: discarded)',
  filtered: 'inbound packet the filtering behaviour refuses: no session from this remote address (or address and port)',
  // TCP (RFC 6146 §3.5.2.2, RFC 5382 REQ-4)
  tcpNotSyn: 'TCP segment without SYN for a connection with no session (RFC 6146 §3.5.2.2 CLOSED state)',
  unsolicitedSynHeld: 'unsolicited inbound SYN held for 6 s: dropped if an outbound SYN for it comes, else answered with Port Unreachable (RFC 5382 REQ-4)',
  unsolicitedSynRefused: 'unsolicited inbound SYN dropped by policy (RFC 5382 REQ-4a, RFC 6146 §3.5.2.2 externally initiated connections)',
  unsolicitedSynRepeated: 'retransmission of an unsolicited inbound SYN already held',
  heldSynStoreFull: 'held-SYN store full: the unsolicited SYN is dropped without a later ICMP error',
  // Replication (seed 002: change records applied from peers)
  applyConflict: 'replicated entry collides with a different local entry (same inside or outside transport address)',
  applyUnknownEntry: 'replicated update or delete for an entry this table does not hold (seed 002: dropped)',
  applyTableFull: 'replicated entry refused: a table is at capacity',
  applyBadRecord: 'replicated record with an unknown kind, action or protocol',
  notOwner: 'change refused: only the owner node (NAT ID) may modify or delete an entry (seed 002)',
});
export type NaptDropName = Exclude<(typeof NaptDrop.names)[number], 'none'>;

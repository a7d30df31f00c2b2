import { defineDropReasons } from '../wire/drop-reasons.js';

/**
 * Why the stateful IPv4 firewall (`ConnTrack.check`) refused a packet. `check` returns one of
 * these codes (0 = accepted) and counts it. Append new reasons at the end.
 */
export const FirewallDrop = defineDropReasons({
  malformed: 'L4 offset or length outside the buffer, or not integers',
  unsupportedProtocol: 'protocol other than TCP, UDP or ICMP',
  // Policy
  unsolicitedInbound: 'inbound packet that would open a connection (TCP SYN, UDP, ICMP query request): only the inside opens connections',
  unknownMidFlow: 'TCP segment without SYN, or ICMP query reply, of no tracked connection, outside the grace period after start',
  directionMismatch: 'packet carrying a tracked tuple but arriving from the other side (spoofed inside address)',
  // TCP (RFC 9293, netfilter-style tracking)
  tcpTruncated: 'TCP header shorter than 20 bytes or data offset past the segment',
  tcpInvalidFlags: 'TCP flag combination no stack sends (SYN+FIN, SYN+RST, FIN without ACK, no flags, ...)',
  tcpInvalidTransition: 'TCP segment the connection state does not allow (e.g. SYN/ACK from the opener, data before the handshake)',
  tcpOutOfWindow: 'TCP sequence or acknowledgment number outside the tracked window (Rooij)',
  tcpRstOutOfWindow: 'TCP RST whose sequence number is outside the window (RFC 9293 §3.10.7.4, RFC 5961 §3)',
  // ICMP (RFC 792)
  icmpTruncated: 'ICMP message or quoted transport header shorter than 8 bytes',
  icmpUnsupportedType: 'ICMP type that is neither an error nor a query with an identifier',
  icmpQueryMismatch: 'ICMP query whose type does not fit its direction in the tracked exchange (a request where a reply belongs)',
  icmpErrorUnrelated: 'ICMP error quoting a packet of no tracked connection (errors never create state)',
  icmpErrorDirection: 'ICMP error travelling the same way as the packet it quotes',
  icmpErrorQuotedSeq: 'ICMP error quoting a TCP sequence number the sender has not sent or that is long acknowledged (RFC 5927 §4.1)',
  // Limits
  tableFull: 'connection table at maxConnections and no unassured connection to evict',
  tenantLimit: 'tenant at maxConnectionsPerTenant',
  hostLimit: 'inside host at maxConnectionsPerHost',
  tenantTableFull: 'more tenants with connections than maxTenants',
});
export type FirewallDropName = Exclude<(typeof FirewallDrop.names)[number], 'none'>;

import { formatIpv4 } from '../addr/ipv4-address.js';
import { formatIpv6 } from '../addr/ipv6-address.js';

/** One session as the CLI and the HTTP API show it (`natmesh replay --dump-sessions`). */
export interface NaptSessionView {
  id: number;
  /** FIGURE 4B entry number (seed 002). */
  entryNumber: number;
  /** NAT ID of the node that owns the session. */
  owner: number;
  /** True when this node owns it (and runs its timer); false for a peer's replica. */
  local: boolean;
  tenant: number;
  protocol: string;
  /** Inside host X (IPv6 for NAT64, dotted IPv4 for NAT44) and port/identifier x. */
  inside: string;
  insidePort: number;
  /** Pool transport address (T,t). */
  outside: string;
  outsidePort: number;
  /** Remote endpoint (Z,z), IPv4. For NAT64 the inside host sees it as Y' (RFC 6052). */
  remote: string;
  remotePort: number;
  /** RFC 6146 §3.5.2 state name for TCP, null otherwise. */
  state: string | null;
  /** Milliseconds until expiry at the table's clock; null for replicas (their owner's timer). */
  expiresInMs: number | null;
}

/** One BIB entry (mapping) as the CLI shows it. */
export interface NaptBindingView {
  id: number;
  entryNumber: number;
  /** 0 for static entries. */
  owner: number;
  local: boolean;
  static: boolean;
  tenant: number;
  protocol: string;
  inside: string;
  insidePort: number;
  outside: string;
  outsidePort: number;
  sessions: number;
}

/** True for the IPv4-mapped form ::ffff:a.b.c.d a NAT44 inside address is stored as. */
export function isMappedIpv4Words(w: Uint32Array, off = 0): boolean {
  return w[off] === 0 && w[off + 1] === 0 && w[off + 2] === 0xffff;
}

/** An inside address as text: dotted IPv4 for NAT44 (mapped form), IPv6 otherwise. */
export function formatInsideAddress(w: Uint32Array, off = 0): string {
  if (isMappedIpv4Words(w, off)) return formatIpv4(w[off + 3]!);
  const b = new Uint8Array(16);
  for (let i = 0; i < 4; i++) {
    const v = w[off + i]!;
    b[4 * i] = v >>> 24;
    b[4 * i + 1] = v >>> 16;
    b[4 * i + 2] = v >>> 8;
    b[4 * i + 3] = v;
  }
  return formatIpv6(b);
}

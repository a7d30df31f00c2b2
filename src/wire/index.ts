/**
 * The wire layer's public face: zero-copy views (bind, check, field accessors, checksum-keeping
 * `update*` setters) and plain Reprs with `parseX(view, out)` / `emitX(repr, view)` for every
 * header natmesh reads or writes, plus the checksum arithmetic and drop-reason tables they share.
 */
export * from './byte-order.js';
export * from './checksum.js';
export * from './drop-reasons.js';
export * from './wire-drop.js';
export * from './ip-protocol.js';
export * from './ethernet.js';
export * from './arp.js';
export * from './ipv4.js';
export * from './ipv4-options.js';
export * from './ipv6.js';
export * from './ipv6-extension-headers.js';
export * from './icmpv4.js';
export * from './icmpv6.js';
export * from './ndp.js';
export * from './udp.js';
export * from './tcp.js';
export * from './tcp-options.js';
export * from './vxlan.js';
export * from './geneve.js';
export { copyWithinArena, PacketArena } from './packet-arena.js';
export * from './virtio-net-header.js';

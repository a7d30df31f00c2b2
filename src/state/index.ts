/**
 * The state layer's public face. The NAPT session table (`NaptTable`: stateful NAT64 and NAT44
 * NAPT, its configuration, drop reasons, TCP state machine, port blocks, held SYNs), its change
 * stream (`ChangeRecordRepr` codec and `ChangeLog`), and the primitives the stateful tables are
 * built from (hash index, flow hash, timing wheel, entry pool, clock). The per-table stores
 * behind `NaptTable` (hosts, BIB, sessions, remote addresses, tenants) stay internal.
 */
export { BibFlag } from './bib-table.js';
export { ChangeLog, ChangeLogRead, ChangeLogReader } from './change-log.js';
export * from './change-record.js';
export { ManualClock, type Clock } from './clock.js';
export { EntryPool } from './entry-pool.js';
export { finishHash, hashWord } from './flow-hash.js';
export { HashIndex } from './hash-index.js';
export * from './napt-config.js';
export { NaptConfigError } from './napt-config-error.js';
export { NaptDrop, type NaptDropName } from './napt-drop.js';
export * from './napt-protocol.js';
export * from './napt-session-view.js';
export { NaptTable, type ChangeSink } from './napt-table.js';
export { PendingSynStore, SynHold, type PendingSynSink } from './pending-syn-store.js';
export { NO_NODE, PortBlockAllocator, PortClaim } from './port-block-allocator.js';
export * from './tcp-state-machine.js';
export { TimingWheel, type ExpirySink } from './timing-wheel.js';
export { ConnTrack, type ConnTrackConnection, type ConnTrackStats } from './conntrack.js';
export { checkConnTrackConfig, defaultConnTrackConfig, defaultConnTrackTimeouts, type ConnTrackConfig, type ConnTrackTimeouts } from './conntrack-config.js';
export { ConnTrackConfigError } from './conntrack-config-error.js';
export { FirewallDrop, type FirewallDropName } from './firewall-drop.js';
export { TcpConnState, TCP_CONN_STATE_NAMES } from './tcp-conntrack-state.js';

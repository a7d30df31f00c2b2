/** Shared set-up of the NaptTable tests: a table on a manual clock, addresses as words. */
import { parseIpv4 } from '../../src/addr/ipv4-address.js';
import { parseIpv6 } from '../../src/addr/ipv6-address.js';
import { ChangeLog } from '../../src/state/change-log.js';
import { ChangeRecordRepr } from '../../src/state/change-record.js';
import { ManualClock } from '../../src/state/clock.js';
import { defaultNaptConfig, type NaptConfig } from '../../src/state/napt-config.js';
import { NaptTable } from '../../src/state/napt-table.js';

export const TCP = 6;
export const UDP = 17;
export const ICMP = 1;
export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const ACK = 0x10;

export const ip = (text: string): number => parseIpv4(text);

/** NAT44 inside address: ::ffff:a.b.c.d as 4 words. */
export function v4in(text: string): Uint32Array {
  return Uint32Array.of(0, 0, 0xffff, parseIpv4(text));
}

/** NAT64 inside address as 4 words. */
export function v6in(text: string): Uint32Array {
  const b = parseIpv6(text);
  const w = new Uint32Array(4);
  for (let i = 0; i < 4; i++) w[i] = ((b[4 * i]! << 24) | (b[4 * i + 1]! << 16) | (b[4 * i + 2]! << 8) | b[4 * i + 3]!) >>> 0;
  return w;
}

export const POOL = ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4'].map(ip);

export interface Fixture {
  table: NaptTable;
  clock: ManualClock;
  log: ChangeLog;
}

export function makeTable(change: (c: NaptConfig) => void = () => {}, clock = new ManualClock(1_000_000), log = new ChangeLog(1 << 16), seed = 99): Fixture {
  const c = defaultNaptConfig();
  c.pool = POOL;
  c.maxSessions = 4096;
  c.maxBib = 4096;
  c.maxHosts = 4096;
  c.maxSessionsPerHost = 4096;
  c.maxSessionsPerTenant = 4096;
  change(c);
  return { table: new NaptTable(c, clock, log, seed), clock, log };
}

/** Every record the log holds from `from` on, as copies. */
export function records(log: ChangeLog, from = 1): ChangeRecordRepr[] {
  const out: ChangeRecordRepr[] = [];
  const r = new ChangeRecordRepr();
  for (let s = from; s < log.nextSeq; s++) {
    if (log.read(s, r) === 0) out.push(new ChangeRecordRepr().copyFrom(r));
  }
  return out;
}

/** The table's entries without local ids and timers, sorted: what replication must reproduce. */
export function entrySet(t: NaptTable): { bindings: string[]; sessions: string[] } {
  const bindings = t.bindings().filter((b) => !b.static).map((b) =>
    [b.owner, b.entryNumber, b.tenant, b.protocol, b.inside, b.insidePort, b.outside, b.outsidePort, b.sessions].join(' '));
  const sessions = t.sessions().map((s) =>
    [s.owner, s.entryNumber, s.tenant, s.protocol, s.inside, s.insidePort, s.outside, s.outsidePort, s.remote, s.remotePort, s.state].join(' '));
  return { bindings: bindings.sort(), sessions: sessions.sort() };
}

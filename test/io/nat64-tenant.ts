/** A stateful NAT64 tenant built straight from the state and xlat layers (what control's
 * `buildTenant` makes from YAML), for the gateway node tests. */
import { parseIpv4, writeIpv4 } from '../../src/addr/ipv4-address.js';
import { Ipv4Prefix } from '../../src/addr/ipv4-prefix.js';
import { Ipv6Prefix } from '../../src/addr/ipv6-prefix.js';
import { LpmTable } from '../../src/addr/lpm-table.js';
import type { TenantDatapath } from '../../src/pipeline/tenant-datapath.js';
import { ChangeLog } from '../../src/state/change-log.js';
import type { Clock } from '../../src/state/clock.js';
import { defaultNaptConfig } from '../../src/state/napt-config.js';
import { NaptTable } from '../../src/state/napt-table.js';
import { Nat64AddressMapper } from '../../src/xlat/nat64-address-mapper.js';
import { Rfc6052Prefix } from '../../src/xlat/rfc6052.js';
import { defaultTranslatorConfig } from '../../src/xlat/translator-config.js';
import { Translator } from '../../src/xlat/translator.js';

export interface Nat64TenantOptions {
  index?: number;
  id?: number;
  name?: string;
  nodeId?: number;
  pool4?: string;
  pool6?: string;
  /** Keep this session table (a reload). */
  napt?: NaptTable;
}

export function nat64Tenant(clock: Clock, o: Nat64TenantOptions = {}): TenantDatapath {
  const pool = Ipv4Prefix.parse(o.pool4 ?? '203.0.113.1/32');
  const c = defaultNaptConfig();
  c.natId = o.nodeId ?? 1;
  c.pool = [pool.address];
  c.maxSessions = 4096;
  c.maxBib = 4096;
  c.maxHosts = 1024;
  c.maxSessionsPerHost = 4096;
  c.maxSessionsPerTenant = 4096;
  const napt = o.napt ?? new NaptTable(c, clock, new ChangeLog(1 << 12), 7);
  const pool6 = new Rfc6052Prefix(Ipv6Prefix.parse(o.pool6 ?? '64:ff9b::/96'));
  const tc = defaultTranslatorConfig();
  const src = new Uint8Array(4);
  writeIpv4(pool.address, src, 0);
  tc.ipv4SourceForErrors = src;
  const mapper = new Nat64AddressMapper(pool6);
  const pool4 = new LpmTable(32);
  pool4.insertPrefix(pool, 0);
  return {
    index: o.index ?? 0, id: o.id ?? 1, name: o.name ?? 'blue',
    translator: new Translator(tc, mapper), nat64Mapper: mapper, pool6, napt, pool4,
    nat44Inside: null, nat44ErrorSource: parseIpv4('203.0.113.1'), conntrack: null,
  };
}

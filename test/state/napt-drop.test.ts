import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChangeRecordRepr } from '../../src/state/change-record.js';
import type { NaptConfig } from '../../src/state/napt-config.js';
import { NaptDrop, type NaptDropName } from '../../src/state/napt-drop.js';
import type { NaptTable } from '../../src/state/napt-table.js';
import { ACK, ip, makeTable, POOL, records, SYN, TCP, UDP, v4in } from './napt-fixture.js';

const Z = ip('198.51.100.7');
const X = v4in('10.0.0.1');

/** [reason, configuration, what triggers it exactly once]. */
const cases: [NaptDropName, (c: NaptConfig) => void, (t: NaptTable) => void][] = [
  ['unsupportedProtocol', () => {}, (t) => t.outbound(1, 47, X, 1, Z, 1, 0)],
  ['noPortBlocks', (c) => { c.blockOwners = [9]; }, (t) => t.outbound(1, UDP, X, 1, Z, 1, 0)],
  ['poolExhausted', (c) => { c.pool = [POOL[0]!]; c.portMin = 60000; c.portMax = 60000; c.portBlockSize = 4; }, (t) => {
    t.outbound(1, UDP, X, 1, Z, 1, 0);
    t.outbound(1, UDP, v4in('10.0.0.2'), 1, Z, 1, 0);
  }],
  ['pairedAddressExhausted', (c) => { c.portMin = 60000; c.portMax = 60000; c.portBlockSize = 4; }, (t) => {
    t.outbound(1, UDP, X, 1, Z, 1, 0);
    t.outbound(1, UDP, X, 2, Z, 1, 0);
  }],
  ['bibTableFull', (c) => { c.maxBib = 1; }, (t) => { t.outbound(1, UDP, X, 1, Z, 1, 0); t.outbound(1, UDP, X, 2, Z, 1, 0); }],
  ['hostTableFull', (c) => { c.maxHosts = 1; }, (t) => { t.outbound(1, UDP, X, 1, Z, 1, 0); t.outbound(1, UDP, v4in('10.0.0.2'), 1, Z, 1, 0); }],
  ['sessionTableFull', (c) => { c.maxSessions = 1; c.maxSessionsPerHost = 1; c.maxSessionsPerTenant = 1; }, (t) => {
    t.outbound(1, UDP, X, 1, Z, 1, 0);
    t.outbound(2, UDP, v4in('10.0.0.2'), 1, Z, 1, 0);
  }],
  ['tenantTableFull', (c) => { c.maxTenants = 1; }, (t) => { t.outbound(1, UDP, X, 1, Z, 1, 0); t.outbound(2, UDP, X, 1, Z, 1, 0); }],
  ['tenantSessionLimit', (c) => { c.maxSessionsPerTenant = 1; }, (t) => { t.outbound(1, UDP, X, 1, Z, 1, 0); t.outbound(1, UDP, v4in('10.0.0.2'), 1, Z, 1, 0); }],
  ['hostSessionLimit', (c) => { c.maxSessionsPerHost = 1; }, (t) => { t.outbound(1, UDP, X, 1, Z, 1, 0); t.outbound(1, UDP, X, 1, Z, 2, 0); }],
  ['noBinding', () => {}, (t) => t.inbound(1, UDP, POOL[0]!, 5000, Z, 1, 0)],
  ['filtered', (c) => { c.filtering = 'address-and-port-dependent'; }, (t) => {
    const s = t.outbound(1, UDP, X, 1, Z, 1, 0);
    t.inbound(1, UDP, t.outsideAddr(s), t.outsidePort(s), Z, 2, 0);
  }],
  ['tcpNotSyn', () => {}, (t) => t.outbound(1, TCP, X, 1, Z, 1, ACK)],
  ['unsolicitedSynHeld', () => {}, (t) => t.inbound(1, TCP, POOL[0]!, 5000, Z, 1, SYN)],
  ['unsolicitedSynRefused', (c) => { c.unsolicitedSyn = 'drop'; }, (t) => t.inbound(1, TCP, POOL[0]!, 5000, Z, 1, SYN)],
  ['unsolicitedSynRepeated', () => {}, (t) => { t.inbound(1, TCP, POOL[0]!, 5000, Z, 1, SYN); t.inbound(1, TCP, POOL[0]!, 5000, Z, 1, SYN); }],
  ['heldSynStoreFull', (c) => { c.heldSynSlots = 1; }, (t) => { t.inbound(1, TCP, POOL[0]!, 5000, Z, 1, SYN); t.inbound(1, TCP, POOL[0]!, 5001, Z, 1, SYN); }],
  ['applyConflict', () => {}, (t) => {
    const s = t.outbound(1, UDP, X, 1, Z, 1, 0);
    const r = bibRecord(2, t.outsideAddr(s), t.outsidePort(s));
    t.applyChange(r);
  }],
  ['applyUnknownEntry', () => {}, (t) => { const r = bibRecord(2, POOL[0]!, 5000); r.action = 3; t.applyChange(r); }],
  ['applyTableFull', (c) => { c.maxBib = 1; c.blockOwners = [1, 2]; }, (t) => {
    t.outbound(1, UDP, X, 1, Z, 1, 0);
    t.applyChange(bibRecord(2, POOL[3]!, 6001));
  }],
  ['applyBadRecord', () => {}, (t) => { const r = bibRecord(2, POOL[0]!, 5000); r.kind = 9; t.applyChange(r); }],
  ['notOwner', (c) => { c.blockOwners = [1, 2]; }, (t) => {
    t.applyChange(bibRecord(2, POOL[3]!, 6001));
    const r = bibRecord(2, POOL[3]!, 6001);
    r.kind = 2;
    r.outsideGlobalAddr = Z;
    r.outsideGlobalPort = 7;
    t.applyChange(r);
    t.remove(t.findOutbound(1, UDP, v4in('10.9.9.9'), 4000, Z, 7));
  }],
];

/** A peer's BIB add record for 10.9.9.9:4000 (UDP, tenant 1) ⇄ (T,t). */
function bibRecord(owner: number, T: number, t: number): ChangeRecordRepr {
  const r = new ChangeRecordRepr();
  r.action = 1;
  r.kind = 1;
  r.protocol = UDP;
  r.natId = owner;
  r.entryNumber = 77;
  r.tenant = 1;
  r.insideLocalAddr.set(v4in('10.9.9.9'));
  r.insideLocalPort = 4000;
  r.insideGlobalAddr = T;
  r.insideGlobalPort = t;
  return r;
}

describe('NaptDrop: every reason is reachable and counted', () => {
  it('the cases below cover every reason', () => {
    assert.deepEqual(cases.map((c) => c[0]).sort(), NaptDrop.names.filter((n) => n !== 'none').sort());
  });
  for (const [reason, config, trigger] of cases) {
    it(reason + ': ' + NaptDrop.descriptions[NaptDrop.code[reason]], () => {
      const { table } = makeTable(config);
      trigger(table);
      assert.equal(table.drops.get(reason), 1);
      // The store's refusals come after a first SYN was held.
      const held = reason === 'unsolicitedSynRepeated' || reason === 'heldSynStoreFull' ? table.drops.get('unsolicitedSynHeld') : 0;
      assert.equal(table.drops.total() - held, 1, 'and nothing else: ' + JSON.stringify(table.drops.snapshot()));
    });
  }

  it('a refusal leaves no state and no change record behind', () => {
    const { table, log } = makeTable((c) => { c.maxSessionsPerHost = 1; });
    table.outbound(1, UDP, X, 1, Z, 1, 0);
    const n = log.nextSeq;
    assert.equal(table.outbound(1, UDP, X, 2, Z, 1, 0), -1);
    assert.equal(table.bibCount, 1, 'no mapping made for the refused session');
    assert.equal(log.nextSeq, n);
    assert.equal(records(log).length, 2);
  });
});

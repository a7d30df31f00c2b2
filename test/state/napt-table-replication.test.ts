import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ChangeLog, ChangeLogRead } from '../../src/state/change-log.js';
import { ChangeAction, ChangeKind, ChangeRecordRepr } from '../../src/state/change-record.js';
import { ManualClock } from '../../src/state/clock.js';
import { NaptDrop } from '../../src/state/napt-drop.js';
import type { NaptTable } from '../../src/state/napt-table.js';
import { TcpState } from '../../src/state/tcp-state-machine.js';
import { ACK, entrySet, FIN, ICMP, ip, makeTable, records, RST, SYN, TCP, UDP, v4in, v6in } from './napt-fixture.js';

const D = NaptDrop.code;
const TEN = 5;
const Z = ip('198.51.100.7');

/** Node `id` of a two-node fabric sharing the pool, blocks striped between NAT IDs 1 and 2. */
function node(id: number, clock = new ManualClock(1_000_000), log = new ChangeLog(1 << 16)): ReturnType<typeof makeTable> {
  return makeTable((c) => { c.natId = id; c.blockOwners = [1, 2]; }, clock, log, 1000 + id);
}

/** Applies every record of `from`'s log after `seq` to `to`; returns the next sequence number. */
function ship(fromLog: ChangeLog, to: NaptTable, seq = 1): number {
  const r = new ChangeRecordRepr();
  for (; seq < fromLog.nextSeq; seq++) {
    assert.equal(fromLog.read(seq, r), ChangeLogRead.record);
    assert.equal(to.applyChange(r), 0, 'record ' + seq + ' applies');
  }
  return seq;
}

/** A deterministic mixed workload on `t` driven by `ops`. */
function workload(t: NaptTable, clock: ManualClock, ops: number[]): void {
  const hosts = [v4in('10.0.0.1'), v4in('10.0.0.2'), v6in('2001:db8::1'), v6in('2001:db8::2')];
  const flags = [SYN, SYN | ACK, ACK, FIN | ACK, RST, 0];
  for (const op of ops) {
    const h = hosts[op & 3]!;
    const port = 1000 + ((op >>> 2) & 15);
    const remote = Z + ((op >>> 6) & 3);
    const rport = 80 + ((op >>> 8) & 3);
    const proto = [TCP, UDP, ICMP][(op >>> 10) % 3]!;
    const f = flags[(op >>> 12) % flags.length]!;
    switch ((op >>> 16) % 6) {
      case 0:
      case 1:
        t.outbound(TEN, proto, h, port, remote, proto === ICMP ? port : rport, proto === TCP ? f : 0);
        break;
      case 2: {
        const s = t.findOutbound(TEN, proto, h, port, remote, proto === ICMP ? port : rport);
        if (s >= 0) t.inbound(TEN, proto, t.outsideAddr(s), t.outsidePort(s), remote + 1, rport, proto === TCP ? f : 0);
        break;
      }
      case 3: {
        const s = t.findOutbound(TEN, proto, h, port, remote, proto === ICMP ? port : rport);
        if (s >= 0) t.inbound(TEN, proto, t.outsideAddr(s), t.outsidePort(s), remote, rport, proto === TCP ? f : 0);
        break;
      }
      case 4:
        clock.advance(((op >>> 20) & 255) * 1000);
        t.expire();
        break;
      default: {
        const s = t.findOutbound(TEN, proto, h, port, remote, proto === ICMP ? port : rport);
        if (s >= 0) t.remove(s);
      }
    }
  }
}

describe('NaptTable replication (seed 002)', () => {
  it('replaying table A\'s change log into an empty table B gives the same entries (property)', () => {
    fc.assert(fc.property(fc.array(fc.nat({ max: 0x7fffffff }), { minLength: 1, maxLength: 300 }), (ops) => {
      const a = node(1);
      const b = node(2);
      workload(a.table, a.clock, ops);
      ship(a.log, b.table);
      assert.deepEqual(entrySet(b.table), entrySet(a.table));
      assert.equal(b.table.sessionCount, a.table.sessionCount);
      assert.equal(b.log.nextSeq, 1, 'applying replicas announces nothing');
    }), { numRuns: 60 });
  });

  it('a bulk dump rebuilds the table on a joining peer, with BIB entries before their sessions', () => {
    const a = node(1);
    workload(a.table, a.clock, Array.from({ length: 400 }, (_, i) => Math.imul(i + 1, 0x9e3779b1) >>> 1));
    assert.ok(a.table.sessionCount > 0);
    const b = node(2);
    const seen: number[] = [];
    const n = a.table.dump({ change: (r) => { seen.push(r.kind); assert.equal(b.table.applyChange(r), 0); } });
    assert.equal(n, a.table.bibCount + a.table.sessionCount);
    assert.ok(seen.lastIndexOf(ChangeKind.bib) < seen.indexOf(ChangeKind.session));
    assert.ok(seen.every((k, i) => i === 0 || k >= seen[i - 1]!));
    assert.deepEqual(entrySet(b.table), entrySet(a.table));
  });

  it('replicas keep their owner, are neither refreshed, changed nor expired here, and translate all the same', () => {
    const a = node(1);
    const b = node(2, a.clock);
    const s = a.table.outbound(TEN, TCP, v4in('10.0.0.1'), 40000, Z, 443, SYN);
    a.table.inbound(TEN, TCP, a.table.outsideAddr(s), a.table.outsidePort(s), Z, 443, SYN | ACK);
    ship(a.log, b.table);
    const r = b.table.findOutbound(TEN, TCP, v4in('10.0.0.1'), 40000, Z, 443);
    assert.ok(r >= 0);
    assert.equal(b.table.owner(r), 1);
    assert.equal(b.table.entryNumber(r), a.table.entryNumber(s));
    assert.equal(b.table.tcpState(r), TcpState.established);
    assert.equal(b.table.expiresAt(r), -1, 'no timer for a replica');
    // A packet of the flow through B: translated (same id), but B changes nothing.
    assert.equal(b.table.outbound(TEN, TCP, v4in('10.0.0.1'), 40000, Z, 443, FIN | ACK), r);
    assert.equal(b.table.tcpState(r), TcpState.established);
    assert.equal(b.log.nextSeq, 1);
    b.clock.advance(100 * 3600_000);
    assert.equal(b.table.expire(), 0);
    assert.equal(b.table.remove(r), false);
    assert.equal(b.table.drops.get('notOwner'), 1);
    assert.equal(b.table.sessionCount, 1);
    // The owner's own expiry reaches B as a delete.
    a.table.expire();
    ship(a.log, b.table, 1 + 3);
    assert.equal(b.table.sessionCount, 0);
    assert.equal(b.table.bibCount, 0);
  });

  it('a delete from a node that does not own the entry is refused', () => {
    const a = node(1);
    const b = node(2);
    a.table.outbound(TEN, UDP, v4in('10.0.0.1'), 40000, Z, 53, 0);
    ship(a.log, b.table);
    const del = records(a.log)[1]!;
    del.action = ChangeAction.delete;
    del.natId = 3;
    assert.equal(b.table.applyChange(del), D.notOwner);
    assert.equal(b.table.sessionCount, 1);
  });

  it('the sessions of both nodes on one mapping: the mapping lives while either has one', () => {
    const a = node(1);
    const b = node(2, a.clock);
    const X = v4in('10.0.0.1');
    const s = a.table.outbound(TEN, UDP, X, 40000, Z, 53, 0);
    let seqA = ship(a.log, b.table);
    // The flow to another remote goes through B: B's session on A's mapping (EIM across nodes).
    a.clock.advance(200_000);
    const sb = b.table.outbound(TEN, UDP, X, 40000, Z + 1, 53, 0);
    assert.equal(b.table.outsidePort(sb), a.table.outsidePort(s));
    assert.equal(b.table.owner(sb), 2);
    let seqB = ship(b.log, a.table);
    assert.equal(a.table.bindings()[0]!.sessions, 2);
    a.clock.advance(100_000);
    assert.equal(a.table.expire(), 1, 'A\'s own session expires');
    assert.equal(a.table.bibCount, 1, 'A keeps its mapping: B\'s session is on it');
    seqA = ship(a.log, b.table, seqA);
    assert.equal(b.table.sessionCount, 1);
    a.clock.advance(200_000);
    assert.equal(b.table.expire(), 1);
    seqB = ship(b.log, a.table, seqB);
    assert.equal(a.table.sessionCount, 0);
    assert.equal(a.table.bibCount, 0, 'the last session gone, A deletes its mapping');
    ship(a.log, b.table, seqA);
    assert.equal(b.table.bibCount, 0);
  });

  it('removeOwner: a lost peer\'s entries go, and own sessions on its mappings are announced as deleted', () => {
    const a = node(1);
    const b = node(2, a.clock);
    const X = v4in('10.0.0.1');
    a.table.outbound(TEN, UDP, X, 40000, Z, 53, 0);
    a.table.outbound(TEN, TCP, v4in('10.0.0.9'), 1, Z, 1, SYN);
    ship(a.log, b.table);
    b.table.outbound(TEN, UDP, X, 40000, Z + 1, 53, 0); // B's session on A's mapping
    const own = b.table.outbound(TEN, UDP, v4in('10.0.0.3'), 7, Z, 53, 0); // B's own mapping
    const mark = b.log.nextSeq;
    assert.equal(b.table.removeOwner(1), 5);
    assert.equal(b.table.sessionCount, 1);
    assert.equal(b.table.bibCount, 1);
    assert.ok(b.table.isLive(own, b.table.entryNumber(own)));
    assert.deepEqual(records(b.log, mark).map((r) => [r.action, r.kind, r.natId]), [[ChangeAction.delete, ChangeKind.session, 2]]);
    assert.throws(() => b.table.removeOwner(2), RangeError);
  });

  it('takeOver: the backup adopts the entries, restarts their timers and may use the lost node\'s blocks', () => {
    const a = node(1);
    const b = node(2, a.clock);
    const hosts = Array.from({ length: 50 }, (_, i) => v4in('10.0.1.' + i));
    for (const h of hosts) {
      const s = a.table.outbound(TEN, TCP, h, 40000, Z, 443, SYN);
      a.table.inbound(TEN, TCP, a.table.outsideAddr(s), a.table.outsidePort(s), Z, 443, SYN | ACK);
      a.table.outbound(TEN, UDP, h, 5353, Z, 53, 0);
    }
    ship(a.log, b.table);
    a.clock.advance(1_000_000);
    const mark = b.log.nextSeq;
    const before = b.table.ports.ownedBySelf;
    assert.equal(b.table.takeOver(1), 200);
    assert.equal(b.table.ports.ownedBySelf, before * 2);
    const views = b.table.sessions();
    assert.ok(views.every((v) => v.owner === 2 && v.local));
    for (const v of views) assert.equal(v.expiresInMs, v.protocol === 'tcp' ? 7_440_000 : 300_000, 'timer restarted in full');
    const ups = records(b.log, mark);
    assert.equal(ups.length, 200);
    assert.ok(ups.every((r) => r.action === ChangeAction.update && r.natId === 2));
    // New mappings on B never collide with the adopted ones, now that A's blocks are B's.
    const used = new Set(b.table.bindings().map((x) => x.protocol + x.outside + ':' + x.outsidePort));
    for (let i = 0; i < 2000; i++) {
      const s = b.table.outbound(TEN, UDP, v4in('10.0.2.' + (i % 200)), 10000 + i, Z, 53, 0);
      if (s < 0) continue;
      const k = 'udp' + b.table.sessions().find((v) => v.id === s)!.outside + ':' + b.table.outsidePort(s);
      assert.ok(!used.has(k), 'collision on ' + k);
      used.add(k);
    }
  });

  it('a restarted node gets its own entries back from a peer\'s dump, owned and timed again', () => {
    const a = node(1);
    const b = node(2, a.clock);
    a.table.outbound(TEN, UDP, v4in('10.0.0.1'), 40000, Z, 53, 0);
    a.table.outbound(TEN, ICMP, v6in('2001:db8::1'), 9, Z, 9, 0);
    ship(a.log, b.table);
    const restarted = node(1, a.clock);
    b.table.dump({ change: (r) => assert.equal(restarted.table.applyChange(r), 0) }, 'all');
    assert.deepEqual(entrySet(restarted.table), entrySet(a.table));
    assert.ok(restarted.table.sessions().every((v) => v.local && v.expiresInMs !== null));
    assert.equal(restarted.log.nextSeq, 1, 'restoring announces nothing');
    assert.equal(restarted.table.ports.isTaken(1, a.table.outsideAddr(0), a.table.outsidePort(0)), true);
  });

  it('a session whose mapping record has not come yet installs the mapping; the mapping\'s owner record settles it', () => {
    const a = node(1);
    const b = node(2, a.clock);
    const c = node(3, a.clock);
    const X = v4in('10.0.0.1');
    a.table.outbound(TEN, UDP, X, 40000, Z, 53, 0);
    ship(a.log, b.table);
    b.table.outbound(TEN, UDP, X, 40000, Z + 1, 53, 0);
    // C hears B's session first.
    ship(b.log, c.table);
    assert.equal(c.table.bibCount, 1);
    ship(a.log, c.table);
    assert.deepEqual(entrySet(c.table), entrySet(b.table));
  });

  it('refuses conflicting, unknown and malformed records, counting each', () => {
    const a = node(1);
    const b = node(2);
    a.table.outbound(TEN, UDP, v4in('10.0.0.1'), 40000, Z, 53, 0);
    const [bib] = records(a.log) as [ChangeRecordRepr];
    // B maps another host on the very pool endpoint A's record names.
    const clash = new ChangeRecordRepr().copyFrom(bib);
    clash.insideLocalAddr[3] = ip('10.0.0.99');
    assert.equal(b.table.applyChange(bib), 0);
    assert.equal(b.table.applyChange(clash), D.applyConflict);
    const moved = new ChangeRecordRepr().copyFrom(bib);
    moved.insideGlobalPort ^= 2;
    assert.equal(b.table.applyChange(moved), D.applyConflict, 'same inside endpoint, other pool endpoint');
    const gone = new ChangeRecordRepr().copyFrom(bib);
    gone.action = ChangeAction.delete;
    gone.insideLocalPort = 1;
    assert.equal(b.table.applyChange(gone), D.applyUnknownEntry);
    const bad = new ChangeRecordRepr().copyFrom(bib);
    bad.protocol = 47;
    assert.equal(b.table.applyChange(bad), D.applyBadRecord);
    const anon = new ChangeRecordRepr().copyFrom(bib);
    anon.natId = 0;
    assert.equal(b.table.applyChange(anon), D.applyBadRecord);
    assert.equal(b.table.drops.get('applyConflict'), 2);
    assert.equal(b.table.drops.get('applyUnknownEntry'), 1);
    assert.equal(b.table.drops.get('applyBadRecord'), 2);
  });

  it('two nodes mapping at once never pick the same pool endpoint, and take each other\'s records cleanly', () => {
    const a = node(1);
    const b = node(2, a.clock);
    let seqA = 1;
    let seqB = 1;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 50; i++) {
        a.table.outbound(TEN, UDP, v4in('10.1.' + round + '.' + i), 5000 + i, Z, 53, 0);
        b.table.outbound(TEN, UDP, v4in('10.2.' + round + '.' + i), 5000 + i, Z, 53, 0);
      }
      seqA = ship(a.log, b.table, seqA);
      seqB = ship(b.log, a.table, seqB);
    }
    assert.equal(a.table.sessionCount, 2000);
    assert.deepEqual(entrySet(a.table), entrySet(b.table));
    const endpoints = new Set(a.table.bindings().map((x) => x.outside + ':' + x.outsidePort));
    assert.equal(endpoints.size, 2000);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChangeLog, ChangeLogRead } from '../../src/state/change-log.js';
import { CHANGE_RECORD_LEN, ChangeAction, ChangeKind, ChangeRecordRepr, ChangeRecordView, parseChangeRecord } from '../../src/state/change-record.js';

function rec(n: number): ChangeRecordRepr {
  const r = new ChangeRecordRepr();
  r.action = ChangeAction.add;
  r.kind = ChangeKind.bib;
  r.protocol = 17;
  r.entryNumber = n;
  r.natId = 1;
  return r;
}

describe('ChangeLog', () => {
  it('numbers records from 1, monotonically', () => {
    const log = new ChangeLog(4);
    assert.equal(log.append(rec(10)), 1);
    assert.equal(log.append(rec(11)), 2);
    assert.equal(log.nextSeq, 3);
    const out = new ChangeRecordRepr();
    assert.equal(log.read(2, out), ChangeLogRead.record);
    assert.equal(out.entryNumber, 11);
    assert.equal(log.read(3, out), ChangeLogRead.empty);
  });

  it('keeps the records as bytes a sync batch can copy from', () => {
    const log = new ChangeLog(3);
    for (let i = 1; i <= 5; i++) log.append(rec(100 + i));
    const out = new ChangeRecordRepr();
    const v = new ChangeRecordView().bind(log.bytes, log.offsetOf(5), CHANGE_RECORD_LEN);
    assert.equal(parseChangeRecord(v, out), 0);
    assert.equal(out.entryNumber, 105);
  });

  it('a reader reads in order from where it started, then waits', () => {
    const log = new ChangeLog(8);
    log.append(rec(1));
    const r = log.reader();
    const early = log.reader(1);
    log.append(rec(2));
    log.append(rec(3));
    const out = new ChangeRecordRepr();
    assert.equal(r.pending, 2);
    assert.equal(r.next(out), ChangeLogRead.record);
    assert.equal(out.entryNumber, 2);
    assert.equal(r.next(out), ChangeLogRead.record);
    assert.equal(out.entryNumber, 3);
    assert.equal(r.next(out), ChangeLogRead.empty);
    assert.equal(early.next(out), ChangeLogRead.record);
    assert.equal(out.entryNumber, 1);
  });

  it('a reader that fell behind the ring learns it, the overflow is counted once, and resync resumes at the head', () => {
    const log = new ChangeLog(4);
    const r = log.reader();
    for (let i = 1; i <= 6; i++) log.append(rec(i));
    assert.equal(log.oldestSeq, 3);
    assert.equal(log.holds(2), false);
    const out = new ChangeRecordRepr();
    assert.equal(r.next(out), ChangeLogRead.lost);
    assert.equal(r.behind, true);
    assert.equal(r.next(out), ChangeLogRead.lost);
    assert.equal(log.overflows, 1);
    r.resync();
    assert.equal(r.behind, false);
    assert.equal(r.next(out), ChangeLogRead.empty);
    log.append(rec(7));
    assert.equal(r.next(out), ChangeLogRead.record);
    assert.equal(out.entryNumber, 7);
  });

  it('refuses a capacity it cannot hold', () => {
    assert.throws(() => new ChangeLog(0), RangeError);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  CHANGE_RECORD_LEN, ChangeAction, ChangeFlag, ChangeKind, ChangeRecordRepr, ChangeRecordView, CR_OFF_FLAGS, CR_OFF_RESERVED2,
  emitChangeRecord, parseChangeRecord,
} from '../../src/state/change-record.js';
import { WireDrop } from '../../src/wire/wire-drop.js';

const view = new ChangeRecordView();

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** A NAT44 UDP session 10.0.0.1:5000 → 203.0.113.2:65472 ⇄ 8.8.8.8:53, node 7, tenant 42. */
function sample(): ChangeRecordRepr {
  const r = new ChangeRecordRepr();
  r.action = ChangeAction.add;
  r.kind = ChangeKind.session;
  r.protocol = 17;
  r.flags = 0;
  r.entryNumber = 0x01020304;
  r.natId = 7;
  r.tenant = 42;
  r.insideLocalAddr.set([0, 0, 0xffff, 0x0a000001]);
  r.insideLocalPort = 5000;
  r.insideGlobalAddr = 0xcb007102;
  r.insideGlobalPort = 65472;
  r.outsideGlobalAddr = 0x08080808;
  r.outsideGlobalPort = 53;
  r.outsideLocalAddr = 0x08080808;
  r.outsideLocalPort = 53;
  r.appContext = 0;
  return r;
}

// Written out by hand from the layout in change-record.ts.
const SAMPLE_HEX =
  '01' + '01' + '02' + '11' + // version, add, session, UDP
  '00' + '00' + '1388' + // flags, reserved, inside local port 5000
  '01020304' + '00000007' + '0000002a' + // entry number, NAT ID, tenant
  '00000000' + '00000000' + '0000ffff' + '0a000001' + // ::ffff:10.0.0.1
  'cb007102' + 'ffc0' + '0035' + // T, t, z
  '08080808' + '08080808' + '0035' + '0000' + // Z, outside local address and port, reserved
  '00000000'; // application context

function reprEqual(a: ChangeRecordRepr, b: ChangeRecordRepr): void {
  assert.deepEqual({ ...a, insideLocalAddr: [...a.insideLocalAddr] }, { ...b, insideLocalAddr: [...b.insideLocalAddr] });
}

const arbRepr = fc.record({
  action: fc.integer({ min: 1, max: 3 }),
  kind: fc.integer({ min: 1, max: 2 }),
  protocol: fc.constantFrom(1, 6, 17),
  flags: fc.integer({ min: 0, max: 3 }),
  entryNumber: fc.nat({ max: 0xffffffff }),
  natId: fc.nat({ max: 0xffffffff }),
  tenant: fc.nat({ max: 0xffffffff }),
  addr: fc.array(fc.nat({ max: 0xffffffff }), { minLength: 4, maxLength: 4 }),
  ports: fc.array(fc.nat({ max: 0xffff }), { minLength: 4, maxLength: 4 }),
  addrs: fc.array(fc.nat({ max: 0xffffffff }), { minLength: 3, maxLength: 3 }),
  appContext: fc.nat({ max: 0xffffffff }),
}).map((v) => {
  const r = new ChangeRecordRepr();
  r.action = v.action; r.kind = v.kind; r.protocol = v.protocol; r.flags = v.flags;
  r.entryNumber = v.entryNumber; r.natId = v.natId; r.tenant = v.tenant;
  r.insideLocalAddr.set(v.addr);
  [r.insideLocalPort, r.insideGlobalPort, r.outsideGlobalPort, r.outsideLocalPort] = v.ports as [number, number, number, number];
  [r.insideGlobalAddr, r.outsideGlobalAddr, r.outsideLocalAddr] = v.addrs as [number, number, number];
  r.appContext = v.appContext;
  return r;
});

describe('change record codec', () => {
  it('named vector: emits the hand-written bytes into a poisoned buffer', () => {
    const buf = new Uint8Array(CHANGE_RECORD_LEN).fill(0xa5);
    emitChangeRecord(sample(), view.bind(buf, 0, buf.length));
    assert.equal(hex(buf), SAMPLE_HEX);
  });

  it('named vector: parses the hand-written bytes', () => {
    const out = new ChangeRecordRepr();
    const bytes = Uint8Array.from(Buffer.from(SAMPLE_HEX, 'hex'));
    assert.equal(parseChangeRecord(view.bind(bytes, 0, bytes.length), out), 0);
    reprEqual(out, sample());
  });

  it('round-trips at a non-zero offset without touching the bytes around it', () => {
    const buf = new Uint8Array(CHANGE_RECORD_LEN + 20).fill(0x5a);
    const r = sample();
    r.flags = ChangeFlag.outsideLocalDerived;
    r.appContext = 3;
    emitChangeRecord(r, view.bind(buf, 13, CHANGE_RECORD_LEN));
    assert.ok(buf.subarray(0, 13).every((x) => x === 0x5a));
    assert.ok(buf.subarray(13 + CHANGE_RECORD_LEN).every((x) => x === 0x5a));
    const out = new ChangeRecordRepr();
    assert.equal(parseChangeRecord(view.bind(buf, 13, CHANGE_RECORD_LEN), out), 0);
    reprEqual(out, r);
  });

  it('parse ∘ emit is the identity (property)', () => {
    fc.assert(fc.property(arbRepr, fc.nat({ max: 64 }), (r, off) => {
      const buf = new Uint8Array(off + CHANGE_RECORD_LEN).fill(0xa5);
      emitChangeRecord(r, view.bind(buf, off, CHANGE_RECORD_LEN));
      const out = new ChangeRecordRepr();
      assert.equal(parseChangeRecord(view.bind(buf, off, CHANGE_RECORD_LEN), out), 0);
      reprEqual(out, r);
    }));
  });

  it('random bytes never throw, and parse only to valid records (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
      const out = new ChangeRecordRepr();
      const code = parseChangeRecord(view.bind(bytes, 0, bytes.length), out);
      if (code === 0) {
        assert.ok(out.action >= 1 && out.action <= 3);
        assert.ok(out.kind === 1 || out.kind === 2);
        assert.ok([1, 6, 17].includes(out.protocol));
      }
    }));
  });

  const bad: [string, (b: Uint8Array) => Uint8Array, keyof typeof WireDrop.code][] = [
    ['one byte short', (b) => b.subarray(0, CHANGE_RECORD_LEN - 1), 'truncated'],
    ['version 2', (b) => { b[0] = 2; return b; }, 'badVersion'],
    ['action 0', (b) => { b[1] = 0; return b; }, 'badType'],
    ['action 4', (b) => { b[1] = 4; return b; }, 'badType'],
    ['kind 3', (b) => { b[2] = 3; return b; }, 'badType'],
    ['protocol 47', (b) => { b[3] = 47; return b; }, 'unsupported'],
    ['unknown flag bit', (b) => { b[CR_OFF_FLAGS] = 4; return b; }, 'badFlags'],
    ['reserved bytes set', (b) => { b[CR_OFF_RESERVED2] = 1; return b; }, 'badFlags'],
  ];
  for (const [name, spoil, code] of bad) {
    it('refuses ' + name + ' as ' + code, () => {
      const bytes = spoil(Uint8Array.from(Buffer.from(SAMPLE_HEX, 'hex')));
      assert.equal(parseChangeRecord(view.bind(bytes, 0, bytes.length), new ChangeRecordRepr()), WireDrop.code[code]);
    });
  }

  it('emit refuses a view too short (a caller bug)', () => {
    assert.throws(() => emitChangeRecord(sample(), view.bind(new Uint8Array(59), 0, 59)), RangeError);
  });
});

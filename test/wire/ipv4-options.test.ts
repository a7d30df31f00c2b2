import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  checkIpv4Options, emitIpv4Option, findIpv4Option, IPV4_OPTIONS_MAX_LEN, Ipv4OptionIter, Ipv4OptionKind,
} from '../../src/wire/ipv4-options.js';
import { DropCounters } from '../../src/wire/drop-reasons.js';
import { WireDrop } from '../../src/wire/wire-drop.js';
import { fromHex, golden, toHex } from '../golden/l3/vectors.js';

const it = new Ipv4OptionIter();

/** [kind, offset relative to `base`, whole length] of every option the iterator yields. */
function walk(b: Uint8Array, off: number, len: number, base = off): [number, number, number][] {
  const out: [number, number, number][] = [];
  it.reset(b, off, len);
  while (it.next()) out.push([it.kind, it.off - base, it.optLen]);
  return out;
}

describe('IPv4 option walk over scapy headers', () => {
  for (const [name, v] of Object.entries(golden.ipv4)) {
    if (v.ihl === 20) continue;
    test(name, () => {
      const b = fromHex(v.hex);
      // Offsets in the vectors count from the IPv4 header start, where options begin at 20.
      assert.deepEqual(walk(b, 20, v.ihl - 20, 0), v.optionList);
      assert.equal(it.error, 0);
      assert.equal(checkIpv4Options(b, 20, v.ihl - 20), 0);
    });
  }

  test('record route data: pointer and two routers', () => {
    const b = fromHex(golden.ipv4.record_route_nop_eol!.hex);
    it.reset(b, 20, 12);
    assert.ok(it.next());
    assert.equal(it.kind, Ipv4OptionKind.Nop);
    assert.ok(it.next());
    assert.equal(it.kind, Ipv4OptionKind.RecordRoute);
    assert.equal(it.dataLen, 9);
    assert.equal(b[it.dataOff], 4); // pointer
    assert.equal(toHex(b, it.dataOff + 1, 8), '0a0000010a000002');
  });

  test('findIpv4Option locates the router alert (RFC 2113) and misses what is absent', () => {
    const b = fromHex(golden.ipv4.router_alert!.hex);
    assert.equal(findIpv4Option(b, 20, 4, Ipv4OptionKind.RouterAlert), 20);
    assert.equal(findIpv4Option(b, 20, 4, Ipv4OptionKind.Lsrr), -1);
  });

  test('an unknown kind is yielded whole with its raw data', () => {
    const b = fromHex(golden.ipv4.unknown_option_kind!.hex);
    it.reset(b, 20, 8);
    assert.ok(it.next());
    assert.equal(it.kind, 0x9e);
    assert.equal(toHex(b, it.dataOff, it.dataLen), '01020304');
  });

  test('nothing after End of Option List is read as an option', () => {
    const b = fromHex('00' + '07');
    assert.deepEqual(walk(b, 0, 2), [[0, 0, 1]]);
    assert.equal(it.error, 0);
  });
});

describe('emitIpv4Option', () => {
  test('writes the RFC 2113 router alert and a NOP into a poisoned buffer', () => {
    const out = new Uint8Array(8).fill(0xa5);
    let p = emitIpv4Option(out, 1, Ipv4OptionKind.Nop, out, 0, 0);
    p = emitIpv4Option(out, p, Ipv4OptionKind.RouterAlert, new Uint8Array([0, 0]), 0, 2);
    assert.equal(p, 6);
    assert.equal(toHex(out), 'a501940400' + '00a5a5');
  });

  test('round trip at a non-zero offset', () => {
    const data = new Uint8Array([4, 10, 0, 0, 1, 10, 0, 0, 2]);
    const out = new Uint8Array(20).fill(0xa5);
    let p = emitIpv4Option(out, 5, Ipv4OptionKind.RecordRoute, data, 0, 9);
    p = emitIpv4Option(out, p, Ipv4OptionKind.Eol, data, 0, 0);
    assert.deepEqual(walk(out, 5, p - 5), [[7, 0, 11], [0, 11, 1]]);
    assert.equal(toHex(out, 5 + 2, 9), toHex(data));
  });
});

describe('IPv4 option drop reasons', () => {
  const counters = new DropCounters(WireDrop);
  const cases: [string, string][] = [
    ['length 0', '0700' + '0000'],
    ['length 1', '0701' + '0000'],
    ['length past the end of the options area', '07080400'],
    ['type octet without its length octet', '010107'],
  ];
  for (const [name, hex] of cases) {
    test(`badOption: ${name}`, () => {
      const b = fromHex(hex);
      const before = counters.get('badOption');
      counters.add(checkIpv4Options(b, 0, b.length));
      assert.equal(counters.get('badOption'), before + 1);
      walk(b, 0, b.length);
      assert.equal(it.error, WireDrop.code.badOption);
    });
  }
});

describe('IPv4 option properties', () => {
  const arbOption = fc.oneof(
    fc.constant({ kind: Ipv4OptionKind.Nop as number, data: new Uint8Array(0) }),
    fc.record({
      kind: fc.integer({ min: 2, max: 255 }),
      data: fc.uint8Array({ maxLength: 10 }),
    }),
  );

  test('walk(emit(options)) yields the options emitted', () => {
    fc.assert(fc.property(fc.array(arbOption, { maxLength: 6 }), fc.integer({ min: 0, max: 5 }), (opts, off) => {
      const out = new Uint8Array(off + 6 * 12).fill(0xa5);
      let p = off;
      const expected: [number, number, number][] = [];
      for (const o of opts) {
        const start = p;
        p = emitIpv4Option(out, p, o.kind, o.data, 0, o.data.length);
        expected.push([o.kind, start - off, p - start]);
      }
      assert.deepEqual(walk(out, off, p - off), expected);
      assert.equal(it.error, 0);
    }), { numRuns: 300 });
  });

  test('random bytes never throw and every option lies inside the area', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: IPV4_OPTIONS_MAX_LEN }), (bytes) => {
      it.reset(bytes, 0, bytes.length);
      let n = 0;
      while (it.next()) {
        assert.ok(it.off + it.optLen <= bytes.length);
        assert.ok(++n <= bytes.length);
      }
      assert.ok(it.error === 0 || it.error === WireDrop.code.badOption);
      assert.equal(checkIpv4Options(bytes, 0, bytes.length), it.error);
    }), { numRuns: 500 });
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  emitEthernet, EthernetFrame, EthernetRepr, ethernetReprHeaderLen, EtherType, parseEthernet, VLAN_DEI,
} from '../../src/wire/ethernet.js';
import { DropCounters } from '../../src/wire/drop-reasons.js';
import { WireDrop } from '../../src/wire/wire-drop.js';
import { fromHex, golden, placed, toHex } from '../golden/l3/vectors.js';

const view = new EthernetFrame();
const repr = new EthernetRepr();

function parseBytes(b: Uint8Array, off = 0, len = b.length - off): number {
  return parseEthernet(view.bind(b, off, len), repr);
}

describe('Ethernet golden vectors (scapy)', () => {
  for (const [name, v] of Object.entries(golden.ethernet)) {
    test(name, () => {
      const b = fromHex(v.hex);
      assert.equal(parseBytes(b), 0);
      assert.equal(toHex(repr.dst), v.dst);
      assert.equal(toHex(repr.src), v.src);
      assert.equal(repr.etherType, v.etherType);
      assert.equal(repr.tagCount, v.tags.length);
      assert.equal(view.tagCount(), v.tags.length);
      v.tags.forEach(([tpid, tci], i) => {
        assert.equal(view.tpid(i), tpid);
        assert.equal(view.tci(i), tci);
        assert.equal(view.vid(i), tci & 0xfff);
      });
      if (v.tags.length > 0) assert.equal(repr.outerTci, v.tags[0]![1]);
      if (v.tags.length > 1) assert.equal(repr.innerTci, v.tags[1]![1]);
      assert.equal(view.payloadOff(), v.payloadOff);
      assert.equal(view.headerLen(), v.payloadOff);
      assert.equal(view.payloadLen(), b.length - v.payloadOff);
    });
  }

  test('the 802.1Q DEI bit of the dot1q vector survives parse', () => {
    parseBytes(fromHex(golden.ethernet.dot1q_ipv6!.hex));
    assert.equal(repr.outerTci & VLAN_DEI, VLAN_DEI);
  });
});

describe('emitEthernet', () => {
  test('writes exactly the header bytes of the QinQ vector into a poisoned buffer', () => {
    const v = golden.ethernet.qinq_ipv4!;
    const g = fromHex(v.hex);
    assert.equal(parseBytes(g), 0);
    const out = new Uint8Array(3 + 22 + 5).fill(0xa5);
    emitEthernet(repr, new EthernetFrame().bind(out, 3, 27));
    assert.equal(ethernetReprHeaderLen(repr), 22);
    assert.equal(toHex(out, 3, 22), toHex(g, 0, 22));
    assert.deepEqual([...out.subarray(0, 3)], [0xa5, 0xa5, 0xa5]);
    assert.deepEqual([...out.subarray(25)], [0xa5, 0xa5, 0xa5, 0xa5, 0xa5]);
  });

  test('an untagged header is 14 bytes', () => {
    const r = new EthernetRepr();
    r.dst.fill(0xff);
    r.src.set([2, 0, 0, 0, 0, 1]);
    r.etherType = EtherType.Arp;
    const out = new Uint8Array(16).fill(0xa5);
    emitEthernet(r, new EthernetFrame().bind(out, 0, 16));
    assert.equal(toHex(out), 'ffffffffffff0200000000010806a5a5');
  });

  test('round trip at a non-zero offset', () => {
    const g = fromHex(golden.ethernet.dot1q_ipv6!.hex);
    const b = placed(g, 7, 9);
    assert.equal(parseBytes(b, 7, g.length), 0);
    assert.equal(view.payloadOff(), 7 + 18);
    const out = new Uint8Array(5 + 18).fill(0xa5);
    emitEthernet(repr, new EthernetFrame().bind(out, 5, 18));
    assert.equal(toHex(out, 5, 18), toHex(g, 0, 18));
  });
});

describe('EthernetFrame setters', () => {
  test('setEtherType writes the inner type of a tagged frame, not the TPID', () => {
    const b = fromHex(golden.ethernet.qinq_ipv4!.hex);
    view.bind(b, 0, b.length);
    view.setEtherType(EtherType.Ipv6);
    assert.equal(view.tpid(0), EtherType.QinQ);
    assert.equal(view.tpid(1), EtherType.Vlan);
    assert.equal(view.etherType(), EtherType.Ipv6);
    view.setTci(1, 0x0123);
    assert.equal(view.vid(1), 0x123);
    view.setDst(new Uint8Array([1, 2, 3, 4, 5, 6]), 0);
    assert.equal(toHex(b, 0, 6), '010203040506');
  });
});

describe('Ethernet drop reasons', () => {
  const counters = new DropCounters(WireDrop);

  test('truncated: shorter than 14 bytes', () => {
    counters.add(parseBytes(new Uint8Array(13)));
    assert.equal(counters.get('truncated'), 1);
  });

  test('truncated: cut inside a VLAN tag', () => {
    const g = fromHex(golden.ethernet.dot1q_ipv6!.hex);
    assert.equal(parseBytes(g, 0, 17), WireDrop.code.truncated);
  });

  test('unsupported: an IEEE 802.3 length field instead of an EtherType', () => {
    const b = fromHex(golden.ethernet.untagged_ipv4!.hex);
    b[12] = 0x00;
    b[13] = 0x2e;
    counters.add(parseBytes(b));
    assert.equal(counters.get('unsupported'), 1);
  });

  test('unsupported: three tags', () => {
    const b = fromHex('02000000000b02000000000a' + '88a80001' + '81000002' + '81000003' + '0800' + '00'.repeat(20));
    assert.equal(parseBytes(b), WireDrop.code.unsupported);
  });

  test('unsupported: an S-tag inside a C-tag', () => {
    const b = fromHex('02000000000b02000000000a' + '81000001' + '88a80002' + '0800' + '00'.repeat(20));
    assert.equal(parseBytes(b), WireDrop.code.unsupported);
  });

  test('two 0x8100 tags (legacy double tagging) parse', () => {
    const b = fromHex('02000000000b02000000000a' + '81000001' + '81000002' + '86dd' + '00'.repeat(40));
    assert.equal(parseBytes(b), 0);
    assert.equal(repr.outerTpid, EtherType.Vlan);
    assert.equal(repr.innerTci, 2);
    assert.equal(repr.etherType, EtherType.Ipv6);
  });
});

describe('Ethernet properties', () => {
  const arbRepr = fc.record({
    dst: fc.uint8Array({ minLength: 6, maxLength: 6 }),
    src: fc.uint8Array({ minLength: 6, maxLength: 6 }),
    tagCount: fc.integer({ min: 0, max: 2 }),
    outerTpid: fc.constantFrom(EtherType.Vlan, EtherType.QinQ),
    outerTci: fc.integer({ min: 0, max: 0xffff }),
    innerTci: fc.integer({ min: 0, max: 0xffff }),
    etherType: fc.integer({ min: 0x0600, max: 0xffff }).filter((t) => t !== EtherType.Vlan && t !== EtherType.QinQ),
    off: fc.integer({ min: 0, max: 9 }),
  });

  test('parse(emit(r)) = r', () => {
    fc.assert(fc.property(arbRepr, (a) => {
      const r = new EthernetRepr();
      r.dst.set(a.dst);
      r.src.set(a.src);
      r.tagCount = a.tagCount;
      r.outerTpid = a.tagCount > 0 ? a.outerTpid : EtherType.Vlan;
      r.outerTci = a.tagCount > 0 ? a.outerTci : 0;
      r.innerTci = a.tagCount > 1 ? a.innerTci : 0;
      r.etherType = a.etherType;
      const len = ethernetReprHeaderLen(r);
      const b = new Uint8Array(a.off + len).fill(0xa5);
      emitEthernet(r, new EthernetFrame().bind(b, a.off, len));
      const back = new EthernetRepr();
      assert.equal(parseEthernet(new EthernetFrame().bind(b, a.off, len), back), 0);
      assert.deepEqual(back, r);
    }), { numRuns: 300 });
  });

  test('random bytes never throw, and a parsed payload lies inside the frame', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 0, max: 3 }), (bytes, off) => {
      const b = placed(bytes, off);
      const code = parseBytes(b, off, bytes.length);
      assert.ok(code >= 0 && code < WireDrop.size);
      if (code === 0) assert.ok(view.payloadOff() <= off + bytes.length);
    }), { numRuns: 500 });
  });
});

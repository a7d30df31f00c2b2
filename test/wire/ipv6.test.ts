import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { verifyChecksum } from '../../src/wire/checksum.js';
import { DropCounters } from '../../src/wire/drop-reasons.js';
import { IpProtocol } from '../../src/wire/ip-protocol.js';
import {
  emitIpv6, IPV6_HEADER_LEN, Ipv6Packet, Ipv6ParseFlag, Ipv6Repr, ipv6ReprTotalLen, parseIpv6,
} from '../../src/wire/ipv6.js';
import { WireDrop } from '../../src/wire/wire-drop.js';
import { fromHex, golden, ipv6, placed, toHex } from '../golden/l3/vectors.js';

const view = new Ipv6Packet();
const repr = new Ipv6Repr();

function parseBytes(b: Uint8Array, off = 0, len = b.length - off, flags = 0): number {
  return parseIpv6(view.bind(b, off, len), repr, flags);
}

describe('IPv6 golden vectors (scapy)', () => {
  for (const [name, v] of Object.entries(golden.ipv6)) {
    test(name, () => {
      const b = fromHex(v.hex);
      assert.equal(parseBytes(b), 0);
      assert.equal(repr.trafficClass, v.trafficClass);
      assert.equal(repr.flowLabel, v.flowLabel);
      assert.equal(repr.payloadLen, v.payloadLen);
      assert.equal(repr.nextHeader, v.nextHeader);
      assert.equal(repr.hopLimit, v.hopLimit);
      assert.deepEqual(repr.src, ipv6(v.src));
      assert.deepEqual(repr.dst, ipv6(v.dst));
      assert.equal(view.payloadEnd(), b.length);
    });
  }

  test('the scapy UDP checksum verifies against the view pseudo-header sum (RFC 8200 §8.1)', () => {
    const b = fromHex(golden.ipv6.udp!.hex);
    assert.equal(parseBytes(b), 0);
    assert.ok(verifyChecksum(b, view.payloadOff(), repr.payloadLen, view.pseudoHeaderSum(IpProtocol.Udp, repr.payloadLen)));
  });

  test('a frame padded past the payload length parses', () => {
    const g = fromHex(golden.ipv6.udp!.hex);
    assert.equal(parseBytes(placed(g, 0, 10)), 0);
    assert.equal(view.payloadEnd(), g.length);
  });
});

describe('emitIpv6', () => {
  test('reproduces the scapy fixed header into a poisoned buffer', () => {
    const g = fromHex(golden.ipv6.udp!.hex);
    assert.equal(parseBytes(g), 0);
    const out = new Uint8Array(3 + ipv6ReprTotalLen(repr)).fill(0xa5);
    emitIpv6(repr, new Ipv6Packet().bind(out, 3, out.length - 3));
    assert.equal(toHex(out, 3, 40), toHex(g, 0, 40));
    assert.equal(toHex(out, 0, 3), 'a5a5a5');
    assert.ok(out.subarray(43).every((x) => x === 0xa5), 'emit touched the payload');
  });

  test('round trip at a non-zero offset', () => {
    const g = fromHex(golden.ipv6.full_chain!.hex);
    const b = placed(g, 21, 4);
    assert.equal(parseBytes(b, 21, g.length), 0);
    assert.equal(view.srcOff(), 21 + 8);
    assert.equal(view.dstOff(), 21 + 24);
    assert.equal(view.payloadOff(), 21 + 40);
    const out = new Uint8Array(6 + 40).fill(0xa5);
    emitIpv6(repr, new Ipv6Packet().bind(out, 6, 40));
    assert.equal(toHex(out, 6), toHex(g, 0, 40));
  });
});

describe('IPv6 setters', () => {
  test('traffic class and flow label share a word without disturbing each other or the version', () => {
    const b = fromHex(golden.ipv6.udp!.hex);
    view.bind(b, 0, b.length);
    view.setTrafficClass(0x01);
    assert.equal(view.flowLabel(), 0x12345);
    view.setFlowLabel(0xfffff);
    assert.equal(view.trafficClass(), 0x01);
    assert.equal(view.version(), 6);
    assert.equal(toHex(b, 0, 4), '601fffff');
  });

  test('addresses, next header, payload length and hop limit', () => {
    const b = fromHex(golden.ipv6.udp!.hex);
    view.bind(b, 0, b.length);
    view.setSrc(ipv6('2001:db8::ff'), 0);
    view.setDst(ipv6('::1'), 0);
    view.setNextHeader(IpProtocol.Ipv6NoNxt);
    view.setPayloadLen(0x0102);
    assert.equal(view.decrementHopLimit(), 63);
    assert.equal(toHex(b, 4, 4), '01023b3f');
    assert.equal(toHex(b, 8, 16), toHex(ipv6('2001:db8::ff')));
    assert.equal(toHex(b, 24, 16), toHex(ipv6('::1')));
  });
});

describe('IPv6 parse flags', () => {
  test('quoted: a header quoted in an ICMPv6 error with its payload cut short parses', () => {
    const g = fromHex(golden.ipv6.udp!.hex);
    assert.equal(parseBytes(g, 0, 44), WireDrop.code.truncated);
    assert.equal(parseBytes(g, 0, 44, Ipv6ParseFlag.quoted), 0);
    assert.equal(repr.payloadLen, 12);
    assert.equal(view.payloadEnd(), 44);
  });
});

describe('IPv6 drop reasons', () => {
  const counters = new DropCounters(WireDrop);

  test('truncated: shorter than 40 bytes', () => {
    counters.add(parseBytes(new Uint8Array(39)));
    assert.equal(counters.get('truncated'), 1);
  });

  test('truncated: shorter than the payload length', () => {
    const g = fromHex(golden.ipv6.udp!.hex);
    counters.add(parseBytes(g, 0, g.length - 1));
    assert.equal(counters.get('truncated'), 2);
  });

  test('badVersion', () => {
    const b = fromHex(golden.ipv6.udp!.hex);
    b[0] = 0x46;
    counters.add(parseBytes(b));
    assert.equal(counters.get('badVersion'), 1);
  });

  test('unsupported: a jumbogram (RFC 2675, scapy vector)', () => {
    counters.add(parseBytes(fromHex(golden.refused.ipv6_jumbogram!.hex)));
    assert.equal(counters.get('unsupported'), 1);
  });
});

describe('IPv6 properties', () => {
  test('parse(emit(r)) = r', () => {
    fc.assert(fc.property(
      fc.nat({ max: 255 }), fc.nat({ max: 0xfffff }), fc.nat({ max: 64 }), fc.nat({ max: 255 }), fc.nat({ max: 255 }),
      fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.nat({ max: 9 }),
      (tc, fl, pl, nh, hl, src, dst, off) => {
        const r = new Ipv6Repr();
        r.trafficClass = tc;
        r.flowLabel = fl;
        // A zero payload length with a Hop-by-Hop next header is the jumbogram form parse refuses.
        r.payloadLen = nh === IpProtocol.HopByHop && pl === 0 ? 8 : pl;
        r.nextHeader = nh;
        r.hopLimit = hl;
        r.src.set(src);
        r.dst.set(dst);
        const total = ipv6ReprTotalLen(r);
        const b = new Uint8Array(off + total).fill(0xa5);
        emitIpv6(r, new Ipv6Packet().bind(b, off, total));
        const back = new Ipv6Repr();
        assert.equal(parseIpv6(new Ipv6Packet().bind(b, off, total), back), 0);
        assert.deepEqual(back, r);
      }), { numRuns: 300 });
  });

  test('random bytes never throw; a passing check bounds the payload', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), fc.boolean(), (bytes, fix) => {
      if (fix && bytes.length > 0) bytes[0] = 0x60 | (bytes[0]! & 0x0f);
      const code = parseBytes(bytes);
      assert.ok(code >= 0 && code < WireDrop.size);
      if (code === 0) assert.ok(IPV6_HEADER_LEN + view.payloadLen() <= bytes.length);
    }), { numRuns: 500 });
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ARP_ETHERNET_IPV4_LEN, ArpOperation, ArpPacket, ArpRepr, arpReprLen, emitArp, parseArp } from '../../src/wire/arp.js';
import { DropCounters } from '../../src/wire/drop-reasons.js';
import { EthernetFrame, parseEthernet, EthernetRepr, EtherType } from '../../src/wire/ethernet.js';
import { WireDrop } from '../../src/wire/wire-drop.js';
import { fromHex, golden, ipv4, placed, toHex } from '../golden/l3/vectors.js';

const view = new ArpPacket();
const repr = new ArpRepr();

function parseBytes(b: Uint8Array, off = 0, len = b.length - off): number {
  return parseArp(view.bind(b, off, len), repr);
}

describe('ARP golden vectors (scapy)', () => {
  for (const [name, v] of Object.entries(golden.arp)) {
    test(name, () => {
      assert.equal(parseBytes(fromHex(v.hex)), 0);
      assert.equal(repr.operation, v.operation);
      assert.equal(toHex(repr.senderHardwareAddr), v.sha);
      assert.equal(repr.senderProtocolAddr, ipv4(v.spa));
      assert.equal(toHex(repr.targetHardwareAddr), v.tha);
      assert.equal(repr.targetProtocolAddr, ipv4(v.tpa));
    });
  }

  test('an ARP request inside a padded broadcast frame', () => {
    const b = fromHex(golden.ethernet.arp_padded!.hex);
    const eth = new EthernetFrame().bind(b, 0, b.length);
    assert.equal(parseEthernet(eth, new EthernetRepr()), 0);
    assert.equal(eth.etherType(), EtherType.Arp);
    assert.equal(parseBytes(b, eth.payloadOff(), eth.payloadLen()), 0);
    assert.equal(repr.operation, ArpOperation.Request);
    assert.equal(repr.targetProtocolAddr, ipv4('192.0.2.2'));
  });
});

describe('emitArp', () => {
  test('writes all 28 bytes of the scapy reply into a poisoned buffer at an offset', () => {
    const g = fromHex(golden.arp.reply!.hex);
    assert.equal(parseBytes(g), 0);
    const out = new Uint8Array(4 + 28 + 4).fill(0xa5);
    emitArp(repr, new ArpPacket().bind(out, 4, 28));
    assert.equal(arpReprLen(repr), ARP_ETHERNET_IPV4_LEN);
    assert.equal(toHex(out, 4, 28), toHex(g));
    assert.equal(toHex(out, 0, 4), 'a5a5a5a5');
    assert.equal(toHex(out, 32, 4), 'a5a5a5a5');
  });

  test('round trip at a non-zero offset', () => {
    const g = fromHex(golden.arp.request!.hex);
    const b = placed(g, 11, 3);
    assert.equal(parseBytes(b, 11, 28), 0);
    assert.equal(view.spa(), ipv4('192.0.2.1'));
    const out = new Uint8Array(2 + 28).fill(0xa5);
    emitArp(repr, new ArpPacket().bind(out, 2, 28));
    assert.equal(toHex(out, 2), toHex(g));
  });
});

describe('ARP drop reasons', () => {
  const counters = new DropCounters(WireDrop);

  test('truncated: shorter than the fixed part', () => {
    counters.add(parseBytes(new Uint8Array(7)));
    assert.equal(counters.get('truncated'), 1);
  });

  test('truncated: shorter than the addresses the lengths announce', () => {
    const g = fromHex(golden.arp.request!.hex);
    assert.equal(parseBytes(g, 0, 27), WireDrop.code.truncated);
  });

  test('unsupported: a hardware type other than Ethernet', () => {
    const b = fromHex(golden.arp.request!.hex);
    b[1] = 6; // IEEE 802 networks
    counters.add(parseBytes(b));
    assert.equal(counters.get('unsupported'), 1);
  });

  test('unsupported: a protocol type other than IPv4', () => {
    const b = fromHex(golden.arp.request!.hex);
    b[2] = 0x86;
    b[3] = 0xdd;
    assert.equal(parseBytes(b), WireDrop.code.unsupported);
  });

  test('badType: a RARP operation', () => {
    const b = fromHex(golden.arp.request!.hex);
    b[7] = 3;
    counters.add(parseBytes(b));
    assert.equal(counters.get('badType'), 1);
  });
});

describe('ARP properties', () => {
  test('parse(emit(r)) = r', () => {
    fc.assert(fc.property(
      fc.constantFrom(ArpOperation.Request, ArpOperation.Reply),
      fc.uint8Array({ minLength: 6, maxLength: 6 }), fc.nat({ max: 0xffffffff }),
      fc.uint8Array({ minLength: 6, maxLength: 6 }), fc.nat({ max: 0xffffffff }),
      fc.integer({ min: 0, max: 7 }),
      (op, sha, spa, tha, tpa, off) => {
        const r = new ArpRepr();
        r.operation = op;
        r.senderHardwareAddr.set(sha);
        r.senderProtocolAddr = spa;
        r.targetHardwareAddr.set(tha);
        r.targetProtocolAddr = tpa;
        const b = new Uint8Array(off + 28).fill(0xa5);
        emitArp(r, new ArpPacket().bind(b, off, 28));
        const back = new ArpRepr();
        assert.equal(parseArp(new ArpPacket().bind(b, off, 28), back), 0);
        assert.deepEqual(back, r);
      }), { numRuns: 300 });
  });

  test('random bytes never throw, and parsed addresses lie inside the packet', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const code = parseBytes(bytes);
      assert.ok(code >= 0 && code < WireDrop.size);
      if (view.check() === 0) assert.ok(view.tpaOff() + view.plen() <= bytes.length);
    }), { numRuns: 500 });
  });
});

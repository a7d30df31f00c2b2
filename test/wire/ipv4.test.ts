import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { internetChecksum, verifyChecksum } from '../../src/wire/checksum.js';
import { DropCounters } from '../../src/wire/drop-reasons.js';
import { IpProtocol } from '../../src/wire/ip-protocol.js';
import {
  emitIpv4, IPV4_FLAG_RESERVED, IPV4_HEADER_LEN, IPV4_OFF_CHECKSUM, Ipv4Packet, Ipv4ParseFlag, Ipv4Repr,
  ipv4ReprHeaderLen, ipv4ReprTotalLen, parseIpv4,
} from '../../src/wire/ipv4.js';
import { WireDrop } from '../../src/wire/wire-drop.js';
import { fromHex, golden, ipv4, placed, toHex } from '../golden/l3/vectors.js';

const view = new Ipv4Packet();
const repr = new Ipv4Repr();

function parseBytes(b: Uint8Array, off = 0, len = b.length - off, flags = 0): number {
  return parseIpv4(view.bind(b, off, len), repr, flags);
}

/** A header whose checksum is recomputed after `edit`, so the edit itself is what parse judges. */
function edited(hex: string, edit: (b: Uint8Array) => void): Uint8Array {
  const b = fromHex(hex);
  edit(b);
  const hl = (b[0]! & 0x0f) * 4;
  b[IPV4_OFF_CHECKSUM] = 0;
  b[IPV4_OFF_CHECKSUM + 1] = 0;
  const c = internetChecksum(b, 0, Math.min(hl, b.length));
  b[IPV4_OFF_CHECKSUM] = c >>> 8;
  b[IPV4_OFF_CHECKSUM + 1] = c & 0xff;
  return b;
}

describe('IPv4 golden vectors (scapy)', () => {
  for (const [name, v] of Object.entries(golden.ipv4)) {
    test(name, () => {
      const b = fromHex(v.hex);
      assert.equal(parseBytes(b), 0);
      assert.equal(view.headerLen(), v.ihl);
      assert.equal(view.totalLen(), v.totalLen);
      assert.equal(view.checksum(), v.checksum);
      assert.equal(repr.tos, v.tos);
      assert.equal(repr.ident, v.ident);
      assert.equal(repr.dontFragment, v.df);
      assert.equal(repr.moreFragments, v.mf);
      assert.equal(repr.fragOffset, v.fragOffset);
      assert.equal(repr.ttl, v.ttl);
      assert.equal(repr.protocol, v.protocol);
      assert.equal(repr.src, ipv4(v.src));
      assert.equal(repr.dst, ipv4(v.dst));
      assert.equal(repr.payloadLen, v.totalLen - v.ihl);
      assert.equal(toHex(repr.options, 0, repr.optionsLen), v.options);
      assert.equal(view.isFragment(), v.mf || v.fragOffset !== 0);
    });
  }

  test('the scapy UDP checksum verifies against the view pseudo-header sum', () => {
    const b = fromHex(golden.ipv4.udp!.hex);
    assert.equal(parseBytes(b), 0);
    assert.equal(view.protocol(), IpProtocol.Udp);
    assert.ok(verifyChecksum(b, view.payloadOff(), view.payloadLen(), view.pseudoHeaderSum(view.payloadLen())));
  });

  test('dscp and ecn split the TOS octet (RFC 2474, RFC 3168)', () => {
    parseBytes(fromHex(golden.ipv4.udp!.hex));
    assert.equal(view.dscp(), 46); // EF
    assert.equal(view.ecn(), 0);
  });

  test('a frame padded past the total length parses (Ethernet minimum frame)', () => {
    const g = fromHex(golden.ipv4.tcp_df!.hex);
    const b = placed(g, 0, 6);
    assert.equal(parseBytes(b), 0);
    assert.equal(repr.payloadLen, g.length - 20);
  });
});

describe('emitIpv4', () => {
  for (const name of ['udp', 'record_route_nop_eol', 'max_options', 'middle_fragment']) {
    test(`reproduces the scapy header of ${name} into a poisoned buffer`, () => {
      const g = fromHex(golden.ipv4[name]!.hex);
      assert.equal(parseBytes(g), 0);
      const hl = ipv4ReprHeaderLen(repr);
      const out = new Uint8Array(2 + ipv4ReprTotalLen(repr)).fill(0xa5);
      emitIpv4(repr, new Ipv4Packet().bind(out, 2, out.length - 2));
      assert.equal(toHex(out, 2, hl), toHex(g, 0, hl));
      assert.ok(out.subarray(0, 2).every((x) => x === 0xa5));
      assert.ok(out.subarray(2 + hl).every((x) => x === 0xa5), 'emit touched the payload');
    });
  }

  test('pads options to a multiple of 4 with End of Option List', () => {
    const r = new Ipv4Repr();
    r.options.set([148, 4, 0, 0, 1]);
    r.optionsLen = 5;
    r.src = ipv4('10.0.0.1');
    r.dst = ipv4('10.0.0.2');
    assert.equal(ipv4ReprHeaderLen(r), 28);
    const out = new Uint8Array(28).fill(0xa5);
    emitIpv4(r, new Ipv4Packet().bind(out, 0, 28));
    assert.equal(toHex(out, 20), '9404000001000000');
    assert.equal(out[0], 0x47);
    assert.ok(verifyChecksum(out, 0, 28));
  });

  test('round trip at a non-zero offset', () => {
    const g = fromHex(golden.ipv4.router_alert!.hex);
    const b = placed(g, 13, 2);
    assert.equal(parseBytes(b, 13, g.length), 0);
    assert.equal(view.srcOff(), 13 + 12);
    assert.equal(view.payloadOff(), 13 + 24);
    const out = new Uint8Array(9 + g.length).fill(0xa5);
    emitIpv4(repr, new Ipv4Packet().bind(out, 9, g.length));
    out.set(g.subarray(24), 9 + 24);
    assert.equal(toHex(out, 9), toHex(g));
  });
});

describe('IPv4 setters', () => {
  test('update* keep the header checksum equal to a full recomputation (RFC 1624)', () => {
    const b = fromHex(golden.ipv4.record_route_nop_eol!.hex);
    view.bind(b, 0, b.length);
    view.updateSrc(ipv4('198.51.100.7'));
    view.updateDst(ipv4('255.255.255.255'));
    view.updateTtl(0);
    view.updateProtocol(IpProtocol.Udp);
    view.updateTos(0xff);
    view.updateIdent(0xffff);
    view.updateTotalLen(0x1234);
    view.updateFlagsFrag(0x4000);
    assert.ok(view.verifyChecksum());
    const c = view.checksum();
    view.fillChecksum();
    assert.equal(view.checksum(), c);
    assert.equal(view.src(), ipv4('198.51.100.7'));
    assert.equal(view.dst(), 0xffffffff);
    assert.ok(view.dontFragment());
  });

  test('decrementTtl lowers the TTL by one and keeps the checksum right (RFC 1812 §5.3.1)', () => {
    const b = fromHex(golden.ipv4.udp!.hex);
    view.bind(b, 0, b.length);
    assert.equal(view.decrementTtl(), 63);
    assert.equal(view.ttl(), 63);
    assert.ok(view.verifyChecksum());
  });

  test('flag and fragment setters touch only their bits', () => {
    const b = fromHex(golden.ipv4.udp!.hex);
    view.bind(b, 0, b.length);
    view.setMoreFragments(true);
    view.setFragOffset(1480);
    view.setDontFragment(true);
    assert.equal(view.flagsFrag(), 0x4000 | 0x2000 | 185);
    view.setMoreFragments(false);
    view.setDontFragment(false);
    assert.equal(view.fragOffset(), 1480);
    assert.equal(view.flagsFrag(), 185);
  });

  test('update* over random values equals a recomputed checksum', () => {
    fc.assert(fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), fc.nat({ max: 255 }), fc.nat({ max: 255 }), (src, dst, ttl, tos) => {
      const b = fromHex(golden.ipv4.udp!.hex);
      const v = new Ipv4Packet().bind(b, 0, b.length);
      v.updateSrc(src);
      v.updateDst(dst);
      v.updateTtl(ttl);
      v.updateTos(tos);
      assert.ok(v.verifyChecksum());
    }), { numRuns: 300 });
  });
});

describe('IPv4 parse flags', () => {
  test('quoted: a header quoted in an ICMP error with its datagram cut short parses', () => {
    const g = fromHex(golden.ipv4.udp!.hex);
    assert.equal(parseBytes(g, 0, 28), WireDrop.code.truncated);
    assert.equal(parseBytes(g, 0, 28, Ipv4ParseFlag.quoted), 0);
    assert.equal(repr.payloadLen, g.length - 20);
  });

  test('skipChecksum: a bad checksum passes when the caller asks', () => {
    const b = fromHex(golden.refused.ipv4_bad_checksum!.hex);
    assert.equal(parseBytes(b, 0, b.length, Ipv4ParseFlag.skipChecksum), 0);
  });
});

describe('IPv4 drop reasons', () => {
  const counters = new DropCounters(WireDrop);
  const udp = golden.ipv4.udp!.hex;
  const count = (b: Uint8Array, len = b.length) => {
    counters.add(parseBytes(b, 0, len));
  };

  test('truncated: shorter than 20 bytes', () => {
    count(new Uint8Array(19));
    assert.equal(counters.get('truncated'), 1);
  });

  test('truncated: shorter than the header length', () => {
    const g = fromHex(golden.ipv4.max_options!.hex);
    count(g, 59);
    assert.equal(counters.get('truncated'), 2);
  });

  test('truncated: shorter than the total length', () => {
    const g = fromHex(udp);
    count(g, g.length - 1);
    assert.equal(counters.get('truncated'), 3);
  });

  test('badVersion', () => {
    count(edited(udp, (b) => { b[0] = 0x65; }));
    assert.equal(counters.get('badVersion'), 1);
  });

  test('badHeaderLength: IHL below 5', () => {
    count(edited(udp, (b) => { b[0] = 0x44; }));
    assert.equal(counters.get('badHeaderLength'), 1);
  });

  test('badTotalLength: total length below the header length', () => {
    count(edited(udp, (b) => { b[2] = 0; b[3] = 19; }));
    assert.equal(counters.get('badTotalLength'), 1);
  });

  test('badChecksum (scapy vector with a wrong checksum)', () => {
    count(fromHex(golden.refused.ipv4_bad_checksum!.hex));
    assert.equal(counters.get('badChecksum'), 1);
  });

  test('badFlags: the reserved flag (RFC 791 §3.1)', () => {
    count(edited(udp, (b) => { b[6]! |= IPV4_FLAG_RESERVED >>> 8; }));
    assert.equal(counters.get('badFlags'), 1);
  });

  test('badFragment: fragment reaching past 65535 octets', () => {
    count(edited(udp, (b) => { b[6] = 0x1f; b[7] = 0xff; }));
    assert.equal(counters.get('badFragment'), 1);
  });

  test('badFragment: a non-final fragment whose payload is not a multiple of 8', () => {
    count(edited(udp, (b) => { b[6] = 0x20; }));
    assert.equal(counters.get('badFragment'), 2);
  });

  test('badOption (scapy vector whose option runs past the header)', () => {
    count(fromHex(golden.refused.ipv4_option_runs_past_header!.hex));
    assert.equal(counters.get('badOption'), 1);
  });
});

describe('IPv4 properties', () => {
  const arbRepr = fc.record({
    tos: fc.nat({ max: 255 }),
    ident: fc.nat({ max: 0xffff }),
    dontFragment: fc.boolean(),
    moreFragments: fc.boolean(),
    fragUnits: fc.nat({ max: 0x1fff }),
    ttl: fc.nat({ max: 255 }),
    protocol: fc.nat({ max: 255 }),
    src: fc.nat({ max: 0xffffffff }),
    dst: fc.nat({ max: 0xffffffff }),
    payloadUnits: fc.nat({ max: 16 }),
    // Well-formed option areas: NOPs and type-length-data options, then EOL padding.
    options: fc.array(fc.oneof(
      fc.constant([1]),
      fc.tuple(fc.integer({ min: 2, max: 255 }), fc.uint8Array({ maxLength: 6 })).map(([k, d]) => [k, d.length + 2, ...d]),
    ), { maxLength: 4 }).map((os) => os.flat()),
    off: fc.nat({ max: 7 }),
  });

  test('parse(emit(r)) = r', () => {
    fc.assert(fc.property(arbRepr, (a) => {
      const r = new Ipv4Repr();
      r.tos = a.tos;
      r.ident = a.ident;
      r.dontFragment = a.dontFragment;
      r.moreFragments = a.moreFragments;
      r.ttl = a.ttl;
      r.protocol = a.protocol;
      r.src = a.src;
      r.dst = a.dst;
      r.payloadLen = a.payloadUnits * 8;
      const optLen = (a.options.length + 3) & ~3;
      r.options.set(a.options);
      r.optionsLen = optLen;
      r.fragOffset = Math.min(a.fragUnits * 8, (0xffff - IPV4_HEADER_LEN - optLen - r.payloadLen) & ~7);
      const total = ipv4ReprTotalLen(r);
      const b = new Uint8Array(a.off + total).fill(0xa5);
      emitIpv4(r, new Ipv4Packet().bind(b, a.off, total));
      const back = new Ipv4Repr();
      assert.equal(parseIpv4(new Ipv4Packet().bind(b, a.off, total), back), 0);
      assert.deepEqual(back, r);
    }), { numRuns: 300 });
  });

  test('random bytes never throw; a passing check bounds the header and datagram', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), fc.boolean(), fc.nat({ max: 3 }), (bytes, fix, off) => {
      const b = placed(bytes, off);
      if (fix && bytes.length >= 20) {
        // Make most cases reach the checks past version and checksum.
        b[off] = 0x40 | (b[off]! & 0x0f);
        const v = new Ipv4Packet().bind(b, off, bytes.length);
        if (v.headerLen() <= bytes.length) v.fillChecksum();
      }
      const code = parseBytes(b, off, bytes.length);
      assert.ok(code >= 0 && code < WireDrop.size);
      if (view.check() === 0) {
        assert.ok(view.headerLen() <= bytes.length && view.totalLen() <= bytes.length);
      }
    }), { numRuns: 500 });
  });
});

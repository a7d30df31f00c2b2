import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DropCounters } from '../../src/wire/drop-reasons.js';
import { IpProtocol } from '../../src/wire/ip-protocol.js';
import { IPV6_HEADER_LEN, Ipv6Packet, Ipv6ParseFlag } from '../../src/wire/ipv6.js';
import {
  checkIpv6Options, emitIpv6FragmentHeader, emitIpv6Option, emitIpv6OptionsHeader, emitIpv6Padding,
  emitIpv6RoutingHeader, IPV6_MAX_EXTENSION_HEADERS, Ipv6ExtChain, Ipv6FragmentHeader, Ipv6FragmentHeaderRepr,
  ipv6FragmentHeaderReprLen, ipv6OptionAction, Ipv6OptionAction, Ipv6OptionIter, ipv6OptionMayChange,
  Ipv6OptionsHeader, Ipv6OptionsHeaderRepr, ipv6OptionsHeaderReprLen, Ipv6OptionType, Ipv6RoutingHeader,
  Ipv6RoutingHeaderRepr, ipv6RoutingHeaderReprLen, parseIpv6FragmentHeader, parseIpv6OptionsHeader,
  parseIpv6RoutingHeader, walkIpv6,
} from '../../src/wire/ipv6-extension-headers.js';
import { WireDrop } from '../../src/wire/wire-drop.js';
import { fromHex, golden, placed, toHex } from '../golden/l3/vectors.js';

const pkt = new Ipv6Packet();
const chain = new Ipv6ExtChain();
const optIt = new Ipv6OptionIter();

function walkBytes(b: Uint8Array, off = 0, len = b.length - off, flags = 0): number {
  pkt.bind(b, off, len);
  const c = pkt.check(flags);
  return c !== 0 ? c : walkIpv6(pkt, chain, flags);
}

function options(b: Uint8Array, off: number, len: number): [number, number][] {
  const out: [number, number][] = [];
  optIt.reset(b, off, len);
  while (optIt.next()) out.push([optIt.type, optIt.dataLen]);
  return out;
}

describe('extension header chains of the scapy vectors', () => {
  for (const [name, v] of Object.entries(golden.ipv6)) {
    test(name, () => {
      const b = fromHex(v.hex);
      assert.equal(walkBytes(b), 0);
      const exts: [number, number, number][] = [];
      for (let i = 0; i < chain.count; i++) exts.push([chain.types[i]!, chain.offsets[i]!, chain.lengths[i]!]);
      assert.deepEqual(exts, v.exts);
      assert.equal(chain.upperProtocol, v.upperProtocol);
      assert.equal(chain.upperOff, v.upperOff);
      const lastNh = v.exts.length === 0 ? 6 : v.exts[v.exts.length - 1]![1];
      assert.equal(chain.upperNextHeaderOff, lastNh);
      assert.equal(b[chain.upperNextHeaderOff], v.upperProtocol);
      if (v.frag) {
        assert.equal(chain.fragHeaderOff, v.frag.off);
        assert.equal(chain.fragOffset, v.frag.offset);
        assert.equal(chain.moreFragments, v.frag.m);
        assert.equal(chain.fragIdent, v.frag.ident);
        assert.equal(chain.isFragment(), v.frag.m || v.frag.offset !== 0);
      } else {
        assert.equal(chain.fragHeaderOff, -1);
        assert.equal(chain.isFragment(), false);
      }
      if (v.routing) {
        assert.equal(chain.routingHeaderOff, v.routing.off);
        assert.equal(chain.routingType, v.routing.type);
        assert.equal(chain.segmentsLeft, v.routing.segmentsLeft);
      } else {
        assert.equal(chain.routingHeaderOff, -1);
      }
    });
  }

  test('offsets are absolute in the buffer when the packet starts at an offset', () => {
    const v = golden.ipv6.full_chain!;
    const g = fromHex(v.hex);
    assert.equal(walkBytes(placed(g, 14, 6), 14, g.length), 0);
    assert.equal(chain.offsets[2], 14 + v.exts[2]![1]);
    assert.equal(chain.upperOff, 14 + v.upperOff);
    assert.equal(chain.fragHeaderOff, 14 + v.frag!.off);
  });

  test('quoted: a chain cut by an ICMPv6 error quote is truncated, not malformed', () => {
    const g = fromHex(golden.ipv6.full_chain!.hex);
    assert.equal(walkBytes(g, 0, 60, Ipv6ParseFlag.quoted), WireDrop.code.truncated);
    assert.equal(walkBytes(g, 0, 112, Ipv6ParseFlag.quoted), 0);
    assert.equal(chain.upperProtocol, IpProtocol.Udp);
  });
});

describe('extension header views and Reprs against scapy bytes', () => {
  test('Hop-by-Hop router alert (RFC 2711): options walk, and emit reproduces the header', () => {
    const g = fromHex(golden.ipv6.hbh_router_alert!.hex);
    const v = new Ipv6OptionsHeader().bind(g, 40, 8);
    const r = new Ipv6OptionsHeaderRepr();
    assert.equal(parseIpv6OptionsHeader(v, r), 0);
    assert.equal(r.nextHeader, IpProtocol.Icmpv6);
    assert.deepEqual(options(g, v.optionsOff(), v.optionsLen()), [[Ipv6OptionType.RouterAlert, 2], [Ipv6OptionType.PadN, 0]]);
    const out = new Uint8Array(2 + 8 + 2).fill(0xa5);
    emitIpv6OptionsHeader(r, new Ipv6OptionsHeader().bind(out, 2, 8));
    assert.equal(toHex(out, 2, 8), toHex(g, 40, 8));
    assert.equal(toHex(out, 0, 2) + toHex(out, 10, 2), 'a5a5a5a5');
  });

  test('Destination Options with the Home Address option (RFC 6275 §6.3) kept raw', () => {
    const g = fromHex(golden.ipv6.full_chain!.hex);
    const v = new Ipv6OptionsHeader().bind(g, 48, 24);
    const r = new Ipv6OptionsHeaderRepr();
    assert.equal(parseIpv6OptionsHeader(v, r), 0);
    const opts = options(g, v.optionsOff(), v.optionsLen());
    assert.ok(opts.some(([t, n]) => t === Ipv6OptionType.HomeAddress && n === 16));
    assert.equal(ipv6OptionAction(Ipv6OptionType.HomeAddress), Ipv6OptionAction.DiscardSendIcmpUnlessMulticast);
    const out = new Uint8Array(24).fill(0xa5);
    emitIpv6OptionsHeader(r, new Ipv6OptionsHeader().bind(out, 0, 24));
    assert.equal(toHex(out), toHex(g, 48, 24));
  });

  test('Routing header type 0 with two addresses, and SRH type 4, kept raw', () => {
    for (const name of ['routing_type0', 'srh']) {
      const v = golden.ipv6[name]!;
      const g = fromHex(v.hex);
      const view = new Ipv6RoutingHeader().bind(g, 40, g.length - 40);
      const r = new Ipv6RoutingHeaderRepr();
      assert.equal(parseIpv6RoutingHeader(view, r), 0);
      assert.equal(r.routingType, v.routing!.type);
      assert.equal(r.segmentsLeft, v.routing!.segmentsLeft);
      assert.equal(r.dataLen, 36);
      assert.equal(ipv6RoutingHeaderReprLen(r), 40);
      const out = new Uint8Array(5 + 40).fill(0xa5);
      emitIpv6RoutingHeader(r, new Ipv6RoutingHeader().bind(out, 5, 40));
      assert.equal(toHex(out, 5), toHex(g, 40, 40), name);
    }
  });

  test('Fragment header of the first fragment', () => {
    const g = fromHex(golden.ipv6.first_fragment!.hex);
    const r = new Ipv6FragmentHeaderRepr();
    assert.equal(parseIpv6FragmentHeader(new Ipv6FragmentHeader().bind(g, 40, 8), r), 0);
    assert.deepEqual({ ...r }, { nextHeader: IpProtocol.Udp, fragOffset: 0, moreFragments: true, ident: 0xdeadbeef });
    const out = new Uint8Array(8 + 1).fill(0xa5);
    emitIpv6FragmentHeader(r, new Ipv6FragmentHeader().bind(out, 1, 8));
    assert.equal(ipv6FragmentHeaderReprLen(r), 8);
    assert.equal(toHex(out, 1), toHex(g, 40, 8));
    assert.equal(out[0], 0xa5);
  });

  test('Fragment header of a later fragment', () => {
    const g = fromHex(golden.ipv6.later_fragment!.hex);
    const v = new Ipv6FragmentHeader().bind(g, 40, 8);
    assert.equal(v.check(), 0);
    assert.equal(v.fragOffset(), 16);
    assert.equal(v.moreFragments(), false);
    assert.equal(v.ident(), 0xdeadbeef);
  });
});

describe('IPv6 options', () => {
  test('emit pads with Pad1 for one byte and PadN above (RFC 8200 §4.2)', () => {
    const r = new Ipv6OptionsHeaderRepr();
    r.nextHeader = IpProtocol.Tcp;
    r.options.set([Ipv6OptionType.RouterAlert, 2, 0, 0, 0x3e]);
    r.optionsLen = 5;
    assert.equal(ipv6OptionsHeaderReprLen(r), 8);
    const out = new Uint8Array(8).fill(0xa5);
    emitIpv6OptionsHeader(r, new Ipv6OptionsHeader().bind(out, 0, 8));
    assert.equal(toHex(out), '06000502000' + '03e00');
    r.optionsLen = 3;
    emitIpv6OptionsHeader(r, new Ipv6OptionsHeader().bind(out.fill(0xa5), 0, 8));
    assert.equal(toHex(out), '0600050200' + '010100');
  });

  test('emitIpv6Option and emitIpv6Padding lay out an aligned option', () => {
    const out = new Uint8Array(12).fill(0xa5);
    emitIpv6Padding(out, 2, 2);
    const end = emitIpv6Option(out, 4, Ipv6OptionType.TunnelEncapLimit, new Uint8Array([4]), 0, 1);
    assert.equal(end, 7);
    assert.equal(toHex(out), 'a5a5' + '0100' + '040104' + 'a5a5a5a5a5');
    assert.deepEqual(options(out, 2, 5), [[Ipv6OptionType.PadN, 0], [Ipv6OptionType.TunnelEncapLimit, 1]]);
  });

  test('unknown option types are yielded with their data and action bits', () => {
    const b = fromHex('3e03aabbcc' + '00');
    assert.deepEqual(options(b, 0, 6), [[0x3e, 3], [0, 0]]);
    assert.equal(ipv6OptionAction(0x3e), Ipv6OptionAction.Skip);
    assert.equal(ipv6OptionMayChange(0x3e), true);
    assert.equal(ipv6OptionMayChange(Ipv6OptionType.Jumbo), false);
  });
});

describe('IPv6 extension header drop reasons', () => {
  const counters = new DropCounters(WireDrop);
  const refused = (name: string) => walkBytes(fromHex(golden.refused[name]!.hex));

  test('badExtensionHeader: Hop-by-Hop not first (RFC 8200 §4.1, scapy vector)', () => {
    counters.add(refused('ipv6_hbh_not_first'));
    assert.equal(counters.get('badExtensionHeader'), 1);
  });

  test('badExtensionHeader: two Fragment headers (scapy vector)', () => {
    counters.add(refused('ipv6_two_fragment_headers'));
    assert.equal(counters.get('badExtensionHeader'), 2);
  });

  test('badExtensionHeader: a header running past the payload length', () => {
    const b = fromHex(golden.ipv6.destopts_padn!.hex);
    b[41] = 4; // 40 bytes of Destination Options in a 28-byte payload
    counters.add(walkBytes(b));
    assert.equal(counters.get('badExtensionHeader'), 3);
  });

  test('badExtensionHeader: a chain ending inside the first two bytes of a header', () => {
    const b = fromHex(golden.ipv6.no_next_header!.hex);
    b[40] = IpProtocol.Ipv6Opts; // the last Next Header now names a header in zero bytes
    assert.equal(walkBytes(b), WireDrop.code.badExtensionHeader);
  });

  test('badExtensionHeader: two Routing headers', () => {
    const b = fromHex(golden.ipv6.routing_exhausted!.hex);
    const out = new Uint8Array(40 + 24 + 24 + 8);
    out.set(b.subarray(0, 64));
    out.set(b.subarray(40, 72), 64);
    out[40] = IpProtocol.Ipv6Route;
    out[5] = 56;
    assert.equal(walkBytes(out), WireDrop.code.badExtensionHeader);
  });

  test('tooManyExtensionHeaders: nine Destination Options headers (scapy vector)', () => {
    counters.add(refused('ipv6_nine_destopts'));
    assert.equal(counters.get('tooManyExtensionHeaders'), 1);
  });

  test('badOption: an option overrunning its header', () => {
    const b = fromHex(golden.ipv6.destopts_padn!.hex);
    b[43] = 5; // PadN data length 5 in a 6-byte option area with 2 bytes used
    counters.add(walkBytes(b));
    assert.equal(counters.get('badOption'), 1);
    assert.equal(parseIpv6OptionsHeader(new Ipv6OptionsHeader().bind(b, 40, 8), new Ipv6OptionsHeaderRepr()), WireDrop.code.badOption);
    assert.equal(checkIpv6Options(b, 42, 6), WireDrop.code.badOption);
  });

  test('badFragment: M set and a fragment length not a multiple of 8 (RFC 8200 §4.5)', () => {
    const b = fromHex(golden.ipv6.later_fragment!.hex);
    b[43] |= 1;
    counters.add(walkBytes(b));
    assert.equal(counters.get('badFragment'), 1);
  });

  test('badFragment: a fragment ending past 65535 octets (RFC 8200 §4.5)', () => {
    const b = fromHex(golden.ipv6.later_fragment!.hex);
    b[42] = 0xff;
    b[43] = 0xf8;
    counters.add(walkBytes(b));
    assert.equal(counters.get('badFragment'), 2);
  });

  test('truncated: extension header views shorter than their header', () => {
    const b = fromHex(golden.ipv6.routing_type0!.hex);
    counters.add(parseIpv6RoutingHeader(new Ipv6RoutingHeader().bind(b, 40, 39), new Ipv6RoutingHeaderRepr()));
    counters.add(parseIpv6OptionsHeader(new Ipv6OptionsHeader().bind(b, 40, 1), new Ipv6OptionsHeaderRepr()));
    counters.add(parseIpv6FragmentHeader(new Ipv6FragmentHeader().bind(b, 40, 7), new Ipv6FragmentHeaderRepr()));
    assert.equal(counters.get('truncated'), 3);
  });

  test('a later fragment stops the walk at its Fragment header', () => {
    const b = fromHex(golden.ipv6.later_fragment!.hex);
    // Fragment data that looks like a Hop-by-Hop header must not be judged as one.
    b[0x30] = 0;
    assert.equal(walkBytes(b), 0);
    assert.equal(chain.count, 1);
    assert.equal(chain.upperOff, 48);
  });
});

type Ext =
  | { kind: 'opts'; type: 0 | 60; options: number[] }
  | { kind: 'routing'; type: number; segmentsLeft: number; data: number[] }
  | { kind: 'frag'; more: boolean; ident: number };

describe('IPv6 extension header properties', () => {
  const padNs = fc.array(fc.nat({ max: 5 }), { maxLength: 4 }).map((ns) => ns.flatMap((n) => [1, n, ...new Array<number>(n).fill(0)]));
  const arbOpts = (type: 0 | 60) => padNs.map((options): Ext => ({ kind: 'opts', type, options }));
  const arbRouting = fc.record({ type: fc.nat({ max: 255 }), segmentsLeft: fc.nat({ max: 255 }), data: fc.array(fc.nat({ max: 255 }), { maxLength: 20 }) })
    .map((r): Ext => ({ kind: 'routing', ...r }));
  const arbFrag = fc.record({ more: fc.boolean(), ident: fc.nat({ max: 0xffffffff }) }).map((f): Ext => ({ kind: 'frag', ...f }));
  const arbChain = fc.tuple(
    fc.option(arbOpts(0), { nil: undefined }),
    fc.array(arbOpts(60), { maxLength: 2 }),
    fc.option(arbRouting, { nil: undefined }),
    fc.option(arbFrag, { nil: undefined }),
    fc.option(arbOpts(60), { nil: undefined }),
  ).map(([h, d, r, f, d2]) => [h, ...d, r, f, d2].filter((e): e is Ext => e !== undefined));

  /** Builds IPv6 + chain + 8 bytes of UDP-ish payload with the emitters; returns the bytes and header offsets. */
  function build(exts: Ext[], off: number): { b: Uint8Array; offsets: number[]; lengths: number[] } {
    const b = new Uint8Array(off + 40 + exts.length * 64 + 8).fill(0xa5);
    const offsets: number[] = [];
    const lengths: number[] = [];
    let p = off + 40;
    const nhOf = (e: Ext | undefined) => e === undefined ? IpProtocol.Udp : e.kind === 'opts' ? e.type : e.kind === 'routing' ? 43 : 44;
    exts.forEach((e, i) => {
      const nh = nhOf(exts[i + 1]);
      offsets.push(p);
      if (e.kind === 'opts') {
        const r = new Ipv6OptionsHeaderRepr();
        r.nextHeader = nh;
        r.options.set(e.options);
        r.optionsLen = e.options.length;
        const n = ipv6OptionsHeaderReprLen(r);
        emitIpv6OptionsHeader(r, new Ipv6OptionsHeader().bind(b, p, n));
        p += n;
      } else if (e.kind === 'routing') {
        const r = new Ipv6RoutingHeaderRepr();
        Object.assign(r, { nextHeader: nh, routingType: e.type, segmentsLeft: e.segmentsLeft });
        r.data.set(e.data);
        r.dataLen = e.data.length;
        const n = ipv6RoutingHeaderReprLen(r);
        emitIpv6RoutingHeader(r, new Ipv6RoutingHeader().bind(b, p, n));
        p += n;
      } else {
        const r = new Ipv6FragmentHeaderRepr();
        Object.assign(r, { nextHeader: nh, fragOffset: 0, moreFragments: e.more, ident: e.ident });
        emitIpv6FragmentHeader(r, new Ipv6FragmentHeader().bind(b, p, 8));
        p += 8;
      }
      lengths.push(p - offsets[offsets.length - 1]!);
    });
    b.fill(0, p, p + 8);
    p += 8;
    b[off] = 0x60;
    b[off + 1] = 0;
    b[off + 2] = 0;
    b[off + 3] = 0;
    const pl = p - off - 40;
    b[off + 4] = pl >>> 8;
    b[off + 5] = pl & 0xff;
    b[off + 6] = nhOf(exts[0]);
    return { b: b.subarray(0, p), offsets, lengths };
  }

  test('walk finds every emitted header and the upper layer', () => {
    fc.assert(fc.property(arbChain, fc.nat({ max: 7 }), (exts, off) => {
      const { b, offsets, lengths } = build(exts, off);
      assert.equal(walkBytes(b, off, b.length - off), 0);
      assert.equal(chain.count, exts.length);
      assert.deepEqual([...chain.offsets.subarray(0, chain.count)], offsets);
      assert.deepEqual([...chain.lengths.subarray(0, chain.count)], lengths);
      assert.equal(chain.upperProtocol, IpProtocol.Udp);
      assert.equal(chain.upperOff, b.length - 8);
      const r = exts.findIndex((e) => e.kind === 'routing');
      assert.equal(chain.routingHeaderOff, r < 0 ? -1 : offsets[r]);
      const f = exts.findIndex((e) => e.kind === 'frag');
      assert.equal(chain.fragHeaderOff, f < 0 ? -1 : offsets[f]);
    }), { numRuns: 200 });
  });

  test('parse(emit(r)) = r for each header kind', () => {
    fc.assert(fc.property(arbChain, (exts) => {
      const { b, offsets, lengths } = build(exts, 0);
      exts.forEach((e, i) => {
        const o = offsets[i]!;
        const n = lengths[i]!;
        if (e.kind === 'opts') {
          const r = new Ipv6OptionsHeaderRepr();
          assert.equal(parseIpv6OptionsHeader(new Ipv6OptionsHeader().bind(b, o, n), r), 0);
          const again = new Uint8Array(n).fill(0xa5);
          emitIpv6OptionsHeader(r, new Ipv6OptionsHeader().bind(again, 0, n));
          assert.equal(toHex(again), toHex(b, o, n));
        } else if (e.kind === 'routing') {
          const r = new Ipv6RoutingHeaderRepr();
          assert.equal(parseIpv6RoutingHeader(new Ipv6RoutingHeader().bind(b, o, n), r), 0);
          assert.equal(r.routingType, e.type);
          assert.equal(r.segmentsLeft, e.segmentsLeft);
          assert.deepEqual([...r.data.subarray(0, e.data.length)], e.data);
          const again = new Uint8Array(n).fill(0xa5);
          emitIpv6RoutingHeader(r, new Ipv6RoutingHeader().bind(again, 0, n));
          assert.equal(toHex(again), toHex(b, o, n));
        } else {
          const r = new Ipv6FragmentHeaderRepr();
          assert.equal(parseIpv6FragmentHeader(new Ipv6FragmentHeader().bind(b, o, 8), r), 0);
          assert.equal(r.moreFragments, e.more);
          assert.equal(r.ident, e.ident);
        }
      });
    }), { numRuns: 200 });
  });

  test('random chains never throw and never report a header past the payload', () => {
    fc.assert(fc.property(
      fc.constantFrom(0, 43, 44, 60, 6, 17, 58, 59),
      fc.array(fc.oneof(fc.constantFrom(0, 1, 43, 44, 60, 17), fc.nat({ max: 255 })), { maxLength: 120 }),
      fc.boolean(),
      (nh, payload, quoted) => {
        const b = new Uint8Array(40 + payload.length);
        b[0] = 0x60;
        b[4] = payload.length >>> 8;
        b[5] = payload.length & 0xff;
        b[6] = nh;
        b.set(payload, 40);
        const code = walkBytes(b, 0, b.length, quoted ? Ipv6ParseFlag.quoted : 0);
        assert.ok(code >= 0 && code < WireDrop.size);
        if (code === 0) {
          assert.ok(chain.count <= IPV6_MAX_EXTENSION_HEADERS);
          for (let i = 0; i < chain.count; i++) assert.ok(chain.offsets[i]! + chain.lengths[i]! <= b.length);
          assert.ok(chain.upperOff <= b.length && chain.upperOff >= IPV6_HEADER_LEN);
        }
      }), { numRuns: 500 });
  });
});

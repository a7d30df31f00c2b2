import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ClassifyDrop, ClassifyStage } from '../../src/pipeline/classify-stage.js';
import { LinkKind } from '../../src/pipeline/link-kind.js';
import { PacketContext } from '../../src/pipeline/packet-context.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { Verdict } from '../../src/pipeline/verdict.js';

const MACS = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1];
/** A 28-byte IPv4 header + 8 bytes (total length 28), and a 40-byte IPv6 header + 8 (payload 8). */
const V4 = [0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 198, 51, 100, 2, 0x03, 0xe8, 0, 53, 0, 8, 0, 0];
const V6 = [0x60, 0, 0, 0, 0, 8, 17, 64, ...new Array<number>(32).fill(1), 0x03, 0xe8, 0, 53, 0, 8, 0, 0];

function eth(types: number[], payload: number[]): number[] {
  return [...MACS, ...types.flatMap((t) => [t >>> 8, t & 0xff]), ...payload];
}

interface Case {
  name: string;
  link: LinkKind;
  frame: number[];
  /** Drop reason, or the expected [ipVersion, l3 offset from the frame start, l3Len]. */
  want: keyof typeof ClassifyDrop.code | [number, number, number];
}

const cases: Case[] = [
  { name: 'untagged IPv4', link: LinkKind.Ethernet, frame: eth([0x0800], V4), want: [4, 14, 28] },
  { name: 'untagged IPv6', link: LinkKind.Ethernet, frame: eth([0x86dd], V6), want: [6, 14, 48] },
  { name: '802.1Q C-tag, IPv6', link: LinkKind.Ethernet, frame: eth([0x8100, 0x0064, 0x86dd], V6), want: [6, 18, 48] },
  { name: '802.1ad S-tag + C-tag, IPv4', link: LinkKind.Ethernet, frame: eth([0x88a8, 0x0010, 0x8100, 0x0064, 0x0800], V4), want: [4, 22, 28] },
  { name: 'IPv4 padded to the 60-byte Ethernet minimum: padding not part of the packet', link: LinkKind.Ethernet, frame: eth([0x0800], [...V4, ...new Array<number>(18).fill(0)]), want: [4, 14, 28] },
  { name: 'IPv6 with trailing bytes after the payload', link: LinkKind.Ethernet, frame: eth([0x86dd], [...V6, 0, 0, 0, 0]), want: [6, 14, 48] },
  { name: 'IPv4 claiming more than the frame holds is left for the translator', link: LinkKind.Ethernet, frame: eth([0x0800], V4.slice(0, 24)), want: [4, 14, 24] },
  { name: 'raw IP link, IPv4', link: LinkKind.Ip, frame: V4, want: [4, 0, 28] },
  { name: 'raw IP link, IPv6', link: LinkKind.Ip, frame: V6, want: [6, 0, 48] },
  { name: 'raw IP link keeps trailing bytes (no link padding there)', link: LinkKind.Ip, frame: [...V4, 0, 0], want: [4, 0, 30] },
  { name: 'LINKTYPE_IPV4 link, IPv4', link: LinkKind.Ipv4, frame: V4, want: [4, 0, 28] },
  { name: 'LINKTYPE_IPV6 link, IPv6', link: LinkKind.Ipv6, frame: V6, want: [6, 0, 48] },
  { name: 'frame of 13 bytes', link: LinkKind.Ethernet, frame: MACS.concat([8]), want: 'ethernetTruncated' },
  { name: 'VLAN tag cut short', link: LinkKind.Ethernet, frame: eth([0x8100, 0x0064], []), want: 'ethernetTruncated' },
  { name: '802.3 length field (LLC frame)', link: LinkKind.Ethernet, frame: eth([0x002e], [0xaa, 0xaa, 3]), want: 'ethernetUnsupported' },
  { name: 'three VLAN tags', link: LinkKind.Ethernet, frame: eth([0x88a8, 1, 0x8100, 2, 0x8100, 3, 0x0800], V4), want: 'ethernetUnsupported' },
  { name: 'ARP request', link: LinkKind.Ethernet, frame: eth([0x0806], [0, 1, 8, 0, 6, 4, 0, 1, ...new Array<number>(20).fill(0)]), want: 'arp' },
  { name: 'LLDP', link: LinkKind.Ethernet, frame: eth([0x88cc], [2, 7, 4]), want: 'notIp' },
  { name: 'ARP inside a C-tag', link: LinkKind.Ethernet, frame: eth([0x8100, 5, 0x0806], new Array<number>(28).fill(0)), want: 'arp' },
  { name: 'EtherType IPv4 but no payload', link: LinkKind.Ethernet, frame: eth([0x0800], []), want: 'ipEmpty' },
  { name: 'empty raw packet', link: LinkKind.Ip, frame: [], want: 'ipEmpty' },
  { name: 'EtherType IPv4 carrying an IPv6 header', link: LinkKind.Ethernet, frame: eth([0x0800], V6), want: 'ipVersionMismatch' },
  { name: 'EtherType IPv6 carrying an IPv4 header', link: LinkKind.Ethernet, frame: eth([0x86dd], V4), want: 'ipVersionMismatch' },
  { name: 'LINKTYPE_IPV6 link carrying IPv4', link: LinkKind.Ipv6, frame: V4, want: 'ipVersionMismatch' },
  { name: 'LINKTYPE_IPV4 link carrying IPv6', link: LinkKind.Ipv4, frame: V6, want: 'ipVersionMismatch' },
  { name: 'raw IP version 5', link: LinkKind.Ip, frame: [0x55, 0, 0, 0], want: 'ipUnknownVersion' },
];

for (const c of cases) {
  test('classify: ' + c.name, () => {
    const stage = new ClassifyStage();
    const pipeline = new Pipeline([stage]);
    const at = 9; // frames sit at a non-zero offset of a larger buffer
    const buf = new Uint8Array(at + c.frame.length + 5).fill(0xa5);
    buf.set(c.frame, at);
    const pkt = new PacketContext(LinkKind.Ip).bind(buf, at, c.frame.length, c.link, 1);
    const verdict = pipeline.run(pkt);
    if (typeof c.want === 'string') {
      assert.equal(verdict, Verdict.Drop);
      assert.equal(ClassifyDrop.names[pkt.reason], c.want);
      assert.equal(pipeline.drops[0]!.get(c.want), 1);
      assert.equal(pipeline.drops[0]!.total(), 1);
    } else {
      assert.equal(verdict, Verdict.Continue);
      assert.deepEqual([pkt.ipVersion, pkt.l3Off - at, pkt.l3Len], c.want);
      assert.equal(pkt.l2Len, c.want[1]);
      assert.equal(pipeline.drops[0]!.total(), 0);
    }
  });
}

test('every classify drop reason has a case above', () => {
  const covered = new Set(cases.map((c) => c.want).filter((w) => typeof w === 'string'));
  assert.deepEqual(ClassifyDrop.names.slice(1).filter((n) => !covered.has(n as never)), []);
});

test('property: random frames on every link kind never throw and stay inside the frame', () => {
  const stage = new ClassifyStage();
  const pkt = new PacketContext(LinkKind.Ip);
  fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), fc.constantFrom(LinkKind.Ethernet, LinkKind.Ip, LinkKind.Ipv4, LinkKind.Ipv6), (frame, link) => {
    pkt.bind(frame, 0, frame.length, link, 0);
    const v = stage.process(pkt);
    if (v === Verdict.Continue) {
      assert.ok(pkt.l3Off >= 0 && pkt.l3Off + pkt.l3Len <= frame.length);
      assert.ok(pkt.ipVersion === 4 || pkt.ipVersion === 6);
    } else {
      assert.equal(v, Verdict.Drop);
      assert.ok(pkt.reason > 0 && pkt.reason < ClassifyDrop.size);
    }
  }), { numRuns: 3000 });
});

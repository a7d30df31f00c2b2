import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmitDrop, EmitStage } from '../../src/pipeline/emit-stage.js';
import { FrameBatch } from '../../src/pipeline/frame-batch.js';
import { LinkKind } from '../../src/pipeline/link-kind.js';
import { PacketContext } from '../../src/pipeline/packet-context.js';
import { Verdict } from '../../src/pipeline/verdict.js';
import { XlatOutput, XlatOutputKind } from '../../src/xlat/xlat-output.js';

const DST = [2, 0, 0, 0, 0, 0xd];
const SRC = [2, 0, 0, 0, 0, 0x5];
const IN_V6 = [0x60, 0, 0, 0, 0, 0, 59, 64, ...new Array<number>(32).fill(0)];

/** A context as classify leaves it, with `produced` already in `packets`. */
function context(inFrame: number[], inLink: LinkKind, l2Len: number, outLink: LinkKind, produced: { bytes: number[]; kind: number }[], frames?: FrameBatch): PacketContext {
  const buf = new Uint8Array(3 + inFrame.length).fill(0xa5);
  buf.set(inFrame, 3);
  const pkt = new PacketContext(outLink, new XlatOutput(4096, 8), frames ?? new FrameBatch(outLink, 4096, 8));
  pkt.bind(buf, 3, inFrame.length, inLink, 1);
  pkt.frames.bytes.fill(0xa5);
  pkt.l2Len = l2Len;
  pkt.l3Off = 3 + l2Len;
  pkt.ipVersion = 6;
  for (const p of produced) {
    pkt.packets.bytes.set(p.bytes, pkt.packets.used);
    pkt.packets.push(p.bytes.length, p.kind);
  }
  return pkt;
}

function frame(pkt: PacketContext, i: number): number[] {
  const f = pkt.frames;
  return Array.from(f.bytes.subarray(f.offsets[i]!, f.offsets[i]! + f.lengths[i]!));
}

const V4 = [0x45, 0, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
const V6 = [0x60, ...new Array<number>(39).fill(7)];

test('Ethernet: a translated packet keeps the addresses and VLAN tag and gets the EtherType of its family', () => {
  const inFrame = [...DST, ...SRC, 0x81, 0x00, 0x20, 0x64, 0x86, 0xdd, ...IN_V6];
  const pkt = context(inFrame, LinkKind.Ethernet, 18, LinkKind.Ethernet, [{ bytes: V4, kind: XlatOutputKind.Translated }]);
  assert.equal(new EmitStage().process(pkt), Verdict.Emit);
  assert.equal(pkt.frames.count, 1);
  assert.deepEqual(frame(pkt, 0), [...DST, ...SRC, 0x81, 0x00, 0x20, 0x64, 0x08, 0x00, ...V4]);
  assert.equal(pkt.frames.kinds[0], XlatOutputKind.Translated);
  assert.equal(pkt.frames.bytes[pkt.frames.used], 0xa5, 'nothing written past the frame');
});

test('Ethernet: an ICMP error the translator generated goes back to the sender (MACs swapped), same family', () => {
  const inFrame = [...DST, ...SRC, 0x86, 0xdd, ...IN_V6];
  const pkt = context(inFrame, LinkKind.Ethernet, 14, LinkKind.Ethernet, [
    { bytes: V4, kind: XlatOutputKind.Translated },
    { bytes: V6, kind: XlatOutputKind.IcmpError },
  ]);
  assert.equal(new EmitStage().process(pkt), Verdict.Emit);
  assert.deepEqual(frame(pkt, 0), [...DST, ...SRC, 0x08, 0x00, ...V4]);
  assert.deepEqual(frame(pkt, 1), [...SRC, ...DST, 0x86, 0xdd, ...V6]);
  assert.equal(pkt.frames.kinds[1], XlatOutputKind.IcmpError);
  assert.equal(pkt.frames.offsets[1], 14 + V4.length);
});

test('raw IP output: the packet alone; an Ethernet input is stripped', () => {
  const pkt = context([...DST, ...SRC, 0x86, 0xdd, ...IN_V6], LinkKind.Ethernet, 14, LinkKind.Ip, [{ bytes: V4, kind: XlatOutputKind.Translated }]);
  assert.equal(new EmitStage().process(pkt), Verdict.Emit);
  assert.deepEqual(frame(pkt, 0), V4);
});

const drops: { name: keyof typeof EmitDrop.code; pkt: () => PacketContext; frames: number }[] = [
  { name: 'nothingToSend', pkt: () => context(IN_V6, LinkKind.Ip, 0, LinkKind.Ip, []), frames: 0 },
  { name: 'noLinkHeader', pkt: () => context(IN_V6, LinkKind.Ip, 0, LinkKind.Ethernet, [{ bytes: V4, kind: 0 }]), frames: 0 },
  { name: 'familyNotCarried', pkt: () => context(IN_V6, LinkKind.Ipv6, 0, LinkKind.Ipv6, [{ bytes: V6, kind: 1 }, { bytes: V4, kind: 0 }]), frames: 1 },
  { name: 'badPacket', pkt: () => context(IN_V6, LinkKind.Ip, 0, LinkKind.Ip, [{ bytes: [0x50, 1, 2], kind: 0 }]), frames: 0 },
  { name: 'outputFull', pkt: () => context([...DST, ...SRC, 0x86, 0xdd, ...IN_V6], LinkKind.Ethernet, 14, LinkKind.Ethernet, [{ bytes: V4, kind: 0 }, { bytes: V6, kind: 0 }], new FrameBatch(LinkKind.Ethernet, 50, 8)), frames: 1 },
];
for (const d of drops) {
  test('emit drops ' + d.name + ' and keeps the frames already written', () => {
    const pkt = d.pkt();
    assert.equal(new EmitStage().process(pkt), Verdict.Drop);
    assert.equal(EmitDrop.names[pkt.reason], d.name);
    assert.equal(pkt.frames.count, d.frames);
  });
}

test('outputFull also when the frame slots run out', () => {
  const pkt = context(IN_V6, LinkKind.Ip, 0, LinkKind.Ip, [{ bytes: V4, kind: 0 }, { bytes: V4, kind: 0 }], new FrameBatch(LinkKind.Ip, 4096, 1));
  assert.equal(new EmitStage().process(pkt), Verdict.Drop);
  assert.equal(pkt.reason, EmitDrop.code.outputFull);
  assert.equal(pkt.frames.count, 1);
});

test('raw IP output is not copied: the frames are the packets where the translator wrote them, until reset', () => {
  const pkt = context(IN_V6, LinkKind.Ip, 0, LinkKind.Ip, [{ bytes: V4, kind: XlatOutputKind.Translated }, { bytes: V6, kind: XlatOutputKind.IcmpError }], new FrameBatch(LinkKind.Ip, 16, 8));
  assert.equal(new EmitStage().process(pkt), Verdict.Emit, 'the frame area is not needed (16 bytes would hold neither packet)');
  const f = pkt.frames;
  assert.equal(f.bytes, pkt.packets.bytes);
  assert.deepEqual([f.count, f.offsets[0], f.offsets[1], f.kinds[1]], [2, 0, V4.length, XlatOutputKind.IcmpError]);
  assert.deepEqual(frame(pkt, 0), V4);
  assert.deepEqual(frame(pkt, 1), V6);
  pkt.bind(new Uint8Array(IN_V6), 0, IN_V6.length, LinkKind.Ip, 2);
  assert.notEqual(pkt.frames.bytes, pkt.packets.bytes, 'bind (reset) gives the batch its own area back');
  assert.equal(pkt.frames.bytes.length, 16);
  assert.equal(pkt.frames.isEmpty(), true);
});

/** A routed context: packet i leaves by interface `ifaces[i]` over link `links[i]`. */
function routed(ifaces: number[], links: LinkKind[]): PacketContext {
  const pkt = context(IN_V6, LinkKind.Ip, 0, LinkKind.Ethernet, ifaces.map((_, i) => ({ bytes: i % 2 === 0 ? V4 : V6, kind: XlatOutputKind.Translated })));
  pkt.routed = true;
  ifaces.forEach((iface, i) => {
    pkt.egressIface[i] = iface;
    pkt.egressLink[i] = links[i]!;
    pkt.egressPeer[i] = -1;
    pkt.egressMacs.set([...DST, ...SRC], i * 12);
  });
  return pkt;
}

test('routed output by bare-IP interfaces only (TUN): the frames are the packets, each toward its interface', () => {
  const pkt = routed([3, -1, 3], [LinkKind.Ip, LinkKind.Ethernet, LinkKind.Ip]);
  assert.equal(new EmitStage().process(pkt), Verdict.Emit);
  const f = pkt.frames;
  assert.equal(f.bytes, pkt.packets.bytes, 'not copied; a packet that does not leave does not count');
  assert.equal(f.count, 2);
  assert.deepEqual([f.ifaces[0], f.ifaces[1], f.offsets[1]], [3, 3, V4.length + V6.length]);
  assert.deepEqual(frame(pkt, 0), V4);
  assert.deepEqual(frame(pkt, 1), V4);
});

test('routed output with one Ethernet interface among them: every frame is copied into the batch', () => {
  const pkt = routed([3, 4], [LinkKind.Ip, LinkKind.Ethernet]);
  assert.equal(new EmitStage().process(pkt), Verdict.Emit);
  const f = pkt.frames;
  assert.notEqual(f.bytes, pkt.packets.bytes);
  assert.deepEqual(frame(pkt, 0), V4);
  assert.deepEqual(frame(pkt, 1), [...DST, ...SRC, 0x86, 0xdd, ...V6]);
});

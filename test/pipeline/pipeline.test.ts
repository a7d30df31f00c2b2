import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineDropReasons } from '../../src/wire/drop-reasons.js';
import { ClassifyStage } from '../../src/pipeline/classify-stage.js';
import { EmitStage } from '../../src/pipeline/emit-stage.js';
import { LinkKind } from '../../src/pipeline/link-kind.js';
import { PacketContext } from '../../src/pipeline/packet-context.js';
import { Pipeline, StageCounter } from '../../src/pipeline/pipeline.js';
import { StagePhase, type Stage } from '../../src/pipeline/stage.js';
import { TextTraceSink, type TraceSink } from '../../src/pipeline/trace-sink.js';
import { TranslateStage, type PacketTranslator } from './translate-stage-fixture.js';
import { Verdict } from '../../src/pipeline/verdict.js';
import { XlatDrop } from '../../src/xlat/xlat-drop.js';
import { XlatOutputKind, type XlatOutput } from '../../src/xlat/xlat-output.js';

/**
 * Stand-in translator: records its calls and answers by the packet's first payload byte
 * (after the IP header): 0 translates to a fixed packet of the other family, 1 drops with
 * ttlExpired leaving an ICMP error, 2 drops with untranslatableDestination and nothing else.
 */
class FakeTranslator implements PacketTranslator {
  calls: string[] = [];
  translate6to4(buf: Uint8Array, off: number, len: number, out: XlatOutput): number {
    this.calls.push('6to4 ' + off + ' ' + len);
    return this.answer(buf[off + 40]!, out, [0x45, 0, 0, 20, ...new Array<number>(16).fill(4)], [0x60, ...new Array<number>(47).fill(6)]);
  }
  translate4to6(buf: Uint8Array, off: number, len: number, out: XlatOutput): number {
    this.calls.push('4to6 ' + off + ' ' + len);
    return this.answer(buf[off + 20]!, out, [0x60, ...new Array<number>(39).fill(6)], [0x45, 0, 0, 28, ...new Array<number>(24).fill(4)]);
  }
  private answer(mode: number, out: XlatOutput, translated: number[], error: number[]): number {
    const put = (p: number[], kind: number) => { out.bytes.set(p, out.used); out.push(p.length, kind); };
    if (mode === 0) { put(translated, XlatOutputKind.Translated); return 0; }
    if (mode === 1) { put(error, XlatOutputKind.IcmpError); return XlatDrop.code.ttlExpired; }
    return XlatDrop.code.untranslatableDestination;
  }
}

const MACS = [2, 0, 0, 0, 0, 0xd, 2, 0, 0, 0, 0, 5];
function v6(mode: number): number[] {
  return [0x60, 0, 0, 0, 0, 8, 17, 64, ...new Array<number>(32).fill(1), mode, 0, 0, 0, 0, 0, 0, 0];
}
function v4(mode: number): number[] {
  return [0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 198, 51, 100, 2, mode, 0, 0, 0, 0, 0, 0, 0];
}

/** classify → translate (scripted) → emit. */
function threeStages(xl: PacketTranslator, trace: TraceSink | null = null): Pipeline {
  return new Pipeline([new ClassifyStage(), new TranslateStage(xl), new EmitStage()], trace);
}

class Lines implements TraceSink {
  lines: string[] = [];
  private text = new TextTraceSink((l) => this.lines.push(l));
  record(pkt: PacketContext, stage: Stage, verdict: Verdict): void {
    this.text.record(pkt, stage, verdict);
  }
}

function run(p: Pipeline, ctx: PacketContext, frame: number[], link: LinkKind, index: number, traced = false): Verdict {
  const buf = Uint8Array.from(frame);
  ctx.bind(buf, 0, buf.length, link, index);
  ctx.traced = traced;
  return p.run(ctx);
}

test('classify → translate → emit: per-stage counters and per-reason drop counters', () => {
  const xl = new FakeTranslator();
  const p = threeStages(xl);
  const ctx = new PacketContext(LinkKind.Ethernet);
  const eth6 = (m: number) => [...MACS, 0x86, 0xdd, ...v6(m)];
  const eth4 = (m: number) => [...MACS, 0x08, 0x00, ...v4(m)];
  assert.equal(run(p, ctx, eth6(0), LinkKind.Ethernet, 1), Verdict.Emit);
  assert.equal(ctx.frames.count, 1);
  assert.equal(run(p, ctx, eth4(0), LinkKind.Ethernet, 2), Verdict.Emit);
  assert.equal(run(p, ctx, eth6(1), LinkKind.Ethernet, 3), Verdict.Drop);
  assert.equal(ctx.frames.count, 1, 'the ICMP error of a dropped packet still leaves');
  assert.equal(ctx.frames.kinds[0], XlatOutputKind.IcmpError);
  assert.equal(ctx.dropStage, 1);
  assert.equal(run(p, ctx, eth4(2), LinkKind.Ethernet, 4), Verdict.Drop);
  assert.equal(ctx.frames.count, 0);
  assert.equal(run(p, ctx, [...MACS, 0x08, 0x06, ...new Array<number>(28).fill(0)], LinkKind.Ethernet, 5), Verdict.Drop);
  assert.equal(ctx.dropStage, 0);
  assert.deepEqual(xl.calls, ['6to4 14 48', '4to6 14 28', '6to4 14 48', '4to6 14 28']);

  const counts = (name: string) => [StageCounter.In, StageCounter.Continued, StageCounter.Dropped, StageCounter.Emitted].map((s) => p.count(name, s));
  assert.deepEqual(counts('classify'), [5, 4, 1, 0]);
  assert.deepEqual(counts('translate'), [4, 2, 2, 0]);
  assert.deepEqual(counts('emit'), [3, 0, 0, 3]);
  assert.deepEqual(p.dropCounts().map((d) => [d.stage, d.reason, d.count]), [
    ['classify', 'arp', 1],
    ['translate', 'ttlExpired', 1],
    ['translate', 'untranslatableDestination', 1],
  ]);
  assert.equal(p.drops[1]!.get('ttlExpired'), 1);
});

test('--trace style lines: one per stage for flagged packets only, naming verdict and reason', () => {
  const sink = new Lines();
  const p = threeStages(new FakeTranslator(), sink);
  const ctx = new PacketContext(LinkKind.Ip);
  run(p, ctx, v6(0), LinkKind.Ip, 1, true);
  run(p, ctx, v4(0), LinkKind.Ip, 2, false);
  run(p, ctx, v6(1), LinkKind.Ip, 3, true);
  run(p, ctx, [0x55], LinkKind.Ip, 4, true);
  assert.deepEqual(sink.lines, [
    'packet 1 classify continue: ipv6, 48 bytes',
    'packet 1 translate continue: ipv6 to ipv4, 1 translated',
    'packet 1 emit emit: 1 frame: ipv4 20 bytes',
    'packet 3 classify continue: ipv6, 48 bytes',
    'packet 3 translate drop ttlExpired (TTL or hop limit ran out (Time Exceeded sent)): ipv6 to ipv4, 1 icmp-error toward the sender',
    'packet 3 emit emit: 1 frame: icmp-error ipv6 48 bytes',
    'packet 4 classify drop ipUnknownVersion (IP version field is neither 4 nor 6): 1 bytes',
  ]);
});

test('no trace call and no describe() for packets that are not flagged', () => {
  let records = 0;
  let describes = 0;
  const stage: Stage = {
    name: 'probe', phase: StagePhase.Ingress, reasons: defineDropReasons({}),
    process: () => Verdict.Continue,
    describe: () => { describes++; return ''; },
  };
  const p = new Pipeline([stage, new EmitStage()], { record: (pkt, s, v) => { records++; s.describe?.(pkt, v); } });
  const ctx = new PacketContext(LinkKind.Ip);
  for (let i = 0; i < 10; i++) run(p, ctx, v4(0), LinkKind.Ip, i);
  assert.equal(records, 0);
  assert.equal(describes, 0);
  run(p, ctx, v4(0), LinkKind.Ip, 11, true);
  assert.equal(records, 2);
});

test('a drop without produced packets skips the egress stages; Emit from an ingress stage ends the run', () => {
  const Drops = defineDropReasons({ nope: 'test reason' });
  const seen: string[] = [];
  const mk = (name: string, phase: StagePhase, v: Verdict): Stage => ({
    name, phase, reasons: Drops, process: (pkt) => { seen.push(name); return v === Verdict.Drop ? pkt.drop(Drops.code.nope) : v; },
  });
  const ctx = new PacketContext(LinkKind.Ip);
  new Pipeline([mk('a', StagePhase.Ingress, Verdict.Drop), mk('b', StagePhase.Ingress, Verdict.Continue), mk('out', StagePhase.Egress, Verdict.Emit)]).run(ctx.bind(new Uint8Array(1), 0, 1, LinkKind.Ip, 0));
  assert.deepEqual(seen, ['a']);
  seen.length = 0;
  const p = new Pipeline([mk('hit', StagePhase.Ingress, Verdict.Emit), mk('b', StagePhase.Ingress, Verdict.Continue), mk('out', StagePhase.Egress, Verdict.Emit)]);
  assert.equal(p.run(ctx.bind(new Uint8Array(1), 0, 1, LinkKind.Ip, 0)), Verdict.Emit);
  assert.deepEqual(seen, ['hit']);
  assert.equal(p.count('hit', StageCounter.Emitted), 1);
});

test('construction refuses ingress after egress and duplicate stage names', () => {
  assert.throws(() => new Pipeline([new EmitStage(), new ClassifyStage()]), /ingress stage "classify" is placed after egress stage "emit"/);
  assert.throws(() => new Pipeline([new ClassifyStage(), new ClassifyStage()]), /two pipeline stages are named "classify"/);
  assert.throws(() => new Pipeline([]), /at least one stage/);
});

test('translate stage hands the translator the IP packet without link header or padding', () => {
  const xl = new FakeTranslator();
  const p = new Pipeline([new ClassifyStage(), new TranslateStage(xl), new EmitStage()]);
  const ctx = new PacketContext(LinkKind.Ethernet);
  const padded = [...MACS, 0x81, 0x00, 0, 7, 0x08, 0x00, ...v4(0), 0, 0, 0, 0, 0, 0];
  const buf = new Uint8Array(50 + padded.length);
  buf.set(padded, 50);
  ctx.bind(buf, 50, padded.length, LinkKind.Ethernet, 1);
  assert.equal(p.run(ctx), Verdict.Emit);
  assert.deepEqual(xl.calls, ['4to6 68 28']);
  const f = ctx.frames;
  assert.deepEqual(Array.from(f.bytes.subarray(0, 18)), [...MACS, 0x81, 0x00, 0, 7, 0x86, 0xdd]);
});

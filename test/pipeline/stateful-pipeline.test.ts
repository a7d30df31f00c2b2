import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leastHeapGrowth } from '../heap-growth.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ipv4Prefix } from '../../src/addr/ipv4-prefix.js';
import { Ipv6Prefix } from '../../src/addr/ipv6-prefix.js';
import { parseIpv6 } from '../../src/addr/ipv6-address.js';
import { PcapReader, PcapRecord } from '../../src/io/pcap-reader.js';
import { LinkKind } from '../../src/pipeline/link-kind.js';
import { PacketContext } from '../../src/pipeline/packet-context.js';
import { StageCounter } from '../../src/pipeline/pipeline.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { ClassifyStage } from '../../src/pipeline/classify-stage.js';
import { EmitStage } from '../../src/pipeline/emit-stage.js';
import { createGatewayPipeline } from '../../src/pipeline/stateful-pipeline.js';
import type { TenantDatapath } from '../../src/pipeline/tenant-datapath.js';
import { TranslateStage } from './translate-stage-fixture.js';
import { Verdict } from '../../src/pipeline/verdict.js';
import { Eamt } from '../../src/xlat/eamt.js';
import { SiitAddressMapper } from '../../src/xlat/siit-address-mapper.js';
import { Translator } from '../../src/xlat/translator.js';
import { defaultTranslatorConfig } from '../../src/xlat/translator-config.js';
import { XlatOutputKind, type XlatOutput } from '../../src/xlat/xlat-output.js';

/** The real translator behind the pipeline, on the scapy capture of the replay test
 * (test/golden/replay, addressing in its generate.py). */
const golden = join(dirname(fileURLToPath(import.meta.url)), '../golden/replay');

/** A SIIT tenant as control/ builds one: the translator and nothing stateful. */
function siitTenant(translator: Translator): TenantDatapath {
  return {
    index: 0, id: 1, name: 'lab', translator, nat64Mapper: null, pool6: null, napt: null,
    pool4: null, nat44Inside: null, nat44ErrorSource: 0, conntrack: null,
  };
}

function translator(): Translator {
  const eamt = new Eamt();
  eamt.add(Ipv4Prefix.parse('198.51.100.0/24'), Ipv6Prefix.parse('2001:db8:6::/120'));
  const config = defaultTranslatorConfig();
  config.pool6791 = Uint8Array.of(192, 0, 2, 241);
  config.ipv6SourceForErrors = parseIpv6('2001:db8:64::c000:2f1');
  return new Translator(config, new SiitAddressMapper({ pool6: Ipv6Prefix.parse('2001:db8:64::/96'), eamt }));
}

/** The capture's frames copied out, so each run starts from the original bytes. */
function frames(): Uint8Array[] {
  const r = PcapReader.fromFile(join(golden, 'in-eth.pcap'));
  const rec = new PcapRecord();
  const out: Uint8Array[] = [];
  while (r.next(rec)) out.push(rec.data.slice(rec.offset, rec.offset + rec.length));
  return out;
}

test('a stateless tenant walks classify → tenant → translate → emit only: verdicts and frames per packet', () => {
  const { pipeline: p, cache } = createGatewayPipeline([siitTenant(translator())]);
  assert.equal(cache, null, 'no flow cache without a stateful tenant');
  assert.deepEqual(p.stages.map((s) => s.name), ['classify', 'tenant', 'translate', 'emit']);
  const ctx = new PacketContext(LinkKind.Ethernet);
  const got = frames().map((f, i) => {
    const v = p.run(ctx.bind(f, 0, f.length, LinkKind.Ethernet, i + 1));
    return (v === Verdict.Emit ? 'emit' : 'drop') + ' ' + ctx.frames.count;
  });
  // 12 udp6-hlim1 and 13 udp6-untranslatable are dropped but answered; 14 is ARP.
  assert.deepEqual(got, [...new Array<string>(11).fill('emit 1'), 'drop 1', 'drop 1', 'drop 0']);
  assert.equal(p.count('emit', StageCounter.Emitted), 13);
});

/** Stand-in that copies the packet to the output as if translated, allocating nothing, so the
 * measurement below is of the pipeline, classify and emit alone. */
const copier = {
  translate6to4: copy,
  translate4to6: copy,
};
function copy(buf: Uint8Array, off: number, len: number, out: XlatOutput): number {
  const b = out.bytes;
  const at = out.used;
  for (let i = 0; i < len; i++) b[at + i] = buf[off + i]!;
  out.push(len, (buf[off]! & 1) === 0 ? XlatOutputKind.Translated : XlatOutputKind.IcmpError);
  return 0;
}

test('the pipeline, classify and emit allocate nothing per packet once warm (traced packets aside)', () => {
  const p = new Pipeline([new ClassifyStage(), new TranslateStage(copier), new EmitStage()]);
  const ctx = new PacketContext(LinkKind.Ethernet);
  const fs = frames();
  const run = (n: number): void => {
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < fs.length; i++) p.run(ctx.bind(fs[i]!, 0, fs[i]!.length, LinkKind.Ethernet, i + 1));
    }
  };
  const grown = leastHeapGrowth(() => run(20000));
  assert.ok(grown < 200_000, 'heap grew by ' + grown + ' bytes over 280000 packets in every window');
  assert.equal(p.count('emit', StageCounter.Emitted), 80000 * 13);
});

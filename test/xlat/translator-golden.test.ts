import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XlatOutputKind } from '../../src/xlat/xlat-output.js';
import { assertIpv4EqualButId, assertTransportChecksum, fromHex, golden, hex, run, translator } from './translator-fixtures.js';

// Every scapy-built vector of test/golden/xlat/generate.py: the input packet must become exactly
// the packet(s) scapy built from the RFC 7915 rule the vector names (section in the title).
for (const v of golden) {
  test('RFC 7915 §' + v.section + ' ' + v.dir + ': ' + v.name, () => {
    const t = translator(v.config);
    const r = run(t, v.dir, fromHex(v.in), 7);
    assert.equal(r.code, 0, 'translated');
    assert.equal(r.outs.length, v.out.length, 'number of packets');
    for (let i = 0; i < v.out.length; i++) {
      assert.equal(r.kinds[i], XlatOutputKind.Translated);
      const expected = fromHex(v.out[i]!);
      if (v.maskIpv4Id) assertIpv4EqualButId(r.outs[i]!, expected, 'packet ' + i);
      else assert.equal(hex(r.outs[i]!), hex(expected), 'packet ' + i);
      // Whole packets also verify from scratch (fragments only as a set, see the 4to6 tests).
      if (v.out.length === 1 && !v.name.includes('fragment')) assertTransportChecksum(r.outs[i]!);
    }
    assert.equal(t.drops.total(), 0);
  });
}

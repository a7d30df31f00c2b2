import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Translator } from '../../src/xlat/translator.js';
import { checkTranslatorConfig, defaultTranslatorConfig, type TranslatorConfig } from '../../src/xlat/translator-config.js';
import { TranslatorConfigError } from '../../src/xlat/translator-config-error.js';
import { XlatOutput, XlatOutputKind } from '../../src/xlat/xlat-output.js';
import { PrefixMapper } from './translator-fixtures.js';

// Configuration is checked once, at construction, with a typed error naming the field.

test('the defaults are valid and documented values', () => {
  const c = defaultTranslatorConfig();
  checkTranslatorConfig(c);
  assert.equal(c.lowestIpv6Mtu, 1280);
  assert.equal(c.udpZeroChecksum, 'drop');
  assert.equal(c.decrementTtl, true);
  assert.equal(c.generateIcmpErrors, true);
  assert.deepEqual(c.mtuPlateaus, [65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68]);
  assert.notEqual(defaultTranslatorConfig().mtuPlateaus, c.mtuPlateaus, 'a fresh array each time');
});

const bad: [string, Partial<Record<keyof TranslatorConfig, unknown>>, string][] = [
  ['lowest IPv6 MTU below 1280 (RFC 8200 §5)', { lowestIpv6Mtu: 1279 }, 'lowestIpv6Mtu'],
  ['IPv6 link MTU not an integer', { ipv6LinkMtu: 1500.5 }, 'ipv6LinkMtu'],
  ['IPv4 link MTU below 68 (RFC 791)', { ipv4LinkMtu: 67 }, 'ipv4LinkMtu'],
  ['UDP zero checksum mode unknown', { udpZeroChecksum: 'fix' }, 'udpZeroChecksum'],
  ['empty plateau table', { mtuPlateaus: [] }, 'mtuPlateaus'],
  ['plateau below 68', { mtuPlateaus: [1500, 20] }, 'mtuPlateaus[1]'],
  ['RFC 6791 pool of 3 bytes', { pool6791: Uint8Array.of(1, 2, 3) }, 'pool6791'],
  ['RFC 6791 pool with a repeated address', { pool6791: Uint8Array.of(192, 0, 0, 8, 192, 0, 0, 8) }, 'pool6791'],
  ['IPv4 error source of 16 bytes', { ipv4SourceForErrors: new Uint8Array(16) }, 'ipv4SourceForErrors'],
  ['IPv6 error source of 4 bytes', { ipv6SourceForErrors: new Uint8Array(4) }, 'ipv6SourceForErrors'],
  ['decrementTtl not a boolean', { decrementTtl: 1 }, 'decrementTtl'],
  ['hash seed negative', { hashSeed: -1 }, 'hashSeed'],
];

for (const [name, patch, path] of bad) {
  test('TranslatorConfigError: ' + name, () => {
    const c = { ...defaultTranslatorConfig(), ...patch } as TranslatorConfig;
    assert.throws(() => new Translator(c, new PrefixMapper()), (e: unknown) => {
      assert.ok(e instanceof TranslatorConfigError);
      assert.equal(e.code, 'ERR_TRANSLATOR_CONFIG');
      assert.equal(e.path, path);
      assert.ok(e.message.startsWith(path + ': '));
      return true;
    });
    assert.throws(() => checkTranslatorConfig(c, 'tenants[1].siit'), (e: unknown) => e instanceof TranslatorConfigError && e.path === 'tenants[1].siit.' + path);
  });
}

test('XlatOutput: packets are appended back to back until bytes or slots run out', () => {
  const out = new XlatOutput(100, 2);
  assert.equal(out.room(), 100);
  out.push(30, XlatOutputKind.Translated);
  out.push(20, XlatOutputKind.IcmpError);
  assert.deepEqual([out.count, out.used, out.offsets[1], out.lengths[1], out.kinds[1]], [2, 50, 30, 20, XlatOutputKind.IcmpError]);
  assert.equal(out.freeSlots(), 0);
  assert.equal(out.room(), 0, 'no slot left');
  out.reset();
  assert.deepEqual([out.count, out.used, out.room()], [0, 0, 100]);
  assert.throws(() => new XlatOutput(0, 1), RangeError);
});

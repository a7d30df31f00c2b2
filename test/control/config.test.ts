import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigFile, parseConfig, formatConfigPath } from '../../src/control/config.js';
import {
  AmbiguousTenantError, ConfigReadError, ConfigSyntaxError, ConfigValidationError, UnknownTenantError,
} from '../../src/control/config-error.js';
import { buildTenant, selectTenant, toTranslatorConfig } from '../../src/control/tenant-runtime.js';
import { defaultTranslatorConfig } from '../../src/xlat/translator-config.js';
import { formatIpv6 } from '../../src/addr/ipv6-address.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const example = join(root, 'examples/siit.yaml');

test('examples/siit.yaml loads, and every tenant builds', () => {
  const c = loadConfigFile(example);
  assert.equal(c.node.id, 1);
  assert.deepEqual(c.tenants.map((t) => [t.name, t.id]), [['blue', 1], ['green', 2]]);
  const blue = buildTenant(c, 0, example);
  assert.equal(blue.name, 'blue');
  assert.equal(blue.siitMapper!.pool6?.prefix.toString(), '2001:db8:64::/96');
  assert.equal(blue.siitMapper!.eamt.size, 2);
  assert.equal(blue.siitMapper!.hairpinning, 'off');
  const tc = blue.translatorConfig!;
  assert.equal(tc.pool6791.length, 8 * 4, 'the /29 is expanded to its 8 addresses');
  assert.deepEqual(Array.from(tc.pool6791.subarray(0, 8)), [192, 0, 2, 240, 192, 0, 2, 241]);
  assert.deepEqual(Array.from(tc.pool6791.subarray(28)), [192, 0, 2, 247]);
  assert.equal(formatIpv6(tc.ipv6SourceForErrors!), '2001:db8:64::c000:2f1');
  assert.deepEqual(Array.from(tc.ipv4SourceForErrors!), [192, 0, 2, 241]);
  assert.equal(tc.lowestIpv6Mtu, 1280);
  assert.equal(tc.udpZeroChecksum, 'drop');
  const green = buildTenant(c, 1);
  assert.equal(green.siitMapper!.pool6, null);
  assert.equal(green.siitMapper!.eamt.size, 1);
});

const MINIMAL = 'node: { id: 7 }\ntenants:\n  - name: t\n    id: 9\n    siit:\n      pool6: 64:ff9b::/96\n';

test('knobs left out take the translator defaults', () => {
  const c = parseConfig(MINIMAL);
  assert.deepEqual(toTranslatorConfig(c.tenants[0]!.siit!), defaultTranslatorConfig());
});

test('every knob maps onto TranslatorConfig', () => {
  const c = parseConfig(MINIMAL + [
    '      resetTrafficClass: true', '      lowestIpv6Mtu: 1400', '      ipv4LinkMtu: 1400', '      ipv6LinkMtu: 9000',
    '      udpZeroChecksum: compute', '      mtuPlateaus: [9000, 1500, 576]', '      decrementTtl: false', '      generateIcmpErrors: false',
    '      pool6791: [203.0.113.1, 203.0.113.8/31]', '      ipv6ErrorSource: "2001:db8::1"', '      ipv4ErrorSource: 203.0.113.9', '',
  ].join('\n'));
  const t = toTranslatorConfig(c.tenants[0]!.siit!);
  assert.deepEqual({ ...t, pool6791: Array.from(t.pool6791), ipv4SourceForErrors: Array.from(t.ipv4SourceForErrors!), ipv6SourceForErrors: formatIpv6(t.ipv6SourceForErrors!) }, {
    ...defaultTranslatorConfig(),
    resetTrafficClass: true, lowestIpv6Mtu: 1400, ipv4LinkMtu: 1400, ipv6LinkMtu: 9000, udpZeroChecksum: 'compute',
    mtuPlateaus: [9000, 1500, 576], decrementTtl: false, generateIcmpErrors: false,
    pool6791: [203, 0, 113, 1, 203, 0, 113, 8, 203, 0, 113, 9], ipv4SourceForErrors: [203, 0, 113, 9], ipv6SourceForErrors: '2001:db8::1',
  });
});

/** A configuration whose first tenant's siit section is `siit` (YAML flow mapping body). */
function withSiit(siit: string): string {
  return 'node: { id: 1 }\ntenants:\n  - name: a\n    id: 1\n    siit: { ' + siit + ' }\n';
}

const bad: { name: string; yaml: string; path: string; message: RegExp }[] = [
  { name: 'pool6 of length 33', yaml: withSiit('pool6: "64:ff9b::/33"'), path: 'tenants[0].siit.pool6', message: /^prefix length 33 is not one of 32, 40, 48, 56, 64, 96/ },
  { name: 'pool6 with the u-octet set', yaml: withSiit('pool6: "2001:db8:0:0:100::/96"'), path: 'tenants[0].siit.pool6', message: /bits 64-71/ },
  { name: 'pool6 not an address', yaml: withSiit('pool6: "2001:zz::/96"'), path: 'tenants[0].siit.pool6', message: /invalid IPv6 address "2001:zz::"/ },
  { name: 'pool6 with host bits', yaml: withSiit('pool6: "64:ff9b::1/96"'), path: 'tenants[0].siit.pool6', message: /host bits set/ },
  { name: 'pool6 a number', yaml: withSiit('pool6: 5'), path: 'tenants[0].siit.pool6', message: /^expected an IPv6 prefix, got number 5$/ },
  { name: 'unknown key in siit', yaml: withSiit('pool6: "64:ff9b::/96", pol6: x'), path: 'tenants[0].siit.pol6', message: /^unknown key "pol6"$/ },
  { name: 'unknown key at the top', yaml: 'node: { id: 1 }\ntenants: [{ name: a, id: 1, siit: { pool6: "64:ff9b::/96" } }]\nextra: 1\n', path: 'extra', message: /^unknown key "extra"$/ },
  { name: 'unknown key in node', yaml: 'node: { id: 1, name: x }\ntenants: [{ name: a, id: 1, siit: { pool6: "64:ff9b::/96" } }]\n', path: 'node.name', message: /unknown key/ },
  { name: 'unknown key in a tenant', yaml: 'node: { id: 1 }\ntenants: [{ name: a, id: 1, nat44: {}, siit: { pool6: "64:ff9b::/96" } }]\n', path: 'tenants[0].nat44', message: /unknown key/ },
  { name: 'unknown key in an EAM', yaml: withSiit('eamt: [{ ipv4: 192.0.2.1, ipv6: "2001:db8::1", v4: x }]'), path: 'tenants[0].siit.eamt[0].v4', message: /unknown key/ },
  { name: 'node missing', yaml: 'tenants: [{ name: a, id: 1, siit: { pool6: "64:ff9b::/96" } }]\n', path: 'node', message: /^required$/ },
  { name: 'node id zero', yaml: 'node: { id: 0 }\ntenants: [{ name: a, id: 1, siit: { pool6: "64:ff9b::/96" } }]\n', path: 'node.id', message: /^expected an integer from 1 to 4294967295/ },
  { name: 'node id beyond 32 bits', yaml: 'node: { id: 4294967296 }\ntenants: [{ name: a, id: 1, siit: { pool6: "64:ff9b::/96" } }]\n', path: 'node.id', message: /from 1 to 4294967295/ },
  { name: 'node id a fraction', yaml: 'node: { id: 1.5 }\ntenants: [{ name: a, id: 1, siit: { pool6: "64:ff9b::/96" } }]\n', path: 'node.id', message: /integer/ },
  { name: 'node id a string', yaml: 'node: { id: one }\ntenants: [{ name: a, id: 1, siit: { pool6: "64:ff9b::/96" } }]\n', path: 'node.id', message: /^expected an integer, got the string "one"$/ },
  { name: 'no tenants', yaml: 'node: { id: 1 }\ntenants: []\n', path: 'tenants', message: /at least one tenant/ },
  { name: 'tenants a mapping', yaml: 'node: { id: 1 }\ntenants: { a: 1 }\n', path: 'tenants', message: /^expected a list, got a mapping$/ },
  { name: 'duplicate tenant name', yaml: 'node: { id: 1 }\ntenants: [{ name: a, id: 1, siit: { pool6: "64:ff9b::/96" } }, { name: a, id: 2, siit: { pool6: "64:ff9b::/96" } }]\n', path: 'tenants[1].name', message: /already used by tenants\[0\]/ },
  { name: 'duplicate tenant id', yaml: 'node: { id: 1 }\ntenants: [{ name: a, id: 1, siit: { pool6: "64:ff9b::/96" } }, { name: b, id: 1, siit: { pool6: "64:ff9b::/96" } }]\n', path: 'tenants[1].id', message: /tenant id 1 is already used/ },
  { name: 'tenant name with a space', yaml: 'node: { id: 1 }\ntenants: [{ name: "a b", id: 1, siit: { pool6: "64:ff9b::/96" } }]\n', path: 'tenants[0].name', message: /letters, digits/ },
  { name: 'neither siit nor nat', yaml: 'node: { id: 1 }\ntenants: [{ name: a, id: 1 }]\n', path: 'tenants[0]', message: /needs siit or nat/ },
  { name: 'neither pool6 nor eamt', yaml: withSiit('resetTrafficClass: true'), path: 'tenants[0].siit', message: /neither pool6 nor an eamt entry/ },
  { name: 'EAM IPv4 prefix invalid', yaml: withSiit('eamt: [{ ipv4: 192.0.2.300, ipv6: "2001:db8::1" }]'), path: 'tenants[0].siit.eamt[0].ipv4', message: /octet 300 is greater than 255/ },
  { name: 'EAM with unequal suffixes', yaml: withSiit('eamt: [{ ipv4: 192.0.2.0/24, ipv6: "2001:db8::/64" }]'), path: 'tenants[0].siit.eamt[0]', message: /8-bit IPv4 suffix with a 64-bit IPv6 suffix/ },
  { name: 'EAM repeating a prefix', yaml: withSiit('eamt: [{ ipv4: 192.0.2.1, ipv6: "2001:db8::1" }, { ipv4: 192.0.2.1, ipv6: "2001:db8::2" }]'), path: 'tenants[0].siit.eamt[1]', message: /repeats a prefix/ },
  { name: 'pool6791 in RFC 1918 space', yaml: withSiit('pool6: "64:ff9b::/96", pool6791: [10.0.0.1]'), path: 'tenants[0].siit.pool6791[0]', message: /RFC 1918/ },
  { name: 'pool6791 overlapping itself', yaml: withSiit('pool6: "64:ff9b::/96", pool6791: [192.0.2.0/28, 192.0.2.3]'), path: 'tenants[0].siit.pool6791[1]', message: /overlaps/ },
  { name: 'pool6791 too large to list', yaml: withSiit('pool6: "64:ff9b::/96", pool6791: [198.18.0.0/15]'), path: 'tenants[0].siit.pool6791', message: /131072 addresses; at most 65536/ },
  { name: 'pool6791 empty', yaml: withSiit('pool6: "64:ff9b::/96", pool6791: []'), path: 'tenants[0].siit.pool6791', message: /at least one/ },
  { name: 'ipv6ErrorSource an IPv4 address', yaml: withSiit('pool6: "64:ff9b::/96", ipv6ErrorSource: 192.0.2.1'), path: 'tenants[0].siit.ipv6ErrorSource', message: /invalid IPv6 address/ },
  { name: 'ipv4ErrorSource a prefix', yaml: withSiit('pool6: "64:ff9b::/96", ipv4ErrorSource: 192.0.2.0/24'), path: 'tenants[0].siit.ipv4ErrorSource', message: /invalid IPv4 address/ },
  { name: 'lowestIpv6Mtu below 1280', yaml: withSiit('pool6: "64:ff9b::/96", lowestIpv6Mtu: 1000'), path: 'tenants[0].siit.lowestIpv6Mtu', message: /from 1280 to 65535 \(RFC 8200 §5/ },
  { name: 'ipv4LinkMtu below 68', yaml: withSiit('pool6: "64:ff9b::/96", ipv4LinkMtu: 40'), path: 'tenants[0].siit.ipv4LinkMtu', message: /from 68 to 65535/ },
  { name: 'ipv6LinkMtu above 65535', yaml: withSiit('pool6: "64:ff9b::/96", ipv6LinkMtu: 70000'), path: 'tenants[0].siit.ipv6LinkMtu', message: /from 1280 to 65535/ },
  { name: 'udpZeroChecksum unknown', yaml: withSiit('pool6: "64:ff9b::/96", udpZeroChecksum: maybe'), path: 'tenants[0].siit.udpZeroChecksum', message: /^expected drop or compute, got the string "maybe"$/ },
  { name: 'hairpinning a boolean', yaml: withSiit('pool6: "64:ff9b::/96", hairpinning: true'), path: 'tenants[0].siit.hairpinning', message: /expected off or simple/ },
  { name: 'hairpinning intrinsic (not supported yet)', yaml: withSiit('pool6: "64:ff9b::/96", hairpinning: intrinsic'), path: 'tenants[0].siit.hairpinning', message: /RFC 7757 §4\.2\.2, is not supported yet/ },
  { name: 'resetTrafficClass a string', yaml: withSiit('pool6: "64:ff9b::/96", resetTrafficClass: "yes"'), path: 'tenants[0].siit.resetTrafficClass', message: /^expected true or false/ },
  { name: 'mtuPlateaus increasing', yaml: withSiit('pool6: "64:ff9b::/96", mtuPlateaus: [1500, 9000]'), path: 'tenants[0].siit.mtuPlateaus[1]', message: /strictly decreasing/ },
  { name: 'mtuPlateaus below 68', yaml: withSiit('pool6: "64:ff9b::/96", mtuPlateaus: [1500, 10]'), path: 'tenants[0].siit.mtuPlateaus[1]', message: /from 68 to 65535/ },
];

for (const c of bad) {
  test('refused: ' + c.name + ' (' + c.path + ')', () => {
    assert.throws(() => parseConfig(c.yaml, 'test.yaml'), (e: unknown) => {
      assert.ok(e instanceof ConfigValidationError, String(e));
      assert.equal(e.code, 'ERR_CONFIG_INVALID');
      assert.equal(e.path, c.path, e.message);
      assert.match(e.issues[0]!.message, c.message);
      assert.ok(e.message.startsWith('test.yaml: invalid configuration:\n  ' + c.path + ': '), e.message);
      return true;
    });
  });
}

test('every problem is listed, not just the first', () => {
  try {
    parseConfig(withSiit('pool6: "64:ff9b::/33", lowestIpv6Mtu: 1, typo: 1'));
    assert.fail('accepted');
  } catch (e) {
    assert.ok(e instanceof ConfigValidationError);
    assert.deepEqual(e.issues.map((i) => i.path).sort(), ['tenants[0].siit.lowestIpv6Mtu', 'tenants[0].siit.pool6', 'tenants[0].siit.typo']);
  }
});

test('YAML syntax errors and duplicate keys are ConfigSyntaxError with the position', () => {
  assert.throws(() => parseConfig('node: { id: 1\n', 'x.yaml'), (e: unknown) => e instanceof ConfigSyntaxError && e.code === 'ERR_CONFIG_SYNTAX' && /^x\.yaml: not valid YAML: .*at line 2, column 1/s.test(e.message));
  assert.throws(() => parseConfig('node: { id: 1 }\nnode: { id: 2 }\n', 'x.yaml'), (e: unknown) => e instanceof ConfigSyntaxError && /Map keys must be unique at line 2/.test(e.message));
});

test('an empty document or a scalar is refused at the top level', () => {
  assert.throws(() => parseConfig(''), (e: unknown) => e instanceof ConfigValidationError && e.path === '' && /expected a mapping/.test(e.message));
  assert.throws(() => parseConfig('5'), (e: unknown) => e instanceof ConfigValidationError && /expected a mapping, got number 5/.test(e.message));
});

test('a missing file is ConfigReadError', () => {
  assert.throws(() => loadConfigFile('/nonexistent/natmesh.yaml'), (e: unknown) => e instanceof ConfigReadError && e.code === 'ERR_CONFIG_READ' && e.message.startsWith('/nonexistent/natmesh.yaml: cannot read'));
});

test('selectTenant: by name, the only tenant by default, errors naming the configured tenants', () => {
  const c = loadConfigFile(example);
  assert.equal(selectTenant(c, 'green'), 1);
  assert.throws(() => selectTenant(c, undefined, 'f.yaml'), (e: unknown) => e instanceof AmbiguousTenantError && /2 tenants are configured \(blue, green\); choose one with --tenant/.test(e.message));
  assert.throws(() => selectTenant(c, 'red', 'f.yaml'), (e: unknown) => e instanceof UnknownTenantError && e.code === 'ERR_UNKNOWN_TENANT' && /no tenant named "red" \(configured: blue, green\)/.test(e.message));
  assert.equal(selectTenant(parseConfig(MINIMAL), undefined), 0);
});

test('formatConfigPath', () => {
  assert.equal(formatConfigPath(['tenants', 0, 'siit', 'eamt', 3, 'ipv4']), 'tenants[0].siit.eamt[3].ipv4');
  assert.equal(formatConfigPath([]), '');
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkKind } from '../../src/pipeline/link-kind.js';
import { Verdict } from '../../src/pipeline/verdict.js';
import { internetChecksum } from '../../src/wire/checksum.js';
import { ADDR, Gateway, tenantYaml } from '../golden/gateway/gateway-harness.js';
import { udp } from '../golden/gateway/packets.js';

/**
 * The tenant stage: picks the tenant's datapath, decides the direction from the addresses
 * (IPv6 is the inside; IPv4 to a pool address is the outside; IPv4 from a NAT44 inside prefix
 * is the inside) and reads the flow tuple the stateful stages need.
 */
const { T, X6, X4, Z, Y } = ADDR;

/** The line the tenant stage traced. */
function tenantLine(trace: string[]): string {
  return trace.find((l) => l.split(' ')[2] === 'tenant') ?? '';
}

/** `p` with its IPv4 header's protocol, fragment field or total length changed (checksum kept
 * right, so only the changed field can be what is refused). */
function patch4(p: Uint8Array, fields: { protocol?: number; fragOffset8?: number; totalLen?: number }): Uint8Array {
  const b = p.slice();
  if (fields.protocol !== undefined) b[9] = fields.protocol;
  if (fields.fragOffset8 !== undefined) {
    b[6] = (fields.fragOffset8 >>> 8) & 0x1f;
    b[7] = fields.fragOffset8 & 0xff;
  }
  if (fields.totalLen !== undefined) {
    b[2] = fields.totalLen >>> 8;
    b[3] = fields.totalLen & 0xff;
  }
  b[10] = 0;
  b[11] = 0;
  const ck = internetChecksum(b, 0, 20);
  b[10] = ck >>> 8;
  b[11] = ck & 0xff;
  return b;
}

describe('tenant stage', () => {
  test('IPv6 is the inside; IPv4 to a pool address the outside; IPv4 from a NAT44 inside prefix the inside', () => {
    const g = new Gateway(tenantYaml());
    assert.match(tenantLine(g.send(udp(X6, 1, Y, 2)).trace), /tenant continue: blue, from inside$/);
    assert.match(tenantLine(g.send(udp(X4, 1, Z, 2)).trace), /tenant continue: blue, from inside$/);
    assert.match(tenantLine(g.send(udp(Z, 2, T, 1)).trace), /tenant continue: blue, from outside$/);
  });

  test('RFC 4787 REQ-9: IPv4 from an inside prefix to a pool address is the inside too (a hairpin starts outbound)', () => {
    const g = new Gateway(tenantYaml());
    const r = g.send(udp(X4, 1, T, 2));
    assert.match(tenantLine(r.trace), /tenant continue: blue, from inside$/);
    // No mapping at T:2: the inbound half finds nothing, and says so.
    assert.equal(r.drop, 'translate:nat.noBinding');
  });

  test('IPv4 neither to the pool nor from an inside prefix belongs to nobody here (notForTenant)', () => {
    const g = new Gateway(tenantYaml());
    const r = g.send(udp(Z, 1, '198.51.100.200', 2));
    assert.equal(r.drop, 'tenant:notForTenant');
    assert.equal(g.dropCount('tenant', 'notForTenant'), 1);
    // NAT64 only: no inside IPv4 prefix, so an inside-looking source is no exception.
    const g64 = new Gateway(tenantYaml({ nat44: false }));
    assert.equal(g64.send(udp(X4, 1, Z, 2)).drop, 'tenant:notForTenant');
  });

  test('IPv6 for a tenant with neither SIIT nor NAT64 (noIpv6Service)', () => {
    const g = new Gateway(tenantYaml({ nat64: false }));
    const r = g.send(udp(X6, 1, Y, 2));
    assert.equal(r.drop, 'tenant:noIpv6Service');
    assert.equal(g.dropCount('tenant', 'noIpv6Service'), 1);
  });

  test('a packet of a tenant index nobody configured (unknownTenant)', () => {
    const g = new Gateway(tenantYaml());
    const p = udp(X6, 1, Y, 2);
    const ctx = g.ctx.bind(p.slice(), 0, p.length, LinkKind.Ip, 1);
    ctx.tenant = 3;
    assert.equal(g.pipeline.run(ctx), Verdict.Drop);
    assert.equal(g.dropCount('tenant', 'unknownTenant'), 1);
  });

  test('a stateful tenant drops what has no flow tuple, naming why under flow.*', () => {
    const g = new Gateway(tenantYaml());
    const base = udp(X4, 1000, Z, 2000, 'payload!');
    const cases: [Uint8Array, string][] = [
      [patch4(base, { protocol: 47 }), 'tenant:flow.unsupportedProtocol'],
      [patch4(base, { fragOffset8: 2 }), 'tenant:flow.fragmentNoPorts'],
      [patch4(base, { totalLen: 24 }), 'tenant:flow.transportTruncated'],
      [patch4(base, { totalLen: 200 }), 'tenant:flow.ipTruncated'],
      [base.subarray(0, 12), 'tenant:flow.ipTruncated'],
    ];
    for (const [p, reason] of cases) assert.equal(g.send(p).drop, reason);
    assert.equal(g.napt.sessionCount, 0);
  });

  test('a stateless (SIIT) tenant needs no flow tuple: protocols without ports go on to the translator', () => {
    const g = new Gateway([
      'node: { id: 1 }',
      'tenants:',
      '  - name: lab',
      '    id: 1',
      '    siit:',
      '      pool6: 2001:db8:64::/96',
      '      eamt: [{ ipv4: 198.51.100.0/24, ipv6: 2001:db8:6::/120 }]',
    ].join('\n'));
    assert.equal(g.cache, null, 'no stateful tenant, no flow cache');
    const r = g.send(patch4(udp(Z, 1, '203.0.113.5', 2), { protocol: 47 }));
    assert.match(tenantLine(r.trace), /tenant continue: lab, from outside$/);
    assert.notEqual(r.drop.split(':')[0], 'tenant');
  });
});

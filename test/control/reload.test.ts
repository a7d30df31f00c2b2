import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../src/control/config.js';
import { ConfigValidationError } from '../../src/control/config-error.js';
import { buildTenant, reloadTenants } from '../../src/control/tenant-runtime.js';
import { ChangeLog } from '../../src/state/change-log.js';
import { ManualClock } from '../../src/state/clock.js';

const BASE = `
node: { id: 1 }
tenants:
  - name: blue
    id: 1
    nat: { pool4: [203.0.113.1/32], nat44: { inside: [10.0.0.0/24] } }
    firewall: { graceSeconds: 0 }
  - name: green
    id: 2
    nat: { pool4: [203.0.113.2/32], nat44: { inside: [10.0.0.0/24] } }
`;

describe('reloadTenants (SIGHUP)', () => {
  const state = { clock: new ManualClock(0), changes: new ChangeLog(1 << 16), seed: 1 };
  const config = parseConfig(BASE);
  const tenants = config.tenants.map((_, i) => buildTenant(config, i, '<test>', state));
  const inside = new Uint32Array([0, 0, 0xffff, 0x0a00000a]);
  tenants[0]!.napt!.outbound(1, 17, inside, 4000, 0x08080808, 53, 0);

  it('keeps the session table and firewall of tenants whose sections did not change', () => {
    const next = parseConfig(BASE.replace('203.0.113.2/32', '203.0.113.3/32'));
    const r = reloadTenants(config, tenants, next, state);
    assert.equal(r.tenants[0]!.napt, tenants[0]!.napt, 'blue: same table object');
    assert.equal(r.tenants[0]!.napt!.sessionCount, 1);
    assert.equal(r.tenants[0]!.conntrack, tenants[0]!.conntrack);
    assert.notEqual(r.tenants[1]!.napt, tenants[1]!.napt, 'green: pool changed, new table');
    assert.deepEqual(r.notes, ['blue: sessions kept', 'blue: firewall connections kept', 'green: nat changed, new session table']);
  });

  it('refuses a new node ID, naming the field', () => {
    assert.throws(() => reloadTenants(config, tenants, parseConfig(BASE.replace('id: 1 }', 'id: 9 }')), state), (e: unknown) => {
      assert.ok(e instanceof ConfigValidationError);
      assert.equal(e.issues[0]!.path, 'node.id');
      return true;
    });
  });

  it('reports added and removed tenants', () => {
    const next = parseConfig(BASE.replace(/  - name: green[\s\S]*$/, '  - name: red\n    id: 3\n    nat: { pool4: [203.0.113.9/32], nat44: { inside: [10.1.0.0/24] } }\n'));
    const r = reloadTenants(config, tenants, next, state);
    assert.deepEqual(r.notes, ['blue: sessions kept', 'blue: firewall connections kept', 'red: new tenant', 'green: removed']);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ConnTrackConfigError } from '../../src/state/conntrack-config-error.js';
import { checkConnTrackConfig, defaultConnTrackConfig, type ConnTrackConfig } from '../../src/state/conntrack-config.js';
import { ConnTrack } from '../../src/state/conntrack.js';
import { ManualClock } from '../../src/state/clock.js';
import { FirewallDrop } from '../../src/state/firewall-drop.js';
import { writeU32 } from '../../src/wire/byte-order.js';
import { leastHeapGrowth } from '../heap-growth.js';
import { ACK, CLIENT, SERVER, TENANT, TcpConversation, tcpSegment, tracker } from './conntrack-fixture.js';

describe('ConnTrack config', () => {
  it('accepts the defaults', () => {
    checkConnTrackConfig(defaultConnTrackConfig());
  });

  const bad: [string, (c: ConnTrackConfig) => void][] = [
    ['maxConnections', (c) => { c.maxConnections = 0; }],
    ['maxConnections', (c) => { c.maxConnections = 1.5; }],
    ['maxConnections', (c) => { c.maxConnections = 2 ** 25; }],
    ['maxConnectionsPerTenant', (c) => { c.maxConnectionsPerTenant = -1; }],
    ['maxConnectionsPerHost', (c) => { (c as unknown as Record<string, unknown>).maxConnectionsPerHost = '5'; }],
    ['maxTenants', (c) => { c.maxTenants = 0; }],
    ['earlyDrop', (c) => { (c as unknown as Record<string, unknown>).earlyDrop = 1; }],
    ['graceMs', (c) => { c.graceMs = -1; }],
    ['graceMs', (c) => { c.graceMs = Number.NaN; }],
    ['ownerNode', (c) => { c.ownerNode = 2 ** 32; }],
    ['timeouts', (c) => { (c as unknown as Record<string, unknown>).timeouts = null; }],
    ['timeouts.tcpEstablished', (c) => { c.timeouts.tcpEstablished = 0; }],
    ['timeouts.udpAssured', (c) => { c.timeouts.udpAssured = Infinity; }],
    ['timerTickMs', (c) => { c.timerTickMs = 0; }],
    ['timerSlots', (c) => { c.timerSlots = 8; }],
    ['expireBudget', (c) => { c.expireBudget = 0; }],
  ];
  for (const [field, spoil] of bad) {
    it(`refuses a bad ${field} with a ConnTrackConfigError naming it`, () => {
      const c = defaultConnTrackConfig();
      spoil(c);
      assert.throws(() => checkConnTrackConfig(c, 'tenants[1].firewall'), (e: unknown) => {
        assert.ok(e instanceof ConnTrackConfigError);
        assert.equal(e.code, 'ERR_CONNTRACK_CONFIG');
        assert.equal(e.path, 'tenants[1].firewall.' + field);
        return true;
      });
      assert.throws(() => new ConnTrack(c, new ManualClock(), 1), ConnTrackConfigError);
    });
  }
});

describe('ConnTrack robustness', () => {
  it('bad offsets and lengths are dropped as malformed, never thrown', () => {
    const { ct } = tracker();
    const b = new Uint8Array(40);
    for (const [off, len] of [[-1, 20], [0, 41], [30, 20], [Number.NaN, 20], [0, 1.5], [Infinity, 0]] as const) {
      assert.equal(ct.check(TENANT, true, 6, CLIENT, 1, SERVER, 2, false, b, off, len), FirewallDrop.code.malformed);
    }
    assert.equal(ct.drops.get('malformed'), 6);
    assert.equal(ct.check(TENANT, true, 47, CLIENT, 1, SERVER, 2, false, b, 0, 40), FirewallDrop.code.unsupportedProtocol);
    assert.equal(ct.check(TENANT, true, 47, CLIENT, 1, SERVER, 2, true, b, 0, 40), FirewallDrop.code.unsupportedProtocol);
  });

  it('random packets and arguments never throw, and every refusal is a counted reason (property)', () => {
    const { ct, clock } = tracker({ maxConnections: 64, graceMs: 5000 });
    fc.assert(fc.property(
      fc.uint8Array({ minLength: 0, maxLength: 80 }),
      fc.record({
        tenant: fc.integer({ min: 0, max: 3 }),
        outbound: fc.boolean(),
        proto: fc.constantFrom(1, 6, 17, 0, 255),
        src: fc.constantFrom(CLIENT, SERVER, 0, 0xffffffff),
        dst: fc.constantFrom(CLIENT, SERVER),
        sport: fc.integer({ min: -5, max: 70000 }),
        dport: fc.constantFrom(80, 443, 0),
        icmpError: fc.boolean(),
        off: fc.integer({ min: -2, max: 90 }),
        len: fc.integer({ min: -2, max: 90 }),
        advance: fc.integer({ min: 0, max: 200_000 }),
      }),
      (bytes, a) => {
        clock.advance(a.advance);
        const before = ct.drops.total();
        const code = ct.check(a.tenant, a.outbound, a.proto, a.src, a.sport, a.dst, a.dport, a.icmpError, bytes, a.off, a.len);
        assert.ok(code >= 0 && code < FirewallDrop.size);
        assert.equal(ct.drops.total() - before, code === 0 ? 0 : 1);
        ct.expire();
        assert.ok(ct.connectionCount <= 64);
      },
    ), { numRuns: 3000 });
  });

  it('the established data path allocates nothing per packet', () => {
    const { ct, clock } = tracker();
    const c = new TcpConversation(ct);
    c.handshake();
    const data = tcpSegment({ seq: 1001, ack: 5001, flags: ACK, payload: 100 });
    const ack = tcpSegment({ seq: 5001, ack: 1101, flags: ACK });
    let cSeq = 1001;
    let bad = 0;
    const run = (): void => {
      for (let i = 0; i < 20_000; i++) {
        writeU32(data, 4, cSeq);
        cSeq = (cSeq + 100) >>> 0;
        writeU32(ack, 8, cSeq);
        bad += ct.check(TENANT, true, 6, CLIENT, 40000, SERVER, 443, false, data, 0, data.length);
        bad += ct.check(TENANT, false, 6, SERVER, 443, CLIENT, 40000, false, ack, 0, ack.length);
        if ((i & 255) === 0) {
          clock.advance(1);
          ct.expire();
        }
      }
    };
    const grown = leastHeapGrowth(run);
    assert.equal(bad, 0, JSON.stringify(ct.drops.snapshot()));
    assert.ok(grown < 256 * 1024, 'heap grew by ' + grown + ' bytes over 40000 packets');
  });

  it('creating and expiring connections allocates nothing per connection', () => {
    const { ct, clock } = tracker({ maxConnections: 4096 });
    const udp = new Uint8Array(8);
    let port = 0;
    const run = (): void => {
      for (let round = 0; round < 20; round++) {
        for (let i = 0; i < 2000; i++) {
          port = (port + 1) & 0xffff;
          ct.check(TENANT, true, 17, CLIENT, port, SERVER, 53, false, udp, 0, 8);
          ct.check(TENANT, false, 17, SERVER, 53, CLIENT, port, false, udp, 0, 8);
        }
        clock.advance(200_000);
        ct.expire();
      }
    };
    const grown = leastHeapGrowth(run);
    assert.equal(ct.connectionCount, 0);
    assert.ok(grown < 256 * 1024, 'heap grew by ' + grown + ' bytes over 40000 connections');
  });
});

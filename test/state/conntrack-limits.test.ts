import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConnTrack } from '../../src/state/conntrack.js';
import { FirewallDrop } from '../../src/state/firewall-drop.js';
import { writeU32 } from '../../src/wire/byte-order.js';
import { leastHeapGrowth } from '../heap-growth.js';
import { ACK, CLIENT, SERVER, SYN, TENANT, TcpConversation, tcpSegment, tracker } from './conntrack-fixture.js';

const D = FirewallDrop.code;
const UDP = new Uint8Array(8);
const SYN_SEGMENT = tcpSegment({ seq: 1, flags: SYN });

/** `n` SYNs from CLIENT to SERVER:80 from source ports `firstPort`, ... (one buffer, reused). */
function synFlood(ct: ConnTrack, n: number, firstPort = 1024, host = CLIENT): { accepted: number; refused: number } {
  let accepted = 0, refused = 0;
  for (let i = 0; i < n; i++) {
    writeU32(SYN_SEGMENT, 4, i);
    const port = firstPort + (i % 60000);
    const h = host + Math.floor(i / 60000);
    if (ct.check(TENANT, true, 6, h, port, SERVER, 80, false, SYN_SEGMENT, 0, SYN_SEGMENT.length) === 0) accepted++;
    else refused++;
  }
  return { accepted, refused };
}

function udpOut(ct: ConnTrack, tenant: number, host: number, port: number): number {
  return ct.check(tenant, true, 17, host, port, SERVER, 53, false, UDP, 0, 8);
}

describe('ConnTrack limits', () => {
  it('a SYN flood fills the table to maxConnections, refusals are counted, memory stays fixed, timers free the entries', () => {
    const { ct, clock } = tracker({ maxConnections: 256, earlyDrop: false });
    const bytes = ct.byteLength;
    const r = synFlood(ct, 1000);
    assert.deepEqual(r, { accepted: 256, refused: 744 });
    assert.equal(ct.connectionCount, 256);
    assert.equal(ct.drops.get('tableFull'), 744);
    assert.equal(ct.byteLength, bytes, 'the arrays were sized once');
    // Refusing allocates nothing: a flood cannot grow the heap.
    const grown = leastHeapGrowth(() => synFlood(ct, 50_000, 20_000));
    assert.ok(grown < 256 * 1024, 'heap grew by ' + grown + ' bytes over 50000 refused SYNs');
    assert.equal(ct.connectionCount, 256);
    // SYN_SENT idles 2 min: then the timers free every entry and the table takes SYNs again.
    clock.advance(120_000);
    assert.equal(ct.expire(), 256);
    assert.equal(ct.connectionCount, 0);
    assert.equal(ct.stats.expired, 256);
    assert.equal(new TcpConversation(ct).out({ seq: 1, flags: SYN }), 0);
  });

  it('early drop: a flood on a full table evicts the oldest unassured connections and never an established one', () => {
    const { ct } = tracker({ maxConnections: 256, earlyDrop: true });
    const established: TcpConversation[] = [];
    for (let i = 0; i < 100; i++) {
      const c = new TcpConversation(ct, CLIENT + 1, 30_000 + i);
      c.handshake();
      established.push(c);
    }
    const r = synFlood(ct, 1000);
    assert.deepEqual(r, { accepted: 1000, refused: 0 });
    assert.equal(ct.stats.earlyDropped, 1000 - 156);
    assert.equal(ct.connectionCount, 256);
    for (const c of established) assert.equal(c.in({ seq: 5001, ack: 1001, flags: ACK, payload: 10 }), 0);
    // The newest SYNs are the ones kept.
    assert.notEqual(ct.lookup(TENANT, 6, CLIENT, 1024 + 999, SERVER, 80), -1);
    assert.equal(ct.lookup(TENANT, 6, CLIENT, 1024, SERVER, 80), -1);
  });

  it('early drop: a table full of assured connections refuses (tableFull)', () => {
    const { ct } = tracker({ maxConnections: 8, earlyDrop: true });
    for (let i = 0; i < 8; i++) new TcpConversation(ct, CLIENT, 30_000 + i).handshake();
    assert.equal(synFlood(ct, 1).refused, 1);
    assert.equal(ct.drops.get('tableFull'), 1);
    assert.equal(ct.stats.earlyDropped, 0);
  });

  it('per-tenant cap: the tenant at maxConnectionsPerTenant is refused (tenantLimit), others are not; expiry gives room back', () => {
    const { ct, clock } = tracker({ maxConnectionsPerTenant: 3 });
    for (let p = 1; p <= 3; p++) assert.equal(udpOut(ct, 1, CLIENT, p), 0);
    assert.equal(udpOut(ct, 1, CLIENT + 1, 4), D.tenantLimit);
    assert.equal(udpOut(ct, 2, CLIENT, 1), 0);
    assert.equal(ct.drops.get('tenantLimit'), 1);
    clock.advance(31_000);
    ct.expire();
    assert.equal(udpOut(ct, 1, CLIENT, 4), 0);
  });

  it('per-host cap: an inside host at maxConnectionsPerHost is refused (hostLimit), its neighbours are not', () => {
    const { ct } = tracker({ maxConnectionsPerHost: 2 });
    assert.equal(udpOut(ct, TENANT, CLIENT, 1), 0);
    assert.equal(new TcpConversation(ct, CLIENT, 2).out({ seq: 1, flags: SYN }), 0);
    assert.equal(udpOut(ct, TENANT, CLIENT, 3), D.hostLimit);
    assert.equal(udpOut(ct, TENANT, CLIENT + 1, 3), 0);
    assert.equal(udpOut(ct, TENANT + 1, CLIENT, 3), 0, 'the same address in another tenant is another host');
    assert.equal(ct.drops.get('hostLimit'), 1);
  });

  it('per-host cap counts the inside host of a connection picked up from an inbound packet', () => {
    const { ct } = tracker({ maxConnectionsPerHost: 1, graceMs: 10_000 });
    assert.equal(ct.check(TENANT, false, 17, SERVER, 53, CLIENT, 5353, false, UDP, 0, 8), 0);
    assert.equal(udpOut(ct, TENANT, CLIENT, 1), D.hostLimit);
  });

  it('maxTenants bounds the per-tenant counters (tenantTableFull)', () => {
    const { ct, clock } = tracker({ maxConnectionsPerTenant: 10, maxTenants: 2 });
    assert.equal(udpOut(ct, 1, CLIENT, 1), 0);
    assert.equal(udpOut(ct, 2, CLIENT, 1), 0);
    assert.equal(udpOut(ct, 3, CLIENT, 1), D.tenantTableFull);
    clock.advance(31_000);
    ct.expire();
    assert.equal(udpOut(ct, 3, CLIENT, 1), 0);
  });

  it('expire() frees at most expireBudget connections per call', () => {
    const { ct, clock } = tracker({ maxConnections: 300, expireBudget: 100 });
    synFlood(ct, 250);
    clock.advance(121_000);
    assert.deepEqual([ct.expire(), ct.expire(), ct.expire(), ct.expire()], [100, 100, 50, 0]);
  });
});

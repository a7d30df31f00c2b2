import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowCache } from '../../src/pipeline/flow-cache.js';
import { Verdict } from '../../src/pipeline/verdict.js';
import { extractFlowTuple, FlowTuple } from '../../src/xlat/flow-tuple.js';
import { ADDR, Gateway, srcPort, tenantYaml, type SendResult } from '../golden/gateway/gateway-harness.js';
import { echo, icmpError, tcp, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, udp } from '../golden/gateway/packets.js';

/**
 * The flow cache of seed 004 in the gateway pipeline: a flow's first packet walks every stage
 * and is recorded; later ones apply the recorded actions and skip to emit. The trace (a
 * TraceSink collecting lines) shows which stages ran.
 */
const { T, X6, X4, Z, Y } = ADDR;

function gateway(o: { flowCacheSlots?: number } = {}): Gateway {
  return new Gateway(tenantYaml(), o);
}

/** Stage names that ran for the packet, in order. */
function stages(r: SendResult): string[] {
  return r.trace.map((l) => l.split(' ')[2]!);
}

function cacheLine(r: SendResult): string {
  return r.trace.find((l) => l.split(' ')[2] === 'flow-cache') ?? '';
}

describe('flow cache in the pipeline', () => {
  for (const [kind, X, to] of [['NAT64', X6, Y], ['NAT44', X4, Z]] as const) {
    test(kind + ': the second packet of a UDP flow hits; firewall and translate do not run', () => {
      const g = gateway();
      const first = g.send(udp(X, 40001, to, 53, 'one'));
      assert.match(cacheLine(first), /: miss$/);
      assert.deepEqual(stages(first), ['classify', 'tenant', 'flow-cache', 'firewall-in', 'translate', 'firewall-out', 'flow-learn', 'emit']);
      const second = g.send(udp(X, 40001, to, 53, 'two'));
      assert.match(cacheLine(second), /: hit, session \d+, stages skipped$/);
      assert.deepEqual(stages(second), ['classify', 'tenant', 'flow-cache', 'emit']);
      assert.equal(second.verdict, Verdict.Emit);
      // The reply direction is a flow of its own: learned on its first packet, then hit.
      const t = srcPort(first.out[0]!);
      assert.match(cacheLine(g.send(udp(Z, 53, T, t))), /miss/);
      const reply = g.send(udp(Z, 53, T, t));
      assert.deepEqual(stages(reply), ['classify', 'tenant', 'flow-cache', 'emit']);
      assert.equal(g.cache!.hits, 2);
    });
  }

  test('a hit emits exactly the bytes the full walk emits (same packets, cache of 0 slots)', () => {
    const cached = gateway();
    const walked = gateway({ flowCacheSlots: 0 });
    assert.equal(walked.cache, null);
    const script: ((t64: number, t44: number, id: number) => Uint8Array)[] = [
      () => udp(X6, 40001, Y, 53, 'a'),
      () => udp(X4, 40001, Z, 53, 'b', { ttl: 9 }),
      () => tcp(X6, 40002, Y, 80, TCP_SYN, { seq: 1 }),
      () => echo(X6, Y, 77, 1),
    ];
    const after: ((t64: number, t44: number, t64tcp: number, id: number) => Uint8Array)[] = [
      () => udp(X6, 40001, Y, 53, 'again'),
      () => udp(X4, 40001, Z, 53, 'again', { ttl: 9 }),
      (t64) => udp(Z, 53, T, t64, 'reply'),
      (t64) => udp(Z, 53, T, t64, 'reply 2'),
      (_a, t44) => udp(Z, 53, T, t44, 'reply44', { ttl: 3 }),
      (_a, t44) => udp(Z, 53, T, t44, 'reply44 2', { ttl: 3 }),
      (_a, _b, tt) => tcp(Z, 80, T, tt, TCP_SYN | TCP_ACK, { seq: 900, ack: 2 }),
      () => tcp(X6, 40002, Y, 80, TCP_ACK, { seq: 2, ack: 901 }),
      () => tcp(X6, 40002, Y, 80, TCP_ACK | TCP_PSH, { seq: 2, ack: 901, payload: 'GET /' }),
      (_a, _b, tt) => tcp(Z, 80, T, tt, TCP_ACK | TCP_PSH, { seq: 901, ack: 7, payload: 'HTTP/1.0 200' }),
      (_a, _b, tt) => tcp(Z, 80, T, tt, TCP_ACK | TCP_PSH, { seq: 913, ack: 7, payload: 'more' }),
      () => echo(X6, Y, 77, 2),
      (_a, _b, _c, id) => echo(Z, T, id, 2, true),
      (_a, _b, _c, id) => echo(Z, T, id, 3, true),
    ];
    const firstOut = script.map((mk) => {
      const p = mk(0, 0, 0);
      const a = cached.send(p);
      const b = walked.send(p);
      assert.deepEqual(a.out, b.out);
      return a.out[0]!;
    });
    const t64 = srcPort(firstOut[0]!);
    const t44 = srcPort(firstOut[1]!);
    const tt = srcPort(firstOut[2]!);
    const id = srcPort(firstOut[3]!);
    let hits = 0;
    after.forEach((mk, i) => {
      const p = mk(t64, t44, tt, id);
      const a = cached.send(p);
      const b = walked.send(p);
      if (/hit/.test(cacheLine(a))) hits++;
      assert.equal(a.verdict, b.verdict, 'packet ' + i);
      assert.deepEqual(a.out, b.out, 'packet ' + i + ' differs: ' + a.trace.join('\n'));
    });
    assert.ok(hits >= 7, 'only ' + hits + ' hits: the comparison must cover the hit path');
    assert.equal(cached.napt.sessionCount, walked.napt.sessionCount);
  });

  test('a session that expired makes its entry stale: miss, and a new session', () => {
    const g = gateway();
    g.send(udp(X6, 40001, Y, 53));
    assert.match(cacheLine(g.send(udp(X6, 40001, Y, 53))), /hit/);
    const before = g.napt.sessions()[0]!.entryNumber;
    g.advance(5 * 60_000 + 1000);
    assert.equal(g.napt.sessionCount, 0);
    const r = g.send(udp(X6, 40001, Y, 53));
    assert.match(cacheLine(r), /: miss$/);
    assert.ok(stages(r).includes('translate'));
    const now = g.napt.sessions();
    assert.equal(now.length, 1);
    assert.notEqual(now[0]!.entryNumber, before);
    assert.match(cacheLine(g.send(udp(X6, 40001, Y, 53))), /hit, session /);
  });

  test('invalidateAll (a configuration change) turns the next packet into a miss', () => {
    const g = gateway();
    g.send(udp(X4, 40001, Z, 53));
    assert.match(cacheLine(g.send(udp(X4, 40001, Z, 53))), /hit/);
    g.cache!.invalidateAll();
    const r = g.send(udp(X4, 40001, Z, 53));
    assert.match(cacheLine(r), /: miss$/);
    assert.ok(stages(r).includes('translate'));
    assert.equal(g.napt.sessionCount, 1, 'the session itself survives; only the cache forgot');
    assert.match(cacheLine(g.send(udp(X4, 40001, Z, 53))), /hit/);
  });

  test('RFC 6146 §3.5.2.2: TCP segments with SYN, FIN or RST never hit; they run the state machine', () => {
    const g = gateway();
    const t = srcPort(g.send(tcp(X6, 40002, Y, 80, TCP_SYN, { seq: 1 })).out[0]!);
    g.send(tcp(Z, 80, T, t, TCP_SYN | TCP_ACK, { seq: 900, ack: 2 }));
    g.send(tcp(X6, 40002, Y, 80, TCP_ACK, { seq: 2, ack: 901 }));
    assert.match(cacheLine(g.send(tcp(X6, 40002, Y, 80, TCP_ACK | TCP_PSH, { seq: 2, ack: 901, payload: 'x' }))), /hit/);
    const syn = g.send(tcp(X6, 40002, Y, 80, TCP_SYN, { seq: 1 }));
    assert.match(cacheLine(syn), /not cached/);
    const fin = g.send(tcp(X6, 40002, Y, 80, TCP_FIN | TCP_ACK, { seq: 3, ack: 901 }));
    assert.match(cacheLine(fin), /not cached/);
    assert.ok(stages(fin).includes('translate'));
    assert.equal(g.napt.sessions()[0]!.state, 'V6 FIN RCV');
    const rst = g.send(tcp(Z, 80, T, t, TCP_RST | TCP_ACK, { seq: 901, ack: 4 }));
    assert.match(cacheLine(rst), /not cached/);
    assert.ok(stages(rst).includes('translate'));
  });

  test('RFC 5508 REQ-4: ICMP errors never hit, however often they come', () => {
    const g = gateway();
    const out = g.send(udp(X4, 40001, Z, 53)).out[0]!;
    const err = icmpError(Z, T, 3, 3, out);
    for (let i = 0; i < 3; i++) {
      const r = g.send(err);
      assert.equal(r.verdict, Verdict.Emit);
      assert.match(cacheLine(r), /not cached/);
      assert.ok(stages(r).includes('translate'));
    }
    assert.equal(g.cache!.inserts, 1);
  });
});

describe('FlowCache', () => {
  function tupleOf(p: Uint8Array): FlowTuple {
    const t = new FlowTuple();
    assert.equal(extractFlowTuple(p, 0, p.length, t), 0);
    return t;
  }

  test('an inserted key matches under the same tenant and direction only', () => {
    const c = new FlowCache(64, 1);
    const k = tupleOf(udp(X4, 1, Z, 2));
    const slot = c.slotOf(0, false, k);
    assert.equal(c.matches(slot), false);
    c.insert(slot, 5, 77, 4);
    assert.equal(c.matches(c.slotOf(0, false, k)), true);
    assert.deepEqual([c.sessions[slot], c.sessionEntries[slot], c.actions[slot]], [5, 77, 4]);
    const other = c.slotOf(1, false, k);
    assert.equal(c.matches(other), false, 'another tenant');
    assert.equal(c.matches(c.slotOf(0, true, k)), false, 'the other direction');
    assert.equal(c.matches(c.slotOf(0, false, tupleOf(udp(X4, 1, Z, 3)))), false, 'another port');
    assert.deepEqual([c.hits, c.misses], [1, 4]);
    assert.equal(c.hitRate(), 0.2);
  });

  test('invalidateAll forgets every entry, also when the generation wraps', () => {
    const c = new FlowCache(4, 1);
    const k = tupleOf(udp(X4, 1, Z, 2));
    c.insert(c.slotOf(0, false, k), 0, 1, 1);
    c.invalidateAll();
    assert.equal(c.matches(c.slotOf(0, false, k)), false);
    // After 2^32 - 1 reloads the generation comes back to 1: old entries must not revive.
    c.generation = 1;
    c.insert(c.slotOf(0, false, k), 0, 1, 1);
    c.generation = 0xffffffff;
    c.invalidateAll();
    assert.equal(c.generation, 1);
    assert.equal(c.matches(c.slotOf(0, false, k)), false);
  });

  test('a direct-mapped slot holds one flow: the newer overwrites the older and counts an eviction', () => {
    const c = new FlowCache(1, 1);
    assert.equal(c.slots, 1);
    const a = tupleOf(udp(X4, 1, Z, 2));
    const b = tupleOf(udp(X4, 3, Z, 4));
    c.insert(c.slotOf(0, false, a), 0, 1, 1);
    c.insert(c.slotOf(0, false, b), 1, 2, 1);
    assert.equal(c.evictions, 1);
    assert.equal(c.matches(c.slotOf(0, false, a)), false);
    assert.equal(c.matches(c.slotOf(0, false, b)), true);
    c.forget(c.slotOf(0, false, b));
    assert.equal(c.matches(c.slotOf(0, false, b)), false);
  });
});

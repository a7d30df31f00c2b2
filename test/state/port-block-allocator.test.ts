import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PortBlockAllocator, PortClaim } from '../../src/state/port-block-allocator.js';

const TCP = 0;
const UDP = 1;
const ICMP = 2;
const A = 0xcb007101;
const B = 0xcb007102;

/** One node (NAT ID 1) owning every block of `pool`. */
function solo(pool: number[], portMin = 1024, portMax = 65535, blockSize = 64): PortBlockAllocator {
  const p = new PortBlockAllocator(pool, portMin, portMax, blockSize, 1, 7);
  p.assignBlocks([1]);
  return p;
}

describe('PortBlockAllocator', () => {
  it('RFC 4787 REQ-4: keeps the parity of the inside port', () => {
    const p = solo([A]);
    for (let i = 0; i < 200; i++) {
      const even = p.allocate(UDP, 0, false, 0, i);
      const odd = p.allocate(UDP, 0, false, 1, i);
      assert.equal(even % 2, 0);
      assert.equal(odd % 2, 1);
    }
  });

  it('RFC 4787 REQ-4: takes the other parity only when no port of the wanted one is left', () => {
    const p = solo([A], 1024, 1027, 4); // one usable block: 1024..1027
    assert.equal(p.allocate(UDP, 0, false, 0, 0) % 2, 0);
    assert.equal(p.allocate(UDP, 0, false, 0, 0) % 2, 0);
    assert.equal(p.allocate(UDP, 0, false, 0, 0) % 2, 1, 'evens used up: an odd port rather than a refusal');
    assert.equal(p.allocate(UDP, 0, false, 0, 0) % 2, 1);
    assert.equal(p.allocate(UDP, 0, false, 0, 0), -1);
  });

  it('RFC 4787 REQ-3a: an inside port below 1024 gets a pool port below 1024 when the range has some', () => {
    const p = solo([A], 1, 65535);
    for (let i = 0; i < 50; i++) {
      const port = p.allocate(TCP, 0, true, i & 1, i);
      assert.ok(port >= 1 && port < 1024, 'port ' + port);
    }
    for (let i = 0; i < 50; i++) assert.ok(p.allocate(TCP, 0, false, i & 1, i) >= 1024, 'a high inside port never gets a privileged pool port');
  });

  it('RFC 4787 REQ-3a: low ports used up or not in the range: the high range serves', () => {
    const p = solo([A], 1020, 2047, 4); // low range is 1020..1023 only
    const low = [p.allocate(TCP, 0, true, 0, 0), p.allocate(TCP, 0, true, 0, 0), p.allocate(TCP, 0, true, 0, 0), p.allocate(TCP, 0, true, 0, 0)];
    assert.deepEqual(low.sort(), [1020, 1021, 1022, 1023]);
    assert.ok(p.allocate(TCP, 0, true, 0, 0) >= 1024);
    const q = solo([A], 1024, 65535);
    assert.equal(q.hasLowRange, false);
  });

  it('never hands out port 0 or a port outside [portMin, portMax], and exhausts exactly the range', () => {
    const p = solo([A], 1, 300, 64);
    const seen = new Set<number>();
    for (;;) {
      const port = p.allocateAny(ICMP, 0, seen.size);
      if (port < 0) break;
      assert.ok(port >= 1 && port <= 300, 'port ' + port);
      assert.ok(!seen.has(port), 'RFC 4787 REQ-3: never twice');
      seen.add(port);
    }
    assert.equal(seen.size, 300);
  });

  it('keeps protocols apart: the same (T,t) may serve TCP and UDP (RFC 6146 §3.5.1.1)', () => {
    const p = solo([A], 5000, 5003, 4);
    const tcp = [0, 1, 2, 3].map(() => p.allocateAny(TCP, 0, 0)).sort();
    const udp = [0, 1, 2, 3].map(() => p.allocateAny(UDP, 0, 0)).sort();
    assert.deepEqual(tcp, udp);
    assert.equal(p.allocateAny(TCP, 0, 0), -1);
  });

  it('allocates only from this node\'s blocks; striping gives every node blocks on every address', () => {
    const n1 = new PortBlockAllocator([A, B], 1024, 65535, 256, 1, 0);
    const n2 = new PortBlockAllocator([A, B], 1024, 65535, 256, 2, 0);
    n1.assignBlocks([1, 2]);
    n2.assignBlocks([1, 2]);
    assert.equal(n1.blocksOwnedBy(1), n1.blockCount / 2);
    assert.equal(n1.ownedBySelf, n1.blockCount / 2);
    const all = new Set<string>();
    for (const [node, p] of [[1, n1], [2, n2]] as const) {
      for (let ai = 0; ai < 2; ai++) {
        let port: number;
        let count = 0;
        while ((port = p.allocateAny(UDP, ai, count)) >= 0) {
          const key = ai + ':' + port;
          assert.ok(!all.has(key), 'nodes never hand out the same (T,t): ' + key);
          all.add(key);
          assert.equal(p.ownerOf(p.blockOf(p.addresses[ai]!, port)), node);
          count++;
        }
        assert.ok(count > 0, 'node ' + node + ' has ports on address ' + ai);
      }
    }
    assert.equal(all.size, 2 * (65536 - 1024));
  });

  it('claims ports it did not choose, and frees them', () => {
    const p = solo([A], 1024, 2047, 64);
    assert.equal(p.claim(UDP, A, 1500), PortClaim.claimed);
    assert.equal(p.claim(UDP, A, 1500), PortClaim.taken);
    assert.equal(p.isTaken(UDP, A, 1500), true);
    assert.equal(p.claim(UDP, B, 1500), PortClaim.outsidePool);
    assert.equal(p.claim(UDP, A, 80), PortClaim.outsidePool, 'below portMin');
    assert.equal(p.release(UDP, A, 1500), true);
    assert.equal(p.release(UDP, A, 1500), false);
    assert.equal(p.isTaken(UDP, A, 1500), false);
  });

  it('a block given to another node stops serving here, and its taken ports stay taken across a reassignment', () => {
    const p = solo([A], 1024, 1087, 64); // exactly one block
    const block = p.blockOf(A, 1024);
    const taken = p.allocateAny(UDP, 0, 0);
    p.assign(block, 9);
    assert.equal(p.allocateAny(UDP, 0, 0), -1);
    assert.equal(p.ownedBySelf, p.blockCount - 1);
    assert.equal(p.reassign(9, 1), 1);
    const seen = new Set<number>();
    let port: number;
    while ((port = p.allocateAny(UDP, 0, 0)) >= 0) seen.add(port);
    assert.equal(seen.size, 63);
    assert.ok(!seen.has(taken));
  });

  it('picks an address with free ports for a new host, probing from its hash', () => {
    const p = solo([A, B], 1024, 1087, 64);
    while (p.allocateAny(UDP, 0, 0) >= 0);
    assert.equal(p.pickAddress(UDP, 0, false), 1);
    assert.equal(p.pickAddress(UDP, 1, false), 1);
    while (p.allocateAny(UDP, 1, 0) >= 0);
    assert.equal(p.pickAddress(UDP, 0, false), -1);
    assert.equal(p.pickAddress(TCP, 0, false), 0, 'other protocols unaffected');
  });

  it('never hands out a taken port under random allocate/release (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 2 })), { maxLength: 400 }),
      (ops) => {
        const p = solo([A, B], 1000, 1300, 16);
        const held = new Set<string>();
        const list: [number, number, number][] = [];
        for (const [alloc, x, pi] of ops) {
          if (alloc || list.length === 0) {
            const ai = x & 1;
            const port = p.allocate(pi, ai, x < 1024, x & 1, x);
            if (port < 0) continue;
            const key = pi + '/' + ai + '/' + port;
            assert.ok(!held.has(key));
            assert.ok(port >= 1000 && port <= 1300);
            held.add(key);
            list.push([pi, ai, port]);
          } else {
            const [pi2, ai, port] = list.splice(x % list.length, 1)[0]!;
            assert.equal(p.release(pi2, p.addresses[ai]!, port), true);
            held.delete(pi2 + '/' + ai + '/' + port);
          }
        }
        for (let pi = 0; pi < 3; pi++) assert.equal(p.freePorts(pi), 2 * 301 - [...held].filter((k) => k.startsWith(pi + '/')).length);
      },
    ));
  });
});

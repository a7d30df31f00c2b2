import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TCP_STATE_NAMES, TcpState, TcpTimer, tcpNextState, tcpTimerOf, tcpTransition } from '../../src/state/tcp-state-machine.js';

const S = TcpState;
const T = TcpTimer;
const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;
const IN = true;
const OUT = false;

/** [state, from inside, flags, next state, timer] per RFC 6146 §3.5.2.2 (inside = V6, outside = V4). */
const table: [number, boolean, number, number, number][] = [
  // V4 INIT
  [S.outsideInit, IN, SYN, S.established, T.established],
  [S.outsideInit, IN, SYN | ACK, S.established, T.established],
  [S.outsideInit, OUT, SYN, S.outsideInit, T.keep],
  [S.outsideInit, IN, ACK, S.outsideInit, T.keep],
  // V6 INIT
  [S.insideInit, OUT, SYN | ACK, S.established, T.established],
  [S.insideInit, IN, SYN, S.insideInit, T.transitory],
  [S.insideInit, OUT, ACK, S.insideInit, T.keep],
  // ESTABLISHED
  [S.established, OUT, FIN | ACK, S.outsideFinReceived, T.keep],
  [S.established, IN, FIN | ACK, S.insideFinReceived, T.keep],
  [S.established, IN, RST, S.transitory, T.transitory],
  [S.established, OUT, RST | ACK, S.transitory, T.transitory],
  [S.established, IN, ACK, S.established, T.established],
  [S.established, OUT, ACK, S.established, T.established],
  // V4 FIN RCV
  [S.outsideFinReceived, IN, FIN | ACK, S.bothFinReceived, T.transitory],
  [S.outsideFinReceived, OUT, FIN | ACK, S.outsideFinReceived, T.established],
  [S.outsideFinReceived, IN, ACK, S.outsideFinReceived, T.established],
  // V6 FIN RCV
  [S.insideFinReceived, OUT, FIN | ACK, S.bothFinReceived, T.transitory],
  [S.insideFinReceived, IN, FIN, S.insideFinReceived, T.established],
  [S.insideFinReceived, OUT, ACK, S.insideFinReceived, T.established],
  // V4 FIN + V6 FIN RCV: only the timer ends it
  [S.bothFinReceived, IN, ACK, S.bothFinReceived, T.keep],
  [S.bothFinReceived, OUT, ACK, S.bothFinReceived, T.keep],
  // TRANS
  [S.transitory, IN, ACK, S.established, T.established],
  [S.transitory, OUT, ACK, S.established, T.established],
  [S.transitory, OUT, RST, S.transitory, T.keep],
];

describe('tcpTransition (RFC 6146 §3.5.2.2)', () => {
  for (const [state, fromInside, flags, next, timer] of table) {
    it(`${TCP_STATE_NAMES[state]} + ${fromInside ? 'V6' : 'V4'} ${flagNames(flags)} → ${TCP_STATE_NAMES[next]}, timer ${Object.keys(T)[timer]}`, () => {
      const r = tcpTransition(state, fromInside, flags);
      assert.equal(tcpNextState(r), next);
      assert.equal(tcpTimerOf(r), timer);
    });
  }

  it('an inside-opened connection lives through handshake, FINs and the transitory timer', () => {
    let st: number = S.insideInit;
    const step = (fromInside: boolean, flags: number): number => {
      const r = tcpTransition(st, fromInside, flags);
      st = tcpNextState(r);
      return tcpTimerOf(r);
    };
    assert.equal(step(OUT, SYN | ACK), T.established);
    assert.equal(step(IN, ACK), T.established);
    assert.equal(step(IN, FIN | ACK), T.keep);
    assert.equal(st, S.insideFinReceived);
    assert.equal(step(OUT, FIN | ACK), T.transitory);
    assert.equal(st, S.bothFinReceived);
    assert.equal(step(IN, ACK), T.keep);
  });

  it('names every state as RFC 6146 does', () => {
    assert.deepEqual(TCP_STATE_NAMES, ['CLOSED', 'V4 INIT', 'V6 INIT', 'ESTABLISHED', 'V4 FIN RCV', 'V6 FIN RCV', 'V4 FIN + V6 FIN RCV', 'TRANS']);
  });
});

function flagNames(f: number): string {
  const n: string[] = [];
  if (f & SYN) n.push('SYN');
  if (f & FIN) n.push('FIN');
  if (f & RST) n.push('RST');
  if (f & ACK) n.push('ACK');
  return n.join('+');
}

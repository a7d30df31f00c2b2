/**
 * RFC 6146 §3.5.2.2 TCP state machine of a NAT64 session, with the directions named for both
 * uses of the table: `inside` is the V6 side of NAT64 (and the private side of NAT44), `outside`
 * the V4 side (the public side). CLOSED is the absence of a session; the table creates one in
 * INSIDE_INIT (V6 SYN) or OUTSIDE_INIT (V4 SYN), and `tcpTransition` takes it from there.
 */
export const TcpState = {
  closed: 0,
  /** RFC 6146 "V4 INIT": an outside SYN opened the session. */
  outsideInit: 1,
  /** RFC 6146 "V6 INIT": an inside SYN opened the session. */
  insideInit: 2,
  established: 3,
  /** RFC 6146 "V4 FIN RCV". */
  outsideFinReceived: 4,
  /** RFC 6146 "V6 FIN RCV". */
  insideFinReceived: 5,
  /** RFC 6146 "V4 FIN + V6 FIN RCV". */
  bothFinReceived: 6,
  /** RFC 6146 "TRANS": after a RST, waiting out the transitory timer. */
  transitory: 7,
} as const;
export type TcpState = (typeof TcpState)[keyof typeof TcpState];

/** State names as RFC 6146 writes them (NAT64 view), by state. */
export const TCP_STATE_NAMES: readonly string[] = [
  'CLOSED', 'V4 INIT', 'V6 INIT', 'ESTABLISHED', 'V4 FIN RCV', 'V6 FIN RCV', 'V4 FIN + V6 FIN RCV', 'TRANS',
];

/** What a packet does to the session's lifetime. */
export const TcpTimer = {
  /** Lifetime unchanged. */
  keep: 0,
  /** Lifetime set to TCP_EST (2 h 4 min, RFC 5382 REQ-5). */
  established: 1,
  /** Lifetime set to TCP_TRANS (4 min). */
  transitory: 2,
} as const;
export type TcpTimer = (typeof TcpTimer)[keyof typeof TcpTimer];

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;

/** Result of `tcpTransition`: the next state in the low byte, the `TcpTimer` above it. */
export function tcpNextState(result: number): number {
  return result & 0xff;
}

export function tcpTimerOf(result: number): number {
  return result >>> 8;
}

function r(state: number, timer: number): number {
  return state | (timer << 8);
}

/**
 * One packet through RFC 6146 §3.5.2.2 for a session in `state` (not CLOSED). `fromInside`: the
 * packet came from the inside (V6) host. `flags`: its TCP flags byte. Returns the next state and
 * the lifetime action (decode with `tcpNextState` / `tcpTimerOf`). Every packet is translated;
 * the machine only decides state and lifetime.
 */
export function tcpTransition(state: number, fromInside: boolean, flags: number): number {
  switch (state) {
    case TcpState.outsideInit:
      // V4 INIT: a V6 SYN completes a simultaneous open (or answers the V4 SYN).
      if (fromInside && (flags & SYN) !== 0) return r(TcpState.established, TcpTimer.established);
      return r(state, TcpTimer.keep);
    case TcpState.insideInit:
      // V6 INIT: the V4 SYN (the SYN+ACK) establishes; a repeated V6 SYN refreshes TCP_TRANS.
      if ((flags & SYN) !== 0) return fromInside ? r(state, TcpTimer.transitory) : r(TcpState.established, TcpTimer.established);
      return r(state, TcpTimer.keep);
    case TcpState.established:
      if ((flags & FIN) !== 0) return r(fromInside ? TcpState.insideFinReceived : TcpState.outsideFinReceived, TcpTimer.keep);
      if ((flags & RST) !== 0) return r(TcpState.transitory, TcpTimer.transitory);
      return r(state, TcpTimer.established);
    case TcpState.outsideFinReceived:
      if (fromInside && (flags & FIN) !== 0) return r(TcpState.bothFinReceived, TcpTimer.transitory);
      return r(state, TcpTimer.established);
    case TcpState.insideFinReceived:
      if (!fromInside && (flags & FIN) !== 0) return r(TcpState.bothFinReceived, TcpTimer.transitory);
      return r(state, TcpTimer.established);
    case TcpState.bothFinReceived:
      // Only the TCP_TRANS timer ends this state; packets do not refresh it.
      return r(state, TcpTimer.keep);
    case TcpState.transitory:
      // Any packet but a RST means the connection lives on.
      if ((flags & RST) === 0) return r(TcpState.established, TcpTimer.established);
      return r(state, TcpTimer.keep);
    default:
      return r(state, TcpTimer.keep);
  }
}

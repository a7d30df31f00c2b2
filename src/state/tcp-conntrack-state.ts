/**
 * TCP connection states as a firewall in the middle sees them (netfilter's nf_conntrack_tcp
 * model, itself after Guido van Rooij's IP Filter work): it sees both directions, so its states
 * describe the conversation rather than one endpoint's RFC 9293 §3.3.2 state machine.
 */
export const TcpConnState = {
  None: 0,
  /** SYN seen from the opener (the original direction). */
  SynSent: 1,
  /** SYN/ACK seen from the responder. */
  SynRecv: 2,
  Established: 3,
  /** A FIN seen from one side. */
  FinWait: 4,
  /** That FIN acknowledged by the other side, which has not closed yet. */
  CloseWait: 5,
  /** Both sides sent FIN; the second one not yet acknowledged. */
  LastAck: 6,
  TimeWait: 7,
  /** Reset. */
  Close: 8,
  /** Simultaneous open (RFC 9293 §3.5, figure 7): a SYN came back instead of a SYN/ACK. */
  SynSent2: 9,
} as const;
export type TcpConnState = (typeof TcpConnState)[keyof typeof TcpConnState];

/** Number of real states; indexes per-state tables (timeouts). */
export const TCP_CONN_STATE_COUNT = 10;
/** Transition results that are not states: the segment is refused, or accepted without moving
 * the state (a SYN or SYN/ACK that may belong to a new incarnation, see `ConnTrack`). */
export const TCP_TRANSITION_INVALID = 10;
export const TCP_TRANSITION_IGNORE = 11;

export const TCP_CONN_STATE_NAMES: readonly string[] = [
  'NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'SYN_SENT2',
];

/** What a segment is, for the transition table: decided by its most significant flag. */
export const TcpSegmentKind = {
  Syn: 0,
  SynAck: 1,
  Fin: 2,
  Ack: 3,
  Rst: 4,
  None: 5,
} as const;
export type TcpSegmentKind = (typeof TcpSegmentKind)[keyof typeof TcpSegmentKind];

const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20, ECE = 0x40, CWR = 0x80;

/** RST wins over SYN, SYN over FIN, FIN over a bare ACK. */
export function tcpSegmentKind(flags: number): TcpSegmentKind {
  if (flags & RST) return TcpSegmentKind.Rst;
  if (flags & SYN) return flags & ACK ? TcpSegmentKind.SynAck : TcpSegmentKind.Syn;
  if (flags & FIN) return TcpSegmentKind.Fin;
  if (flags & ACK) return TcpSegmentKind.Ack;
  return TcpSegmentKind.None;
}

/** 1 for the flag combinations a conforming stack sends, ignoring PSH, ECE and CWR. Everything
 * else (SYN+FIN, SYN+RST, FIN or data without ACK after the handshake, no flags at all: the
 * shapes of scans and stack fingerprinting) is refused before any lookup. */
const VALID_FLAGS = new Uint8Array(64);
for (const f of [SYN, SYN | URG, SYN | ACK, RST, RST | ACK, FIN | ACK, FIN | ACK | URG, ACK, ACK | URG]) VALID_FLAGS[f] = 1;

export function tcpFlagsValid(flags: number): boolean {
  return VALID_FLAGS[flags & ~(PSH | ECE | CWR) & 0x3f] === 1;
}

const sNO = TcpConnState.None, sSS = TcpConnState.SynSent, sSR = TcpConnState.SynRecv, sES = TcpConnState.Established;
const sFW = TcpConnState.FinWait, sCW = TcpConnState.CloseWait, sLA = TcpConnState.LastAck, sTW = TcpConnState.TimeWait;
const sCL = TcpConnState.Close, sS2 = TcpConnState.SynSent2, sIV = TCP_TRANSITION_INVALID, sIG = TCP_TRANSITION_IGNORE;
void sNO;

/**
 * Next state by [direction][segment kind][current state], direction 0 = the opener's (original)
 * side. Columns: NONE, SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT, CLOSE_WAIT, LAST_ACK,
 * TIME_WAIT, CLOSE, SYN_SENT2. The same transitions as netfilter's table: a firewall that
 * disagrees with the Linux hosts behind it about what is valid breaks connections.
 */
const TRANSITIONS = Uint8Array.from([
  // original direction
  /* SYN    */ sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2,
  /* SYNACK */ sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR,
  /* FIN    */ sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV,
  /* ACK    */ sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV,
  /* RST    */ sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL,
  /* NONE   */ sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV,
  // reply direction
  /* SYN    */ sIV, sS2, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sS2,
  /* SYNACK */ sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR,
  /* FIN    */ sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV,
  /* ACK    */ sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG,
  /* RST    */ sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL,
  /* NONE   */ sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV,
]);

/** The state after a segment of `kind` in direction `dir` (0 original, 1 reply) in `state`, or
 * `TCP_TRANSITION_INVALID` / `TCP_TRANSITION_IGNORE`. */
export function tcpNextState(dir: number, kind: number, state: number): number {
  return TRANSITIONS[dir * 60 + kind * 10 + state]!;
}

import { readI32, readU16 } from '../wire/byte-order.js';
import { TcpConnState, TcpSegmentKind } from './tcp-conntrack-state.js';
import { TcpOptionIter, TcpOptionKind } from '../wire/tcp-options.js';
import { FirewallDrop } from './firewall-drop.js';

/** Per-direction flags of a tracked TCP connection. */
export const TcpDirFlag = {
  /** The side offered window scaling in its SYN (RFC 7323 §2.2). */
  WindowScale: 0x01,
  /** The side offered SACK in its SYN (RFC 2018 §2): its peer's SACK blocks extend the ACK. */
  SackPermitted: 0x02,
  /** Picked up mid-flow: scale factors unknown, so only RSTs are held to the window. */
  BeLiberal: 0x04,
  /** `maxAck` holds a value. */
  MaxAckSet: 0x08,
} as const;

const FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10;
/** netfilter's MAXACKWINCONST: an ACK may lag the data it acknowledges by at least this much. */
const MIN_ACK_WINDOW = 66000;
const MAX_WINDOW_SCALE = 14;
/** RFC 7323 §2.3: no window exceeds 2^30 bytes; bounds keep the int32 arithmetic exact. */
const MAX_WINDOW = 1 << 30;

/** a < b in sequence space (RFC 9293 §3.4). */
function before(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}
/** a > b in sequence space. */
function after(a: number, b: number): boolean {
  return ((b - a) | 0) < 0;
}

/**
 * Sequence-window tracking of TCP connections, per Guido van Rooij, "Real Stateful TCP Packet
 * Filtering in IP Filter" (2000), as netfilter's tcp_in_window implements it. For each
 * direction of connection `id` (slot `2*id + dir`, dir 0 = the opener's side):
 *   end     highest seq + len sent                         (td_end)
 *   maxEnd  highest ack + window the peer advertised       (td_maxend): nothing may be sent past it
 *   maxWin  largest window, scaled, the side advertised    (td_maxwin)
 * A segment passes when
 *   I   seq ≤ sender.maxEnd                 (not beyond what the receiver allowed)
 *   II  seq+len ≥ sender.end − receiver.maxWin  (not older than one window)
 *   III ack ≤ receiver.end                  (acknowledges nothing unsent)
 *   IV  ack ≥ receiver.end − max(sender.maxWin, 66000)  (not an ancient ACK)
 * and each passing segment moves the bounds. Struct-of-arrays by connection id; the segment in
 * hand is staged with `load` so no call allocates. Sequence numbers are held as int32 (`| 0`):
 * comparisons are modulo 2^32 anyway, and a u32 at or above 2^31 would be boxed by V8 when it
 * crosses a call.
 */
export class TcpWindowTracker {
  readonly end: Int32Array;
  readonly maxEnd: Int32Array;
  /** 0 until the side's first segment; at most 2^30. */
  readonly maxWin: Int32Array;
  /** Highest ACK the side sent; an RST below the peer's `maxAck` is stale. */
  readonly maxAck: Int32Array;
  readonly scale: Uint8Array;
  readonly flags: Uint8Array;
  /** The last segment accepted or ignored, per connection: lets a SYN/ACK answering an ignored
   * SYN resynchronise a connection whose endpoints started over (netfilter's last_* fields). */
  private readonly lastKind: Uint8Array;
  private readonly lastDir: Uint8Array;
  private readonly lastEnd: Int32Array;
  private readonly lastWin: Uint16Array;
  private readonly lastScale: Uint8Array;
  private readonly lastFlags: Uint8Array;
  private readonly opts = new TcpOptionIter();

  // The staged segment.
  private buf: Uint8Array = new Uint8Array(0);
  private off = 0;
  private headerLen = 0;
  seq = 0;
  ack = 0;
  win = 0;
  /** seq + payload length + SYN + FIN. */
  segEnd = 0;
  tcpFlags = 0;

  constructor(capacity: number) {
    this.end = new Int32Array(capacity * 2);
    this.maxEnd = new Int32Array(capacity * 2);
    this.maxWin = new Int32Array(capacity * 2);
    this.maxAck = new Int32Array(capacity * 2);
    this.scale = new Uint8Array(capacity * 2);
    this.flags = new Uint8Array(capacity * 2);
    this.lastKind = new Uint8Array(capacity);
    this.lastDir = new Uint8Array(capacity);
    this.lastEnd = new Int32Array(capacity);
    this.lastWin = new Uint16Array(capacity);
    this.lastScale = new Uint8Array(capacity);
    this.lastFlags = new Uint8Array(capacity);
  }

  /**
   * Stages the segment at `buf[off, off+len)`. Returns 0, or `tcpTruncated` when the header
   * does not fit (RFC 9293 §3.1: data offset at least 5 words and within the segment).
   */
  load(buf: Uint8Array, off: number, len: number): number {
    if (len < 20) return FirewallDrop.code.tcpTruncated;
    const hl = (buf[off + 12]! >>> 4) * 4;
    if (hl < 20 || hl > len) return FirewallDrop.code.tcpTruncated;
    this.buf = buf;
    this.off = off;
    this.headerLen = hl;
    this.seq = readI32(buf, off + 4);
    this.ack = readI32(buf, off + 8);
    this.win = readU16(buf, off + 14);
    const f = buf[off + 13]!;
    this.tcpFlags = f;
    this.segEnd = (this.seq + (len - hl) + (f & SYN ? 1 : 0) + (f & FIN ? 1 : 0)) | 0;
    return 0;
  }

  /** Forgets everything about connection `id` (a new or reused entry). */
  reset(id: number): void {
    const s = id * 2;
    for (let i = s; i < s + 2; i++) {
      this.end[i] = 0; this.maxEnd[i] = 0; this.maxWin[i] = 0; this.maxAck[i] = 0;
      this.scale[i] = 0; this.flags[i] = 0;
    }
    this.lastKind[id] = TcpSegmentKind.None;
    this.lastDir[id] = 0;
    this.lastEnd[id] = 0;
    this.lastWin[id] = 0;
    this.lastScale[id] = 0;
    this.lastFlags[id] = 0;
  }

  /** A connection opened by the staged SYN: the opener's side starts at its ISN, window and
   * options; the responder's is learnt from its SYN/ACK. */
  initFromSyn(id: number): void {
    this.reset(id);
    const s = id * 2;
    this.end[s] = this.segEnd;
    this.maxEnd[s] = this.segEnd;
    this.maxWin[s] = this.win === 0 ? 1 : this.win;
    this.readOptions(s);
  }

  /**
   * A connection picked up from the staged mid-flow segment, sent in direction `dir` (netfilter's
   * nf_conntrack_tcp_loose): the sender's side starts from the segment, the receiver's end at what
   * the segment acknowledges. Scale factors are unknown (the SYNs were not seen), so both sides
   * are liberal: only RSTs are held to the window.
   */
  initLoose(id: number, dir: number): void {
    this.reset(id);
    const s = id * 2 + dir, r = id * 2 + (dir ^ 1);
    this.end[s] = this.segEnd;
    const w = this.win === 0 ? 1 : this.win;
    this.maxWin[s] = w;
    this.maxEnd[s] = (this.segEnd + w) | 0;
    if (this.tcpFlags & ACK) {
      this.end[r] = this.ack;
      this.maxEnd[r] = this.ack;
    }
    this.flags[s] = TcpDirFlag.SackPermitted | TcpDirFlag.BeLiberal;
    this.flags[r] = TcpDirFlag.SackPermitted | TcpDirFlag.BeLiberal;
  }

  /**
   * Checks the staged segment, sent in direction `dir` of connection `id` in `state`, against
   * the window and moves the bounds when it passes. Returns 0, `tcpOutOfWindow` or
   * `tcpRstOutOfWindow`.
   */
  inWindow(id: number, dir: number, state: number): number {
    const s = id * 2 + dir, r = id * 2 + (dir ^ 1);
    const f = this.tcpFlags;
    let seq = this.seq, ack = this.ack, end = this.segEnd, win = this.win;
    let sack = ack;
    if (this.flags[r]! & TcpDirFlag.SackPermitted) sack = this.highestSackEdge(ack);

    if (this.maxWin[s] === 0) {
      // First segment seen from this side.
      if (f & SYN) {
        this.end[s] = end;
        this.maxEnd[s] = end;
        this.maxWin[s] = win === 0 ? 1 : win;
        this.readOptions(s);
        // RFC 7323 §2.2: scaling is in force only when both SYNs carried the option.
        if (!((this.flags[s]! & TcpDirFlag.WindowScale) && (this.flags[r]! & TcpDirFlag.WindowScale))) {
          this.scale[s] = 0;
          this.scale[r] = 0;
        }
        // A SYN without ACK (simultaneous open) has nothing more to check.
        if (!(f & ACK)) return 0;
      } else {
        this.end[s] = end;
        const sw = win << this.scale[s]!;
        this.maxWin[s] = sw === 0 ? 1 : sw;
        this.maxEnd[s] = (end + this.maxWin[s]!) | 0;
        if (this.maxWin[r] === 0) {
          this.end[r] = sack;
          this.maxEnd[r] = sack;
        }
      }
    } else if (((state === TcpConnState.SynSent && dir === 0) || (state === TcpConnState.SynRecv && dir === 1)) && after(end, this.end[s]!)) {
      // The SYN (or SYN/ACK) sent again with a new ISN: the sender started over.
      this.end[s] = end;
      this.maxEnd[s] = end;
      this.maxWin[s] = win === 0 ? 1 : win;
      this.readOptions(s);
    }

    if (!(f & ACK)) {
      ack = sack = this.end[r]!;
    } else if ((f & RST) && ack === 0) {
      // Some stacks reset with ACK set and a zero ack field: it acknowledges nothing.
      ack = sack = this.end[r]!;
    }
    // An empty segment is taken to sit at the sender's end (keepalives, window probes, pure ACKs),
    // except an RST, whose seq must be checked; an RST with seq 0 answering a SYN is acceptable.
    if (seq === end && (!(f & RST) || (seq === 0 && state === TcpConnState.SynSent))) {
      seq = end = this.end[s]!;
    }

    const ackWindow = this.maxWin[s]! > MIN_ACK_WINDOW ? this.maxWin[s]! : MIN_ACK_WINDOW;
    if (
      before(seq, this.maxEnd[s]! + 1) &&
      after(end, this.end[s]! - this.maxWin[r]! - 1) &&
      before(sack, this.end[r]! + 1) &&
      after(sack, this.end[r]! - ackWindow - 1)
    ) {
      // RFC 7323 §2.2: the window field of a SYN is never scaled.
      if (!(f & SYN)) win = win << this.scale[s]!;
      let sw = win + ((sack - ack) | 0);
      if (sw > MAX_WINDOW) sw = MAX_WINDOW;
      if (this.maxWin[s]! < sw) this.maxWin[s] = sw;
      if (after(end, this.end[s]!)) this.end[s] = end;
      if (f & ACK) {
        if (!(this.flags[s]! & TcpDirFlag.MaxAckSet)) {
          this.maxAck[s] = ack;
          this.flags[s] = this.flags[s]! | TcpDirFlag.MaxAckSet;
        } else if (after(ack, this.maxAck[s]!)) {
          this.maxAck[s] = ack;
        }
      }
      if (this.maxWin[r] !== 0 && after(end, this.maxEnd[s]!)) {
        const grown = this.maxWin[r]! + ((end - this.maxEnd[s]!) | 0);
        this.maxWin[r] = grown > MAX_WINDOW ? MAX_WINDOW : grown;
      }
      if (after(sack + win, this.maxEnd[r]! - 1)) {
        this.maxEnd[r] = (sack + win + (win === 0 ? 1 : 0)) | 0;
      }
      return 0;
    }
    if (f & RST) return FirewallDrop.code.tcpRstOutOfWindow;
    if (this.flags[s]! & TcpDirFlag.BeLiberal) return 0;
    return FirewallDrop.code.tcpOutOfWindow;
  }

  /** True when the staged RST, sent in direction `dir`, has a seq below an ACK the peer already
   * sent: it belongs to data long acknowledged, so it is a stale or forged reset. */
  rstBelowPeerAck(id: number, dir: number): boolean {
    const r = id * 2 + (dir ^ 1);
    return (this.flags[r]! & TcpDirFlag.MaxAckSet) !== 0 && before(this.seq, this.maxAck[r]!);
  }

  /** Records the staged segment as the last one seen, after it was accepted. */
  noteAccepted(id: number, dir: number, kind: number): void {
    this.lastKind[id] = kind;
    this.lastDir[id] = dir;
    this.lastEnd[id] = this.segEnd;
    this.lastWin[id] = this.win;
  }

  /**
   * True when the staged RST, sent in direction `dir`, answers the SYN seen last from the other
   * side (its ACK acknowledges exactly that SYN): the peer refusing a new incarnation of the
   * connection (RFC 9293 §3.10.7.3, a SYN arriving where the peer has no such connection).
   * Its seq is the peer's choice, not in the tracked window, yet it is genuine.
   */
  rstAnswersLastSyn(id: number, dir: number): boolean {
    return this.lastKind[id] === TcpSegmentKind.Syn && this.lastDir[id] !== dir && (this.tcpFlags & ACK) !== 0 && this.ack === this.lastEnd[id];
  }

  /**
   * A segment the transition table ignores (accepted, state unchanged). When it is the SYN/ACK
   * answering the SYN ignored just before from the other side (both endpoints started a new
   * incarnation of the connection while the old one was tracked), rebuilds the opener's side
   * from that SYN, clears the answering side, and returns true: the caller then moves to
   * SYN_RECV and checks the SYN/ACK against the new window. Otherwise remembers the segment.
   */
  ignoredOrResync(id: number, dir: number, kind: number): boolean {
    if (kind === TcpSegmentKind.SynAck && this.lastKind[id] === TcpSegmentKind.Syn && this.lastDir[id] !== dir && this.ack === this.lastEnd[id]) {
      const o = id * 2 + this.lastDir[id]!, a = id * 2 + dir;
      this.end[o] = this.lastEnd[id]!;
      this.maxEnd[o] = this.lastEnd[id]!;
      this.maxWin[o] = this.lastWin[id] === 0 ? 1 : this.lastWin[id]!;
      this.scale[o] = this.lastScale[id]!;
      this.flags[o] = this.lastFlags[id]!;
      this.maxAck[o] = 0;
      this.end[a] = 0; this.maxEnd[a] = 0; this.maxWin[a] = 0; this.maxAck[a] = 0; this.scale[a] = 0; this.flags[a] = 0;
      return true;
    }
    this.lastKind[id] = kind;
    this.lastDir[id] = dir;
    this.lastEnd[id] = this.segEnd;
    this.lastWin[id] = this.win;
    this.lastScale[id] = 0;
    this.lastFlags[id] = 0;
    if (kind === TcpSegmentKind.Syn && dir === 0) {
      // The opener's side is live state: the options go to the last_* fields, not into it.
      const it = this.opts.reset(this.buf, this.off + 20, this.headerLen - 20);
      while (it.next()) {
        if (it.kind === TcpOptionKind.WindowScale) {
          const ws = it.windowScale();
          this.lastScale[id] = ws > MAX_WINDOW_SCALE ? MAX_WINDOW_SCALE : ws;
          this.lastFlags[id] = this.lastFlags[id]! | TcpDirFlag.WindowScale;
        } else if (it.kind === TcpOptionKind.SackPermitted) {
          this.lastFlags[id] = this.lastFlags[id]! | TcpDirFlag.SackPermitted;
        }
      }
    }
    return false;
  }

  /**
   * RFC 5927 §4.1: an ICMP error quoting a TCP segment is believable only when the quoted seq
   * lies in what the quoting side has sent and may not yet have seen acknowledged: at most its
   * `end`, and not more than a receive window (at least 66000 bytes) behind it. Liberal
   * (picked-up) connections and sides not yet seen pass.
   */
  quotedSeqPlausible(id: number, dir: number, seq: number): boolean {
    seq |= 0;
    const s = id * 2 + dir, r = id * 2 + (dir ^ 1);
    if (this.maxWin[s] === 0 || (this.flags[s]! & TcpDirFlag.BeLiberal)) return true;
    const w = this.maxWin[r]! > MIN_ACK_WINDOW ? this.maxWin[r]! : MIN_ACK_WINDOW;
    return !after(seq, this.end[s]!) && after(seq, this.end[s]! - w - 1);
  }

  /** Window scale and SACK-permitted from the staged SYN's options into side `s` (RFC 7323 §2.3:
   * a shift above 14 is taken as 14). Malformed options end the walk, keeping what was read. */
  private readOptions(s: number): void {
    let fl = this.flags[s]! & ~(TcpDirFlag.WindowScale | TcpDirFlag.SackPermitted);
    let sc = 0;
    const it = this.opts.reset(this.buf, this.off + 20, this.headerLen - 20);
    while (it.next()) {
      if (it.kind === TcpOptionKind.WindowScale) {
        const ws = it.windowScale();
        sc = ws > MAX_WINDOW_SCALE ? MAX_WINDOW_SCALE : ws;
        fl |= TcpDirFlag.WindowScale;
      } else if (it.kind === TcpOptionKind.SackPermitted) {
        fl |= TcpDirFlag.SackPermitted;
      }
    }
    this.flags[s] = fl;
    this.scale[s] = sc;
  }

  /** The highest right edge of the staged segment's SACK blocks beyond `ack` (RFC 2018 §3):
   * data the receiver holds, so the ACK bound checks reach that far. */
  private highestSackEdge(ack: number): number {
    let best = ack;
    const it = this.opts.reset(this.buf, this.off + 20, this.headerLen - 20);
    while (it.next()) {
      if (it.kind !== TcpOptionKind.Sack) continue;
      const n = it.sackBlockCount();
      for (let i = 0; i < n; i++) {
        const right = it.sackRight(i) | 0;
        if (after(right, best)) best = right;
      }
    }
    return best;
  }
}

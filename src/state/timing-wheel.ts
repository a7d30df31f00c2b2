/** Receives the entries a `TimingWheel` found expired. */
export interface ExpirySink {
  /** Entry `id` expired; the wheel has already unscheduled it. The sink may schedule it again,
   * at a time after the one being advanced to. */
  expire(id: number): void;
}

const UNSCHEDULED = -1;

/**
 * Expiry for millions of table entries (a hashed timing wheel, Varghese & Lauck): one slot per
 * tick, a doubly linked list of entry ids per slot in typed arrays, 12 bytes per entry.
 *
 * Refresh is lazy, because it happens on every packet: extending an entry's expiry only writes
 * its new tick; when the wheel reaches the old slot it moves the entry to the slot of its real
 * expiry instead of expiring it. Shortening relinks at once (a TCP session that drops from the
 * 2 h established timer to the 4 min transitory one must not wait two hours to be seen). An
 * expiry beyond one turn of the wheel sits in its slot and is passed over until its turn comes.
 */
export class TimingWheel {
  /** Expiry tick per entry (`tickMs` per tick). */
  private readonly expiry: Uint32Array;
  private readonly next: Int32Array;
  /** Previous id, `-(slot + 2)` for the head of slot `slot`, `UNSCHEDULED` when not on the wheel. */
  private readonly prev: Int32Array;
  private readonly heads: Int32Array;
  private readonly slotMask: number;
  /** Last tick whose slot has been fully processed. */
  private lastTick: number;
  readonly tickMs: number;
  /** Entries on the wheel. */
  size = 0;

  /**
   * @param capacity entry ids are 0..capacity-1
   * @param slots ticks per turn, rounded up to a power of two
   * @param tickMs resolution: an entry expires at the first tick at or after its expiry time
   * @param nowMs the clock when the wheel starts
   */
  constructor(capacity: number, slots: number, tickMs: number, nowMs: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('timing wheel capacity must be a positive integer, got ' + capacity);
    if (!(tickMs >= 1)) throw new RangeError('timing wheel tick must be at least 1 ms, got ' + tickMs);
    let n = 1;
    while (n < slots) n *= 2;
    this.expiry = new Uint32Array(capacity);
    this.next = new Int32Array(capacity);
    this.prev = new Int32Array(capacity).fill(UNSCHEDULED);
    this.heads = new Int32Array(n).fill(-1);
    this.slotMask = n - 1;
    this.tickMs = tickMs;
    this.lastTick = Math.floor(nowMs / tickMs);
  }

  /** The tick an expiry time falls in (rounded up: never early). */
  tickOf(ms: number): number {
    return Math.ceil(ms / this.tickMs);
  }

  isScheduled(id: number): boolean {
    return this.prev[id] !== UNSCHEDULED;
  }

  /** Expiry time of `id` in ms, as rounded to the wheel's tick. */
  expiresAt(id: number): number {
    return this.expiry[id]! * this.tickMs;
  }

  /** Puts `id` on the wheel, or changes its expiry when it is on it already. */
  schedule(id: number, expiresAtMs: number): void {
    const tick = this.tickOf(expiresAtMs);
    if (this.prev[id] !== UNSCHEDULED) {
      // Later than before: the entry stays where it is and moves when its slot comes round.
      if (tick >= this.expiry[id]!) {
        this.expiry[id] = tick;
        return;
      }
      this.unlink(id);
    }
    this.expiry[id] = tick;
    this.link(id, tick);
  }

  /** Takes `id` off the wheel; nothing happens when it is not on it. */
  cancel(id: number): void {
    if (this.prev[id] !== UNSCHEDULED) this.unlink(id);
  }

  /**
   * Expires every entry due at or before `nowMs`, handing each to `sink`, at most `budget` of
   * them; returns how many expired. A call that runs out of budget leaves the rest for the
   * next call, so a burst of expiries can be spread over several packets' worth of time.
   */
  advance(nowMs: number, sink: ExpirySink, budget = Infinity): number {
    const nowTick = Math.floor(nowMs / this.tickMs);
    if (nowTick <= this.lastTick) return this.expireOverdue(nowTick, sink, budget);
    const mask = this.slotMask;
    // After a gap longer than one turn every slot is due once; visiting more would repeat.
    const last = Math.min(nowTick, this.lastTick + mask + 1);
    let expired = 0;
    for (let t = this.lastTick + 1; t <= last; t++) {
      this.lastTick = t - 1;
      const slot = t & mask;
      let id = this.heads[slot]!;
      while (id !== -1) {
        const following = this.next[id]!;
        const e = this.expiry[id]!;
        if (e <= nowTick) {
          if (expired >= budget) {
            this.lastTick = t - 1;
            return expired;
          }
          this.unlink(id);
          expired++;
          sink.expire(id);
        } else if ((e & mask) !== slot) {
          this.unlink(id);
          this.link(id, e);
        }
        id = following;
      }
    }
    this.lastTick = nowTick;
    return expired;
  }

  /**
   * Within the tick already processed: an entry scheduled at or before that tick waits in the
   * next slot (see `link`) but is due now, so it goes now rather than a tick late.
   */
  private expireOverdue(nowTick: number, sink: ExpirySink, budget: number): number {
    let expired = 0;
    let id = this.heads[(this.lastTick + 1) & this.slotMask]!;
    while (id !== -1 && expired < budget) {
      const following = this.next[id]!;
      if (this.expiry[id]! <= nowTick) {
        this.unlink(id);
        expired++;
        sink.expire(id);
      }
      id = following;
    }
    return expired;
  }

  private link(id: number, tick: number): void {
    // Never behind the wheel: an expiry already past goes to the next slot to be visited.
    const slot = (tick > this.lastTick ? tick : this.lastTick + 1) & this.slotMask;
    const head = this.heads[slot]!;
    this.next[id] = head;
    this.prev[id] = -(slot + 2);
    if (head !== -1) this.prev[head] = id;
    this.heads[slot] = id;
    this.size++;
  }

  private unlink(id: number): void {
    const p = this.prev[id]!;
    const n = this.next[id]!;
    if (p >= 0) this.next[p] = n;
    else this.heads[-p - 2] = n;
    if (n !== -1) this.prev[n] = p;
    this.prev[id] = UNSCHEDULED;
    this.size--;
  }

  /** Bytes held by the wheel's arrays. */
  get byteLength(): number {
    return this.expiry.byteLength + this.next.byteLength + this.prev.byteLength + this.heads.byteLength;
  }
}

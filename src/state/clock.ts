/**
 * Time as the state layer sees it: milliseconds on a monotonic scale. Nothing below io/ reads a
 * real clock; the gateway passes a system clock in, tests pass a `ManualClock` and advance it.
 */
export interface Clock {
  /** Milliseconds since an arbitrary, fixed origin; never decreases. */
  now(): number;
}

/** A clock that moves only when told to: deterministic tests of timers and expiry. */
export class ManualClock implements Clock {
  private ms: number;

  constructor(startMs = 0) {
    this.ms = startMs;
  }

  now(): number {
    return this.ms;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('a clock only moves forward, got ' + ms);
    this.ms += ms;
  }

  set(ms: number): void {
    if (!(ms >= this.ms)) throw new RangeError('a clock only moves forward: ' + ms + ' < ' + this.ms);
    this.ms = ms;
  }
}

import type { Clock } from '../state/clock.js';

/** A clock whose reading can be held for a batch of packets (see `SystemClock.hold`). */
export interface HoldableClock extends Clock {
  hold(): void;
  release(): void;
}

/**
 * The real clock for a running gateway: milliseconds since the Unix epoch on a monotonic scale,
 * `performance.timeOrigin + performance.now()`, so a wall-clock step (NTP, an administrator)
 * never moves session timers; timestamps stay comparable with log times.
 *
 * Reading a real clock allocates in V8 (its result, a double beyond the small-integer range, is
 * boxed on every call), and the session tables read the clock for every packet. So the gateway
 * node `hold`s one reading for each batch of received frames and `release`s it when the batch
 * has left: every packet of the batch sees the same time and none pays for a clock call. A held
 * reading is never later than the real time, so `now()` never goes backward.
 */
export class SystemClock implements HoldableClock {
  private readonly origin = performance.timeOrigin;
  private readonly held = new Float64Array(1);
  private holding = false;

  now(): number {
    return this.holding ? this.held[0]! : this.origin + performance.now();
  }

  /** Reads the clock once; `now()` returns that reading until `release`. */
  hold(): void {
    this.held[0] = this.origin + performance.now();
    this.holding = true;
  }

  release(): void {
    this.holding = false;
  }
}

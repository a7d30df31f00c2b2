import { finishHash, hashWord } from '../state/flow-hash.js';
import type { FlowTuple } from '../xlat/flow-tuple.js';

/** u32 words per key: tenant, meta (direction, family, protocol), 4 + 4 address words, ports. */
const KEY_WORDS = 11;

/**
 * The flow cache of seed 004: the first packet of a flow runs every stage; what they decided
 * (the NAT action and the session) is recorded under the flow's exact key, and later packets of
 * the flow apply it without the stage walk. Direct-mapped, like Open vSwitch's exact-match
 * cache: one entry per slot, a new flow overwrites the slot's old one, so memory is fixed and
 * eviction costs nothing.
 *
 * Entries are never trusted blindly: each carries the configuration generation it was made
 * under (a reload bumps `generation`, invalidating every entry at once) and the session's entry
 * number, which the caller checks against the session table (`NaptTable.isLive`) so an entry
 * dies with its session.
 */
export class FlowCache {
  private readonly keys: Uint32Array;
  readonly sessions: Int32Array;
  readonly sessionEntries: Uint32Array;
  readonly actions: Uint8Array;
  /** Generation the entry was made under; 0: empty. */
  private readonly generations: Uint32Array;
  private readonly probe = new Uint32Array(KEY_WORDS);
  private readonly mask: number;
  private readonly seed: number;
  /** Slot of the key staged by the last `slotOf`. */
  stagedSlot = 0;
  /** Current configuration generation. */
  generation = 1;
  hits = 0;
  misses = 0;
  inserts = 0;
  /** Inserts that overwrote another live flow's entry. */
  evictions = 0;

  constructor(slots: number, seed: number) {
    let n = 1;
    while (n < slots) n *= 2;
    this.mask = n - 1;
    this.seed = seed | 0;
    this.keys = new Uint32Array(n * KEY_WORDS);
    this.sessions = new Int32Array(n);
    this.sessionEntries = new Uint32Array(n);
    this.actions = new Uint8Array(n);
    this.generations = new Uint32Array(n);
  }

  get slots(): number {
    return this.mask + 1;
  }

  /** Stages the key of `t` and returns its slot; `matches` and `insert` use the staged key, which
   * stays staged until the next call (the flow is recorded after the stage walk rewrote the
   * packet). */
  slotOf(tenant: number, fromOutside: boolean, t: FlowTuple): number {
    const p = this.probe;
    p[0] = tenant;
    p[1] = (fromOutside ? 0x10000 : 0) | (t.family << 8) | t.proto;
    p[2] = t.src[0]!;
    p[3] = t.src[1]!;
    p[4] = t.src[2]!;
    p[5] = t.src[3]!;
    p[6] = t.dst[0]!;
    p[7] = t.dst[1]!;
    p[8] = t.dst[2]!;
    p[9] = t.dst[3]!;
    p[10] = ((t.srcPort << 16) | t.dstPort) >>> 0;
    let h = this.seed;
    for (let i = 0; i < KEY_WORDS; i++) h = hashWord(h, p[i]!);
    const slot = finishHash(h) & this.mask;
    this.stagedSlot = slot;
    return slot;
  }

  /** True when `slot` holds the staged key under the current generation (counted as a hit). */
  matches(slot: number): boolean {
    if (this.generations[slot] !== this.generation) {
      this.misses++;
      return false;
    }
    const k = this.keys;
    const p = this.probe;
    const base = slot * KEY_WORDS;
    for (let i = 0; i < KEY_WORDS; i++) {
      if (k[base + i] !== p[i]) {
        this.misses++;
        return false;
      }
    }
    this.hits++;
    return true;
  }

  /** Records the staged key in `slot`. */
  insert(slot: number, session: number, sessionEntry: number, action: number): void {
    const base = slot * KEY_WORDS;
    const k = this.keys;
    const p = this.probe;
    if (this.generations[slot] === this.generation) this.evictions++;
    for (let i = 0; i < KEY_WORDS; i++) k[base + i] = p[i]!;
    this.sessions[slot] = session;
    this.sessionEntries[slot] = sessionEntry;
    this.actions[slot] = action;
    this.generations[slot] = this.generation;
    this.inserts++;
  }

  /** Forgets the entry in `slot` (its session is gone). */
  forget(slot: number): void {
    this.generations[slot] = 0;
  }

  /** Invalidates every entry: the configuration changed. */
  invalidateAll(): void {
    this.generation = (this.generation + 1) >>> 0 || 1;
    // After 2^32 - 1 reloads the generation wraps onto values that old entries may carry.
    if (this.generation === 1) this.generations.fill(0);
  }

  /** Share of lookups that hit, 0 when there was none. */
  hitRate(): number {
    const n = this.hits + this.misses;
    return n === 0 ? 0 : this.hits / n;
  }
}

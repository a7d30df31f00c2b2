/**
 * One `ArrayBuffer` that a worker's packet buffers are windows of: the ports' receive and
 * transmit buffers, the translator's output (`XlatOutput.bytes`) and the frames for the ports
 * (`FrameBatch.bytes`). A copy between two windows of one arena is then one native memmove,
 * `arena.bytes.copyWithin(…)` on the whole-arena view, with no view allocated per packet;
 * between arrays of different buffers JavaScript has no such call (`set(src.subarray(…))`
 * allocates a view, `Buffer.copy` does too), which left the data path copying 64 KB
 * super-segments a byte at a time.
 *
 * Windows are carved once, when a port or a gateway node is built, and never given back: the
 * arena is a per-worker slab, not a heap. When it is full `alloc` returns a standalone array
 * (counted in `fallbacks`), which is correct everywhere and copied by the loop.
 */
export class PacketArena {
  /** The whole arena: every window `alloc` hands out is part of it. */
  readonly bytes: Uint8Array;
  /** Windows asked for that did not fit and were allocated on their own. */
  fallbacks = 0;
  private next = 0;

  constructor(capacityBytes: number) {
    if (!Number.isInteger(capacityBytes) || capacityBytes <= 0) throw new RangeError('PacketArena needs a positive integer capacity, got ' + capacityBytes);
    this.bytes = new Uint8Array(capacityBytes);
  }

  /** The worker's arena, created on first use (module state is per thread, so per worker). */
  static shared(): PacketArena {
    return (sharedArena ??= new PacketArena(SHARED_ARENA_BYTES));
  }

  /** Bytes not yet handed out. */
  get free(): number {
    return this.bytes.length - this.next;
  }

  /** A zeroed window of `len` bytes, cache-line aligned; a standalone array when the arena has
   * no room left (or `len` is 0). */
  alloc(len: number): Uint8Array {
    if (!Number.isInteger(len) || len < 0) throw new RangeError('PacketArena.alloc needs a non-negative integer length, got ' + len);
    const start = (this.next + WINDOW_ALIGN - 1) & ~(WINDOW_ALIGN - 1);
    if (len === 0 || start + len > this.bytes.length) {
      if (len > 0) this.fallbacks++;
      return new Uint8Array(len);
    }
    this.next = start + len;
    const view = new Uint8Array(this.bytes.buffer, this.bytes.byteOffset + start, len);
    windows.set(view, { arena: this, base: start });
    return view;
  }

  /** True when `view` is a window this arena handed out. */
  owns(view: Uint8Array): boolean {
    return windows.get(view)?.arena === this;
  }
}

/** Where a window sits: its arena and its first byte's index in `arena.bytes`. */
interface ArenaWindow {
  readonly arena: PacketArena;
  readonly base: number;
}

/** Window → place. Keyed by identity: `.buffer` is not inlined by V8 (tens of ns a call), a
 * lookup here is a few. Weak, so a window dropped with its port or node is forgotten. */
const windows = new WeakMap<Uint8Array, ArenaWindow>();

/** 64 MiB of address space; pages the kernel never sees touched cost no memory. */
const SHARED_ARENA_BYTES = 64 << 20;
const WINDOW_ALIGN = 64;
let sharedArena: PacketArena | undefined;

/**
 * Copies `n` bytes from `src[srcOff…]` to `dst[dstOff…]` with one native memmove when both are
 * windows of one arena and both ranges lie inside their windows; returns false (nothing copied)
 * otherwise, and the caller copies another way. Allocates nothing.
 */
export function copyWithinArena(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number, n: number): boolean {
  // Out-of-window ranges go to the caller's loop, which cannot reach a neighbouring window.
  if (srcOff < 0 || dstOff < 0 || srcOff + n > src.length || dstOff + n > dst.length) return false;
  const s = windows.get(src);
  if (s === undefined) return false;
  const d = windows.get(dst);
  if (d === undefined || d.arena !== s.arena) return false;
  const from = s.base + srcOff;
  s.arena.bytes.copyWithin(d.base + dstOff, from, from + n);
  return true;
}

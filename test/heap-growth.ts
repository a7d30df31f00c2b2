/**
 * Allocation checks for hot-path code: the least heap growth over several windows of `run`,
 * after one warm-up call. The JIT allocates code and feedback on the heap while it optimises,
 * and that can land in one window; an allocation per operation grows every window. Tests pass
 * enough operations per window that one 16-byte object each would exceed their bound many times.
 */
export function leastHeapGrowth(run: () => void, windows = 3): number {
  run();
  let least = Infinity;
  for (let w = 0; w < windows; w++) {
    const before = process.memoryUsage().heapUsed;
    run();
    least = Math.min(least, process.memoryUsage().heapUsed - before);
  }
  return least;
}

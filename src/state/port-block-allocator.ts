import { NAPT_PROTOCOL_COUNT } from './napt-protocol.js';

/** Owner of a block that belongs to no node. */
export const NO_NODE = 0;

/** Results of `PortBlockAllocator.claim`. */
export const PortClaim = {
  /** The port was free and is now taken. */
  claimed: 1,
  /** The port was already taken: a second mapping would overload it (RFC 4787 REQ-3). */
  taken: 0,
  /** The address or port is not in the pool; nothing to track. */
  outsidePool: -1,
} as const;

const LOW = 0;
const HIGH = 1;
/** Blocks tried for a port of the inside port's parity before taking any parity. */
const PARITY_TRIES = 4;

/**
 * Pool ports for the NAPT table, per protocol (RFC 6146 §3.5.1.1: a transport address is unique
 * within one protocol's BIB and may repeat across them), in blocks of `blockSize` consecutive
 * ports of one pool address.
 *
 * Blocks belong to nodes (NAT IDs). A node hands out ports only from its own blocks, so nodes of
 * a fabric never give out the same (T,t) and need not ask each other first (seed 002 peers each
 * create their own entries). The bitmaps nevertheless track every port in use in the table,
 * whoever's block it is in, because the table holds replicas of the peers' entries too: a block
 * that changes hands (a takeover) then already knows which of its ports are taken.
 *
 * Per (protocol, address, range) a list links this node's blocks that still have a free port,
 * so an allocation is a list head and a bitmap scan: O(blockSize / 32). Ranges are RFC 4787
 * REQ-3a's 1..1023 and 1024..65535; blocks never straddle 1024 (blockSize divides it).
 * Port 0 and ports outside [portMin, portMax] are marked taken forever.
 */
export class PortBlockAllocator {
  /** Pool addresses, ascending; an address index is a position in this array. */
  readonly addresses: Uint32Array;
  readonly blockSize: number;
  readonly blocksPerAddress: number;
  readonly blockCount: number;
  readonly portMin: number;
  readonly portMax: number;
  /** The node this allocator allocates for. */
  readonly selfId: number;
  private readonly shift: number;
  private readonly wordsPerBlock: number;
  private readonly owners: Uint32Array;
  /** Taken ports: [protocol][block][word], bit i of word w = port blockStart + 32w + i. */
  private readonly bits: Uint32Array;
  /** Free ports: [protocol][block]. */
  private readonly freeCount: Uint16Array;
  /** Ports of a block that may ever be handed out: [block]. */
  private readonly usable: Uint16Array;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly linked: Uint8Array;
  /** List heads: [protocol][address][range]. */
  private readonly heads: Int32Array;
  /** Some block of the address has low-range ports at all (the range exists in the pool). */
  readonly hasLowRange: boolean;
  private readonly seed: number;
  /** Blocks this node owns (kept, so a refusal can tell "no blocks" from "blocks full" without a scan). */
  ownedBySelf = 0;

  constructor(pool: ArrayLike<number>, portMin: number, portMax: number, blockSize: number, selfId: number, seed = 0) {
    if (!(blockSize >= 4 && blockSize <= 1024 && (blockSize & (blockSize - 1)) === 0)) throw new RangeError('block size must be a power of two from 4 to 1024, got ' + blockSize);
    if (!(portMin >= 1 && portMax <= 65535 && portMin <= portMax)) throw new RangeError('port range must lie in 1..65535, got ' + portMin + '..' + portMax);
    this.addresses = Uint32Array.from(pool).sort();
    for (let i = 1; i < this.addresses.length; i++) {
      if (this.addresses[i] === this.addresses[i - 1]) throw new RangeError('pool address listed twice');
    }
    this.blockSize = blockSize;
    this.shift = 31 - Math.clz32(blockSize);
    this.blocksPerAddress = 65536 >>> this.shift;
    this.blockCount = this.addresses.length * this.blocksPerAddress;
    this.portMin = portMin;
    this.portMax = portMax;
    this.selfId = selfId >>> 0;
    this.seed = seed | 0;
    this.wordsPerBlock = Math.max(1, blockSize >>> 5);
    const perProto = this.blockCount;
    this.owners = new Uint32Array(perProto);
    this.bits = new Uint32Array(NAPT_PROTOCOL_COUNT * perProto * this.wordsPerBlock);
    this.freeCount = new Uint16Array(NAPT_PROTOCOL_COUNT * perProto);
    this.usable = new Uint16Array(perProto);
    this.next = new Int32Array(NAPT_PROTOCOL_COUNT * perProto).fill(-1);
    this.prev = new Int32Array(NAPT_PROTOCOL_COUNT * perProto).fill(-1);
    this.linked = new Uint8Array(NAPT_PROTOCOL_COUNT * perProto);
    this.heads = new Int32Array(NAPT_PROTOCOL_COUNT * this.addresses.length * 2).fill(-1);
    this.hasLowRange = portMin < 1024;
    // Mark the ports no mapping may use, once per block shape (a block's position in its address).
    const wpb = this.wordsPerBlock;
    const template = new Uint32Array(this.blocksPerAddress * wpb);
    const usable = new Uint16Array(this.blocksPerAddress);
    for (let bi = 0; bi < this.blocksPerAddress; bi++) {
      const start = bi << this.shift;
      let n = 0;
      for (let i = 0; i < wpb * 32; i++) {
        const port = start + i;
        const ok = i < blockSize && port !== 0 && port >= portMin && port <= portMax;
        if (ok) n++;
        else template[bi * wpb + (i >>> 5)]! |= 1 << (i & 31);
      }
      usable[bi] = n;
    }
    for (let b = 0; b < perProto; b++) {
      const bi = b % this.blocksPerAddress;
      this.usable[b] = usable[bi]!;
      for (let p = 0; p < NAPT_PROTOCOL_COUNT; p++) {
        this.bits.set(template.subarray(bi * wpb, bi * wpb + wpb), (p * perProto + b) * wpb);
        this.freeCount[p * perProto + b] = usable[bi]!;
      }
    }
  }

  /** Index of `addr` in `addresses`, or -1 when it is not a pool address. */
  addressIndex(addr: number): number {
    const a = this.addresses;
    const v = addr >>> 0;
    let lo = 0;
    let hi = a.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const m = a[mid]!;
      if (m === v) return mid;
      if (m < v) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** The block holding (addr, port), or -1 when addr is not a pool address. */
  blockOf(addr: number, port: number): number {
    const ai = this.addressIndex(addr);
    return ai < 0 ? -1 : ai * this.blocksPerAddress + ((port & 0xffff) >>> this.shift);
  }

  /** Pool address of `block`. */
  blockAddress(block: number): number {
    return this.addresses[(block / this.blocksPerAddress) | 0]!;
  }

  /** First port of `block`. */
  blockFirstPort(block: number): number {
    return (block % this.blocksPerAddress) << this.shift;
  }

  ownerOf(block: number): number {
    return this.owners[block]!;
  }

  /** Gives `block` to node `node` (NO_NODE: to nobody). The ports in use stay in use. */
  assign(block: number, node: number): void {
    if (!(block >= 0 && block < this.blockCount)) throw new RangeError('no block ' + block);
    const was = this.owners[block]!;
    node >>>= 0;
    if (was === node) return;
    this.owners[block] = node;
    if (node === this.selfId) this.ownedBySelf++;
    else if (was === this.selfId) this.ownedBySelf--;
    for (let p = 0; p < NAPT_PROTOCOL_COUNT; p++) {
      if (node === this.selfId) {
        if (this.freeCount[p * this.blockCount + block]! > 0) this.link(p, block);
      } else if (was === this.selfId) this.unlink(p, block);
    }
  }

  /**
   * Stripes every address's blocks across `nodes` (block i of address a goes to
   * nodes[(a + i) mod n]), so each node owns blocks on every address and paired pooling works
   * on each. Every node computing this from the same list agrees on the result.
   */
  assignBlocks(nodes: ArrayLike<number>): void {
    const n = nodes.length;
    if (n === 0) throw new RangeError('no nodes to assign blocks to');
    for (let b = 0; b < this.blockCount; b++) {
      const ai = (b / this.blocksPerAddress) | 0;
      this.assign(b, nodes[(ai + (b % this.blocksPerAddress)) % n]!);
    }
  }

  /** Hands every block of `from` to `to` (a takeover); returns how many moved. */
  reassign(from: number, to: number): number {
    let moved = 0;
    for (let b = 0; b < this.blockCount; b++) {
      if (this.owners[b] === from >>> 0) {
        this.assign(b, to);
        moved++;
      }
    }
    return moved;
  }

  /** Blocks owned by `node`. */
  blocksOwnedBy(node: number): number {
    let n = 0;
    for (let b = 0; b < this.blockCount; b++) if (this.owners[b] === node >>> 0) n++;
    return n;
  }

  /** Free ports of protocol index `pi` in this node's blocks (all addresses, or one). */
  freePorts(pi: number, addrIndex = -1): number {
    let n = 0;
    const first = addrIndex < 0 ? 0 : addrIndex * this.blocksPerAddress;
    const last = addrIndex < 0 ? this.blockCount : first + this.blocksPerAddress;
    for (let b = first; b < last; b++) if (this.owners[b] === this.selfId) n += this.freeCount[pi * this.blockCount + b]!;
    return n;
  }

  /** True when this node owns a block of address `ai` with a free port of protocol index `pi`
   * in the high range, or (`lowFirst`) in the low one (RFC 4787 REQ-3a; see `allocate`). */
  hasFree(pi: number, ai: number, lowFirst: boolean): boolean {
    const h = (pi * this.addresses.length + ai) * 2;
    return this.heads[h + HIGH]! >= 0 || (lowFirst && this.heads[h + LOW]! >= 0);
  }

  /**
   * An address index with a free port for a host that has no paired address yet, probing the
   * addresses from `hint` (a hash of the host, so hosts spread over the pool); -1 when none.
   */
  pickAddress(pi: number, hint: number, lowFirst: boolean): number {
    const n = this.addresses.length;
    const start = (hint >>> 0) % n;
    for (let k = 0; k < n; k++) {
      const ai = start + k < n ? start + k : start + k - n;
      if (this.hasFree(pi, ai, lowFirst)) return ai;
    }
    return -1;
  }

  /**
   * Takes a free port of protocol index `pi` on address index `ai` from this node's blocks;
   * returns it, or -1 when there is none. `lowFirst` (an inside port below 1024, RFC 4787 REQ-3a)
   * tries the low range first and the high range after; otherwise only the high range is used,
   * so privileged pool ports are never handed to unprivileged inside ports. `parity` 0 or 1 asks
   * for a port of that parity (RFC 4787 REQ-4, RECOMMENDED: taken when a block near the head of
   * the list has one), -1 for any. `spread` varies where in a block the scan starts.
   */
  allocate(pi: number, ai: number, lowFirst: boolean, parity: number, spread: number): number {
    const h = (pi * this.addresses.length + ai) * 2;
    if (lowFirst) {
      const port = this.allocateFrom(pi, this.heads[h + LOW]!, parity, spread);
      if (port >= 0) return port;
    }
    return this.allocateFrom(pi, this.heads[h + HIGH]!, parity, spread);
  }

  /** ICMP identifiers have no ranges or parity (RFC 5508 REQ-1): any free one, high range first. */
  allocateAny(pi: number, ai: number, spread: number): number {
    const h = (pi * this.addresses.length + ai) * 2;
    const port = this.allocateFrom(pi, this.heads[h + HIGH]!, -1, spread);
    return port >= 0 ? port : this.allocateFrom(pi, this.heads[h + LOW]!, -1, spread);
  }

  private allocateFrom(pi: number, head: number, parity: number, spread: number): number {
    if (head < 0) return -1;
    const mask = parity === 0 ? 0x55555555 : parity === 1 ? 0xaaaaaaaa | 0 : -1;
    if (mask !== -1) {
      let b = head;
      for (let k = 0; k < PARITY_TRIES && b >= 0; k++) {
        const off = this.findFree(pi, b, mask, spread);
        if (off >= 0) return this.take(pi, b, off);
        b = this.next[pi * this.blockCount + b]!;
      }
    }
    const off = this.findFree(pi, head, -1, spread);
    // A linked block has a free port by construction.
    return off >= 0 ? this.take(pi, head, off) : -1;
  }

  private findFree(pi: number, block: number, mask: number, spread: number): number {
    const wpb = this.wordsPerBlock;
    const base = (pi * this.blockCount + block) * wpb;
    const bits = this.bits;
    const start = ((spread ^ this.seed) >>> 0) & (wpb - 1);
    for (let k = 0; k < wpb; k++) {
      const w = (start + k) & (wpb - 1);
      const free = ~bits[base + w]! & mask;
      if (free !== 0) return (w << 5) + (31 - Math.clz32(free & -free));
    }
    return -1;
  }

  private take(pi: number, block: number, off: number): number {
    this.bits[(pi * this.blockCount + block) * this.wordsPerBlock + (off >>> 5)]! |= 1 << (off & 31);
    const fi = pi * this.blockCount + block;
    if (--this.freeCount[fi]! === 0) this.unlink(pi, block);
    return ((block % this.blocksPerAddress) << this.shift) + off;
  }

  /** True when (addr, port) of protocol index `pi` is taken, or not a usable pool port. */
  isTaken(pi: number, addr: number, port: number): boolean {
    const b = this.blockOf(addr, port);
    if (b < 0) return false;
    const off = port & (this.blockSize - 1);
    return (this.bits[(pi * this.blockCount + b) * this.wordsPerBlock + (off >>> 5)]! & (1 << (off & 31))) !== 0;
  }

  /**
   * Marks (addr, port) taken for an entry this allocator did not choose: a static BIB entry, a
   * replica of a peer's entry, a restored one. Returns a `PortClaim` code.
   */
  claim(pi: number, addr: number, port: number): number {
    const b = this.blockOf(addr, port);
    if (b < 0 || !this.usablePort(port)) return PortClaim.outsidePool;
    const off = port & (this.blockSize - 1);
    const wi = (pi * this.blockCount + b) * this.wordsPerBlock + (off >>> 5);
    const bit = 1 << (off & 31);
    if ((this.bits[wi]! & bit) !== 0) return PortClaim.taken;
    this.take(pi, b, off);
    return PortClaim.claimed;
  }

  /** Returns (addr, port) of protocol index `pi` to the pool; false when it was not taken or is
   * not a pool port. */
  release(pi: number, addr: number, port: number): boolean {
    const b = this.blockOf(addr, port);
    if (b < 0 || !this.usablePort(port)) return false;
    const off = port & (this.blockSize - 1);
    const wi = (pi * this.blockCount + b) * this.wordsPerBlock + (off >>> 5);
    const bit = 1 << (off & 31);
    if ((this.bits[wi]! & bit) === 0) return false;
    this.bits[wi]! &= ~bit;
    const fi = pi * this.blockCount + b;
    if (this.freeCount[fi]!++ === 0 && this.owners[b] === this.selfId) this.link(pi, b);
    return true;
  }

  private usablePort(port: number): boolean {
    return port !== 0 && port >= this.portMin && port <= this.portMax;
  }

  private rangeOf(block: number): number {
    return ((block % this.blocksPerAddress) << this.shift) < 1024 ? LOW : HIGH;
  }

  private headIndex(pi: number, block: number): number {
    return (pi * this.addresses.length + ((block / this.blocksPerAddress) | 0)) * 2 + this.rangeOf(block);
  }

  private link(pi: number, block: number): void {
    const i = pi * this.blockCount + block;
    if (this.linked[i] === 1) return;
    const h = this.headIndex(pi, block);
    const head = this.heads[h]!;
    this.next[i] = head;
    this.prev[i] = -1;
    if (head >= 0) this.prev[pi * this.blockCount + head] = block;
    this.heads[h] = block;
    this.linked[i] = 1;
  }

  private unlink(pi: number, block: number): void {
    const i = pi * this.blockCount + block;
    if (this.linked[i] === 0) return;
    const p = this.prev[i]!;
    const n = this.next[i]!;
    if (p >= 0) this.next[pi * this.blockCount + p] = n;
    else this.heads[this.headIndex(pi, block)] = n;
    if (n >= 0) this.prev[pi * this.blockCount + n] = p;
    this.linked[i] = 0;
  }

  /** Bytes held by the allocator's arrays. */
  get byteLength(): number {
    return this.owners.byteLength + this.bits.byteLength + this.freeCount.byteLength + this.usable.byteLength
      + this.next.byteLength + this.prev.byteLength + this.linked.byteLength + this.heads.byteLength + this.addresses.byteLength;
  }
}

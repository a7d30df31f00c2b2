import { copyBytes } from '../xlat/byte-copy.js';
import { finishHash, hashWord } from './flow-hash.js';
import { HashIndex } from './hash-index.js';

/** Receives held SYNs whose time ran out: RFC 5382 REQ-4 says answer each with an ICMP Port
 * Unreachable (Type 3, Code 3), which the pipeline builds from the bytes. */
export interface PendingSynSink {
  /** `packet[off, off+len)` is the held SYN (IP header first, possibly cut at the slot size);
   * the bytes are only valid during the call. */
  unsolicitedSynExpired(tenant: number, packet: Uint8Array, off: number, len: number): void;
}

/** Results of `PendingSynStore.hold`. */
export const SynHold = {
  held: 0,
  /** A SYN for the same connection is already held (a retransmission). */
  repeated: 1,
  /** Every slot is in use: the SYN is not held. */
  full: 2,
} as const;

class PendingSynIndex extends HashIndex {
  probeTenant = 0;
  probeOutsideAddr = 0;
  probeOutsidePort = 0;
  probeRemoteAddr = 0;
  probeRemotePort = 0;
  constructor(capacity: number, private readonly s: PendingSynStore) {
    super(capacity);
  }
  protected keyEquals(id: number): boolean {
    const s = this.s;
    return s.outsidePort[id] === this.probeOutsidePort && s.remotePort[id] === this.probeRemotePort
      && s.remoteAddr[id] === this.probeRemoteAddr && s.outsideAddr[id] === this.probeOutsideAddr && s.tenant[id] === this.probeTenant;
  }
}

/**
 * Unsolicited inbound SYNs held for RFC 5382 REQ-4 / RFC 6146 §3.5.2.2: no answer for at least
 * 6 seconds; if an outbound SYN for the connection is translated meanwhile the held SYN is
 * silently dropped (`cancel`), otherwise an ICMP Port Unreachable is due for it (`drain`).
 *
 * A preallocated ring of slots in arrival order, each keeping the connection's outside key
 * (tenant, T, t, Z, z), its due time and up to `slotBytes` of the packet, so a SYN flood costs
 * bounded memory and no allocation; a full ring refuses new SYNs (counted by the caller). The
 * clock only moves forward, so due times rise along the ring and draining stops at the first
 * slot not yet due. Cancelled slots stay in the ring, dead, until the drain passes them.
 */
export class PendingSynStore {
  readonly slots: number;
  readonly slotBytes: number;
  readonly holdMs: number;
  /** Keys as int32 bit patterns. */
  readonly tenant: Int32Array;
  readonly outsideAddr: Int32Array;
  readonly outsidePort: Uint16Array;
  readonly remoteAddr: Int32Array;
  readonly remotePort: Uint16Array;
  private readonly due: Float64Array;
  private readonly length: Uint16Array;
  private readonly live: Uint8Array;
  private readonly bytes: Uint8Array;
  private readonly index: PendingSynIndex;
  private readonly seed: number;
  /** Oldest occupied slot. */
  private head = 0;
  /** Occupied slots, dead ones included. */
  private used = 0;
  /** SYNs held now. */
  size = 0;

  constructor(slots: number, slotBytes: number, holdMs: number, seed: number) {
    if (!Number.isInteger(slots) || slots < 1) throw new RangeError('held-SYN slots must be a positive integer, got ' + slots);
    this.slots = slots;
    this.slotBytes = slotBytes;
    this.holdMs = holdMs;
    this.tenant = new Int32Array(slots);
    this.outsideAddr = new Int32Array(slots);
    this.outsidePort = new Uint16Array(slots);
    this.remoteAddr = new Int32Array(slots);
    this.remotePort = new Uint16Array(slots);
    this.due = new Float64Array(slots);
    this.length = new Uint16Array(slots);
    this.live = new Uint8Array(slots);
    this.bytes = new Uint8Array(slots * slotBytes);
    this.index = new PendingSynIndex(slots, this);
    this.seed = seed | 0;
  }

  private hash(tenant: number, outsideAddr: number, outsidePort: number, remoteAddr: number, remotePort: number): number {
    return finishHash(hashWord(hashWord(hashWord(hashWord(this.seed, tenant), outsideAddr), remoteAddr), (outsidePort << 16) | remotePort)) | 0;
  }

  private find(tenant: number, outsideAddr: number, outsidePort: number, remoteAddr: number, remotePort: number): number {
    const ix = this.index;
    ix.probeTenant = tenant | 0;
    ix.probeOutsideAddr = outsideAddr | 0;
    ix.probeOutsidePort = outsidePort;
    ix.probeRemoteAddr = remoteAddr | 0;
    ix.probeRemotePort = remotePort;
    return ix.lookup(this.hash(tenant, outsideAddr, outsidePort, remoteAddr, remotePort));
  }

  /** True when a SYN from (Z,z) to (T,t) is held. */
  isHeld(tenant: number, outsideAddr: number, outsidePort: number, remoteAddr: number, remotePort: number): boolean {
    return this.find(tenant, outsideAddr, outsidePort, remoteAddr, remotePort) >= 0;
  }

  /** Holds the SYN from (Z,z) to (T,t) in `packet[off, off+len)` until `nowMs + holdMs`. */
  hold(tenant: number, outsideAddr: number, outsidePort: number, remoteAddr: number, remotePort: number,
    packet: Uint8Array | undefined, off: number, len: number, nowMs: number): number {
    if (this.find(tenant, outsideAddr, outsidePort, remoteAddr, remotePort) >= 0) return SynHold.repeated;
    // Dead slots at the head are free for the taking.
    while (this.used > 0 && this.live[this.head] === 0) this.popHead();
    if (this.used === this.slots) return SynHold.full;
    let slot = this.head + this.used;
    if (slot >= this.slots) slot -= this.slots;
    this.used++;
    this.size++;
    this.tenant[slot] = tenant;
    this.outsideAddr[slot] = outsideAddr;
    this.outsidePort[slot] = outsidePort;
    this.remoteAddr[slot] = remoteAddr;
    this.remotePort[slot] = remotePort;
    this.due[slot] = nowMs + this.holdMs;
    this.live[slot] = 1;
    let n = 0;
    if (packet !== undefined) {
      n = Math.max(0, Math.min(len, this.slotBytes, packet.length - off));
      copyBytes(packet, off, this.bytes, slot * this.slotBytes, n);
    }
    this.length[slot] = n;
    this.index.insert(this.hash(tenant, outsideAddr, outsidePort, remoteAddr, remotePort), slot);
    return SynHold.held;
  }

  /** An outbound SYN for the connection was translated: the held SYN is dropped silently (RFC
   * 5382 REQ-4). True when one was held. */
  cancel(tenant: number, outsideAddr: number, outsidePort: number, remoteAddr: number, remotePort: number): boolean {
    if (this.size === 0) return false;
    const slot = this.find(tenant, outsideAddr, outsidePort, remoteAddr, remotePort);
    if (slot < 0) return false;
    this.kill(slot);
    return true;
  }

  /** Hands every held SYN due at `nowMs` to `sink` (at most `budget`); returns how many. */
  drain(nowMs: number, sink: PendingSynSink, budget = Infinity): number {
    let n = 0;
    while (this.used > 0) {
      const slot = this.head;
      if (this.live[slot] === 1) {
        if (this.due[slot]! > nowMs || n >= budget) break;
        this.kill(slot);
        n++;
        sink.unsolicitedSynExpired(this.tenant[slot]! >>> 0, this.bytes, slot * this.slotBytes, this.length[slot]!);
      }
      this.popHead();
    }
    return n;
  }

  private kill(slot: number): void {
    this.index.remove(this.hash(this.tenant[slot]!, this.outsideAddr[slot]!, this.outsidePort[slot]!, this.remoteAddr[slot]!, this.remotePort[slot]!), slot);
    this.live[slot] = 0;
    this.size--;
  }

  private popHead(): void {
    this.head = this.head + 1 === this.slots ? 0 : this.head + 1;
    this.used--;
  }

  get byteLength(): number {
    return this.bytes.byteLength + this.slots * (4 + 4 + 2 + 4 + 2 + 8 + 2 + 1) + this.index.byteLength;
  }
}

import { finishHash, hashWord } from './flow-hash.js';
import { HashIndex } from './hash-index.js';

/**
 * The connection keys, struct-of-arrays by entry id: tenant, protocol and the original tuple
 * (the first packet's addresses and ports; for ICMP queries the identifier stands for both
 * ports). The reply tuple is its reverse and is not stored.
 *
 * Words are kept as int32 (`| 0`), hashes below 2^31: a u32 at or above 2^31 is not a small
 * integer to V8, and boxing it when it crosses a call would allocate on every packet.
 */
export class ConnTupleKeys {
  readonly tenant: Int32Array;
  readonly proto: Uint8Array;
  readonly src: Int32Array;
  readonly dst: Int32Array;
  /** Source port << 16 | destination port. */
  readonly ports: Int32Array;
  /** The probe staged by `stage`: the tuple of the packet in hand. */
  probeTenant = 0;
  probeProto = 0;
  probeSrc = 0;
  probeDst = 0;
  probePorts = 0;

  constructor(capacity: number, private readonly seed: number) {
    this.tenant = new Int32Array(capacity);
    this.proto = new Uint8Array(capacity);
    this.src = new Int32Array(capacity);
    this.dst = new Int32Array(capacity);
    this.ports = new Int32Array(capacity);
  }

  /** Stages a packet's tuple (int32 words) and returns its hash. */
  stage(tenant: number, proto: number, src: number, dst: number, ports: number): number {
    this.probeTenant = tenant;
    this.probeProto = proto;
    this.probeSrc = src;
    this.probeDst = dst;
    this.probePorts = ports;
    return this.hash(tenant, proto, src, dst, ports);
  }

  hash(tenant: number, proto: number, src: number, dst: number, ports: number): number {
    let h = hashWord(this.seed, tenant);
    h = hashWord(h, proto);
    h = hashWord(h, src);
    h = hashWord(h, dst);
    h = hashWord(h, ports);
    return finishHash(h) >>> 1;
  }

  /** Hash of entry `id`'s original tuple. */
  originalHash(id: number): number {
    return this.hash(this.tenant[id]!, this.proto[id]!, this.src[id]!, this.dst[id]!, this.ports[id]!);
  }

  /** Hash of entry `id`'s reply tuple (the original reversed). */
  replyHash(id: number): number {
    return this.hash(this.tenant[id]!, this.proto[id]!, this.dst[id]!, this.src[id]!, swapPorts(this.ports[id]!));
  }
}

/** The ports word of the reverse tuple. */
export function swapPorts(ports: number): number {
  return (ports << 16) | (ports >>> 16);
}

/**
 * Finds a connection by the tuple of a packet travelling in one of its two directions: one
 * index holds every entry under its original tuple, a second under its reply tuple, so a packet
 * from either side is found in O(1) with the same probe and hash.
 */
export class ConnTupleIndex extends HashIndex {
  constructor(capacity: number, private readonly keys: ConnTupleKeys, private readonly reply: boolean) {
    super(capacity);
  }

  protected keyEquals(id: number): boolean {
    const k = this.keys;
    if (k.tenant[id] !== k.probeTenant || k.proto[id] !== k.probeProto) return false;
    if (this.reply) return k.dst[id] === k.probeSrc && k.src[id] === k.probeDst && swapPorts(k.ports[id]!) === k.probePorts;
    return k.src[id] === k.probeSrc && k.dst[id] === k.probeDst && k.ports[id] === k.probePorts;
  }
}

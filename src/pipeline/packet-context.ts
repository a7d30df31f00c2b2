import { EthernetFrame } from '../wire/ethernet.js';
import { FlowTuple } from '../xlat/flow-tuple.js';
import { XlatOutput } from '../xlat/xlat-output.js';
import { FrameBatch } from './frame-batch.js';
import { LinkKind } from './link-kind.js';
import { Verdict } from './verdict.js';

/**
 * Everything the stages know about the packet in hand. One context is allocated per pipeline
 * (per worker) and rebound to every packet with `bind`, so the per-packet path allocates nothing.
 * Stages read what earlier stages wrote here (classify: the IP header's place and family) and
 * write what later ones need (translate: the produced packets; tenant: direction and flow tuple;
 * NAT: the session).
 */
export class PacketContext {
  /** The input frame: `buf[off, off+len)`. Stages may rewrite it in place. */
  buf: Uint8Array = EMPTY;
  off = 0;
  len = 0;
  /** Framing of the input. */
  linkKind: LinkKind = LinkKind.Ip;
  /** Sequence number given by the port (the pcap frame number in a replay), for traces. */
  index = 0;
  /** Tenant the packet belongs to (index into the gateway's tenant list). */
  tenant = 0;
  /** Trace this packet: the pipeline reports every stage's verdict to its trace sink. */
  traced = false;
  /** Interface the frame came in by (the gateway's global index); -1 when no port set it (replay). */
  ingressIface = -1;
  /** The port's index of the remote tunnel endpoint the frame came from; -1: none (TUN). */
  ingressPeer = -1;

  // Set by classify.
  /** Bytes of link-layer header before the IP header (Ethernet + tags; 0 for raw IP). */
  l2Len = 0;
  /** Absolute offset and length of the IP packet (Ethernet padding excluded). */
  l3Off = 0;
  l3Len = 0;
  /** 4 or 6; 0 before classification. */
  ipVersion = 0;

  // Set by the tenant stage.
  /** The packet entered from the tenant's outside (the IPv4 side facing the Internet). */
  fromOutside = false;
  /** Whether `tuple` holds this packet's flow (stateful tenants and firewalls only). */
  hasTuple = false;

  // Set by the flow cache and the stateful stages.
  /** Index of the next ingress stage to run when it is not the following one (a flow-cache hit
   * skips the stages its cached actions replace); -1: the following stage. */
  skipTo = -1;
  /** The flow cache had this packet's flow and applied its actions. */
  cacheHit = false;
  /** The flow missed the cache and may be recorded once every stage has accepted it. */
  cacheable = false;
  /** NAT session the packet used (-1: none) and that session's entry number, so a cache entry
   * can tell later whether the session still exists. */
  session = -1;
  sessionEntry = 0;
  /** What the NAT stage did (`NatAction`), recorded in the flow cache. */
  natAction = 0;

  // Set by the route stage, per packet of `packets` (index i of `packets` is index i here).
  /** The route stage ran: emit frames each packet for its egress interface, not like the input. */
  routed = false;
  /** Egress interface of each packet; -1: the packet does not leave (no route, unresolved). */
  readonly egressIface: Int32Array;
  /** Tunnel peer of each packet (-1: flood to every remote). */
  readonly egressPeer: Int32Array;
  /** `LinkKind` of each packet's egress interface. */
  readonly egressLink: Uint8Array;
  /** Ethernet destination then source address of each packet, 12 bytes per packet. */
  readonly egressMacs: Uint8Array;

  /** Reason code of the drop, in the reason table of the stage that dropped; 0 otherwise. */
  reason = 0;
  /** Index of the stage that dropped, or -1. */
  dropStage = -1;

  /** IP packets produced for this input (translated packets, generated ICMP errors). */
  readonly packets: XlatOutput;
  /** Frames for the output port, framed as `frames.linkKind` (set by the port). */
  readonly frames: FrameBatch;
  /** Scratch view of the input's Ethernet header, bound by classify. */
  readonly eth = new EthernetFrame();
  /** The packet's flow: addresses, ports or ICMP identifier, and for ICMP errors the quoted
   * packet's (filled by the tenant stage when `hasTuple`). */
  readonly tuple = new FlowTuple();

  constructor(outputLink: LinkKind, packets = new XlatOutput(), frames = new FrameBatch(outputLink)) {
    this.packets = packets;
    this.frames = frames;
    const n = packets.offsets.length;
    this.egressIface = new Int32Array(n);
    this.egressPeer = new Int32Array(n);
    this.egressLink = new Uint8Array(n);
    this.egressMacs = new Uint8Array(n * 12);
  }

  /** Points the context at a new input frame and clears every per-packet field. */
  bind(buf: Uint8Array, off: number, len: number, linkKind: LinkKind, index: number): this {
    this.buf = buf;
    this.off = off;
    this.len = len;
    this.linkKind = linkKind;
    this.index = index;
    this.tenant = 0;
    this.traced = false;
    this.ingressIface = -1;
    this.ingressPeer = -1;
    this.l2Len = 0;
    this.l3Off = off;
    this.l3Len = len;
    this.ipVersion = 0;
    this.fromOutside = false;
    this.hasTuple = false;
    this.skipTo = -1;
    this.cacheHit = false;
    this.cacheable = false;
    this.session = -1;
    this.sessionEntry = 0;
    this.natAction = 0;
    this.routed = false;
    this.reason = 0;
    this.dropStage = -1;
    this.packets.reset();
    this.frames.reset();
    return this;
  }

  /** Records `reason` and returns `Verdict.Drop`, so a stage drops with `return pkt.drop(code)`. */
  drop(reason: number): Verdict {
    this.reason = reason;
    return Verdict.Drop;
  }
}

const EMPTY = new Uint8Array(0);

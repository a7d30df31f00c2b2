import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { LinkKind } from '../pipeline/link-kind.js';
import { defineDropReasons } from '../wire/drop-reasons.js';
import { PacketArena } from '../wire/packet-arena.js';
import { ETHERNET_HEADER_LEN } from '../wire/ethernet.js';
import { GENEVE_FLAG_CRITICAL, GENEVE_FLAG_OAM, GENEVE_HEADER_LEN, GENEVE_OPTIONS_MAX_LEN, GENEVE_UDP_PORT, GenevePacket, GeneveProtocol } from '../wire/geneve.js';
import { VXLAN_HEADER_LEN, VXLAN_UDP_PORT, VXLAN_VNI_MAX, VxlanPacket } from '../wire/vxlan.js';
import { copyBytes } from '../xlat/byte-copy.js';
import { PortCounters, type Port, type PortBinding, type PortReceiver } from './port.js';
import { SuperFrameSegmenter } from './super-frame-segmenter.js';
import { TunnelBindError, TunnelConfigError } from './tunnel-error.js';

export const TunnelDrop = defineDropReasons({
  unknownRemote: 'datagram from an address that is not one of the port\'s tunnel endpoints',
  truncated: 'datagram shorter than the tunnel header, or the inner frame shorter than an Ethernet header',
  badHeader: 'VXLAN without the I flag (RFC 7348 §5), or Geneve of another version or whose options overrun the datagram (RFC 8926 §3.4)',
  geneveOam: 'Geneve control (OAM) packet: not data, not for the gateway (RFC 8926 §3.4)',
  geneveCritical: 'Geneve packet with critical options, which the gateway does not understand and must drop (RFC 8926 §3.5)',
  geneveNotEthernet: 'Geneve protocol type other than Ethernet (0x6558): the interfaces are Ethernet',
  unknownVni: 'VNI that maps to no interface of the port',
  oversized: 'inner frame longer than the port\'s largest frame (received or to send)',
  noBinding: 'frame to send for an interface the port does not carry',
  noRemote: 'frame to send toward a peer the port does not have, or to flood on a port with no remotes',
  queueFull: 'every transmit slot is waiting for the kernel: the socket is backed up',
  sendFailed: 'the kernel refused a datagram (ENOBUFS, EHOSTUNREACH, ...)',
  closed: 'frame to send after the port was closed',
  superSegmentRefused: 'a GSO super-segment to send could not be cut into wire-sized frames (malformed, or more segments than the port cuts at once)',
});
const D = TunnelDrop.code;

export type TunnelEncapsulation = 'vxlan' | 'geneve';

/** A remote tunnel endpoint: its address and, when it is not the default, its UDP port. */
export interface TunnelRemote {
  readonly address: string;
  readonly port?: number;
}

export interface UdpTunnelPortOptions {
  readonly name: string;
  readonly encapsulation: TunnelEncapsulation;
  /** Local address to bind (default 127.0.0.1). Remotes must be of its family. */
  readonly address?: string;
  /** Local UDP port (default 4789 for VXLAN, 6081 for Geneve, the IANA ports; 0: any free one). */
  readonly port?: number;
  /** The tunnel endpoints allowed to send, and where frames go; a peer is an index into this
   * list. A datagram from any other address is dropped and counted. */
  readonly remotes: readonly (TunnelRemote | string)[];
  /** UDP port of remotes that name none (default: the local `port` unless that is 0, else the
   * encapsulation's IANA port; a Linux VXLAN device's `dstport` is likewise both). */
  readonly remotePort?: number;
  /** Largest inner Ethernet frame, without FCS (default 9018: a 9000-byte jumbo packet, its
   * Ethernet header and a VLAN tag). */
  readonly maxFrameLen?: number;
  /** Frames that may wait for the kernel at once (default 1024); more are dropped (counted). */
  readonly txSlots?: number;
  /** SO_RCVBUF in bytes (default `DEFAULT_RECV_BUFFER_BYTES`; the kernel caps it at
   * net.core.rmem_max). */
  readonly recvBufferSize?: number;
  /** SO_SNDBUF in bytes (default: the kernel's). */
  readonly sendBufferSize?: number;
  /** How long `close` waits for queued datagrams to leave (default 1000 ms). */
  readonly closeTimeoutMs?: number;
  /** Arena of the receive buffer and the transmit slots (default: the worker's,
   * `PacketArena.shared()`, as the gateway node's), so the copies between them and the
   * translator's output and frames are native. */
  readonly arena?: PacketArena;
}

export const DEFAULT_MAX_FRAME_LEN = 9018;
/**
 * Receive buffer of a tunnel socket: a TCP sender's burst (a 64 KB TSO segment is some 45
 * datagrams, and a window holds many) arrives faster than a single-threaded endpoint takes it
 * while it is busy with the previous batch; the kernel's default (about 200 KB, 150 full-size
 * datagrams) overflows, and every datagram lost is a TCP segment retransmitted and a halved
 * congestion window. 4 MiB is the ceiling recent kernels allow by default (net.core.rmem_max;
 * older ones allow about 200 KB and cap the request there silently).
 */
export const DEFAULT_RECV_BUFFER_BYTES = 4 << 20;

/**
 * A VXLAN (RFC 7348) or Geneve (RFC 8926) tunnel endpoint on one UDP socket. Received datagrams
 * are checked (allowed remote, header, VNI, size) and their inner Ethernet frame handed to the
 * receiver with the interface its VNI maps to and the remote's index as peer; everything refused
 * is counted under a `TunnelDrop` reason and never throws.
 *
 * Sends are copied, with the tunnel header written in front, into preallocated transmit slots and
 * leave on `flush`, once per batch of received frames; a slot is reused only after the kernel
 * has taken its datagrams (send completions arrive in order, libuv queueing every send behind
 * a pending one), so a backed-up socket drops new frames (queueFull) instead of growing memory.
 * Nothing on the port's own path allocates; node:dgram itself allocates a Buffer per received
 * datagram and a request per send, which no userland code can avoid.
 */
export class UdpTunnelPort implements Port {
  readonly name: string;
  readonly linkKind = LinkKind.Ethernet;
  readonly counters = new PortCounters(TunnelDrop);
  readonly encapsulation: TunnelEncapsulation;
  readonly maxFrameLen: number;
  /** Tunnel header length this port writes. */
  readonly headerLen: number;
  private readonly bindAddress: string;
  private readonly bindPort: number;
  private readonly family: 4 | 6;
  readonly remoteAddresses: readonly string[];
  readonly remotePorts: readonly number[];
  private readonly peerByAddress = new Map<string, number>();
  /** Per peer: another remote shares its address, so the source port decides. */
  private readonly sharedAddress: Uint8Array;
  private readonly recvBufferSize: number;
  private readonly sendBufferSize: number | undefined;
  private readonly closeTimeoutMs: number;

  private ifaceByVni = new Map<number, number>();
  private vniByIface = new Int32Array(0);

  // Transmit slots, a FIFO: [tail, flushed) are in flight, [flushed, head) queued.
  private readonly slotSize: number;
  private readonly slotCount: number;
  private readonly slots: Uint8Array;
  /** Each received datagram is copied here (one native copy of the whole datagram) before it is
   * parsed: node:dgram hands over a buffer of its own, and the copies the pipeline makes out of
   * this one are native (`copyBytes`) where copies out of that one would be byte loops. */
  private readonly rx: Uint8Array;
  private readonly slotLen: Int32Array;
  private readonly slotPeer: Int32Array;
  /** Send sequence number of each in-flight slot's last datagram. */
  private readonly slotLastSeq: Float64Array;
  private head = 0;
  private flushed = 0;
  private tail = 0;
  private used = 0;
  private unflushed = 0;
  private sendsIssued = 0;
  private sendsCompleted = 0;

  private segmenter: SuperFrameSegmenter | null = null;
  private socket: Socket | null = null;
  private receiver: PortReceiver | null = null;
  private closed = false;
  private drained: (() => void) | null = null;
  private readonly vxlan = new VxlanPacket();
  private readonly geneve = new GenevePacket();
  /** Completion of every send: one function for the port's life, no closure per datagram. */
  private readonly onSent: (err: Error | null) => void;
  private readonly onMessage: (msg: Buffer, rinfo: RemoteInfo) => void;

  constructor(opts: UdpTunnelPortOptions) {
    this.name = opts.name;
    this.encapsulation = opts.encapsulation;
    if (opts.encapsulation !== 'vxlan' && opts.encapsulation !== 'geneve') throw new TunnelConfigError(opts.name, 'encapsulation', 'must be vxlan or geneve, got ' + String(opts.encapsulation));
    const iana = opts.encapsulation === 'vxlan' ? VXLAN_UDP_PORT : GENEVE_UDP_PORT;
    this.headerLen = opts.encapsulation === 'vxlan' ? VXLAN_HEADER_LEN : GENEVE_HEADER_LEN;
    this.bindAddress = opts.address ?? '127.0.0.1';
    const fam = isIP(this.bindAddress);
    if (fam === 0) throw new TunnelConfigError(opts.name, 'address', JSON.stringify(this.bindAddress) + ' is not an IP address');
    this.family = fam as 4 | 6;
    this.bindPort = opts.port ?? iana;
    checkUdpPort(opts.name, 'port', this.bindPort, true);
    const defaultRemotePort = opts.remotePort ?? (this.bindPort === 0 ? iana : this.bindPort);
    checkUdpPort(opts.name, 'remotePort', defaultRemotePort, false);
    const addresses: string[] = [];
    const ports: number[] = [];
    opts.remotes.forEach((r, i) => {
      const remote = typeof r === 'string' ? { address: r } : r;
      const f = isIP(remote.address);
      if (f === 0) throw new TunnelConfigError(opts.name, 'remotes[' + i + ']', JSON.stringify(remote.address) + ' is not an IP address');
      if (f !== this.family) throw new TunnelConfigError(opts.name, 'remotes[' + i + ']', remote.address + ' is IPv' + f + ' but the port listens on IPv' + this.family + ' ' + this.bindAddress);
      const port = remote.port ?? defaultRemotePort;
      checkUdpPort(opts.name, 'remotes[' + i + '].port', port, false);
      // rinfo.address is the kernel's canonical text; compare against the same.
      const canonical = f === 6 ? canonicalIpv6(remote.address) : remote.address;
      addresses.push(canonical);
      ports.push(port);
    });
    this.remoteAddresses = addresses;
    this.remotePorts = ports;
    this.sharedAddress = new Uint8Array(addresses.length);
    addresses.forEach((a, i) => {
      const first = this.peerByAddress.get(a);
      if (first === undefined) this.peerByAddress.set(a, i);
      else {
        this.sharedAddress[first] = 1;
        this.sharedAddress[i] = 1;
      }
    });
    this.maxFrameLen = opts.maxFrameLen ?? DEFAULT_MAX_FRAME_LEN;
    if (!Number.isInteger(this.maxFrameLen) || this.maxFrameLen < ETHERNET_HEADER_LEN || this.maxFrameLen > 65_000) {
      throw new TunnelConfigError(opts.name, 'maxFrameLen', 'must be an integer from 14 to 65000, got ' + this.maxFrameLen);
    }
    this.slotCount = opts.txSlots ?? 1024;
    if (!Number.isInteger(this.slotCount) || this.slotCount < 1) throw new TunnelConfigError(opts.name, 'txSlots', 'must be a positive integer');
    this.slotSize = this.headerLen + this.maxFrameLen;
    const arena = opts.arena ?? PacketArena.shared();
    this.slots = arena.alloc(this.slotSize * this.slotCount);
    // Geneve's header with the longest options (8 + 252 bytes) and the largest frame.
    this.rx = arena.alloc(GENEVE_HEADER_LEN + GENEVE_OPTIONS_MAX_LEN + this.maxFrameLen);
    this.slotLen = new Int32Array(this.slotCount);
    this.slotPeer = new Int32Array(this.slotCount);
    this.slotLastSeq = new Float64Array(this.slotCount);
    this.recvBufferSize = opts.recvBufferSize ?? DEFAULT_RECV_BUFFER_BYTES;
    this.sendBufferSize = opts.sendBufferSize;
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 1000;
    this.onSent = (err) => this.sendCompleted(err);
    this.onMessage = (msg, rinfo) => {
      const len = msg.length;
      if (len > this.rx.length) return this.datagram(msg, 0, len, rinfo.address, rinfo.port);
      this.rx.set(msg, 0);
      this.datagram(this.rx, 0, len, rinfo.address, rinfo.port);
    };
  }

  attach(bindings: readonly PortBinding[]): void {
    const byVni = new Map<number, number>();
    let maxIface = -1;
    for (const b of bindings) {
      if (!Number.isInteger(b.vni) || b.vni < 0 || b.vni > VXLAN_VNI_MAX) throw new TunnelConfigError(this.name, 'vni', 'must be an integer from 0 to 16777215, got ' + b.vni);
      if (byVni.has(b.vni)) throw new TunnelConfigError(this.name, 'vni', b.vni + ' is carried for two interfaces');
      byVni.set(b.vni, b.iface);
      if (b.iface > maxIface) maxIface = b.iface;
    }
    const byIface = new Int32Array(maxIface + 1).fill(-1);
    for (const b of bindings) byIface[b.iface] = b.vni;
    this.ifaceByVni = byVni;
    this.vniByIface = byIface;
  }

  /** Binds the socket and starts reading. Rejects with `TunnelBindError`. */
  start(rx: PortReceiver): Promise<void> {
    if (this.socket !== null) throw new Error('tunnel port ' + this.name + ' started twice');
    this.receiver = rx;
    const socket = createSocket({ type: this.family === 6 ? 'udp6' : 'udp4', ipv6Only: this.family === 6 });
    this.socket = socket;
    return new Promise<void>((resolve, reject) => {
      const failed = (e: NodeJS.ErrnoException): void => {
        this.socket = null;
        socket.close();
        reject(new TunnelBindError(this.name, this.bindAddress, this.bindPort, e.code ?? '', e.message));
      };
      socket.once('error', failed);
      socket.bind(this.bindPort, this.bindAddress, () => {
        socket.off('error', failed);
        // A socket error after binding (ICMP port unreachable reported on a later send, ...) is
        // the kernel's news about one datagram, not the end of the port.
        socket.on('error', () => this.counters.drops.add(D.sendFailed));
        socket.setRecvBufferSize(this.recvBufferSize);
        if (this.sendBufferSize !== undefined) socket.setSendBufferSize(this.sendBufferSize);
        socket.on('message', this.onMessage);
        resolve();
      });
    });
  }

  /** The bound address and UDP port (after `start`). */
  address(): { address: string; port: number } {
    if (this.socket === null) throw new Error('tunnel port ' + this.name + ' is not started');
    const a = this.socket.address();
    return { address: a.address, port: a.port };
  }

  /**
   * One datagram as received (the socket's listener calls this; tests may too): checks the
   * sender, the tunnel header and the inner frame and hands the frame to the receiver.
   */
  datagram(buf: Uint8Array, off: number, len: number, fromAddress: string, fromPort: number): void {
    const c = this.counters;
    c.rxPackets++;
    c.rxBytes += len;
    const peer = this.peerOf(fromAddress, fromPort);
    if (peer < 0) return c.drops.add(D.unknownRemote);
    let vni: number;
    let inner: number;
    if (this.encapsulation === 'vxlan') {
      const v = this.vxlan.bind(buf, off, len);
      const rc = v.check();
      if (rc !== 0) return c.drops.add(len < VXLAN_HEADER_LEN ? D.truncated : D.badHeader);
      vni = v.vni();
      inner = v.payloadOff();
    } else {
      const g = this.geneve.bind(buf, off, len);
      const rc = g.check();
      if (rc !== 0) return c.drops.add(len < GENEVE_HEADER_LEN ? D.truncated : D.badHeader);
      const flags = buf[off + 1]!;
      if ((flags & GENEVE_FLAG_OAM) !== 0) return c.drops.add(D.geneveOam);
      if ((flags & GENEVE_FLAG_CRITICAL) !== 0) return c.drops.add(D.geneveCritical);
      if (g.protocolType() !== GeneveProtocol.Ethernet) return c.drops.add(D.geneveNotEthernet);
      vni = g.vni();
      inner = g.payloadOff();
    }
    const frameLen = off + len - inner;
    if (frameLen < ETHERNET_HEADER_LEN) return c.drops.add(D.truncated);
    if (frameLen > this.maxFrameLen) return c.drops.add(D.oversized);
    const iface = this.ifaceByVni.get(vni);
    if (iface === undefined) return c.drops.add(D.unknownVni);
    this.receiver?.receive(this, buf, inner, frameLen, iface, peer);
  }

  send(buf: Uint8Array, off: number, len: number, iface: number, peer: number, gsoSize = 0): boolean {
    const drops = this.counters.drops;
    if (this.closed) return refuse(drops, D.closed);
    const vni = iface >= 0 && iface < this.vniByIface.length ? this.vniByIface[iface]! : -1;
    if (vni < 0) return refuse(drops, D.noBinding);
    if (peer >= this.remoteAddresses.length || (peer < 0 && this.remoteAddresses.length === 0)) return refuse(drops, D.noRemote);
    if (gsoSize > 0) {
      // A tunnel has no offload: the super-segment leaves as the wire packets it stands for.
      const s = this.segmenter ??= new SuperFrameSegmenter();
      if (s.segment(buf, off, len, ETHERNET_HEADER_LEN, gsoSize) !== 0) return refuse(drops, D.superSegmentRefused);
      const o = s.out;
      let any = false;
      for (let i = 0; i < o.count; i++) if (this.queue(o.bytes, o.offsets[i]!, o.lengths[i]!, vni, peer)) any = true;
      return any;
    }
    return this.queue(buf, off, len, vni, peer);
  }

  /** Copies one frame with its tunnel header into a transmit slot. */
  private queue(buf: Uint8Array, off: number, len: number, vni: number, peer: number): boolean {
    const drops = this.counters.drops;
    if (len > this.maxFrameLen) return refuse(drops, D.oversized);
    if (this.used === this.slotCount) return refuse(drops, D.queueFull);
    const s = this.head;
    this.head = s + 1 === this.slotCount ? 0 : s + 1;
    this.used++;
    this.unflushed++;
    const b = this.slots;
    const o = s * this.slotSize;
    if (this.encapsulation === 'vxlan') {
      const v = this.vxlan.bind(b, o, VXLAN_HEADER_LEN);
      v.setFlags(0x08);
      v.setVni(vni);
    } else {
      const g = this.geneve.bind(b, o, GENEVE_HEADER_LEN);
      g.setOptionsLen(0);
      g.setFlags(false, false);
      g.setProtocolType(GeneveProtocol.Ethernet);
      g.setVni(vni);
    }
    const h = this.headerLen;
    copyBytes(buf, off, b, o + h, len);
    this.slotLen[s] = h + len;
    this.slotPeer[s] = peer;
    return true;
  }

  flush(): void {
    const socket = this.socket;
    if (socket === null) return;
    const c = this.counters;
    while (this.unflushed > 0) {
      const s = this.flushed;
      this.flushed = s + 1 === this.slotCount ? 0 : s + 1;
      this.unflushed--;
      const o = s * this.slotSize;
      const len = this.slotLen[s]!;
      const peer = this.slotPeer[s]!;
      const first = peer < 0 ? 0 : peer;
      const last = peer < 0 ? this.remoteAddresses.length - 1 : peer;
      for (let p = first; p <= last; p++) {
        try {
          socket.send(this.slots, o, len, this.remotePorts[p]!, this.remoteAddresses[p]!, this.onSent);
          this.sendsIssued++;
          c.txPackets++;
          c.txBytes += len;
        } catch {
          c.drops.add(D.sendFailed);
        }
      }
      this.slotLastSeq[s] = this.sendsIssued;
    }
    this.release();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const socket = this.socket;
    if (socket === null) return;
    this.flush();
    if (this.sendsCompleted < this.sendsIssued) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.closeTimeoutMs);
        this.drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.drained = null;
    }
    socket.off('message', this.onMessage);
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    this.socket = null;
  }

  /** Frames waiting in transmit slots (queued or in flight). */
  get pending(): number {
    return this.used;
  }

  private sendCompleted(err: Error | null): void {
    this.sendsCompleted++;
    if (err !== null) this.counters.drops.add(D.sendFailed);
    this.release();
    if (this.drained !== null && this.sendsCompleted >= this.sendsIssued) this.drained();
  }

  /** Frees the in-flight slots, oldest first, whose datagrams the kernel has all taken. */
  private release(): void {
    while (this.used > this.unflushed && this.slotLastSeq[this.tail]! <= this.sendsCompleted) {
      this.tail = this.tail + 1 === this.slotCount ? 0 : this.tail + 1;
      this.used--;
    }
  }

  private peerOf(address: string, port: number): number {
    const p = this.peerByAddress.get(address);
    if (p === undefined) return -1;
    if (this.sharedAddress[p] === 0) return p;
    const a = this.remoteAddresses;
    for (let i = p; i < a.length; i++) if (a[i] === address && this.remotePorts[i] === port) return i;
    return p;
  }
}

function refuse(drops: PortCounters['drops'], code: number): boolean {
  drops.add(code);
  return false;
}

function checkUdpPort(name: string, field: string, port: number, zeroOk: boolean): void {
  if (!Number.isInteger(port) || port < (zeroOk ? 0 : 1) || port > 65535) {
    throw new TunnelConfigError(name, field, 'must be a UDP port from ' + (zeroOk ? 0 : 1) + ' to 65535, got ' + port);
  }
}

/** The text the kernel (and so `rinfo.address`) gives an IPv6 address: RFC 5952 form. */
function canonicalIpv6(text: string): string {
  return new URL('http://[' + text + ']/').hostname.slice(1, -1);
}

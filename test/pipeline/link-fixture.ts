/** Shared set-up of the neighbor and route stage tests: one tenant with an IPv6 inside
 * interface, an IPv4 outside interface (both tunnels, Ethernet) and a TUN interface, the
 * gateway's MACs and addresses matching test/golden/neighbor/generate.py. */
import { readFileSync } from 'node:fs';
import { parseIpv4 } from '../../src/addr/ipv4-address.js';
import { parseIpv6 } from '../../src/addr/ipv6-address.js';
import { ClassifyStage } from '../../src/pipeline/classify-stage.js';
import { InterfaceTable, type InterfaceDefinition } from '../../src/pipeline/interface-table.js';
import { LinkKind } from '../../src/pipeline/link-kind.js';
import { NeighborStage } from '../../src/pipeline/neighbor-stage.js';
import { NeighborTable, type NeighborTableOptions } from '../../src/pipeline/neighbor-table.js';
import { PacketContext } from '../../src/pipeline/packet-context.js';
import { RouteTable } from '../../src/pipeline/route-table.js';
import { Verdict } from '../../src/pipeline/verdict.js';
import { ManualClock } from '../../src/state/clock.js';

export const golden = JSON.parse(readFileSync(new URL('../golden/neighbor/vectors.json', import.meta.url), 'utf8')) as Record<string, string> & {
  macs: { host: string; gwIn: string; gwOut: string };
};

export function hex(h: string): Uint8Array {
  return Uint8Array.from(Buffer.from(h, 'hex'));
}

export function toHex(b: Uint8Array, off = 0, len = b.length - off): string {
  return Buffer.from(b.buffer, b.byteOffset + off, len).toString('hex');
}

export const HOST_MAC = hex(golden.macs.host);
export const GW_IN_MAC = hex(golden.macs.gwIn);
export const GW_OUT_MAC = hex(golden.macs.gwOut);
export const INSIDE = 0;
export const OUTSIDE = 1;
export const HOST_TUN = 2;

export function interfaceDefinitions(): InterfaceDefinition[] {
  return [
    { name: 'inside', tenant: 0, port: 0, vni: 100, linkKind: LinkKind.Ethernet, mac: GW_IN_MAC, ipv4: [], ipv6: [{ address: parseIpv6('2001:db8:1::1'), length: 64 }] },
    { name: 'outside', tenant: 0, port: 0, vni: 200, linkKind: LinkKind.Ethernet, mac: GW_OUT_MAC, ipv4: [{ address: parseIpv4('198.51.100.1'), length: 24 }], ipv6: [] },
    { name: 'host', tenant: 0, port: 1, vni: -1, linkKind: LinkKind.Ip, mac: null, ipv4: [], ipv6: [] },
  ];
}

export class LinkFixture {
  readonly clock = new ManualClock(1_000_000);
  readonly interfaces = new InterfaceTable(interfaceDefinitions());
  readonly neighbors: NeighborTable;
  readonly routes: RouteTable;
  readonly classify = new ClassifyStage(true);
  readonly neighbor: NeighborStage;
  readonly ctx = new PacketContext(LinkKind.Ethernet);

  constructor(opts: NeighborTableOptions = {}) {
    this.neighbors = new NeighborTable(this.clock, opts);
    this.routes = new RouteTable(0, this.interfaces);
    this.neighbor = new NeighborStage(this.interfaces, this.neighbors);
  }

  /** Runs classify and the neighbor stage on a copy of `frame` as received on `iface` from `peer`. */
  receive(frame: Uint8Array, iface: number, peer = 0): Verdict {
    const buf = new Uint8Array(frame.length + 4).fill(0xa5);
    buf.set(frame, 2);
    const ctx = this.ctx.bind(buf, 2, frame.length, this.interfaces.link[iface] as LinkKind, 1);
    ctx.ingressIface = iface;
    ctx.ingressPeer = peer;
    ctx.frames.bytes.fill(0xa5);
    const v = this.classify.process(ctx);
    if (v !== Verdict.Continue) return v;
    return this.neighbor.process(ctx);
  }

  /** Frame `i` of the context's batch as hex. */
  frameHex(i: number): string {
    const f = this.ctx.frames;
    return toHex(f.bytes, f.offsets[i]!, f.lengths[i]!);
  }
}

/**
 * Builders for the connection-tracker tests: TCP segments as bytes, and a conversation between
 * an inside client and an outside server pushed through a `ConnTrack`.
 */
import { parseIpv4 } from '../../src/addr/ipv4-address.js';
import { ManualClock } from '../../src/state/clock.js';
import { defaultConnTrackConfig, type ConnTrackConfig } from '../../src/state/conntrack-config.js';
import { ConnTrack } from '../../src/state/conntrack.js';
import { writeU16, writeU32 } from '../../src/wire/byte-order.js';

export const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20;

export const TENANT = 7;
export const CLIENT = parseIpv4('10.0.0.5');
export const SERVER = parseIpv4('198.51.100.7');

export interface SegmentSpec {
  seq: number;
  ack?: number;
  flags: number;
  win?: number;
  /** Payload bytes (zeros). */
  payload?: number;
  /** Window-scale option (RFC 7323 §2.2) with this shift. */
  wscale?: number;
  sackPermitted?: boolean;
  /** SACK blocks (RFC 2018 §3): [left, right] pairs. */
  sack?: [number, number][];
}

/** A TCP segment (ports left zero: the tracker takes ports from the caller). */
export function tcpSegment(s: SegmentSpec): Uint8Array {
  const opts: number[] = [];
  if (s.wscale !== undefined) opts.push(1, 3, 3, s.wscale);
  if (s.sackPermitted) opts.push(1, 1, 4, 2);
  if (s.sack) {
    opts.push(1, 1, 5, 2 + 8 * s.sack.length);
    for (const [l, r] of s.sack) opts.push(l >>> 24, (l >>> 16) & 255, (l >>> 8) & 255, l & 255, r >>> 24, (r >>> 16) & 255, (r >>> 8) & 255, r & 255);
  }
  while (opts.length % 4) opts.push(0);
  const hl = 20 + opts.length;
  const b = new Uint8Array(hl + (s.payload ?? 0));
  writeU32(b, 4, s.seq >>> 0);
  writeU32(b, 8, (s.ack ?? 0) >>> 0);
  b[12] = (hl / 4) << 4;
  b[13] = s.flags;
  writeU16(b, 14, s.win ?? 65535);
  b.set(opts, 20);
  return b;
}

export function tracker(overrides: Partial<ConnTrackConfig> = {}, startMs = 1_000_000): { ct: ConnTrack; clock: ManualClock } {
  const clock = new ManualClock(startMs);
  const ct = new ConnTrack({ ...defaultConnTrackConfig(), maxConnections: 1024, ...overrides }, clock, 0x1234567);
  return { ct, clock };
}

/** One TCP connection: `client` (inside) port `cport` to `server` (outside) port `sport`. */
export class TcpConversation {
  constructor(
    readonly ct: ConnTrack,
    readonly client = CLIENT,
    readonly cport = 40000,
    readonly server = SERVER,
    readonly sport = 443,
    readonly tenant = TENANT,
  ) {}

  /** Client → server (outbound). */
  out(s: SegmentSpec): number {
    const b = tcpSegment(s);
    return this.ct.check(this.tenant, true, 6, this.client, this.cport, this.server, this.sport, false, b, 0, b.length);
  }

  /** Server → client (inbound). */
  in(s: SegmentSpec): number {
    const b = tcpSegment(s);
    return this.ct.check(this.tenant, false, 6, this.server, this.sport, this.client, this.cport, false, b, 0, b.length);
  }

  id(): number {
    return this.ct.lookup(this.tenant, 6, this.client, this.cport, this.server, this.sport);
  }

  state(): string {
    return this.ct.tcpStateName(this.id());
  }

  /** RFC 9293 §3.5 figure 6 three-way handshake with ISNs `c` and `s`; asserts nothing. */
  handshake(c = 1000, s = 5000, extra: Partial<SegmentSpec> = {}): number[] {
    return [
      this.out({ seq: c, flags: SYN, ...extra }),
      this.in({ seq: s, ack: c + 1, flags: SYN | ACK, ...extra }),
      this.out({ seq: c + 1, ack: s + 1, flags: ACK }),
    ];
  }
}

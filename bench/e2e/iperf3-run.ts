import type { LabTopology } from '../../src/control/lab-topology.js';

/**
 * iperf3 between two lab hosts, reduced to the figures the benchmark compares: for UDP the
 * packets the client sent and the packets the server received (the server's report comes back
 * to the client at the end of the test), for TCP the goodput the server received.
 */

export interface UdpResult {
  readonly sentPps: number;
  readonly receivedPps: number;
  readonly lossPercent: number;
}

export interface TcpResult {
  readonly gbitPerSec: number;
  readonly retransmits: number;
}

interface Iperf3Sum {
  seconds: number;
  bytes: number;
  bits_per_second: number;
  packets?: number;
  lost_packets?: number;
  retransmits?: number;
}

interface Iperf3Json {
  error?: string;
  end: { sum_sent: Iperf3Sum; sum_received: Iperf3Sum };
}

async function iperf3(lab: LabTopology, host: string, args: readonly string[], seconds: number): Promise<Iperf3Json> {
  const r = await lab.exec(host, ['iperf3', ...args, '-t', String(seconds), '-J'], { timeoutMs: (seconds + 20) * 1000, check: false });
  let json: Iperf3Json;
  try {
    json = JSON.parse(r.stdout) as Iperf3Json;
  } catch {
    throw new Error('iperf3 ' + args.join(' ') + ' printed no JSON (exit ' + r.code + '): ' + (r.stderr + r.stdout).trim().slice(0, 500));
  }
  if (json.error !== undefined) throw new Error('iperf3 ' + args.join(' ') + ': ' + json.error);
  return json;
}

/** UDP with `payload`-byte datagrams at whatever rate the client manages (`-b 0`). */
export async function udpFlood(lab: LabTopology, client: string, server: string, payload: number, seconds: number): Promise<UdpResult> {
  const j = await iperf3(lab, client, ['-c', server, '-u', '-l', String(payload), '-b', '0'], seconds);
  const sent = j.end.sum_sent.packets ?? 0;
  const recv = j.end.sum_received;
  const received = (recv.packets ?? 0) - (recv.lost_packets ?? 0);
  return {
    sentPps: sent / j.end.sum_sent.seconds,
    receivedPps: received / recv.seconds,
    lossPercent: sent > 0 ? (100 * (sent - received)) / sent : 0,
  };
}

/** One TCP stream; goodput as the server measured it. */
export async function tcpStream(lab: LabTopology, client: string, server: string, seconds: number): Promise<TcpResult> {
  const j = await iperf3(lab, client, ['-c', server], seconds);
  return { gbitPerSec: j.end.sum_received.bits_per_second / 1e9, retransmits: j.end.sum_sent.retransmits ?? 0 };
}

/**
 * bench/state: stateful firewall decisions per second on one core. Baseline in the same run: a
 * bare `lookup` of the same tuples (hash and probe both indexes, nothing checked or updated),
 * so the ratio is the cost of the firewall's checks over finding the connection.
 *   tcp established   data out and ACK in over 65536 established connections, window checked
 *   udp open+reply    a new flow out, its reply in; every 4096 flows the clock moves 200 s and
 *                     expire() frees them (creation, assurance and expiry)
 *   syn refused       SYNs against a full table of assured connections (flood cost)
 *
 * Run: node --expose-gc --import tsx bench/state/conntrack.bench.ts
 *   (BENCH_PACKETS, BENCH_ROUNDS as for bench/xlat)
 */
import { ManualClock } from '../../src/state/clock.js';
import { defaultConnTrackConfig } from '../../src/state/conntrack-config.js';
import { ConnTrack } from '../../src/state/conntrack.js';
import { writeU16, writeU32 } from '../../src/wire/byte-order.js';
import { compare, keep, report, type BenchCase } from '../harness.js';

const FLOWS = 65536;
const TENANT = 1;
const CLIENT = 0x0a000000; // 10.0.0.0: flow f is 10.0.(f >> 8).(f & 255)
const SERVER = 0xc6336407; // 198.51.100.7
const SYN = 0x02, ACK = 0x10;

function segment(flags: number, payload: number): Uint8Array {
  const b = new Uint8Array(20 + payload);
  b[12] = 5 << 4;
  b[13] = flags;
  writeU16(b, 14, 65535);
  return b;
}

function established(): { ct: ConnTrack; clientSeq: Int32Array } {
  const clock = new ManualClock(0);
  const ct = new ConnTrack({ ...defaultConnTrackConfig(), maxConnections: FLOWS * 2 }, clock, 0x9e3779b9);
  const clientSeq = new Int32Array(FLOWS);
  const syn = segment(SYN, 0), synAck = segment(SYN | ACK, 0), ack = segment(ACK, 0);
  for (let f = 0; f < FLOWS; f++) {
    const c = CLIENT + f;
    writeU32(syn, 4, 1000);
    writeU32(synAck, 4, 5000); writeU32(synAck, 8, 1001);
    writeU32(ack, 4, 1001); writeU32(ack, 8, 5001);
    let r = ct.check(TENANT, true, 6, c, 40000, SERVER, 443, false, syn, 0, 20);
    r |= ct.check(TENANT, false, 6, SERVER, 443, c, 40000, false, synAck, 0, 20);
    r |= ct.check(TENANT, true, 6, c, 40000, SERVER, 443, false, ack, 0, 20);
    if (r !== 0) throw new Error('handshake refused: ' + JSON.stringify(ct.drops.snapshot()));
    clientSeq[f] = 1001;
  }
  return { ct, clientSeq };
}

const tcp = established();

const lookupCase: BenchCase = {
  name: 'lookup',
  run(n) {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const f = (i >> 1) & (FLOWS - 1);
      acc += (i & 1) === 0
        ? tcp.ct.lookup(TENANT, 6, CLIENT + f, 40000, SERVER, 443)
        : tcp.ct.lookup(TENANT, 6, SERVER, 443, CLIENT + f, 40000);
    }
    return acc;
  },
};

const data = segment(ACK, 100);
const pureAck = segment(ACK, 0);
writeU32(pureAck, 4, 5001);
const tcpCase: BenchCase = {
  name: 'tcp established',
  run(n) {
    let bad = 0;
    const seqs = tcp.clientSeq;
    for (let i = 0; i < n; i++) {
      const f = (i >> 1) & (FLOWS - 1);
      if ((i & 1) === 0) {
        writeU32(data, 4, seqs[f]!);
        writeU32(data, 8, 5001);
        bad += tcp.ct.check(TENANT, true, 6, CLIENT + f, 40000, SERVER, 443, false, data, 0, data.length);
        seqs[f] = (seqs[f]! + 100) | 0;
      } else {
        writeU32(pureAck, 8, seqs[f]!);
        bad += tcp.ct.check(TENANT, false, 6, SERVER, 443, CLIENT + f, 40000, false, pureAck, 0, pureAck.length);
      }
    }
    if (bad !== 0) throw new Error('tcp established: drops ' + JSON.stringify(tcp.ct.drops.snapshot()));
    return bad;
  },
};

const udpClock = new ManualClock(0);
const udp = new ConnTrack({ ...defaultConnTrackConfig(), maxConnections: 8192 }, udpClock, 0x85ebca6b);
const datagram = new Uint8Array(8 + 64);
let udpNext = 0;
const udpCase: BenchCase = {
  name: 'udp open+reply',
  run(n) {
    let bad = 0;
    for (let i = 0; i < n; i += 2) {
      const k = udpNext++;
      const host = CLIENT + ((k >>> 16) & 0xffff), port = k & 0xffff;
      bad += udp.check(TENANT, true, 17, host, port, SERVER, 53, false, datagram, 0, datagram.length);
      bad += udp.check(TENANT, false, 17, SERVER, 53, host, port, false, datagram, 0, datagram.length);
      if ((k & 4095) === 4095) {
        udpClock.advance(200_000);
        while (udp.expire() > 0);
      }
    }
    if (bad !== 0) throw new Error('udp: drops ' + JSON.stringify(udp.drops.snapshot()));
    return bad;
  },
};

const full = new ConnTrack({ ...defaultConnTrackConfig(), maxConnections: 1024, earlyDrop: true }, new ManualClock(0), 7);
for (let i = 0; i < 1024; i++) {
  full.check(TENANT, true, 17, CLIENT, i, SERVER, 53, false, datagram, 0, 8);
  full.check(TENANT, false, 17, SERVER, 53, CLIENT, i, false, datagram, 0, 8);
}
const floodSyn = segment(SYN, 0);
const synCase: BenchCase = {
  name: 'syn refused',
  run(n) {
    let refused = 0;
    for (let i = 0; i < n; i++) {
      writeU32(floodSyn, 4, i);
      if (full.check(TENANT, true, 6, CLIENT + 1 + (i >>> 16), i & 0xffff, SERVER, 80, false, floodSyn, 0, 20) !== 0) refused++;
    }
    if (refused !== n) throw new Error('syn refused: only ' + refused + ' of ' + n);
    return refused;
  },
};

const n = Number(process.env.BENCH_PACKETS ?? 1_000_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const res = await compare(lookupCase, [tcpCase, udpCase, synCase], n, rounds);
console.log(`node ${process.version}, ${n} packets per round, ${rounds} rounds, medians, ${FLOWS} established connections\n`);
console.log(report('stateful firewall (ConnTrack.check)', res));
void keep();

import { readFileSync } from 'node:fs';

/** One super-segment of vectors.json and scapy's segments for it (see generate.py). */
export interface GsoVector {
  name: string;
  family: 4 | 6;
  protocol: 'tcp' | 'udp';
  /** IP (+ extension) and transport headers of the super-segment, partial checksum in place. */
  headersHex: string;
  payloadLen: number;
  payloadSeed: number;
  vnet: { flags: number; gsoType: number; hdrLen: number; gsoSize: number; csumStart: number; csumOffset: number };
  segments: { headersHex: string; payloadOff: number; payloadLen: number }[];
}

export const gsoVectors: GsoVector[] = JSON.parse(readFileSync(new URL('./vectors.json', import.meta.url), 'utf8')).vectors;

/** The generator's payload: byte i is (i × 31 + seed) mod 256. */
export function gsoPayload(len: number, seed: number): Uint8Array {
  const p = new Uint8Array(len);
  for (let i = 0; i < len; i++) p[i] = (i * 31 + seed) & 0xff;
  return p;
}

/** The super-segment's bytes: headers then payload. */
export function gsoSuperPacket(v: GsoVector): Uint8Array {
  const h = Buffer.from(v.headersHex, 'hex');
  const out = new Uint8Array(h.length + v.payloadLen);
  out.set(h, 0);
  out.set(gsoPayload(v.payloadLen, v.payloadSeed), h.length);
  return out;
}

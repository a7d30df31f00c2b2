import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What `extractFlowTuple` must fill for a vector (addresses as four 32-bit words). */
export interface NaptTuple {
  family: number;
  proto: number;
  src: number[];
  dst: number[];
  srcPort: number;
  dstPort: number;
  icmpError: boolean;
  icmpQueryRequest: boolean;
  tcpFlags: number;
  l4Off: number;
  innerL3Off: number;
  innerL4Off: number;
  l3End: number;
}

/** One rewrite of a vector and the packet scapy built with the rewritten fields. */
export interface NaptRewrite {
  side: 'source' | 'destination';
  addr: string | null;
  port: number;
  hex: string;
}

/** One scapy-built vector of vectors.json (see generate.py). */
export interface NaptVector {
  name: string;
  hex: string;
  drop?: string;
  tuple?: NaptTuple;
  rewrites?: NaptRewrite[];
}

const here = dirname(fileURLToPath(import.meta.url));
export const naptVectors: NaptVector[] = JSON.parse(readFileSync(join(here, 'vectors.json'), 'utf8')).vectors;

export function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** An IPv4 address in the FlowTuple form: ::ffff:a.b.c.d as four words. */
export function mapped4(dotted: string): Uint32Array {
  const [a, b, c, d] = dotted.split('.').map(Number) as [number, number, number, number];
  return Uint32Array.of(0, 0, 0xffff, ((a << 24) | (b << 16) | (c << 8) | d) >>> 0);
}

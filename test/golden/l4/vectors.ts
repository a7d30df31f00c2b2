import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One scapy-built vector of vectors.json (see generate.py for what each field holds). */
export interface L4Vector {
  name: string;
  kind: 'udp' | 'tcp' | 'icmpv4' | 'icmpv6' | 'ndp' | 'vxlan' | 'geneve';
  family: 0 | 4 | 6;
  hex: string;
  l4Offset: number;
  fields: Record<string, unknown>;
}

const here = dirname(fileURLToPath(import.meta.url));
const all: L4Vector[] = JSON.parse(readFileSync(join(here, 'vectors.json'), 'utf8')).vectors;

export function l4Vectors(kind: L4Vector['kind']): L4Vector[] {
  return all.filter((v) => v.kind === kind);
}

export function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

import { readFileSync } from 'node:fs';

/** Typed access to vectors.json, written by generate.py (scapy). */
export interface EthernetVector { hex: string; dst: string; src: string; etherType: number; tags: [number, number][]; payloadOff: number }
export interface ArpVector { hex: string; operation: number; sha: string; spa: string; tha: string; tpa: string }
export interface Ipv4Vector {
  hex: string; ihl: number; totalLen: number; tos: number; ident: number; df: boolean; mf: boolean; fragOffset: number;
  ttl: number; protocol: number; checksum: number; src: string; dst: string; options: string; optionList: [number, number, number][];
}
export interface Ipv6Vector {
  hex: string; trafficClass: number; flowLabel: number; payloadLen: number; nextHeader: number; hopLimit: number;
  src: string; dst: string; exts: [number, number, number][]; upperProtocol: number; upperOff: number;
  frag: { off: number; offset: number; m: boolean; ident: number } | null;
  routing: { off: number; type: number; segmentsLeft: number } | null;
}
export interface RefusedVector { hex: string; family: 4 | 6; drop: string }

export const golden = JSON.parse(readFileSync(new URL('./vectors.json', import.meta.url), 'utf8')) as {
  ethernet: Record<string, EthernetVector>;
  arp: Record<string, ArpVector>;
  ipv4: Record<string, Ipv4Vector>;
  ipv6: Record<string, Ipv6Vector>;
  refused: Record<string, RefusedVector>;
};

export function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function toHex(b: Uint8Array, off = 0, len = b.length - off): string {
  return Buffer.from(b.buffer, b.byteOffset + off, len).toString('hex');
}

/** `bytes` copied to `pad` bytes into a buffer of `pad + bytes.length + tail` filled with 0xa5. */
export function placed(bytes: Uint8Array, pad: number, tail = 0): Uint8Array {
  const b = new Uint8Array(pad + bytes.length + tail).fill(0xa5);
  b.set(bytes, pad);
  return b;
}

export function ipv4(text: string): number {
  const p = text.split('.').map(Number);
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

/** Textual IPv6 address (RFC 4291 §2.2 forms 1 and 2) to its 16 bytes. */
export function ipv6(text: string): Uint8Array {
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const words = (s: string | undefined) => (s ? s.split(':').map((w) => parseInt(w, 16)) : []);
  const h = words(head);
  const t = words(tail);
  const all = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = new Uint8Array(16);
  all.forEach((w, i) => { out[2 * i] = w >>> 8; out[2 * i + 1] = w & 0xff; });
  return out;
}

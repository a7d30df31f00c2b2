import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One step of the golden conversation (see generate.py). */
export interface GatewayStep {
  name: string;
  /** The IP packet fed to the pipeline. */
  in: string;
  /** What must leave, in order. */
  out: string[];
  kinds: ('translated' | 'icmp-error')[];
  /** `stage:reason` when the input must be dropped (its ICMP error may still leave). */
  drop?: string;
  /** IPv4 outputs of NAT64 whose Identification the test zeroes before comparing. */
  zeroIdent?: boolean;
}

const here = dirname(fileURLToPath(import.meta.url));
const data = JSON.parse(readFileSync(join(here, 'vectors.json'), 'utf8')) as { config: string; steps: GatewayStep[] };

/** The conversation's configuration (gateway.yaml) and its steps. */
export const gatewayConfig = readFileSync(join(here, data.config), 'utf8');
export const gatewaySteps: readonly GatewayStep[] = data.steps;

export function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

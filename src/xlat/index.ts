/**
 * The xlat layer's public face: the stateless RFC 7915 translator (`Translator`, its
 * configuration, output batch and drop reasons), the address mapping it is written against
 * (`AddressMapper`; RFC 6052 prefixes, the EAMT of RFC 7757 and the SIIT mapper built from
 * them; the RFC 6791 pool), and the RFC 7915 tables it uses (ICMP mapping, MTU arithmetic, ICMP
 * errors the translator originates). The per-direction engines and their byte helpers stay
 * internal.
 */
export type { AddressMapper } from './address-mapper.js';
export * from './eamt.js';
export * from './icmp-error-builder.js';
export * from './icmp-mapping.js';
export { Ipv4Identification } from './ipv4-identification.js';
export * from './mtu.js';
export * from './rfc6052.js';
export * from './rfc6791-pool.js';
export * from './siit-address-mapper.js';
export { Translator } from './translator.js';
export { checkTranslatorConfig, defaultTranslatorConfig, type TranslatorConfig } from './translator-config.js';
export { TranslatorConfigError } from './translator-config-error.js';
export { XlatDrop, type XlatDropName } from './xlat-drop.js';
export { XlatOutput, XlatOutputKind } from './xlat-output.js';
export { FlowDrop, type FlowDropName } from './flow-drop.js';
export { extractFlowTuple, FlowTuple } from './flow-tuple.js';
export { rewriteDestination, rewriteSource } from './napt-rewrite.js';

export type { AddressMapper } from './address-mapper.js';
export { Ipv4Identification } from './ipv4-identification.js';
export { Translator } from './translator.js';
export { checkTranslatorConfig, defaultTranslatorConfig, type TranslatorConfig } from './translator-config.js';
export { TranslatorConfigError } from './translator-config-error.js';
export { XlatDrop, type XlatDropName } from './xlat-drop.js';
export { XlatOutput, XlatOutputKind } from './xlat-output.js';

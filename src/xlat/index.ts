export type { AddressMapper } from './address-mapper.js';
export { Translator } from './translator.js';
export { defaultTranslatorConfig, type TranslatorConfig } from './translator-config.js';
export { XlatDrop, type XlatDropName } from './xlat-drop.js';
export { XlatOutput, XlatOutputKind } from './xlat-output.js';

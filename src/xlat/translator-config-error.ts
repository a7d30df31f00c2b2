/**
 * A `TranslatorConfig` field holds a value the translator cannot work with. Thrown once, by the
 * `Translator` constructor (`checkTranslatorConfig`), never per packet. `code` is stable for
 * callers to match on; `path` names the field ('lowestIpv6Mtu', 'pool6791', ...), prefixed with
 * the caller's own path when it gave one.
 */
export class TranslatorConfigError extends Error {
  readonly code = 'ERR_TRANSLATOR_CONFIG';
  readonly path: string;
  constructor(path: string, problem: string) {
    super(path + ': ' + problem);
    this.path = path;
  }
  override get name(): string {
    return 'TranslatorConfigError';
  }
}

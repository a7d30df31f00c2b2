import type { AddressMapper } from './address-mapper.js';

/**
 * A mapper whose answer depends on where the address sits (RFC 7757 §4.2 hairpinning: the
 * `SiitAddressMapper` reads `context`, a set of `MAP_CTX_*` bits the translator stores before
 * each mapping). Mappers without the field ignore the context.
 */
export interface MapperContext {
  context: number;
}

/** The mapper itself when it takes a context, else null (checked once at construction). */
export function mapperContext(mapper: AddressMapper): MapperContext | null {
  const m = mapper as unknown as Partial<MapperContext>;
  return typeof m.context === 'number' ? (mapper as unknown as MapperContext) : null;
}

import { Ipv4Prefix } from '../addr/ipv4-prefix.js';
import { parseIpv4, writeIpv4 } from '../addr/ipv4-address.js';
import { parseIpv6 } from '../addr/ipv6-address.js';
import { Ipv6Prefix } from '../addr/ipv6-prefix.js';
import { Eamt } from '../xlat/eamt.js';
import { Rfc6791Pool } from '../xlat/rfc6791-pool.js';
import { SiitAddressMapper, type SiitAddressMapperConfig } from '../xlat/siit-address-mapper.js';
import { Translator } from '../xlat/translator.js';
import { defaultTranslatorConfig, type TranslatorConfig } from '../xlat/translator-config.js';
import { AmbiguousTenantError, ConfigValidationError, UnknownTenantError, type ConfigIssue } from './config-error.js';
import type { NatmeshConfig, SiitConfig } from './config.js';

/** A configured tenant turned into the objects that process its packets. */
export interface TenantRuntime {
  readonly index: number;
  readonly name: string;
  readonly id: number;
  readonly translatorConfig: TranslatorConfig;
  readonly mapper: SiitAddressMapper;
  readonly translator: Translator;
}

/** Most RFC 6791 pool addresses a configuration may list (the translator takes them one by one). */
export const POOL6791_MAX_ADDRESSES = 65536;

/** Translator knob names whose configuration key differs. */
const CONFIG_KEY_OF: Readonly<Record<string, string>> = {
  ipv6SourceForErrors: 'ipv6ErrorSource',
  ipv4SourceForErrors: 'ipv4ErrorSource',
};

/** A validation error raised below `control/` (addresses, EAMT, RFC 6791 pool, translator
 * config): all carry a stable `code` and the field `path`. */
function isFieldError(e: unknown): e is Error & { code: string; path: string } {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'string' && typeof (e as { path?: unknown }).path === 'string';
}

/**
 * The `TranslatorConfig` of a validated `siit` section: knobs left out keep
 * `defaultTranslatorConfig()`; addresses become bytes; pool6791 prefixes are expanded into
 * their addresses. `path` (`tenants[0].siit`) names fields in errors.
 */
export function toTranslatorConfig(siit: SiitConfig, path = 'siit'): TranslatorConfig {
  const c = defaultTranslatorConfig();
  if (siit.resetTrafficClass !== undefined) c.resetTrafficClass = siit.resetTrafficClass;
  if (siit.lowestIpv6Mtu !== undefined) c.lowestIpv6Mtu = siit.lowestIpv6Mtu;
  if (siit.ipv4LinkMtu !== undefined) c.ipv4LinkMtu = siit.ipv4LinkMtu;
  if (siit.ipv6LinkMtu !== undefined) c.ipv6LinkMtu = siit.ipv6LinkMtu;
  if (siit.udpZeroChecksum !== undefined) c.udpZeroChecksum = siit.udpZeroChecksum;
  if (siit.mtuPlateaus !== undefined) c.mtuPlateaus = siit.mtuPlateaus.slice();
  if (siit.decrementTtl !== undefined) c.decrementTtl = siit.decrementTtl;
  if (siit.generateIcmpErrors !== undefined) c.generateIcmpErrors = siit.generateIcmpErrors;
  if (siit.ipv6ErrorSource !== undefined) c.ipv6SourceForErrors = siit.ipv6ErrorSource === null ? null : parseIpv6(siit.ipv6ErrorSource, path + '.ipv6ErrorSource');
  if (siit.ipv4ErrorSource !== undefined && siit.ipv4ErrorSource !== null) {
    const b = new Uint8Array(4);
    writeIpv4(parseIpv4(siit.ipv4ErrorSource, path + '.ipv4ErrorSource'), b, 0);
    c.ipv4SourceForErrors = b;
  }
  if (siit.pool6791 !== undefined) c.pool6791 = pool6791Bytes(siit.pool6791, path + '.pool6791');
  return c;
}

/** RFC 6791 pool prefixes as packed addresses, checked by `Rfc6791Pool` (overlaps, RFC 6791
 * §3.1 private space) first. */
function pool6791Bytes(texts: readonly string[], path: string): Uint8Array {
  const pool = Rfc6791Pool.fromConfig(texts, { path });
  if (pool.size > POOL6791_MAX_ADDRESSES) {
    throw new ConfigValidationError('', [{ path, message: 'the prefixes hold ' + pool.size + ' addresses; at most ' + POOL6791_MAX_ADDRESSES + ' can be configured' }]);
  }
  const out = new Uint8Array(pool.size * 4);
  let o = 0;
  texts.forEach((t, i) => {
    const p = Ipv4Prefix.parse(t, path + '[' + i + ']');
    const n = 2 ** (32 - p.length);
    for (let k = 0; k < n; k++, o += 4) writeIpv4((p.address + k) >>> 0, out, o);
  });
  return out;
}

/** The `SiitAddressMapper` configuration of a validated `siit` section (EAMT built here). */
export function toSiitMapperConfig(siit: SiitConfig, path = 'siit'): SiitAddressMapperConfig {
  return {
    pool6: siit.pool6 === undefined || siit.pool6 === null ? null : Ipv6Prefix.parse(siit.pool6, path + '.pool6'),
    eamt: Eamt.fromConfig(siit.eamt ?? [], path + '.eamt'),
    hairpinning: siit.hairpinning ?? 'off',
    allowNonGlobalWithWkp: siit.allowNonGlobalWithWkp ?? false,
    path,
  };
}

/**
 * Builds tenant `index` of a validated configuration. Throws `ConfigValidationError` naming the
 * field when a table or the translator refuses its settings.
 */
export function buildTenant(config: NatmeshConfig, index: number, source = '<config>'): TenantRuntime {
  const tenant = config.tenants[index];
  if (tenant === undefined) throw new RangeError('no tenant at index ' + index);
  const path = 'tenants[' + index + '].siit';
  try {
    const translatorConfig = toTranslatorConfig(tenant.siit, path);
    const mapper = new SiitAddressMapper(toSiitMapperConfig(tenant.siit, path));
    const translator = new Translator(translatorConfig, mapper);
    return { index, name: tenant.name, id: tenant.id, translatorConfig, mapper, translator };
  } catch (e) {
    if (e instanceof ConfigValidationError) throw new ConfigValidationError(source, e.issues);
    if (isFieldError(e)) throw new ConfigValidationError(source, [fieldIssue(e, path)]);
    throw e;
  }
}

function fieldIssue(e: Error & { path: string }, path: string): ConfigIssue {
  let p = e.path;
  let message = e.message;
  if (p !== '' && message.startsWith(p + ': ')) message = message.slice(p.length + 2);
  // Errors from the translator's own check name its fields, relative to the translator.
  if (p !== '' && !p.startsWith('tenants[')) p = path + '.' + (CONFIG_KEY_OF[p] ?? p);
  return { path: p === '' ? path : p, message };
}

/** What building tenant `index` refuses, or null. */
export function tenantBuildIssue(config: NatmeshConfig, index: number): ConfigIssue | null {
  try {
    buildTenant(config, index);
    return null;
  } catch (e) {
    if (e instanceof ConfigValidationError) return e.issues[0]!;
    throw e;
  }
}

/** Index of the tenant called `name`; with no name, the only tenant. */
export function selectTenant(config: NatmeshConfig, name: string | undefined, source = '<config>'): number {
  const names = config.tenants.map((t) => t.name);
  if (name === undefined) {
    if (names.length === 1) return 0;
    throw new AmbiguousTenantError(source, names);
  }
  const i = names.indexOf(name);
  if (i === -1) throw new UnknownTenantError(source, name, names);
  return i;
}

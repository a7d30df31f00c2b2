/**
 * Errors of configuration loading. One class per condition with a stable `code`; each names the
 * source (file) and, where it applies, the field path (`tenants[0].siit.pool6`) and what is wrong
 * with it. Thrown at startup or by `natmesh config check`, never while packets flow.
 */
export abstract class ConfigError extends Error {
  abstract readonly code: string;
  readonly source: string;
  constructor(source: string, message: string) {
    super(message);
    this.source = source;
  }
  override get name(): string {
    return this.constructor.name;
  }
}

/** The configuration file could not be read. */
export class ConfigReadError extends ConfigError {
  readonly code = 'ERR_CONFIG_READ';
  constructor(source: string, reason: string) {
    super(source, source + ': cannot read the configuration: ' + reason);
  }
}

/** The text is not valid YAML (or has duplicate keys). */
export class ConfigSyntaxError extends ConfigError {
  readonly code = 'ERR_CONFIG_SYNTAX';
  constructor(source: string, reason: string) {
    super(source, source + ': not valid YAML: ' + reason);
  }
}

/** One thing wrong with one field. `path` is '' for the document root. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * The YAML parsed but some fields are wrong: unknown keys, wrong types, values out of range,
 * addresses or prefixes that do not parse, tables that do not build. `issues` lists every
 * problem found; `path` is the first one's, for callers that report a single field.
 */
export class ConfigValidationError extends ConfigError {
  readonly code = 'ERR_CONFIG_INVALID';
  readonly issues: readonly ConfigIssue[];
  readonly path: string;
  constructor(source: string, issues: readonly ConfigIssue[]) {
    super(source, source + ': invalid configuration:\n' + issues.map((i) => '  ' + (i.path === '' ? '(top level)' : i.path) + ': ' + i.message).join('\n'));
    if (issues.length === 0) throw new Error('ConfigValidationError needs at least one issue');
    this.issues = issues;
    this.path = issues[0]!.path;
  }
}

/** A tenant name given on the command line is not in the configuration. */
export class UnknownTenantError extends ConfigError {
  readonly code = 'ERR_UNKNOWN_TENANT';
  readonly tenant: string;
  constructor(source: string, tenant: string, known: readonly string[]) {
    super(source, source + ': no tenant named "' + tenant + '" (configured: ' + (known.length ? known.join(', ') : 'none') + ')');
    this.tenant = tenant;
  }
}

/** Several tenants are configured and the command needs one of them named. */
export class AmbiguousTenantError extends ConfigError {
  readonly code = 'ERR_TENANT_REQUIRED';
  constructor(source: string, known: readonly string[]) {
    super(source, source + ': ' + known.length + ' tenants are configured (' + known.join(', ') + '); choose one with --tenant');
  }
}

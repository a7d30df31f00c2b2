export { EXIT_INPUT, EXIT_OK, EXIT_USAGE, main, type CliIo } from './cli.js';
export {
  AmbiguousTenantError, ConfigError, ConfigReadError, ConfigSyntaxError, ConfigValidationError, UnknownTenantError, type ConfigIssue,
} from './config-error.js';
export { configSchema, formatConfigPath, loadConfigFile, parseConfig, type NatmeshConfig, type SiitConfig, type TenantConfig } from './config.js';
export { formatReplaySummary, replay, type ReplayOptions, type ReplaySummary } from './replay.js';
export {
  buildTenant, POOL6791_MAX_ADDRESSES, selectTenant, tenantBuildIssue, toSiitMapperConfig, toTranslatorConfig, type TenantRuntime,
} from './tenant-runtime.js';

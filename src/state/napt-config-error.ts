/**
 * A `NaptConfig` field holds a value the session table cannot work with, or one the RFCs forbid
 * (a UDP timer under 2 minutes, RFC 4787 REQ-5). Thrown once, by `checkNaptConfig` (the
 * `NaptTable` constructor), never per packet. `code` is stable for callers to match on; `path`
 * names the field ('udpTimeoutMs', 'staticBib[2].outsidePort'), prefixed with the caller's own
 * path when it gave one.
 */
export class NaptConfigError extends Error {
  readonly code = 'ERR_NAPT_CONFIG';
  readonly path: string;
  constructor(path: string, problem: string) {
    super(path + ': ' + problem);
    this.path = path;
  }
  override get name(): string {
    return 'NaptConfigError';
  }
}

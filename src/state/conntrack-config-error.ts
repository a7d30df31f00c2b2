/**
 * A `ConnTrackConfig` field holds a value the connection tracker cannot work with. Thrown once,
 * by `checkConnTrackConfig` (which the `ConnTrack` constructor calls), never per packet. `code`
 * is stable for callers to match on; `path` names the field ('timeouts.tcpEstablished',
 * 'maxConnections', ...), prefixed with the caller's own path when it gave one.
 */
export class ConnTrackConfigError extends Error {
  readonly code = 'ERR_CONNTRACK_CONFIG';
  readonly path: string;
  constructor(path: string, problem: string) {
    super(path + ': ' + problem);
    this.path = path;
  }
  override get name(): string {
    return 'ConnTrackConfigError';
  }
}

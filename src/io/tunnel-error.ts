/**
 * Errors raised while setting up a UDP tunnel port (VXLAN, Geneve). One class per condition,
 * each with a stable `code`. They happen at the edge (`natmesh run` start-up, reload); the packet
 * path counts drops instead (see `TunnelDrop`).
 */
export abstract class TunnelError extends Error {
  abstract readonly code: string;
  /** Name of the port the error is about. */
  readonly port: string;
  constructor(port: string, message: string) {
    super(message);
    this.port = port;
  }
  override get name(): string {
    return this.constructor.name;
  }
}

/** The UDP socket could not be bound: EADDRINUSE (another tunnel endpoint or process has the
 * port), EADDRNOTAVAIL (the address is not on this host), EACCES. */
export class TunnelBindError extends TunnelError {
  readonly code = 'ERR_TUNNEL_BIND';
  /** errno name (`EADDRINUSE`), or '' when the error carried none. */
  readonly errno: string;
  constructor(port: string, address: string, udpPort: number, errno: string, detail: string) {
    super(port, 'tunnel port ' + JSON.stringify(port) + ' cannot listen on ' + address + ':' + udpPort + ': ' + detail);
    this.errno = errno;
  }
}

/** The port's settings are inconsistent (a remote of the other address family than the listen
 * address, a VNI out of range or carried twice). `field` names the option. */
export class TunnelConfigError extends TunnelError {
  readonly code = 'ERR_TUNNEL_CONFIG';
  readonly field: string;
  constructor(port: string, field: string, problem: string) {
    super(port, 'tunnel port ' + JSON.stringify(port) + ': ' + field + ': ' + problem);
    this.field = field;
  }
}

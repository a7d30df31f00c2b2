/**
 * A gateway node refused the datapath it was given (interfaces, routes, tenants): `path` names
 * the field the way the configuration file does (`tenants[0].interfaces[1].vni`), so `natmesh
 * run` and a refused reload can point at it. Thrown at construction and by `reload`, never on the
 * packet path.
 */
export class GatewayConfigError extends Error {
  readonly code = 'ERR_GATEWAY_CONFIG';
  readonly path: string;
  readonly problem: string;
  constructor(path: string, problem: string) {
    super(path + ': ' + problem);
    this.path = path;
    this.problem = problem;
  }
  override get name(): string {
    return 'GatewayConfigError';
  }
}

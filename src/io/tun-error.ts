/**
 * Errors raised while setting up or driving a TUN device. One class per condition, each with a
 * stable `code` to match on and, where the kernel refused something, the errno name (`EPERM`,
 * `EBUSY`, ...) in `errno`. Opening and configuring happen at the edge (`natmesh run` start-up),
 * so throwing is allowed there; the packet path reports drops instead (see `TunDrop`).
 */
export abstract class TunError extends Error {
  abstract readonly code: string;
  /** Interface name the error is about. */
  readonly device: string;
  /** errno name from the kernel, or '' when the error is not a refused system call. */
  readonly errno: string;
  constructor(device: string, errno: string, message: string) {
    super(message);
    this.device = device;
    this.errno = errno;
  }
  override get name(): string {
    return this.constructor.name;
  }
}

/** native/tun/build/tun.node is missing or does not load (not built, or another platform). */
export class TunAddonMissingError extends TunError {
  readonly code = 'ERR_TUN_ADDON_MISSING';
  constructor(path: string, cause: string) {
    super('', '', 'TUN addon ' + path + ' does not load (' + cause + '); build it with `npm run build:native`');
  }
}

/** /dev/net/tun could not be opened or the device not attached (TUNSETIFF): EPERM without
 * CAP_NET_ADMIN, EBUSY when another process holds the device, EINVAL when a device of that name
 * exists with another type or flags, ENOENT when the kernel has no tun driver. */
export class TunOpenError extends TunError {
  readonly code = 'ERR_TUN_OPEN';
  constructor(device: string, errno: string, detail: string) {
    super(device, errno, 'TUN device ' + JSON.stringify(device) + ' does not open: ' + detail + hint(errno));
  }
}

/** The device opened but a configuration ioctl (virtio-net header size, byte order) failed. */
export class TunConfigError extends TunError {
  readonly code = 'ERR_TUN_CONFIG';
  constructor(device: string, errno: string, detail: string) {
    super(device, errno, 'TUN device ' + JSON.stringify(device) + ' cannot be configured: ' + detail);
  }
}

/** A read, or the readiness watcher, failed for a reason other than "no packet queued":
 * the descriptor is gone or the device was deleted under it. */
export class TunIoError extends TunError {
  readonly code = 'ERR_TUN_IO';
  constructor(device: string, errno: string, operation: string) {
    super(device, errno, 'TUN device ' + JSON.stringify(device) + ': ' + operation + ' failed (' + errno + ')');
  }
}

function hint(errno: string): string {
  if (errno === 'EPERM' || errno === 'EACCES') return ' (needs CAP_NET_ADMIN: run as root or grant the capability)';
  if (errno === 'EBUSY') return ' (another process holds the device)';
  if (errno === 'EINVAL') return ' (a device of that name exists with another type or flags)';
  if (errno === 'ENOENT' || errno === 'ENODEV') return ' (no /dev/net/tun: load the tun module)';
  return '';
}

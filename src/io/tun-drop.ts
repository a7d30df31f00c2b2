import { defineDropReasons } from '../wire/drop-reasons.js';

/**
 * Why a TUN device did not move a packet. The device counts these itself (`TunDevice.drops`);
 * writes also return the code so the port can attribute the drop to a tenant.
 */
export const TunDrop = defineDropReasons({
  truncatedRead: 'packet longer than the read buffer; the kernel cut it and it was discarded',
  writeRejected: 'kernel refused the packet (EINVAL: virtio-net header inconsistent with the packet, bad GSO)',
  deviceDown: 'device is administratively down (EIO)',
  queueFull: 'kernel had no buffer for the packet (EAGAIN/ENOBUFS)',
  writeFailed: 'write failed for another reason',
});

import { defineDropReasons } from '../wire/drop-reasons.js';

/**
 * Why a GSO helper (gso.ts) refused a packet: the virtio-net header and the IP packet after it
 * do not agree, or the output cannot hold the result. Codes are returned, never thrown.
 */
export const GsoDrop = defineDropReasons({
  badIpVersion: 'packet after the virtio-net header is neither IPv4 nor IPv6',
  badIpLength: 'IP header or length fields disagree with the packet length',
  fragment: 'an IP fragment carries offload metadata (GSO or a partial checksum)',
  badChecksumOffset: 'csum_start/csum_offset do not name a checksum field inside the packet',
  transportMismatch: 'GSO type does not match the transport protocol or the IP family',
  badTransportHeader: 'transport header truncated or its length field invalid',
  unsupportedGsoType: 'UFO (IP fragmentation offload) or an unknown GSO type',
  badGsoSize: 'GSO segment size is zero, or no room for payload under the MTU',
  notGso: 'segmentation asked for a packet that is not a GSO super-segment',
  needsSegmentation: 'checksum completion asked for a GSO super-segment (each segment has its own)',
  segmentTooBig: 'UDP segments (fixed datagram boundaries) exceed the MTU after translation',
  noRoom: 'output batch has too few frames or bytes for the segments',
});

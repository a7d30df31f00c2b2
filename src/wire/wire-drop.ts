import { defineDropReasons } from './drop-reasons.js';

/**
 * Why a wire codec refused bytes. Every `parseX(view, out)` returns one of these codes
 * (`WireDrop.code.none` = 0 when the bytes parse). Shared by all codecs of this layer so a stage
 * above can count a parse failure without translating codes. Append new reasons at the end.
 */
export const WireDrop = defineDropReasons({
  truncated: 'buffer shorter than the header or the length the header claims',
  badVersion: 'IP version field does not match the codec',
  badHeaderLength: 'header length field below the minimum or beyond the buffer',
  badTotalLength: 'length field disagrees with the buffer',
  badChecksum: 'header or transport checksum does not verify',
  badOption: 'malformed option (length zero, past the end, or bad contents)',
  badExtensionHeader: 'malformed IPv6 extension header chain',
  tooManyExtensionHeaders: 'IPv6 extension header chain longer than the parser follows',
  badFragment: 'fragment fields inconsistent (offset overflow, non-final fragment not a multiple of 8)',
  badLength: 'length field inconsistent with the protocol',
  badType: 'type or code field not valid for this codec',
  badFlags: 'reserved bits or flags set where the protocol forbids them',
  badAddress: 'address not valid for the protocol (multicast source, wrong length)',
  unsupported: 'well-formed but of a kind this codec does not handle',
});
export type WireDropCode = number;

import type { PendingSynSink } from '../state/pending-syn-store.js';
import { Icmpv4Type, Icmpv4UnreachCode } from '../wire/icmpv4.js';
import { IPV4_HEADER_LEN, IPV4_OFF_DST, IPV4_OFF_SRC } from '../wire/ipv4.js';
import { buildIcmpv4Error, mayGenerateIcmpv4Error } from '../xlat/icmp-error-builder.js';
import { XlatOutput, XlatOutputKind } from '../xlat/xlat-output.js';

/**
 * Answers the unsolicited inbound SYNs the session table held for 6 seconds without an outbound
 * SYN arriving for them (RFC 5382 REQ-4, RFC 6146 §3.5.2.2): an ICMP Destination Unreachable,
 * Port Unreachable (type 3, code 3) from the pool address the SYN was sent to, back to its
 * sender, quoting the SYN. The errors are appended to `out` for the port that faces the outside;
 * `answered` counts them, `unanswerable` the held packets an error may not be sent for (RFC
 * 1122 §3.2.2: not for broadcasts and the like) or that did not fit.
 */
export class HeldSynResponder implements PendingSynSink {
  out: XlatOutput;
  answered = 0;
  unanswerable = 0;

  constructor(out = new XlatOutput(64 * 1024, 64)) {
    this.out = out;
  }

  unsolicitedSynExpired(_tenant: number, packet: Uint8Array, off: number, len: number): void {
    if (len < IPV4_HEADER_LEN || packet[off]! >>> 4 !== 4 || !mayGenerateIcmpv4Error(packet, off, len)) {
      this.unanswerable++;
      return;
    }
    const out = this.out;
    const n = buildIcmpv4Error(out.bytes, out.used, out.room(), packet, off + IPV4_OFF_DST, packet, off + IPV4_OFF_SRC,
      Icmpv4Type.DestUnreachable, Icmpv4UnreachCode.Port, 0, packet, off, len);
    if (n === 0) {
      this.unanswerable++;
      return;
    }
    out.push(n, XlatOutputKind.IcmpError);
    this.answered++;
  }
}

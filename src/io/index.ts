export {
  PcapBadFieldError, PcapBadLengthError, PcapBadMagicError, PcapError, PcapTruncatedError, PcapUnsupportedLinkTypeError,
} from './pcap-error.js';
export { linkKindOfPcap, PcapLinkType, pcapLinkTypeOf } from './pcap-link-type.js';
export { PcapReader, PcapRecord, splitTimestamp, type PcapFormat } from './pcap-reader.js';
export { PcapWriter, type PcapWriterOptions } from './pcap-writer.js';
export { PortCounters, type Port, type PortBinding, type PortReceiver } from './port.js';

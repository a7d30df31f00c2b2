export {
  PcapBadFieldError, PcapBadLengthError, PcapBadMagicError, PcapError, PcapTruncatedError, PcapUnsupportedLinkTypeError,
} from './pcap-error.js';
export { linkKindOfPcap, PcapLinkType, pcapLinkTypeOf } from './pcap-link-type.js';
export { PcapReader, PcapRecord, splitTimestamp, type PcapFormat } from './pcap-reader.js';
export { PcapWriter, type PcapWriterOptions } from './pcap-writer.js';
export { PortCounters, type Port, type PortBinding, type PortReceiver } from './port.js';
export { SystemClock, type HoldableClock } from './system-clock.js';
export { TunnelBindError, TunnelConfigError, TunnelError } from './tunnel-error.js';
export { DEFAULT_MAX_FRAME_LEN, TunnelDrop, UdpTunnelPort, type TunnelEncapsulation, type TunnelRemote, type UdpTunnelPortOptions } from './udp-tunnel-port.js';
export { MemoryDrop, MemoryNetwork, MemoryPort, type MemoryEndpoint, type MemoryNetworkOptions, type MemoryPortOptions } from './memory-port.js';
export { GatewayConfigError } from './gateway-config-error.js';
export {
  buildGatewayTables, defaultInterfaceMac, parseMac,
  type GatewayDatapathSpec, type GatewayTables, type GatewayTenantSpec, type InterfaceSpec, type RouteSpec,
} from './gateway-datapath.js';
export {
  GatewayNode,
  type DirectionCounters, type GatewayNodeCounters, type GatewayNodeOptions, type InterfaceCounterView, type PortCounterView,
  type StageCounterView, type TenantCounterView,
} from './gateway-node.js';
export { SuperFrameSegmenter } from './super-frame-segmenter.js';
export { TunPort, TunPortDrop, type TunPortOptions } from './tun-port.js';
export { TunDevice } from './tun-device.js';
export { TunAddonMissingError, TunConfigError, TunError, TunIoError, TunOpenError } from './tun-error.js';

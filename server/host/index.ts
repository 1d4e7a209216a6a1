export {
  HostInfo,
  type HostCpu,
  type HostDisk,
  type HostFacts,
  type HostInfoOptions,
  type HostLoadAverage,
  type HostMemory,
  type HostNetworkInterface,
  type HostOs,
  type HostStatic,
  type SystemInformationApi,
} from './host';

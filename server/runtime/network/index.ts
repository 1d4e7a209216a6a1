/** Container networking through CNI plugins. The engine uses NetworkManager; the rest is for tests and the UI. */
export {
  NetworkManager,
  DEFAULT_NETWORK_NAME,
  DEFAULT_BRIDGE,
  DEFAULT_SUBNET,
  DEFAULT_SUBNET_POOL,
  DEFAULT_CNI_PLUGIN_DIR,
  type NetworkManagerOptions,
} from './manager';
export { parsePortSpec, formatPortMapping, normalizePortMapping, portsClash } from './ports';
export { parseSubnet, overlaps, parseCidrLoose, formatCidr } from './ipv4';
export { validateNetworkName, validateContainerName } from './names';
export { leftovers, type Leftover, type LeftoverKind, type LeftoverScope } from './leftovers';
export { networkMigrations } from './schema';
export type {
  PortMapping,
  HostsEntry,
  IpAssignment,
  NetworkContainer,
  NetworkInfo,
  NetworkSpec,
  AttachOptions,
  AttachResult,
  DetachOptions,
} from './types';

export { lsnsCommand } from './command';
export {
  listInterfaces,
  parseIpAddrJson,
  type InterfaceAddress,
  type InterfaceOptions,
  type InterfaceTarget,
  type NetInterface,
} from './interfaces';
export {
  DEFAULT_NETNS_DIR,
  addNetns,
  deleteNetns,
  listNetns,
  matchNetnsToPids,
  netnsExists,
  validateNetnsName,
  type NamedNetns,
  type NetnsOptions,
} from './netns';
export {
  differingTypes,
  findNamespace,
  getProcessNamespaces,
  readNamespaceProcess,
  readNamespaceProcesses,
  referenceProcess,
  scanNamespaces,
  tallyNamespaces,
  type NamespaceMember,
  type NamespaceMembers,
  type NamespaceProcess,
  type NamespaceRow,
  type NamespaceScan,
  type NamespaceScanOptions,
  type NamespaceTally,
  type ProcessNamespaces,
  type ReferenceProcess,
} from './scan';
export {
  FOR_CHILDREN_TYPES,
  NAMESPACE_TYPES,
  type ForChildrenType,
  type NamespaceInodes,
  type NamespaceType,
} from '@/server/procfs/ns';

export { commandOf, parseCmdline } from './cmdline';
export { isVanished } from './files';
export { getProcess, listProcesses, processContext, type ProcfsOptions } from './list';
export {
  FOR_CHILDREN_TYPES,
  NAMESPACE_TYPES,
  isNamespaceType,
  parseNsLink,
  readNamespaceInode,
  readNamespaceLinks,
  type ForChildrenType,
  type NamespaceInodes,
  type NamespaceType,
  type ProcessNamespaceLinks,
} from './ns';
export { parsePasswd, readUserNames, userNameOf, type UserNames } from './passwd';
export { isPid, listPids } from './pids';
export { DEFAULT_CLOCK_TICKS_PER_SEC, readProcess, type ProcessInfo, type ReadProcessContext } from './process';
export { ProcessSampler, type ProcessSample, type ProcessSamplerOptions } from './sampler';
export { PF_KTHREAD, isKernelThread, parseBootTimeSec, parseProcStat, type ProcStat } from './stat';
export { parseProcStatus, type IdQuad, type ProcStatus } from './status';

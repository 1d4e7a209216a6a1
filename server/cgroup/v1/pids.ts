/**
 * cgroup v1 pids controller. pids is the one controller whose files did not change from v1 to
 * v2 (pids.max with "max", pids.current), so the v2 reader and writer serve both.
 */
import type { ControllerDriver } from '../driver';
import { v2PidsDriver } from '../v2/pids';

export const v1PidsDriver: ControllerDriver = { ...v2PidsDriver, name: 'v1 pids' };

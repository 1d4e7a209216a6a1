import { Badge } from '@/components/ui/Badge';
import type { ContainerState } from '@/server/runtime';
import { stateTones } from './format';

/** The state, with the exit code and an OOM kill where they say why it stopped. */
export function ContainerStateBadge({ state, exitCode, oomKilled }: { state: ContainerState; exitCode?: number | null; oomKilled?: boolean }) {
  const stopped = state === 'exited' || state === 'dead';
  return (
    <span className="inline-flex items-center gap-1" data-testid="container-state" data-state={state}>
      <Badge tone={stateTones[state]}>
        {state}
        {stopped && exitCode !== null && exitCode !== undefined ? ` (${exitCode})` : ''}
      </Badge>
      {oomKilled && <Badge tone="red" title="The kernel's OOM killer ended its process: the memory limit was too low">OOM killed</Badge>}
    </span>
  );
}

import type { ContainerState } from '@/server/runtime';
import type { PortMapping } from '@/server/runtime/spec';

type Tone = 'neutral' | 'accent' | 'green' | 'amber' | 'red' | 'violet';

export const stateTones: Record<ContainerState, Tone> = {
  creating: 'accent',
  created: 'neutral',
  running: 'green',
  paused: 'violet',
  restarting: 'amber',
  exited: 'neutral',
  dead: 'red',
};

/** `127.0.0.1:18080 → 8080/tcp`, docker ps style. */
export function portText(p: PortMapping): string {
  return `${p.hostIp ? `${p.hostIp}:` : ''}${p.hostPort} → ${p.containerPort}/${p.protocol}`;
}

export function shortId(id: string): string {
  return id.slice(0, 12);
}

/** Which actions make sense in a state (docker's rules: pause only while running, etc.). */
export function actionsFor(state: ContainerState) {
  return {
    start: state === 'created' || state === 'exited' || state === 'dead',
    stop: state === 'running' || state === 'paused' || state === 'restarting',
    restart: state === 'running' || state === 'paused' || state === 'exited' || state === 'dead',
    pause: state === 'running',
    unpause: state === 'paused',
    /** A live container needs force (it is killed first). */
    removeNeedsForce: state === 'running' || state === 'paused' || state === 'restarting' || state === 'created' || state === 'creating',
  };
}

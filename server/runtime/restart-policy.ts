/**
 * The restart policy as a pure decision: given how a container ended, restart it and after how
 * long? docker's rules: a manual stop is never undone; on-failure only for a non-zero exit and
 * at most N times; the delay doubles from 100 ms up to a minute, and starts over after a run
 * that lasted at least 10 s.
 */
import type { RestartPolicy } from './spec';

export const firstDelayMs = 100;
export const maxDelayMs = 60_000;
export const resetAfterRunMs = 10_000;

export interface ExitFacts {
  policy: RestartPolicy;
  exitCode: number | null;
  restartCount: number;
  stoppedByUser: boolean;
  /** How long the last run lasted. */
  ranForMs: number;
  /** Delay before the previous restart; 0 for none. */
  previousDelayMs: number;
}

export type RestartDecision = { restart: false; reason: string } | { restart: true; delayMs: number };

export function decideRestart(f: ExitFacts): RestartDecision {
  if (f.policy.name === 'no') return { restart: false, reason: 'restart policy is no' };
  if (f.stoppedByUser) return { restart: false, reason: 'stopped by a user' };
  if (f.policy.name === 'on-failure') {
    if (f.exitCode === 0) return { restart: false, reason: 'exited with 0' };
    if (f.policy.maxRetries !== undefined && f.restartCount >= f.policy.maxRetries) {
      return { restart: false, reason: `gave up after ${f.restartCount} restarts` };
    }
  }
  const delayMs = f.ranForMs >= resetAfterRunMs || f.previousDelayMs === 0 ? firstDelayMs : Math.min(maxDelayMs, f.previousDelayMs * 2);
  return { restart: true, delayMs };
}

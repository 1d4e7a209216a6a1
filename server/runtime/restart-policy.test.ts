import { describe, expect, it } from 'vitest';
import { decideRestart, type ExitFacts } from './restart-policy';

const base: ExitFacts = { policy: { name: 'always' }, exitCode: 1, restartCount: 0, stoppedByUser: false, ranForMs: 50, previousDelayMs: 0 };

describe('decideRestart', () => {
  it('never restarts with policy no or after a manual stop', () => {
    expect(decideRestart({ ...base, policy: { name: 'no' } }).restart).toBe(false);
    expect(decideRestart({ ...base, stoppedByUser: true }).restart).toBe(false);
  });
  it('on-failure: only non-zero exits, at most N times', () => {
    const p = { name: 'on-failure' as const, maxRetries: 2 };
    expect(decideRestart({ ...base, policy: p, exitCode: 0 }).restart).toBe(false);
    expect(decideRestart({ ...base, policy: p, restartCount: 1 }).restart).toBe(true);
    expect(decideRestart({ ...base, policy: p, restartCount: 2 })).toEqual({ restart: false, reason: 'gave up after 2 restarts' });
    expect(decideRestart({ ...base, policy: { name: 'on-failure' }, restartCount: 99 }).restart).toBe(true);
    expect(decideRestart({ ...base, policy: p, exitCode: null }).restart).toBe(true);
  });
  it('always: also after exit 0', () => {
    expect(decideRestart({ ...base, exitCode: 0 })).toEqual({ restart: true, delayMs: 100 });
  });
  it('backs off exponentially, capped, and resets after a long run', () => {
    expect(decideRestart({ ...base, previousDelayMs: 100 })).toEqual({ restart: true, delayMs: 200 });
    expect(decideRestart({ ...base, previousDelayMs: 40_000 })).toEqual({ restart: true, delayMs: 60_000 });
    expect(decideRestart({ ...base, previousDelayMs: 40_000, ranForMs: 10_000 })).toEqual({ restart: true, delayMs: 100 });
  });
});

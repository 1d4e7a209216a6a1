import { describe, expect, it } from 'vitest';
import { PointStore } from './store';

describe('PointStore', () => {
  it('folds live samples into the bucket they fall in and drops points past the window', () => {
    const s = new PointStore();
    let notified = 0;
    s.subscribe(() => notified++);
    s.set([{ t: 0, cpu: 1 }]);
    s.append({ t: 3000, cpu: 2 }, 3000, 9000);
    s.append({ t: 4000, cpu: 4 }, 3000, 9000);
    expect(s.getSnapshot()).toEqual([{ t: 0, cpu: 1 }, { t: 3000, cpu: 3 }]);
    s.append({ t: 12_500, cpu: null }, 3000, 9000);
    expect(s.getSnapshot().map((p) => p.t)).toEqual([3000, 12_000]);
    s.append({ t: 100, cpu: 9 }, 3000, 9000); // late: ignored
    expect(s.getSnapshot()).toHaveLength(2);
    expect(notified).toBe(4);
  });
  it('hands a new array to subscribers on every change (a chart re-renders), the same one otherwise', () => {
    const s = new PointStore();
    const a = s.getSnapshot();
    expect(s.getSnapshot()).toBe(a);
    s.append({ t: 1000, x: 1 }, 1000, 60_000);
    expect(s.getSnapshot()).not.toBe(a);
  });
});

// lib/clock.ts: the default clock is Date.now, read on every call.
import { systemClock } from '../lib/clock';

afterEach(() => {
  jest.useRealTimers();
});

describe('systemClock: the time in milliseconds, read from Date.now at each call', () => {
  test('control: it is the current time in milliseconds', () => {
    const before = Date.now();
    const now = systemClock();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  test('fake timers installed after it was imported are honoured (the clock is not a kept reference)', () => {
    jest.useFakeTimers({ now: new Date('2030-01-02T03:04:05.000Z') });
    expect(systemClock()).toBe(Date.UTC(2030, 0, 2, 3, 4, 5));
    jest.advanceTimersByTime(1500);
    expect(systemClock()).toBe(Date.UTC(2030, 0, 2, 3, 4, 6, 500));
  });
});

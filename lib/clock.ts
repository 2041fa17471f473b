/**
 * The default clock: reads `Date.now` on every call rather than keeping a reference to it, so
 * that fake timers installed after construction (jest.useFakeTimers, sinon) are honoured.
 */
export const systemClock = (): number => Date.now();

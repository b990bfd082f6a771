/** A clock tests move by hand (injected where code takes `now`). */
export function mockClock(start = 1_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

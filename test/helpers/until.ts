/** Polls `check` until it gives something truthy (no time assertion: the test's own timeout is the limit). */
export async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>, everyMs = 20): Promise<T> {
  for (;;) {
    const value = await check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls fn until ok(value) or the time is up; answers the last value (the caller asserts on it). */
export async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await sleep(25);
  }
}

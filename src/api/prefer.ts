/** RFC 7240 `Prefer` for bulk calls: `respond-async` and `wait=N` (seconds). */
export interface Preference {
  respondAsync: boolean;
  waitSeconds: number;
  /** What to echo in Preference-Applied. */
  applied: string[];
}

export const DEFAULT_WAIT_SECONDS = 10;
export const MAX_WAIT_SECONDS = 300;

export function parsePrefer(header: string | string[] | undefined): Preference {
  const pref: Preference = { respondAsync: false, waitSeconds: DEFAULT_WAIT_SECONDS, applied: [] };
  const values = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(/[,;]/);
  for (const raw of values) {
    const token = raw.trim().toLowerCase();
    if (token === 'respond-async') {
      pref.respondAsync = true;
      pref.applied.push('respond-async');
    } else if (token.startsWith('wait=')) {
      const n = Number(token.slice(5));
      // RFC 7240 says to ignore a preference that cannot be honoured; a bad value falls back.
      if (Number.isFinite(n) && n >= 0) {
        pref.waitSeconds = Math.min(n, MAX_WAIT_SECONDS);
        pref.applied.push(`wait=${pref.waitSeconds}`);
      }
    }
  }
  return pref;
}

/**
 * The load of the soak run (bench/soak.ts): single-entity calls in a few concurrent loops and a
 * stream of bulk patches, with counts of what was answered.
 */
export interface Stats {
  requests: number;
  byStatus: Record<number, number>;
  serverErrors: number;
  latenciesMs: number[];
  jobs: string[];
}

export const newStats = (): Stats => ({ requests: 0, byStatus: {}, serverErrors: 0, latenciesMs: [], jobs: [] });

export interface Target {
  base: string;
  token: string;
  spaceId: string;
  /** Bulk jobs select by this label; values 0..groups-1. */
  groups: number;
}

async function call(t: Target, stats: Stats, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const started = performance.now();
  const res = await fetch(t.base + path, {
    method,
    headers: { authorization: `Bearer ${t.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }).catch(() => null);
  const status = res?.status ?? 0;
  const text = res ? await res.text() : '';
  stats.requests++;
  stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
  if (status === 0 || status >= 500) stats.serverErrors++;
  stats.latenciesMs.push(performance.now() - started);
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status, json };
}

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;

/**
 * One client: creates its own invocations and works on them (get, merge patch, PUT with the
 * Version read, list, delete), keeping about `keep` alive so the table does not grow.
 */
export async function singleEntityLoop(t: Target, stats: Stats, id: number, until: () => boolean, keep = 50): Promise<void> {
  const mine: string[] = [];
  const path = (inv: string) => `/space/${t.spaceId}/invocation/${inv}`;
  let n = 0;
  while (!until()) {
    const op = mine.length < keep ? 'create' : pick(['get', 'get', 'patch', 'put', 'list', 'delete', 'create']);
    const inv = mine.length > 0 ? pick(mine) : undefined;
    if (op === 'create' || !inv) {
      const res = await call(t, stats, 'POST', `/space/${t.spaceId}/invocation`, {
        Slug: `soak-${id}-${n++}-${Date.now()}`,
        ToolchainType: 'Kubernetes/YAML',
        Labels: { group: String(n % t.groups), loop: String(id) },
      });
      if (res.status === 200) mine.push(res.json.InvocationID);
    } else if (op === 'get') {
      await call(t, stats, 'GET', path(inv));
    } else if (op === 'patch') {
      await call(t, stats, 'PATCH', path(inv), { Annotations: { touched: String(Date.now()) } }, { 'content-type': 'application/merge-patch+json' });
    } else if (op === 'put') {
      const got = await call(t, stats, 'GET', path(inv));
      if (got.status === 200) await call(t, stats, 'PUT', path(inv), { ...got.json.Invocation, DisplayName: `put ${Date.now()}` });
    } else if (op === 'list') {
      await call(t, stats, 'GET', `/space/${t.spaceId}/invocation?limit=50&where=${encodeURIComponent(`Labels.loop = '${id}'`)}`);
    } else {
      const res = await call(t, stats, 'DELETE', path(inv));
      if (res.status === 200) mine.splice(mine.indexOf(inv), 1);
    }
  }
}

/** Submits a bulk patch of one label group every `everyMs`, asynchronously; records the job ids. */
export async function bulkStream(t: Target, stats: Stats, everyMs: number, until: () => boolean): Promise<void> {
  let k = 0;
  while (!until()) {
    const where = encodeURIComponent(`Labels.group = '${k++ % t.groups}'`);
    const res = await call(t, stats, 'PATCH', `/invocation?where=${where}`, { Labels: { bulk: String(k) } }, { prefer: 'respond-async' });
    if (res.status === 202) stats.jobs.push(res.json.JobID);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Least-squares slope of y over x. */
export function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

import autocannon from 'autocannon';

/** One load run: requests per second and latency percentiles in milliseconds. */
export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  /** Non-2xx answers, errors and timeouts: a run with any is not a valid measurement. */
  bad: number;
}

export interface LoadTarget {
  baseUrl: string;
  /** Sent with every request (the bearer token for the real API; nothing for the floor). */
  headers: Record<string, string>;
  spaceOf: Map<string, string>;
}

export interface LoadOptions {
  connections: number;
  seconds: number;
}

/**
 * GET or PATCH of one invocation under `connections` concurrent connections, each request on a
 * random entity of the sample (a PATCH sets DisplayName to a new value, so every one writes).
 */
export async function load(target: LoadTarget, method: 'GET' | 'PATCH', opts: LoadOptions): Promise<LoadResult> {
  const ids = [...target.spaceOf.keys()];
  let n = 0;
  const path = () => {
    const id = ids[Math.floor(Math.random() * ids.length)] as string;
    return `/space/${target.spaceOf.get(id)}/invocation/${id}`;
  };
  const request =
    method === 'GET'
      ? { method, setupRequest: (req: object) => ({ ...req, path: path() }) }
      : {
          method,
          headers: { ...target.headers, 'content-type': 'application/merge-patch+json' },
          setupRequest: (req: object) => ({ ...req, path: path(), body: JSON.stringify({ DisplayName: `load ${++n}` }) }),
        };
  const res = await autocannon({
    url: target.baseUrl,
    connections: opts.connections,
    duration: opts.seconds,
    headers: target.headers,
    requests: [request],
  });
  return {
    rps: res.requests.average,
    p50: res.latency.p50,
    p99: res.latency.p99,
    requests: res.requests.total,
    bad: res.non2xx + res.errors + res.timeouts,
  };
}

export interface ApiRow {
  call: 'GET' | 'PATCH';
  ours: LoadResult;
  floor: LoadResult;
  /** ours.rps / floor.rps */
  share: number;
}

/** Each call against the real API, then against the bare floor, after a short warm-up of each. */
export async function compareApi(ours: LoadTarget, floor: LoadTarget, opts: LoadOptions): Promise<ApiRow[]> {
  if (opts.seconds >= 5) {
    // Both servers start cold (JIT, pools); short runs (the smoke test) skip this.
    const warm = { connections: opts.connections, seconds: 2 };
    await load(ours, 'GET', warm);
    await load(floor, 'GET', warm);
  }
  const rows: ApiRow[] = [];
  for (const call of ['GET', 'PATCH'] as const) {
    const o = await load(ours, call, opts);
    const f = await load(floor, call, opts);
    rows.push({ call, ours: o, floor: f, share: f.rps > 0 ? o.rps / f.rps : 0 });
  }
  return rows;
}

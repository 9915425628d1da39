import type { BulkBenchResults } from './run.ts';

/**
 * The service's speed targets on a 2-core machine shared by the API, the workers and PostgreSQL,
 * each checked against one run's figures. `met` is null where the run cannot judge the target
 * (RSS of a job smaller than 1,000,000 entities, a load run with answers that were not 2xx); a
 * target the run did not measure at all (no load run, a single job size) is left out.
 */
export interface TargetCheck {
  /** Stable key: `patch-floor`, `delete-naive`, `flatness`, `rss`, `get`, ... */
  id: string;
  target: string;
  measured: string;
  met: boolean | null;
}

export const TARGETS = {
  /** ours / floor time, at most. */
  overFloor: { patch: 2, clone: 2, delete: 3 },
  /** naive / ours time, at least. */
  overNaive: 50,
  /** The dearest job size's cost per entity over the cheapest's, at most (10,000 to 1,000,000: within 25%). */
  flatness: 1.25,
  /** Worker peak RSS during the 1,000,000-entity patch, below. */
  rssMiB: 512,
  rssAtEntities: 1_000_000,
  /** Single GET at 50 connections: at least this share of the bare route, p99 below this. */
  getShare: 0.6,
  getP99Ms: 50,
} as const;

const x = (v: number, digits = 2) => `${v.toFixed(digits)}x`;

export function checkTargets(r: Omit<BulkBenchResults, 'targets'>): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const b of r.bulk) {
    const limit = TARGETS.overFloor[b.op];
    out.push({ id: `${b.op}-floor`, target: `${b.op}: at most ${limit}x the floor's time`, measured: x(b.oursOverFloor), met: b.oursOverFloor <= limit });
  }
  for (const b of r.bulk) {
    const naiveOverFloor = b.naiveSeconds / b.floorSeconds;
    out.push({
      id: `${b.op}-naive`,
      target: `${b.op}: at least ${TARGETS.overNaive}x faster than the naive loop`,
      measured: `${x(b.naiveOverOurs, 1)} (naive / floor ${x(naiveOverFloor, 1)})`,
      met: b.naiveOverOurs >= TARGETS.overNaive,
    });
  }
  if (r.scale.length > 1) {
    const ours = r.scale.map((s) => s.oursMicrosPerEntity);
    const floor = r.scale.map((s) => s.floorMicrosPerEntity);
    const spread = Math.max(...ours) / Math.min(...ours);
    const sizes = r.scale.map((s) => s.entities.toLocaleString('en-US')).join(', ');
    out.push({
      id: 'flatness',
      target: `bulk patch cost per entity within ${Math.round((TARGETS.flatness - 1) * 100)}% across ${sizes} entities`,
      measured: `dearest / cheapest ${x(spread)} (the floor's own ${x(Math.max(...floor) / Math.min(...floor))})`,
      met: spread <= TARGETS.flatness,
    });
  }
  const n = r.bulk[0]?.entities ?? 0;
  if (r.bulk.length > 0) {
    const atSize = n >= TARGETS.rssAtEntities;
    out.push({
      id: 'rss',
      target: `worker peak RSS under ${TARGETS.rssMiB} MiB at ${TARGETS.rssAtEntities.toLocaleString('en-US')} entities`,
      measured: `${r.workerPeakRssMiB.toFixed(0)} MiB at ${n.toLocaleString('en-US')}`,
      met: atSize ? r.workerPeakRssMiB < TARGETS.rssMiB : null,
    });
  }
  const get = r.api.find((a) => a.call === 'GET');
  if (get) {
    const measurement = get.ours.bad === 0 && get.floor.bad === 0;
    out.push({
      id: 'get',
      target: `GET: at least ${TARGETS.getShare} of the bare route, p99 under ${TARGETS.getP99Ms} ms`,
      measured: measurement ? `${get.share.toFixed(2)}, p99 ${get.ours.p99} ms` : 'no measurement (answers not 2xx)',
      met: measurement ? get.share >= TARGETS.getShare && get.ours.p99 < TARGETS.getP99Ms : null,
    });
  }
  return out;
}

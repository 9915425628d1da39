import type { BulkBenchResults } from './run.ts';

function table(head: string[], body: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

const f = (x: number, digits = 2) => x.toFixed(digits);
const int = (x: number) => Math.round(x).toLocaleString('en-US');

/** The printed report: one table per question the benchmark answers. */
export function formatResults(r: BulkBenchResults): string {
  const parts: string[] = [];
  if (r.bulk.length > 0) parts.push(
    `bulk jobs end to end (HTTP submit with Prefer: respond-async until every result is durable), ${int(r.bulk[0]?.entities ?? 0)} entities`,
    table(
      ['operation', 'ours s', 'ours entities/s', 'floor s', 'floor entities/s', 'ours / floor', 'naive s (extrapolated)', 'naive / ours', 'naive / floor'],
      r.bulk.map((b) => [
        b.op, f(b.oursSeconds), int(b.oursPerSecond), f(b.floorSeconds), int(b.floorPerSecond), f(b.oursOverFloor),
        f(b.naiveSeconds, 0), f(b.naiveOverOurs, 1), f(b.naiveSeconds / b.floorSeconds, 1),
      ]),
    ),
    '',
    `naive loop: ${r.naive.sample} entities each for patch, clone and delete (findOne, change, flush per entity);`,
    'naive / floor is the most any per-entity-correct implementation could reach for naive / ours',
    '',
    'bulk patch cost per entity by job size (a smaller job runs several times, on other blocks each time: medians)',
    table(
      ['entities', 'ours us/entity', 'floor us/entity', 'ours / floor', 'ours runs', 'floor runs'],
      r.scale.map((s) => [
        int(s.entities), f(s.oursMicrosPerEntity, 1), f(s.floorMicrosPerEntity, 1), f(s.oursMicrosPerEntity / s.floorMicrosPerEntity),
        s.oursRuns.map((x) => f(x, 1)).join(' '), s.floorRuns.map((x) => f(x, 1)).join(' '),
      ]),
    ),
  );
  if (r.undo.length > 0) {
    parts.push(
      '',
      'what recording undo data costs (the same jobs again with BULK_RECORD_UNDO=false)',
      table(
        ['operation', 'with undo s', 'without undo s', 'undo share of the time', 'with / floor', 'without / floor'],
        r.undo.map((u) => [
          u.op, f(u.withUndoSeconds), f(u.withoutUndoSeconds), `${f((1 - u.withoutUndoSeconds / u.withUndoSeconds) * 100, 0)}%`,
          f(u.withUndoSeconds / u.floorSeconds), f(u.withoutUndoSeconds / u.floorSeconds),
        ]),
      ),
    );
  }
  if (r.api.length > 0) {
    parts.push(
      '',
      'single-entity calls, 50 connections (floor: bare Fastify route, same query with pg, no auth)',
      table(
        ['call', 'ours req/s', 'ours p50 ms', 'ours p99 ms', 'floor req/s', 'floor p50 ms', 'floor p99 ms', 'ours / floor', 'not 2xx (ours, floor)'],
        r.api.map((a) => [a.call, int(a.ours.rps), String(a.ours.p50), String(a.ours.p99), int(a.floor.rps), String(a.floor.p50), String(a.floor.p99), f(a.share), `${int(a.ours.bad)}, ${int(a.floor.bad)}`]),
      ),
    );
    if (r.api.some((a) => a.ours.bad > 0 || a.floor.bad > 0)) {
      parts.push('NOT A MEASUREMENT: some answers were not 2xx (errors, timeouts or refusals); the request rates above count them');
    }
  }
  if (r.measurements.length > 0) {
    parts.push(
      '',
      'what the PostgreSQL server and the machine did during each bulk measurement, in the order run (checkpoints',
      'the server began, WAL it wrote, autovacuum and autoanalyze runs on the tables; CPU seconds of all cores:',
      'busy, idle waiting on the disk, taken by the host)',
      table(
        ['measurement', 'entities', 's', 'checkpoints', 'WAL MiB', 'WAL KiB/entity', 'autovacuums', 'CPU busy s', 'iowait s', 'steal s'],
        r.measurements.map((m) => [
          `${m.kind} ${m.op}`, int(m.entities), f(m.seconds), String(m.checkpoints), f(m.walMiB, 0), f((m.walMiB * 1024) / m.entities, 1),
          String(m.autovacuums),
          m.cpu ? f(m.cpu.busy) : '-', m.cpu ? f(m.cpu.iowait) : '-', m.cpu ? f(m.cpu.steal) : '-',
        ]),
      ),
    );
    const phased = r.measurements.filter((m) => m.phases);
    if (phased.length > 0) parts.push(
      '',
      "inside each job through the service, from the workers' logs: planning, and the median chunk in each tenth",
      "of the job's chunks in chunk order (a job that slows down or speeds up part way shows it here)",
      table(
        ['measurement', 'entities', 'plan s', 'chunks', 'median chunk ms, first tenth to last'],
        phased.map((m) => [
          `${m.kind} ${m.op}`, int(m.entities), f(m.phases!.planSeconds), int(m.phases!.chunks),
          m.phases!.chunkMsByTenth.map((x) => f(x, 0)).join(' '),
        ]),
      ),
    );
  }
  parts.push('', `worker peak RSS: ${f(r.workerPeakRssMiB, 0)} MiB`);
  const load = (x: unknown) => (Array.isArray(x) ? x.map((v: number) => v.toFixed(2)).join(' ') : '?');
  parts.push(`load average before: ${load(r.meta.loadBefore)}, after: ${load(r.meta.loadAfter)}`);
  const pgServer = Object.entries((r.meta.pgServer ?? {}) as Record<string, string>);
  if (pgServer.length > 0) parts.push(`PostgreSQL ${String(r.meta.pg ?? '?')}: ${pgServer.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  const pgSettings = Object.entries((r.meta.pgSettings ?? {}) as Record<string, string>);
  if (pgSettings.length > 0) parts.push(`PostgreSQL settings for this run (--pg-set): ${pgSettings.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  const targets = r.targets;
  if (targets.length > 0) {
    const verdict = (met: boolean | null) => (met === null ? 'not measured' : met ? 'met' : 'NOT MET');
    const method = r.meta.checkpointBeforeEach === false ? '; this run: no checkpoint before each job' : '';
    parts.push('', `targets, for 2 cores shared by the API, the workers and PostgreSQL (RSS: at 1,000,000 entities${method})`, table(['target', 'this run', ''], targets.map((t) => [t.target, t.measured, verdict(t.met)])));
  }
  return parts.join('\n');
}

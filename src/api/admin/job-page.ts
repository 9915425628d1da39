import type { JobResource } from '../../domain/bulk/job-view.ts';
import type { JobState } from '../../domain/bulk/bulk.db.ts';
import { Html, html, scriptJson } from './html.ts';
import { JOB_PAGE_SCRIPT } from './job-page.script.ts';

/**
 * A button on the job page: a POST to an existing job endpoint, shown only in the states where it
 * applies. The page needs nothing else to offer a new control: add an entry here when its
 * endpoint exists (Revert, Pause and Resume are expected to join Cancel).
 */
export interface JobAction {
  id: string;
  label: string;
  /** The endpoint, relative to the service root. */
  path: (jobId: string) => string;
  states: readonly JobState[];
  /** Asked before the call; the call changes data or stops work. */
  confirm: string;
}

export const JOB_ACTIONS: readonly JobAction[] = [
  {
    id: 'cancel',
    label: 'Cancel',
    path: (id) => `/job/${id}/cancel`,
    states: ['queued', 'running', 'paused'],
    confirm: 'Cancel this job? Entities not reached yet will not be processed.',
  },
  {
    id: 'pause',
    label: 'Pause',
    path: (id) => `/job/${id}/pause`,
    states: ['queued', 'running'],
    confirm: 'Pause this job? Chunks in flight finish; nothing new starts until it is resumed.',
  },
  {
    id: 'resume',
    label: 'Resume',
    path: (id) => `/job/${id}/resume`,
    states: ['paused'],
    confirm: 'Resume this job where it stopped?',
  },
  {
    id: 'revert',
    label: 'Revert',
    path: (id) => `/job/${id}/revert`,
    states: ['completed', 'failed', 'cancelled'],
    confirm: 'Revert this job? Every entity it changed gets its earlier state back, unless it changed since.',
  },
];

export interface FailedEntity {
  entityId: string;
  slug: string;
  status: number | string;
  category: string;
  message: string;
}

/** Per-entity results in the Invocation API shape, reduced to what the failures table shows. */
export function failedEntities(results: ReadonlyArray<Record<string, unknown>>): FailedEntity[] {
  return results.map((r) => {
    const e = (r.Error ?? {}) as { Status?: number; ErrorCategory?: string; Message?: string; ErrorMetadata?: { EntityID?: string; EntitySlug?: string } };
    return {
      entityId: e.ErrorMetadata?.EntityID ?? '',
      slug: e.ErrorMetadata?.EntitySlug ?? '',
      status: e.Status ?? '',
      category: e.ErrorCategory ?? '',
      message: e.Message ?? String(r.Message ?? ''),
    };
  });
}

export interface Rates {
  done: number;
  percent: number;
  /** Entities per second since the job started; null before it started. */
  perSecond: number | null;
  /** Seconds left at that rate; null when unknown or finished. */
  etaSeconds: number | null;
}

/** The same arithmetic runs in the page's script on every update (see job-page.script.ts). */
export function rates(job: JobResource, now = Date.now()): Rates {
  const done = job.Succeeded + job.Failed;
  const percent = job.Total ? Math.min(100, (100 * done) / job.Total) : job.Total === 0 ? 100 : 0;
  const start = job.StartedAt ? Date.parse(job.StartedAt) : null;
  const end = job.FinishedAt ? Date.parse(job.FinishedAt) : now;
  const seconds = start === null ? 0 : (end - start) / 1000;
  const perSecond = start === null ? null : seconds > 0 ? done / seconds : 0;
  const running = job.State === 'running' || job.State === 'queued';
  const etaSeconds = running && perSecond && job.Pending !== undefined ? job.Pending / perSecond : null;
  return { done, percent, perSecond, etaSeconds };
}

export const formatRate = (r: number | null) => (r === null ? '—' : `${r.toFixed(1)} entities/s`);
export function formatEta(s: number | null): string {
  if (s === null) return '—';
  if (s < 60) return `${Math.ceil(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.ceil(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.ceil((s % 3600) / 60)} min`;
}

const count = (n: number | undefined) => (n === undefined ? '—' : String(n));

function summary(job: JobResource, r: Rates): Html {
  return html`<section id="summary" aria-label="Job state">
    <h1>Job <code>${job.JobID}</code></h1>
    <dl>
      <dt>State</dt><dd><span id="job-state" class="state state-${job.State}">${job.State}</span></dd>
      <dt>Operation</dt><dd id="job-operation">${job.Operation}${job.DryRun ? ' (dry run)' : ''}</dd>
      <dt>Created</dt><dd id="job-created">${job.CreatedAt}</dd>
      <dt>Started</dt><dd id="job-started">${job.StartedAt ?? '—'}</dd>
      <dt>Finished</dt><dd id="job-finished">${job.FinishedAt ?? '—'}</dd>
      <dt>Error</dt><dd id="job-error" class="error">${job.Error ? `${job.Error.Status}: ${job.Error.Message}` : '—'}</dd>
    </dl>
  </section>
  <section id="progress-section" aria-label="Progress">
    <h2>Progress</h2>
    <progress id="job-progress" max="100" value="${r.percent.toFixed(1)}"></progress>
    <p><span id="job-percent">${r.percent.toFixed(1)}%</span> · <span id="job-done">${r.done}</span> of
      <span id="job-total-inline">${count(job.Total)}</span> entities ·
      throughput <span id="job-rate">${formatRate(r.perSecond)}</span> · ETA <span id="job-eta">${formatEta(r.etaSeconds)}</span></p>
    <table class="counts"><thead><tr><th>Total</th><th>Succeeded</th><th>Failed</th><th>Pending</th></tr></thead>
      <tbody><tr><td id="count-total">${count(job.Total)}</td><td id="count-succeeded">${job.Succeeded}</td>
      <td id="count-failed">${job.Failed}</td><td id="count-pending">${count(job.Pending)}</td></tr></tbody></table>
    <p class="muted" id="live-status">${job.State === 'running' || job.State === 'queued' ? 'live: connecting…' : 'finished'}</p>
  </section>`;
}

function actions(job: JobResource, list: readonly JobAction[]): Html {
  const buttons = list.map(
    (a) => html`<button type="button" class="action" data-action="${a.id}" data-path="${a.path(job.JobID)}"
      data-states="${a.states.join(' ')}" data-confirm="${a.confirm}" ${a.states.includes(job.State) ? '' : new Html('hidden')}>${a.label}</button>`,
  );
  return html`<section id="job-actions" aria-label="Actions"><h2>Actions</h2>${buttons}
    <p id="action-message" class="muted" role="status"></p></section>`;
}

export function failureRows(rows: readonly FailedEntity[]): Html {
  if (rows.length === 0) return html`<tr class="none"><td colspan="5" class="muted">No failed entities.</td></tr>`;
  return html`${rows.map(
    (f) => html`<tr><td><code>${f.entityId}</code></td><td>${f.slug}</td><td>${f.status}</td><td>${f.category}</td><td>${f.message}</td></tr>`,
  )}`;
}

function failures(job: JobResource, rows: readonly FailedEntity[], limit: number): Html {
  return html`<section id="failures" aria-label="Failed entities">
    <h2>Failed entities</h2>
    <p class="muted">The first ${limit}; all of them: <code>GET /job/${job.JobID}/results?status=failed</code>.</p>
    <table><thead><tr><th>Entity</th><th>Slug</th><th>Status</th><th>Category</th><th>Message</th></tr></thead>
      <tbody id="failures-body">${failureRows(rows)}</tbody></table>
  </section>`;
}

export interface JobPageInput {
  job: JobResource;
  failed: readonly FailedEntity[];
  failedLimit: number;
  nonce: string;
  actions?: readonly JobAction[];
}

/** The page body; its script follows the SSE stream and refreshes the failures when the job ends. */
export function jobPageBody(input: JobPageInput): Html {
  const { job } = input;
  const boot = { job, failedLimit: input.failedLimit };
  return html`<header><strong>bulkops</strong><a href="/admin/queues">Queues</a><span class="grow"></span>
      <form method="post" action="/admin/logout"><button type="submit">Log out</button></form></header>
    <main>${summary(job, rates(job))}${actions(job, input.actions ?? JOB_ACTIONS)}${failures(job, input.failed, input.failedLimit)}</main>
    <script id="job-boot" type="application/json">${scriptJson(boot)}</script>
    <script nonce="${input.nonce}">${new Html(JOB_PAGE_SCRIPT)}</script>`;
}

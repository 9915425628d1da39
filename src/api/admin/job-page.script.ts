/**
 * The job page's only script, sent inline with a CSP nonce. It follows GET /job/{id}/events (the
 * session cookie authenticates the EventSource), recomputes throughput and ETA like rates() in
 * job-page.ts, refreshes the failures table from GET /job/{id}/results?status=failed, and runs the
 * action buttons. Everything it writes goes through textContent, never innerHTML.
 */
export const JOB_PAGE_SCRIPT = String.raw`
(() => {
  const $ = (id) => document.getElementById(id);
  const boot = JSON.parse($('job-boot').textContent);
  const FINISHED = ['completed', 'failed', 'cancelled'];
  let job = boot.job;
  let shownFailures = document.querySelectorAll('#failures-body tr:not(.none)').length;

  const count = (n) => (n === undefined || n === null ? '—' : String(n));
  const fmtRate = (r) => (r === null ? '—' : r.toFixed(1) + ' entities/s');
  const fmtEta = (s) => {
    if (s === null) return '—';
    if (s < 60) return Math.ceil(s) + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + Math.ceil(s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + Math.ceil((s % 3600) / 60) + ' min';
  };
  function rates(j, now) {
    const done = j.Succeeded + j.Failed;
    const percent = j.Total ? Math.min(100, (100 * done) / j.Total) : j.Total === 0 ? 100 : 0;
    const start = j.StartedAt ? Date.parse(j.StartedAt) : null;
    const end = j.FinishedAt ? Date.parse(j.FinishedAt) : now;
    const seconds = start === null ? 0 : (end - start) / 1000;
    const perSecond = start === null ? null : seconds > 0 ? done / seconds : 0;
    const running = j.State === 'running' || j.State === 'queued';
    const eta = running && perSecond && j.Pending !== undefined ? j.Pending / perSecond : null;
    return { done, percent, perSecond, eta };
  }

  function render() {
    const r = rates(job, Date.now());
    $('job-state').textContent = job.State;
    $('job-state').className = 'state state-' + job.State;
    $('job-started').textContent = job.StartedAt || '—';
    $('job-finished').textContent = job.FinishedAt || '—';
    $('job-error').textContent = job.Error ? job.Error.Status + ': ' + job.Error.Message : '—';
    $('job-progress').value = r.percent.toFixed(1);
    $('job-percent').textContent = r.percent.toFixed(1) + '%';
    $('job-done').textContent = String(r.done);
    $('job-total-inline').textContent = count(job.Total);
    $('job-rate').textContent = fmtRate(r.perSecond);
    $('job-eta').textContent = fmtEta(r.eta);
    $('count-total').textContent = count(job.Total);
    $('count-succeeded').textContent = String(job.Succeeded);
    $('count-failed').textContent = String(job.Failed);
    $('count-pending').textContent = count(job.Pending);
    for (const b of document.querySelectorAll('[data-action]')) b.hidden = !b.dataset.states.split(' ').includes(job.State);
  }

  function cell(text, code) {
    const td = document.createElement('td');
    const inner = code ? document.createElement('code') : td;
    inner.textContent = text === undefined || text === null ? '' : String(text);
    if (code) td.appendChild(inner);
    return td;
  }

  async function refreshFailures() {
    const res = await fetch('/job/' + job.JobID + '/results?status=failed&limit=' + boot.failedLimit, { headers: { accept: 'application/json' } });
    if (!res.ok) return;
    const rows = await res.json();
    const body = $('failures-body');
    body.replaceChildren();
    shownFailures = rows.length;
    if (rows.length === 0) {
      const tr = document.createElement('tr');
      tr.className = 'none';
      const td = cell('No failed entities.');
      td.colSpan = 5;
      tr.appendChild(td);
      body.appendChild(tr);
    }
    for (const r of rows) {
      const e = r.Error || {};
      const m = e.ErrorMetadata || {};
      const tr = document.createElement('tr');
      tr.append(cell(m.EntityID, true), cell(m.EntitySlug), cell(e.Status), cell(e.ErrorCategory), cell(e.Message || r.Message));
      body.appendChild(tr);
    }
  }

  function update(next) {
    const moreFailed = next.Failed !== job.Failed;
    job = next;
    render();
    if (moreFailed && shownFailures < boot.failedLimit) refreshFailures();
  }

  if (!FINISHED.includes(job.State)) {
    const events = new EventSource('/job/' + job.JobID + '/events');
    events.addEventListener('progress', (e) => {
      $('live-status').textContent = 'live';
      update(JSON.parse(e.data));
    });
    events.addEventListener('done', (e) => {
      events.close();
      update(JSON.parse(e.data));
      $('live-status').textContent = 'finished';
      refreshFailures();
    });
    events.onerror = () => {
      if (!FINISHED.includes(job.State)) $('live-status').textContent = 'live: reconnecting…';
    };
    const tick = setInterval(() => (FINISHED.includes(job.State) ? clearInterval(tick) : render()), 1000);
  }

  for (const b of document.querySelectorAll('[data-action]')) {
    b.addEventListener('click', async () => {
      if (!window.confirm(b.dataset.confirm)) return;
      b.disabled = true;
      const res = await fetch(b.dataset.path, { method: 'POST', headers: { accept: 'application/json', prefer: 'respond-async' } });
      const answer = await res.json().catch(() => ({}));
      $('action-message').textContent = b.textContent + (res.ok ? ': done' : ' refused: ' + (answer.Message || res.status));
      if (res.ok && answer.JobID === job.JobID) update(answer);
      // A revert is a job of its own: follow it on its page.
      else if (res.ok && answer.JobID) window.location.assign('/admin/jobs/' + encodeURIComponent(answer.JobID));
      b.disabled = false;
    });
  }
})();
`;

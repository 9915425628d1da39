import { describe, expect, it } from 'vitest';
import { formatEta, jobPageBody, rates, type JobAction } from '../../src/api/admin/job-page.ts';
import { html, scriptJson } from '../../src/api/admin/html.ts';
import type { JobResource } from '../../src/domain/bulk/job-view.ts';

const job = (over: Partial<JobResource> = {}): JobResource => ({
  JobID: '11111111-1111-4111-8111-111111111111',
  State: 'running',
  Operation: 'patch',
  DryRun: false,
  UndoRecorded: true,
  Total: 1000,
  Succeeded: 150,
  Failed: 50,
  Pending: 800,
  CreatedAt: '2026-01-01T00:00:00.000Z',
  StartedAt: '2026-01-01T00:00:10.000Z',
  Request: {},
  ...over,
});

describe('throughput and ETA', () => {
  it('divide the settled entities by the time since the start, and the pending ones by that rate', () => {
    const now = Date.parse('2026-01-01T00:00:20.000Z'); // 10 s after the start, 200 settled
    expect(rates(job(), now)).toEqual({ done: 200, percent: 20, perSecond: 20, etaSeconds: 40 });
  });

  it('stop the clock at FinishedAt and give no ETA once finished or before the start', () => {
    const finished = job({ State: 'completed', Succeeded: 950, Failed: 50, Pending: 0, FinishedAt: '2026-01-01T00:00:30.000Z' });
    expect(rates(finished, Date.parse('2026-01-02T00:00:00.000Z'))).toEqual({ done: 1000, percent: 100, perSecond: 50, etaSeconds: null });
    const queued = job({ State: 'queued', Succeeded: 0, Failed: 0 });
    delete queued.StartedAt;
    delete queued.Total;
    delete queued.Pending;
    expect(rates(queued)).toEqual({ done: 0, percent: 0, perSecond: null, etaSeconds: null });
    expect(rates(job({ State: 'completed', Total: 0, Succeeded: 0, Failed: 0, Pending: 0 })).percent).toBe(100);
  });

  it('reads as seconds, minutes or hours', () => {
    expect(formatEta(null)).toBe('—');
    expect(formatEta(4.2)).toBe('5 s');
    expect(formatEta(125)).toBe('2 min 5 s');
    expect(formatEta(7300)).toBe('2 h 2 min');
  });
});

describe('rendering', () => {
  it('escapes interpolated values and keeps script data from closing its element', () => {
    expect(html`<p>${'<b>"x"&\'y\''}</p>`.text).toBe('<p>&lt;b&gt;&quot;x&quot;&amp;&#39;y&#39;</p>');
    expect(scriptJson({ m: '</script><script>alert(1)</script>' }).text).not.toContain('</script>');
  });

  it('renders each job action as a button for the states it applies to', () => {
    const actions: JobAction[] = [
      { id: 'pause', label: 'Pause', path: (id) => `/job/${id}/pause`, states: ['running'], confirm: 'Pause?' },
      { id: 'resume', label: 'Resume', path: (id) => `/job/${id}/resume`, states: ['paused'], confirm: 'Resume?' },
    ];
    const page = jobPageBody({ job: job(), failed: [], failedLimit: 50, nonce: 'n0nce', actions }).text;
    expect(page).toMatch(/<button[^>]*data-action="pause"[^>]*data-path="\/job\/11111111-1111-4111-8111-111111111111\/pause"[^>]*data-states="running"[^>]*data-confirm="Pause\?"\s*>Pause<\/button>/);
    expect(page).toMatch(/<button[^>]*data-action="resume"[^>]*hidden>Resume<\/button>/);
    expect(page).toContain('<script nonce="n0nce">');
    expect(page).toContain('No failed entities.');
  });
});

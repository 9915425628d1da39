import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';

/**
 * Server-rendered pages without a template engine: `html` escapes every interpolated value unless
 * it is already an `Html` fragment, so nothing a caller stored (a slug, an error message) can become
 * markup.
 */
export class Html {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (value: unknown): string => String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);

function fragment(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(fragment).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(value);
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += fragment(v) + strings[i + 1]!;
  });
  return new Html(out);
}

/** JSON inside a <script> element: `<`, `>` and `&` escaped so no value can close the element. */
export const scriptJson = (value: unknown): Html =>
  new Html(JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));

const STYLE = `
  body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d2433; background: #f6f7f9; }
  header { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.5rem; background: #1d2433; color: #fff; }
  header a, header button { color: #cfd8ff; background: none; border: 0; font: inherit; cursor: pointer; text-decoration: none; }
  header .grow { flex: 1; }
  main { max-width: 1100px; margin: 1.5rem auto; padding: 0 1.5rem; }
  section { background: #fff; border: 1px solid #dde1e8; border-radius: 6px; padding: 1rem 1.25rem; margin-bottom: 1rem; }
  h1 { font-size: 1.3rem; margin: 0 0 1rem; } h2 { font-size: 1.05rem; margin: 0 0 .75rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; } dt { color: #5b6576; }
  table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #eceff3; vertical-align: top; }
  .counts td { font-size: 1.4rem; font-variant-numeric: tabular-nums; }
  progress { width: 100%; height: 1.4rem; }
  .state { font-weight: 600; padding: .1rem .5rem; border-radius: 4px; background: #e8ecf3; }
  .state-completed { background: #d8f3df; } .state-failed, .state-cancelled { background: #fbe0e0; } .state-running { background: #dbe9ff; }
  .error { color: #a11; } .muted { color: #5b6576; } code { font-size: .92em; }
  form.login { display: grid; gap: .75rem; max-width: 28rem; } input[type=password] { padding: .45rem; font: inherit; }
  button.action { padding: .35rem .9rem; margin-right: .5rem; }
`;

export interface PageOptions {
  title: string;
  body: Html;
  /** Nonce of the page's inline script, when it has one. */
  nonce?: string;
  status?: number;
}

export const newNonce = () => randomBytes(16).toString('base64');

/** Sends a complete page with a CSP that allows only this page's own inline script and same-origin calls. */
export function sendPage(reply: FastifyReply, options: PageOptions): FastifyReply {
  const script = options.nonce ? `'nonce-${options.nonce}'` : "'none'";
  const doc = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · bulkops</title><style>${new Html(STYLE)}</style></head>
<body>${options.body}</body></html>`;
  return reply
    .status(options.status ?? 200)
    .header(
      'content-security-policy',
      `default-src 'none'; script-src ${script}; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
    )
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .type('text/html; charset=utf-8')
    .send(doc.text);
}

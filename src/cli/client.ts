/** HTTP access to a bulkops service: bearer token, the service's error messages, Link paging. */

/** A failure the CLI reports on stderr and answers with exit code 1. */
export class CliError extends Error {}

/** The service refused a request; `message` is the service's own. */
export class ApiError extends CliError {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Both envelopes: the Invocation API's {Code, Message} and /api's {error: {message}}. */
async function errorFrom(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  let message = text.trim() || res.statusText;
  try {
    const body = JSON.parse(text) as { Message?: string; error?: { message?: string } };
    message = body.Message ?? body.error?.message ?? message;
  } catch {
    // Not JSON (a proxy's page, say): the text itself is the best we have.
  }
  return new ApiError(res.status, `${message} (HTTP ${res.status})`);
}

/** The `rel="next"` target of an RFC 8288 Link header. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const m = /<([^>]*)>\s*;\s*rel="?next"?/i.exec(part);
    if (m) return m[1];
  }
  return undefined;
}

export class ApiClient {
  readonly base: URL;
  readonly token: string;

  constructor(url: string, token: string) {
    try {
      this.base = new URL(url);
    } catch {
      throw new CliError(`--url: '${url}' is not a URL (for example http://127.0.0.1:3000)`);
    }
    if (!/^https?:$/.test(this.base.protocol)) throw new CliError(`--url: '${url}' is not an http(s) URL`);
    if (!token) throw new CliError('no token: pass --token or set BULKOPS_TOKEN');
    this.token = token;
  }

  url(path: string, query: Query = {}): URL {
    const url = new URL(path, this.base);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  /** The raw response of a successful call; a 4xx/5xx or an unreachable service throws. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, ...opts.headers };
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = opts.contentType ?? 'application/json';
    }
    const url = this.url(path, opts.query);
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body });
    } catch (e) {
      const cause = (e as { cause?: { message?: string } }).cause?.message ?? (e as Error).message;
      throw new CliError(`cannot reach ${url.origin}: ${cause}`);
    }
    if (!res.ok) throw await errorFrom(res);
    return res;
  }

  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<{ status: number; body: T; res: Response }> {
    const res = await this.request(method, path, opts);
    return { status: res.status, body: (await res.json()) as T, res };
  }

  /** Every item of a paged list, page by page, following the Link headers. */
  async *pages<T>(path: string, query: Query = {}): AsyncGenerator<T[]> {
    let next: string | undefined = this.url(path, query).toString();
    while (next) {
      const url: URL = new URL(next, this.base);
      const { body, res } = await this.json<T[]>('GET', url.pathname + url.search);
      yield body;
      next = nextLink(res.headers.get('link'));
    }
  }
}

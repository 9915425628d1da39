import type { FastifyRequest } from 'fastify';

/** The `Link` header of a list page that has a successor: same path and query, `after` moved on. */
export function nextLink(request: FastifyRequest, nextAfter: string | null): string | undefined {
  if (nextAfter === null) return undefined;
  const url = new URL(request.url, 'http://localhost');
  url.searchParams.set('after', nextAfter);
  return `<${url.pathname}${url.search}>; rel="next"`;
}

import type { FastifyInstance } from 'fastify';

export interface RegisteredRoute {
  method: string;
  url: string;
}

/**
 * Every route of the app, read from Fastify's own route tree (printRoutes), so the list cannot
 * drift from what is registered. Each line is one tree node: its depth is given by its indent
 * (4 characters per level), its text is the path segment below its parent, and the methods, if
 * any, follow in parentheses.
 */
export function registeredRoutes(app: FastifyInstance): RegisteredRoute[] {
  const tree = app.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const routes: RegisteredRoute[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    const url = stack.join('');
    for (const method of m[3]?.split(', ') ?? []) routes.push({ method, url });
  }
  if (routes.length === 0) throw new Error(`no routes read from:\n${tree}`);
  return routes;
}

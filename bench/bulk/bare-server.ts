/**
 * The floor for the API layer: a bare Fastify route per call doing the same query with `pg`, no
 * auth, no validation, no ORM. Each query is a named prepared statement, as the API's GET is: a
 * floor that planned every statement while the API did not would be no floor. Started by the bench
 * as a child process, like the real API.
 * Environment: DATABASE_URL, PORT, ORGANIZATION_ID, POOL_MAX.
 */
import Fastify from 'fastify';
import pg from 'pg';

const COLUMNS =
  'id, organization_id, space_id, slug, display_name, function_name, arguments, toolchain_type, ' +
  'bridge_worker_id, labels, annotations, delete_gates, hash, version, cursor_id, created_at, updated_at';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_MAX ?? 10) });
const org = process.env.ORGANIZATION_ID;
const app = Fastify({ logger: false });
app.addContentTypeParser('application/merge-patch+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

interface Params {
  space_id: string;
  invocation_id: string;
}

app.get<{ Params: Params }>('/space/:space_id/invocation/:invocation_id', async (req, reply) => {
  const res = await pool.query({
    name: 'get',
    text: `select ${COLUMNS} from invocation where id = $1 and space_id = $2 and organization_id = $3`,
    values: [req.params.invocation_id, req.params.space_id, org],
  });
  if (res.rows.length === 0) return reply.status(404).send({ Code: '404' });
  return { Invocation: res.rows[0] };
});

app.patch<{ Params: Params; Body: { DisplayName?: string } }>('/space/:space_id/invocation/:invocation_id', async (req, reply) => {
  const res = await pool.query({
    name: 'patch',
    text: `update invocation set display_name = $1, version = version + 1, updated_at = now()
      where id = $2 and space_id = $3 and organization_id = $4 returning ${COLUMNS}`,
    values: [req.body.DisplayName ?? '', req.params.invocation_id, req.params.space_id, org],
  });
  if (res.rows.length === 0) return reply.status(404).send({ Code: '404' });
  return res.rows[0];
});

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
console.log('bare floor ready');
process.once('SIGTERM', () => {
  void app.close().then(() => pool.end()).then(() => process.exit(0));
});

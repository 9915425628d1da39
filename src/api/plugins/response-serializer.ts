import { isDeepStrictEqual } from 'node:util';
import type { FastifySerializerCompiler } from 'fastify/types/schema.js';
import { serializerCompiler } from 'fastify-type-provider-zod';
import type { ZodType } from 'zod';

type Compiler = FastifySerializerCompiler<ZodType>;

/**
 * How answers become JSON. Checked (the default, and what the tests run): each answer is encoded
 * by its route's response schema, and must come out of it unchanged, as JSON. An answer that
 * relies on the schema to drop a field, fill a default or convert a value fails as a 500 naming
 * the route, instead of passing here and leaking the field where checks are off.
 * Unchecked (CHECK_RESPONSES=false, as the production image runs): the answer is written as the
 * handler built it. Encoding every answer by its schema was 5-9% of the API's CPU per GET.
 */
export function responseSerializerCompiler(check: boolean): Compiler {
  if (!check) return () => (data) => JSON.stringify(data);
  return (route) => {
    const encode = serializerCompiler(route);
    return (data) => {
      const json = encode(data);
      const plain = JSON.stringify(data);
      if (json !== plain && !isDeepStrictEqual(JSON.parse(json), JSON.parse(plain))) {
        // The route only: the answer itself may hold what must not be logged.
        throw new Error(`${route.method} ${route.url}: the answer differs from its encoding by the response schema`);
      }
      return json;
    };
  };
}

import type { SwaggerTransformObject } from '@fastify/swagger';
import { jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorBody } from '../schemas/common.ts';
import { BulkResultItem, Job, ResponseError } from '../schemas/bulk.ts';
import { BridgeWorkerOut, DeleteResponse, ExtendedInvocationOut, FilterOut, InvocationOut, SpaceOut } from '../schemas/entities.ts';
import { BULK_EXAMPLES } from './bulk-examples.ts';
import { ApiErrorBody, File, FunctionBody, Schema, Version, VersionPage, Workspace } from '../schemas/function-api.ts';

type Json = Record<string, any>;

/**
 * Response shapes named as components (the Invocation API's own names where it has them), so the
 * document refers to them instead of repeating them under every route.
 */
const NAMED: Array<[z.ZodType, string]> = [
  [ErrorBody, 'StandardErrorResponse'],
  [ApiErrorBody, 'ApiError'],
  [Job, 'Job'],
  [BulkResultItem, 'InvocationCreateOrUpdateResponse'],
  [ResponseError, 'ResponseError'],
  [InvocationOut, 'Invocation'],
  [ExtendedInvocationOut, 'ExtendedInvocation'],
  [SpaceOut, 'Space'],
  [BridgeWorkerOut, 'BridgeWorker'],
  [FilterOut, 'Filter'],
  [DeleteResponse, 'DeleteResponse'],
  [Workspace, 'Workspace'],
  [Schema, 'JsonSchema'],
  [FunctionBody, 'Function'],
  [File, 'FunctionFile'],
  [Version, 'FunctionVersion'],
  [VersionPage, 'FunctionVersionPage'],
];

export function registerComponents(): void {
  for (const [schema, id] of NAMED) {
    if (!z.globalRegistry.get(schema)?.id) z.globalRegistry.add(schema, { ...z.globalRegistry.get(schema), id });
  }
}

function collectRefs(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, into);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') into.add(v.replace('#/components/schemas/', ''));
      else collectRefs(v, into);
    }
  }
}

/** The zod provider emits every registered schema twice (input and output); keep the ones in use. */
function pruneComponents(doc: Json): void {
  const schemas: Json = doc.components?.schemas ?? {};
  const used = new Set<string>();
  collectRefs(doc.paths, used);
  for (let grew = true; grew; ) {
    const before = used.size;
    for (const name of [...used]) collectRefs(schemas[name], used);
    grew = used.size > before;
  }
  for (const name of Object.keys(schemas)) if (!used.has(name)) delete schemas[name];
}

/**
 * A recursive schema (z.json()) comes out of the zod provider as a $ref to a definition it does not
 * emit; such a value is any JSON, which is what an empty schema says.
 */
function replaceDanglingRefs(value: unknown, known: Json): void {
  if (Array.isArray(value)) {
    for (const v of value) replaceDanglingRefs(v, known);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const node = value as Json;
  for (const [k, v] of Object.entries(node)) {
    const ref = (v as Json | null)?.$ref;
    if (typeof ref === 'string' && ref.startsWith('#/components/schemas/') && !known[ref.slice(21)]) {
      node[k] = { description: 'Any JSON value.' };
    } else {
      replaceDanglingRefs(v, known);
    }
  }
}

/** A body that may be `null` (a clone without changes) need not be sent at all. */
function relaxNullableBodies(doc: Json): void {
  for (const item of Object.values<Json>(doc.paths ?? {})) {
    for (const operation of Object.values<Json>(item)) {
      const content = operation?.requestBody?.content as Json | undefined;
      const first = content && Object.values<Json>(content)[0];
      if (Array.isArray(first?.schema?.type) && first.schema.type.includes('null')) operation.requestBody.required = false;
    }
  }
}

/** Response examples go on the final document: a $ref response keeps no siblings before that. */
function addResponseExamples(doc: Json): void {
  for (const [key, examples] of Object.entries(BULK_EXAMPLES)) {
    const [method = '', url = ''] = key.split(' ');
    const operation = doc.paths?.[url.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
    for (const [status, named] of Object.entries(examples.responses)) {
      const media = operation?.responses?.[status]?.content?.['application/json'];
      if (media) media.examples = named;
    }
  }
}

export const docsTransformObject: SwaggerTransformObject = (input) => {
  const doc = jsonSchemaTransformObject(input) as Json;
  replaceDanglingRefs(doc.paths, doc.components?.schemas ?? {});
  pruneComponents(doc);
  relaxNullableBodies(doc);
  addResponseExamples(doc);
  return doc;
};

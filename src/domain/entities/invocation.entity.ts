import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { GateMap, StringMap } from './space.entity.ts';

export type ArgumentValue = string | number | boolean;
export interface FunctionArgument {
  ParameterName?: string;
  Value: ArgumentValue;
}

export const InvocationSchema = defineEntity({
  name: 'Invocation',
  tableName: 'invocation',
  properties: {
    id: p.uuid().primary(),
    organizationId: p.uuid(),
    spaceId: p.uuid(),
    slug: p.text(),
    displayName: p.text(),
    functionName: p.text(),
    arguments: p.json<FunctionArgument[]>(),
    toolchainType: p.text(),
    bridgeWorkerId: p.uuid().nullable(),
    labels: p.json<StringMap>(),
    annotations: p.json<StringMap>(),
    deleteGates: p.json<GateMap>(),
    hash: p.text(),
    version: p.integer(),
    cursorId: p.bigint('number'),
    createdAt: p.datetime(0),
    updatedAt: p.datetime(0),
  },
});
export type Invocation = InferEntity<typeof InvocationSchema>;

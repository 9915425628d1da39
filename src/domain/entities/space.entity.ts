import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export type StringMap = Record<string, string>;
export type GateMap = Record<string, boolean>;

export const SpaceSchema = defineEntity({
  name: 'Space',
  tableName: 'space',
  properties: {
    id: p.uuid().primary(),
    organizationId: p.uuid(),
    slug: p.text(),
    displayName: p.text(),
    labels: p.json<StringMap>(),
    annotations: p.json<StringMap>(),
    deleteGates: p.json<GateMap>(),
    version: p.integer(),
    cursorId: p.bigint('number'),
    createdAt: p.datetime(0),
    updatedAt: p.datetime(0),
  },
});
export type Space = InferEntity<typeof SpaceSchema>;

export const BridgeWorkerSchema = defineEntity({
  name: 'BridgeWorker',
  tableName: 'bridge_worker',
  properties: {
    id: p.uuid().primary(),
    organizationId: p.uuid(),
    spaceId: p.uuid(),
    slug: p.text(),
    displayName: p.text(),
    version: p.integer(),
    cursorId: p.bigint('number'),
    createdAt: p.datetime(0),
    updatedAt: p.datetime(0),
  },
});
export type BridgeWorker = InferEntity<typeof BridgeWorkerSchema>;

export const FILTER_TARGETS = ['Invocation', 'Space'] as const;
export type FilterTarget = (typeof FILTER_TARGETS)[number];

/** A saved where expression, applied to lists and bulk selections through `filter=`. */
export const FilterSchema = defineEntity({
  name: 'Filter',
  tableName: 'filter',
  properties: {
    id: p.uuid().primary(),
    organizationId: p.uuid(),
    spaceId: p.uuid(),
    slug: p.text(),
    displayName: p.text(),
    from: p.enum(FILTER_TARGETS).fieldName('from_entity'),
    whereExpr: p.text(),
    fromSpaceId: p.uuid().nullable(),
    version: p.integer(),
    cursorId: p.bigint('number'),
    createdAt: p.datetime(0),
    updatedAt: p.datetime(0),
  },
});
export type Filter = InferEntity<typeof FilterSchema>;

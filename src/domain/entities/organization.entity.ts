import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const OrganizationSchema = defineEntity({
  name: 'Organization',
  tableName: 'organization',
  properties: {
    id: p.uuid().primary(),
    slug: p.text().unique(),
    displayName: p.text(),
    createdAt: p.datetime(0),
    updatedAt: p.datetime(0),
  },
});
export type Organization = InferEntity<typeof OrganizationSchema>;

export const TOKEN_ROLES = ['system_admin', 'admin', 'member'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

/** A bearer token. Only a SHA-256 of the secret is stored; the secret is shown once. */
export const ApiTokenSchema = defineEntity({
  name: 'ApiToken',
  tableName: 'api_token',
  properties: {
    id: p.uuid().primary(),
    organizationId: p.uuid(),
    role: p.enum(TOKEN_ROLES),
    secretHash: p.text().unique(),
    workspaceIds: p.array(),
    createdAt: p.datetime(0),
  },
});
export type ApiToken = InferEntity<typeof ApiTokenSchema>;

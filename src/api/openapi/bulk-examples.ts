/**
 * Examples of the bulk calls, taken from real answers of this service. The document test checks each
 * one against the schema it illustrates, so they cannot drift from the shapes the API sends.
 */

type Examples = Record<string, { summary: string; value: unknown }>;

export interface BulkExamples {
  query: Record<string, string>;
  body?: Examples;
  responses: Record<string, Examples>;
}

const SPACE = '79559f5b-be74-435f-a551-e43e06ba2501';
const STAGING = '2b40e9eb-310c-46b0-b74e-0a63858f5196';
const ORG = 'ffab4ad6-94aa-4995-894c-87732bfb02ca';
const JOB = '2ab06441-0c09-4524-862f-72e9cfc97b07';

function invocation(id: string, slug: string, extra: Record<string, unknown> = {}) {
  return {
    InvocationID: id,
    OrganizationID: ORG,
    SpaceID: SPACE,
    Slug: slug,
    DisplayName: 'Nightly ETL',
    FunctionName: 'deploy',
    Arguments: [],
    ToolchainType: 'Kubernetes/YAML',
    BridgeWorkerID: null,
    Labels: { tier: 'backend', owner: 'data-team' },
    Annotations: {},
    DeleteGates: {},
    Hash: '9163304d132048efce2d6e6755c818da868c5082b563e26cce41fa3d3d458ba5',
    EntityType: 'Invocation',
    Version: 2,
    CursorID: 1,
    CreatedAt: '2026-11-23T03:28:43Z',
    UpdatedAt: '2026-11-23T03:28:44Z',
    ...extra,
  };
}

const conflict = {
  Error: {
    Status: 409,
    ErrorCategory: 'Conflict',
    Message: `Slug: an invocation with Slug 'etl-main' exists in space ${SPACE}`,
    ErrorMetadata: { EntityID: '8d881f09-e452-4bd4-9c15-1eaa3a18e59d', EntitySlug: 'etl-2', EntityType: 'Invocation' },
  },
};

const gated = {
  Message: 'deletion of invocation gated-1 is blocked by DeleteGates: release-lock',
  Error: {
    Status: 422,
    ErrorCategory: 'DeleteGated',
    Message: 'deletion of invocation gated-1 is blocked by DeleteGates: release-lock',
    ErrorMetadata: { EntityID: '514f1f79-f07a-4e82-b457-1f4ee49f640f', EntitySlug: 'gated-1', EntityType: 'Invocation' },
  },
};

const job = (operation: string, request: Record<string, unknown>) => ({
  JobID: JOB,
  State: 'queued',
  Operation: operation,
  DryRun: false,
  UndoRecorded: true,
  Succeeded: 0,
  Failed: 0,
  CreatedAt: '2026-11-23T03:28:44.458Z',
  Request: request,
});

const accepted = (operation: string, request: Record<string, unknown>): Examples => ({
  queued: { summary: 'Prefer: respond-async; follow Location: /job/{JobID}', value: job(operation, request) },
});

export const BULK_EXAMPLES: Record<string, BulkExamples> = {
  'PATCH /invocation': {
    query: { where: "Labels.tier = 'backend'" },
    body: {
      labels: {
        summary: 'Set a label, remove another, rename',
        value: { Labels: { owner: 'data-team', legacy: null }, DisplayName: 'Nightly ETL' },
      },
    },
    responses: {
      200: {
        allPatched: {
          summary: 'Every selected invocation patched',
          value: [
            { Invocation: invocation('f3cf8c2f-ddac-4e77-96d2-d2b4ce7f7c84', 'etl-1') },
            { Invocation: invocation('8d881f09-e452-4bd4-9c15-1eaa3a18e59d', 'etl-2', { CursorID: 2 }) },
          ],
        },
        noneMatched: { summary: 'Nothing matched', value: [] },
      },
      207: {
        someFailed: {
          summary: 'Both renamed to one Slug: the first wins, the second conflicts',
          value: [{ Invocation: invocation('f3cf8c2f-ddac-4e77-96d2-d2b4ce7f7c84', 'etl-main', { Version: 3 }) }, conflict],
        },
      },
      202: accepted('patch', { where: "Labels.tier = 'backend'", body: { Labels: { owner: 'data-team', legacy: null } } }),
    },
  },
  'POST /invocation': {
    query: { where: "Slug = 'etl-main'", where_space: "Labels.env = 'staging'", name_prefixes: 'copy-' },
    body: { relabel: { summary: 'Merge patch applied to each clone', value: { Labels: { env: 'staging' } } } },
    responses: {
      200: {
        cloned: {
          summary: 'One clone per source, destination space and prefix',
          value: [
            {
              Invocation: invocation('ad64fe6b-86f0-44fa-8b03-ec71a0a6761d', 'copy-etl-main', {
                SpaceID: STAGING,
                Version: 1,
                CursorID: 4,
                Labels: { env: 'staging', tier: 'backend', owner: 'data-team' },
              }),
            },
          ],
        },
      },
      207: { slugTaken: { summary: 'A clone whose Slug is taken in its destination', value: [conflict] } },
      202: accepted('clone', { where: "Slug = 'etl-main'", where_space: "Labels.env = 'staging'", name_prefixes: ['copy-'], body: null }),
    },
  },
  'DELETE /invocation': {
    query: { where: `SpaceID = '${SPACE}'` },
    responses: {
      200: {
        deleted: { summary: 'Every selected invocation deleted', value: [{ Message: 'invocation etl-2 (8d881f09-e452-4bd4-9c15-1eaa3a18e59d) deleted' }] },
      },
      207: {
        gated: {
          summary: 'A DeleteGate kept one invocation',
          value: [{ Message: 'invocation etl-2 (8d881f09-e452-4bd4-9c15-1eaa3a18e59d) deleted' }, gated],
        },
      },
      202: accepted('delete', { where: `SpaceID = '${SPACE}'` }),
    },
  },
};

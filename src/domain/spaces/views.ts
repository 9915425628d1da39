import type { Selectable } from 'kysely';
import type { BridgeWorkerTable, FilterTable, SpaceTable } from '../db.ts';
import type { GateMap, StringMap } from '../entities/space.entity.ts';
import { formatTime } from '../identity/organizations.ts';

/** The API's JSON for spaces, bridge workers and filters (PascalCase, server fields included). */
export type SpaceRow = Selectable<SpaceTable>;
export type BridgeWorkerRow = Selectable<BridgeWorkerTable>;
export type FilterRow = Selectable<FilterTable>;

interface Versioned {
  Version: number;
  CursorID: number;
  CreatedAt: string;
  UpdatedAt: string;
}

export interface SpaceView extends Versioned {
  SpaceID: string;
  OrganizationID: string;
  Slug: string;
  DisplayName: string;
  Labels: StringMap;
  Annotations: StringMap;
  DeleteGates: GateMap;
  EntityType: 'Space';
}

export interface BridgeWorkerView extends Versioned {
  BridgeWorkerID: string;
  OrganizationID: string;
  SpaceID: string;
  Slug: string;
  DisplayName: string;
  EntityType: 'BridgeWorker';
}

export interface FilterView extends Versioned {
  FilterID: string;
  OrganizationID: string;
  SpaceID: string;
  Slug: string;
  DisplayName: string;
  From: 'Invocation' | 'Space';
  Where: string;
  /** Left out when the filter is not bound to a space. */
  FromSpaceID?: string;
  EntityType: 'Filter';
}

const versioned = (row: { version: number; cursor_id: string; created_at: string; updated_at: string }): Versioned => ({
  Version: row.version,
  CursorID: Number(row.cursor_id),
  CreatedAt: formatTime(row.created_at),
  UpdatedAt: formatTime(row.updated_at),
});

export function toSpaceView(row: SpaceRow): SpaceView {
  return {
    SpaceID: row.id,
    OrganizationID: row.organization_id,
    Slug: row.slug,
    DisplayName: row.display_name,
    Labels: row.labels ?? {},
    Annotations: row.annotations ?? {},
    DeleteGates: row.delete_gates ?? {},
    EntityType: 'Space',
    ...versioned(row),
  };
}

export function toBridgeWorkerView(row: BridgeWorkerRow): BridgeWorkerView {
  return {
    BridgeWorkerID: row.id,
    OrganizationID: row.organization_id,
    SpaceID: row.space_id,
    Slug: row.slug,
    DisplayName: row.display_name,
    EntityType: 'BridgeWorker',
    ...versioned(row),
  };
}

export function toFilterView(row: FilterRow): FilterView {
  return {
    FilterID: row.id,
    OrganizationID: row.organization_id,
    SpaceID: row.space_id,
    Slug: row.slug,
    DisplayName: row.display_name,
    From: row.from_entity,
    Where: row.where_expr,
    ...(row.from_space_id ? { FromSpaceID: row.from_space_id } : {}),
    EntityType: 'Filter',
    ...versioned(row),
  };
}

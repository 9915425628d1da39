export * from './views.ts';
export * from './space-fields.ts';
export * from './space-store.ts';
export * from './bridge-worker-store.ts';
export * from './filter-store.ts';

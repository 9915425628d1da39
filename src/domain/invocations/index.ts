export * from './hash.ts';
export * from './state.ts';
export * from './patch.ts';
export * from './documents.ts';
export * from './projection.ts';
export * from './invocation-store.ts';
export * from './invocation-reads.ts';

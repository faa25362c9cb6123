export * from './logyard-app';
export * from './run-logyard';
export * from './zod-openapi';
export * from './background-worker';

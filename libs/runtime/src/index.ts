export * from './logyard-app';
export * from './run-logyard';

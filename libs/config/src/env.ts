// The configuration without its Nest module: what a client of Logyard (the CLI, the SDK) reads, free of
// NestJS (docs/design.md §9). The service takes it with ConfigModule from the lib's index.
export * from './config';
export { TARGETS, DEFAULT_PORTS, Target, splitList } from './config.schema';
export { SERVICE_NODE_FLAGS } from './node-flags';

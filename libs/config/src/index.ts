export * from './config';
export * from './config.module';
export { TARGETS, DEFAULT_PORTS, Target, splitList } from './config.schema';
export { SERVICE_NODE_FLAGS } from './node-flags';

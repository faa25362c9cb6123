export * from './linger-batcher';
export * from './retry-delay';
export * from './settle-within';

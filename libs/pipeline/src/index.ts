export * from './linger-batcher';
export * from './retry-delay';

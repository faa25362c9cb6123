// What a client of the broker needs — the topology's names, the batch wire, the confirm-publish options,
// failover and the tail consumer — free of NestJS and of the server's consumers, for the CLI and the SDK
// (docs/design.md §9). The service takes the same through the lib's index.
export * from './topology';
export * from './record-batches';
export * from './batch-messages';
export * from './confirm-publish';
export * from './broker-failover';
export * from './tail-consumer';

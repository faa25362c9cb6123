export * from './database';
export * from './db.module';
export * from './log-query';
export * from './log-row';
export * from './log.repository';
export * from './partition.repository';
export * from './partitions';
export * from './log-query.repository';

export * from './batch';
export * from './pattern';
export * from './record';
export * from './record.factory';
export * from './result';
export * from './routing';
export * from './severity';
export * from './timestamp';

export * from './token.guard';
export * from './token-set';

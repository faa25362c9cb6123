export * from './session-cookie';
export * from './session.controller';
export * from './session-status';
export * from './token.guard';
export * from './token-set';

export * from './session-cookie';
export * from './session.controller';
export * from './token.guard';
export * from './token-set';

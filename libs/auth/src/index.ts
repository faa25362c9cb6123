export * from './token.guard';

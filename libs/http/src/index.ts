export * from './request-body';
export * from './json-body';

// The helpers a spec of browser code can use — linear-time checks and property-test run counts — free of the
// server libs and of NestJS, so the explorer's specs type-check on their own (apps/explorer/tsconfig.json).
// Server specs take the same through the lib's index.
export * from './property-runs';
export * from './linear-time';

export * from './wait-for';
export * from './test-environment';
export * from './databases';
export * from './database-probe';
export * from './running-logyard';
export * from './ports';
export * from './property-runs';
export * from './linear-time';

export * from './startup-error';
export * from './readiness.registry';
export * from './metrics.service';
export * from './observability.module';
export * from './metric-value';

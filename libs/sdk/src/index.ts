export * from './logyard-logger';
export * from './sdk-options';
export {
  CONTEXT_ATTRIBUTE,
  EXCEPTION_TYPE_ATTRIBUTE,
  NEST_LEVEL_SEVERITY,
  STACK_ATTRIBUTE,
} from './nest-log-record';

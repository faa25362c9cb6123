export * from './logyard-logger';
export * from './sdk-options';
export {
  ATTRIBUTES_REFUSED_ATTRIBUTE,
  CONTEXT_ATTRIBUTE,
  EXCEPTION_TYPE_ATTRIBUTE,
  NEST_LEVEL_SEVERITY,
  STACK_ATTRIBUTE,
} from './nest-log-record';

import { DynamicModule, Global, Module } from '@nestjs/common';
import { LogyardConfig } from './config';

/** Injection token of the validated {@link LogyardConfig}. */
export const LOGYARD_CONFIG = Symbol('LOGYARD_CONFIG');

/**
 * Provides the config to every module. It is built by the caller (from
 * process.env in main, from a per-test env in tests) so several independent
 * Logyard instances can live in one process.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: LogyardConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: LOGYARD_CONFIG, useValue: config }],
      exports: [LOGYARD_CONFIG],
    };
  }
}

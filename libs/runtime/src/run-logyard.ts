import { INestApplication, Logger, Type } from '@nestjs/common';
import { ConfigError, DEFAULT_PORTS, loadConfig, Target } from '@logyard/config';
import { StartupError } from '@logyard/observability';
import { createLogyardApp } from './logyard-app';

/**
 * Starts a Logyard process for `target` from the process environment. An
 * operator error at start (unreachable broker or database, bad variable) is
 * printed as one line and exits 1; SIGTERM/SIGINT drain and exit 0.
 */
export async function runLogyard(target: Target, roles: Type[]): Promise<void> {
  const logger = new Logger('logyard');
  try {
    const config = loadConfig(process.env);
    const app = await createLogyardApp(config, roles);
    drainOnSignals(app, logger);
    const port = config.http.port ?? DEFAULT_PORTS[target];
    await app.listen(port, '0.0.0.0');
    logger.log(`${target} listening on http://127.0.0.1:${port}`);
  } catch (error) {
    if (error instanceof StartupError || error instanceof ConfigError) {
      process.stderr.write(`logyard: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** Exit deadline after SIGTERM: in-flight batches get this long to commit. */
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * SIGTERM/SIGINT: stop consuming, finish and commit in-flight batches, ack,
 * close connections (the roles' shutdown hooks), then exit 0. Past the
 * deadline exit 1 — whatever was not acked is redelivered to another process.
 */
function drainOnSignals(app: INestApplication, logger: Logger): void {
  let draining = false;
  const drain = (signal: NodeJS.Signals) => {
    if (draining) return;
    draining = true;
    logger.log(`${signal}: draining`);
    const started = Date.now();
    const deadline = setTimeout(() => {
      logger.error(
        `drain exceeded ${DRAIN_TIMEOUT_MS} ms; exiting with unacked deliveries left for redelivery`,
      );
      process.exit(1);
    }, DRAIN_TIMEOUT_MS);
    deadline.unref();
    app.close().then(
      () => {
        logger.log(`drained and closed in ${Date.now() - started} ms`);
        process.exit(0);
      },
      (error: Error) => {
        logger.error(`shutdown failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', drain);
  process.on('SIGINT', drain);
}

/** Reads `--target X` or `--target=X` from argv; `all` when absent. */
export function parseTarget(argv: readonly string[]): Target {
  const index = argv.findIndex((arg) => arg === '--target' || arg.startsWith('--target='));
  if (index < 0) return 'all';
  const value = argv[index].includes('=') ? argv[index].split('=')[1] : argv[index + 1];
  if (value === 'all' || value === 'collector' || value === 'router' || value === 'archiver') return value;
  process.stderr.write(
    `logyard: --target must be one of all, collector, router, archiver (got "${value ?? ''}")\n`,
  );
  process.exit(2);
}

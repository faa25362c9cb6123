import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { topologyNames } from '@logyard/amqp/client';
import { ConfigError, DEFAULT_PORTS, loadConfig, LogyardConfig, Target, TARGETS } from '@logyard/config/env';
import { addAlert, AddAlertOptions, listAlerts, removeAlert } from './alerts.command';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, messageOf, usageError } from './cli-error';
import { escapeControls } from './format';
import { queryLogs } from './query.command';
import { QueryOptions, toQueryParams } from './query-params';
import { sendRecord } from './send.command';
import { startService } from './start.command';
import { tailPatterns } from './tail.command';

const DEFAULT_TIMEOUT_MS = 10_000;

const ENVIRONMENT_HELP = `
Environment:
  AMQP_URL      RabbitMQ, or a comma-separated list of a cluster's nodes (default amqp://guest:guest@127.0.0.1:5672)
  AMQP_PREFIX   prefix of every exchange and queue (default logyard)
  LOGYARD_URL   HTTP API for query and alerts (default http://127.0.0.1:$PORT, PORT defaulting to 3000)
  LOGYARD_TOKEN a query token, when the service has QUERY_TOKENS

Exit codes: 0 ok, 1 failure (broker or API unreachable, no answer), 2 usage error.`;

const QUERY_EXAMPLES = `
Examples:
  logyard query --service checkout --min-severity warn --since 1h
  logyard query --host web-1.prod -q 'payment -declined' --limit 20 --json
  logyard query --severity error --via amqp`;

/**
 * The `logyard` command line (DESIGN §9). Parses `argv` (without node and the
 * script), runs one command, and resolves with the exit code; every failure
 * is reported on stderr as one `logyard: …` line.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  guardStdout();
  let exitCode = EXIT_OK;
  const program = new Command('logyard')
    .description('Logyard: ship, tail and query logs carried by RabbitMQ')
    .addHelpText('after', ENVIRONMENT_HELP)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();

  program
    .command('start')
    .description('run the service: every role in one process, or one role')
    .addOption(new Option('--target <role>', 'which role to run').choices(TARGETS).default('all'))
    .action(async (options: { target: Target }) => {
      exitCode = await startService(options.target);
    });

  program
    .command('send')
    .description('publish one record to the ingest exchange and wait for the broker to confirm it')
    .argument(
      '<key>',
      'routing key host.service.severity, service.severity or severity, e.g. web-1.checkout.error',
    )
    .argument('<message...>', 'the log line (words are joined with spaces)')
    .addHelpText(
      'after',
      `\nExample:\n  logyard send web-1.checkout.error 'payment declined'   # prints the record's id`,
    )
    .action(async (key: string, words: string[]) => {
      const config = readConfig();
      const id = await sendRecord(config.amqp.urls, topologyNames(config.amqp.prefix), key, words);
      process.stdout.write(`${id}\n`);
    });

  program
    .command('tail')
    .description('print live records matching any pattern until Ctrl-C')
    .argument(
      '<pattern...>',
      "AMQP topic patterns over host.service.severity (also service.severity, severity): '*' one word, '#' any",
    )
    .option('--json', 'print each record as one line of JSON')
    .addHelpText(
      'after',
      `\nExamples:\n  logyard tail '*.error'              # every error\n  logyard tail 'checkout.*'           # every record of one service\n  logyard tail 'web-1_prod.#' '#.fatal' --json`,
    )
    .action(async (patterns: string[], options: { json?: boolean }) => {
      const config = readConfig();
      exitCode = await tailPatterns(config.amqp.urls, topologyNames(config.amqp.prefix), patterns, {
        json: options.json ?? false,
      });
    });

  apiOptions(
    recordFilterOptions(program.command('query').description('read archived logs, newest first'))
      .option('--since <duration>', 'only the last 30s, 15m, 1h, 7d, 2w…')
      .option('--limit <n>', 'at most n records (API default 100, at most 1000)')
      .option('--cursor <cursor>', 'the next page, as printed after a full page')
      .option('--json', 'print the API answer as it came')
      .addOption(
        new Option('--via <transport>', 'ask over HTTP or the AMQP RPC')
          .choices(['http', 'amqp'])
          .default('http'),
      ),
  )
    .addHelpText('after', QUERY_EXAMPLES)
    .action(
      async (
        options: QueryOptions & { json?: boolean; via: 'http' | 'amqp'; url?: string; timeout: number },
      ) => {
        const config = readConfig();
        const params = toQueryParams(options);
        await queryLogs(
          {
            via: options.via,
            // A blank LOGYARD_URL counts as unset, as blank variables do for the service.
            ...apiTarget(config, options),
            amqpUrls: config.amqp.urls,
            names: topologyNames(config.amqp.prefix),
          },
          params,
          { json: options.json ?? false },
        );
      },
    );

  const alerts = program
    .command('alerts')
    .description('list, add and remove alert rules (over the HTTP API, with LOGYARD_URL and LOGYARD_TOKEN)');
  apiOptions(alerts.command('list').description('every rule, its state and count'))
    .option('--json', 'print the API answer as it came')
    .action(async (options: ApiOptions & { json?: boolean }) => {
      await listAlerts(apiTarget(readConfig(), options), { json: options.json ?? false });
    });
  apiOptions(
    recordFilterOptions(
      alerts
        .command('add')
        .description('create a rule; prints its id')
        .argument('<name>', 'the rule name; its routing word on logyard.alerts is derived from it')
        .requiredOption('--threshold <n>', 'fire when this many records match in the window', positiveInteger)
        .requiredOption('--window <duration>', 'sliding window, 30s to 24h'),
    )
      .option('--contains <substring>', 'the message contains this, any case (repeatable)', collect)
      .option('--attr <key=value>', 'attribute filter (repeatable)', collect)
      .option('--webhook <url>', 'POST each transition here as JSON')
      .option('--alertmanager <url>', "Alertmanager's base URL (API v2)")
      .option('--secret <secret>', 'sign webhook bodies with HMAC-SHA256 (x-logyard-signature)'),
  )
    .addHelpText(
      'after',
      `\nExample:\n  logyard alerts add 'checkout errors' --service checkout --min-severity error --threshold 10 --window 5m --webhook https://hooks.example.com/logyard`,
    )
    .action(async (name: string, options: ApiOptions & AddAlertOptions) => {
      await addAlert(apiTarget(readConfig(), options), name, options);
    });
  apiOptions(
    alerts.command('rm').description('remove a rule').argument('<id>', 'the rule id, as list prints it'),
  ).action(async (id: string, options: ApiOptions) => {
    await removeAlert(apiTarget(readConfig(), options), id);
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    // Commander has already printed its own message (and help) for these.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    if (error instanceof CliError) {
      process.stderr.write(`logyard: ${escapeControls(error.message)}\n`);
      return error.exitCode;
    }
    process.stderr.write(`logyard: ${escapeControls(messageOf(error))}\n`);
    return EXIT_FAILURE;
  }
}

let stdoutGuarded = false;

/**
 * A reader such as `head` that has seen enough closes the pipe, and the next write fails with EPIPE: the
 * rest of the output is simply not wanted. Unheard, that 'error' event would end the process with a stack
 * trace. Any other failure to write is reported, and the command fails.
 */
function guardStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') return;
    process.stderr.write(`logyard: cannot write the output (${escapeControls(error.message)})\n`);
    process.exitCode = EXIT_FAILURE;
  });
}

interface ApiOptions {
  url?: string;
  timeout: number;
}

/** --url and --timeout, of every command that talks to the HTTP API. */
function apiOptions(command: Command): Command {
  return command
    .option('--url <url>', 'HTTP API of Logyard (default $LOGYARD_URL)')
    .option('--timeout <ms>', 'give up after this long', positiveInteger, DEFAULT_TIMEOUT_MS);
}

/** The record filters `query` and `alerts add` share, named as the API's parameters are. */
function recordFilterOptions(command: Command): Command {
  return command
    .option('--host <host>', 'only this host (repeatable)', collect)
    .option('--service <service>', 'only this service (repeatable)', collect)
    .option('--severity <severity>', 'only this severity (repeatable)', collect)
    .addOption(new Option('--min-severity <severity>', 'this severity and above').conflicts('severity'))
    .option('-q, --text <text>', 'full-text search: words, "phrases", -word, or');
}

/** The HTTP API and token the commands talking HTTP use: --url, else LOGYARD_URL, else this machine's port. */
function apiTarget(config: LogyardConfig, options: ApiOptions) {
  return {
    // A blank LOGYARD_URL counts as unset, as blank variables do for the service.
    baseUrl:
      options.url ?? (process.env.LOGYARD_URL || `http://127.0.0.1:${config.http.port ?? DEFAULT_PORTS.all}`),
    token: process.env.LOGYARD_TOKEN || undefined,
    timeoutMs: options.timeout,
  };
}

/** The same environment the service reads; a bad variable is a usage error, reported like the service does. */
function readConfig(): LogyardConfig {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) throw usageError(error.message);
    throw error;
  }
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) === 0)
    throw new InvalidArgumentError('must be a positive integer');
  return Number(value);
}

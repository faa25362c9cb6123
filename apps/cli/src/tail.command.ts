import { TailConsumer, TailOutput, TopologyNames } from '@logyard/amqp/client';
import { LogRecord, validatePattern } from '@logyard/contracts';
import { connectBroker, describeBrokerError } from './broker';
import { EXIT_FAILURE, EXIT_OK, messageOf, usageError } from './cli-error';
import { escapeControls, escapeJson, formatTailLine } from './format';

/**
 * `logyard tail pattern…`: subscribes its own bounded, exclusive queue to the
 * logs exchange (the same kind of queue GET /tail uses) and prints each
 * record until Ctrl-C (exit 0) or the broker goes away (exit 1). Records go
 * to stdout; status lines, and what the queue shed while stdout was not
 * keeping up, go to stderr.
 */
export async function tailPatterns(
  amqpUrls: readonly string[],
  names: TopologyNames,
  patterns: string[],
  options: { json: boolean },
): Promise<number> {
  const valid: string[] = [];
  for (const pattern of patterns) {
    const result = validatePattern(pattern);
    if (!result.ok) throw usageError(result.error);
    valid.push(result.value);
  }
  const connection = await connectBroker(amqpUrls);
  const channel = await connection.createChannel();
  const format = options.json ? (record: LogRecord) => escapeJson(JSON.stringify(record)) : formatTailLine;

  return new Promise<number>((resolve) => {
    let done = false;
    const finish = (code: number, problem?: string) => {
      if (done) return;
      done = true;
      // The broker's own words (its close text) can carry anything: escaped like every other output.
      if (problem) process.stderr.write(`logyard: ${escapeControls(problem)}\n`);
      process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
      void connection
        .close()
        .catch(() => undefined)
        .then(() => resolve(code));
    };
    const interrupted = () => finish(EXIT_OK);
    process.on('SIGINT', interrupted).on('SIGTERM', interrupted);
    // A reader such as `head` that has seen enough closes the pipe: that is success.
    process.stdout.on('error', () => finish(EXIT_OK));
    // The broker closes a channel with an 'error' first (say, the logs exchange is missing); a lost
    // connection closes it without one.
    let channelError: Error | undefined;
    channel.on('error', (error: Error) => (channelError = error));
    channel.on('close', () =>
      finish(
        EXIT_FAILURE,
        channelError
          ? describeBrokerError(channelError, `exchange ${names.logs}`)
          : 'lost the connection to RabbitMQ',
      ),
    );

    const output: TailOutput = {
      records: (records) =>
        records.length === 0 || process.stdout.write(records.map((r) => `${format(r)}\n`).join('')),
      dropped: (count) => {
        process.stderr.write(`[!] ${count} records dropped: this tail fell behind\n`);
        return true;
      },
      cancelled: () => finish(EXIT_FAILURE, 'the broker cancelled the subscription (was its queue deleted?)'),
    };
    TailConsumer.open(channel, names.logs, valid, output).then(
      (consumer) => {
        process.stdout.on('drain', () => consumer.resume());
        // Records may have filled stdout before this listener was there, and its drain passed unheard.
        if (!process.stdout.writableNeedDrain) consumer.resume();
        const shown = valid.map((pattern) => `'${pattern}'`).join(', ');
        process.stderr.write(`logyard: tailing ${shown} on ${names.logs}; Ctrl-C to stop\n`);
      },
      (error: unknown) => finish(EXIT_FAILURE, `cannot subscribe: ${messageOf(error)}`),
    );
  });
}

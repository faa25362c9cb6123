/** Exit codes scripts can rely on. */
export const EXIT_OK = 0;
/** Something outside the command line failed: broker or HTTP API unreachable, no answer, refused. */
export const EXIT_FAILURE = 1;
/** The command line itself is wrong: unknown option, bad routing key, pattern or parameter. */
export const EXIT_USAGE = 2;

/** An error the CLI reports as one line, `logyard: <message>`, exiting with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(message, EXIT_USAGE);
export const failure = (message: string) => new CliError(message, EXIT_FAILURE);

/** The message of anything thrown, for one-line reports (errors from another realm included). */
export function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' ? message : String(error);
}

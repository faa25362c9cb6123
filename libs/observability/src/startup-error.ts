/**
 * A failure at start that an operator fixes outside Logyard (a broker or
 * database that is not running, a bad variable). main prints its message as
 * one line, without a stack trace, and exits non-zero.
 */
export class StartupError extends Error {}

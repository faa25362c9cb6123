import type { LogLevel } from '@nestjs/common';
import { inspect } from 'node:util';
import { v7 as uuidv7 } from 'uuid';
import { formatEpochMicros, LogRecord, parseLogRecord, Result, Severity } from '@logyard/contracts';

/** Nest's log levels as Logyard severities; `log` is Nest's everyday level, `verbose` its finest. */
export const NEST_LEVEL_SEVERITY: Readonly<Record<LogLevel, Severity>> = {
  verbose: 'trace',
  debug: 'debug',
  log: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};

/** Attribute holding the Nest context (`new Logger(CheckoutService.name)` → `CheckoutService`). */
export const CONTEXT_ATTRIBUTE = 'context';
/** OpenTelemetry's exception attributes, so SDK records and OTLP-ingested records read alike. */
export const STACK_ATTRIBUTE = 'exception.stacktrace';
export const EXCEPTION_TYPE_ATTRIBUTE = 'exception.type';
/**
 * Attribute saying why a record's attributes were left out: they broke Logyard's limits (depth or size),
 * and a log line without them is worth more than none.
 */
export const ATTRIBUTES_REFUSED_ATTRIBUTE = 'logyard.attributes_refused';
/**
 * The longest stack kept, in UTF-16 units. A stack's first line is the error's message, so an error with a
 * long message has a stack as long, which alone would put the record over MAX_ATTRIBUTES_BYTES.
 */
export const MAX_STACK_LENGTH = 16_384;

/** Who writes the record: the same for every record of one logger. */
export interface RecordOrigin {
  service: string;
  host: string;
}

/** One Nest log call, split the way Nest's ConsoleLogger splits it. */
export interface NestLogCall {
  messages: unknown[];
  context?: string;
  stack?: string;
}

/**
 * Reads `(message, ...optionalParams)` as Nest's ConsoleLogger does, so a call
 * means the same on the console and in Logyard: a trailing string is the
 * context (a `Logger` created with a context appends it), and for `error` the
 * string before it is the stack (`logger.error(message, error.stack)`).
 */
export function readNestArguments(level: LogLevel, args: unknown[]): NestLogCall {
  const call = splitContext(args);
  if (level !== 'error') return call;
  // Nest's rule for error(message, x) without a context: x is a stack only when it looks like one.
  if (args.length === 2 && isStack(args[1])) return { messages: [args[0]], stack: args[1] };
  const last = call.messages[call.messages.length - 1];
  if (call.messages.length <= 1 || (typeof last !== 'string' && last !== undefined)) return call;
  return { ...call, messages: call.messages.slice(0, -1), stack: last };
}

/**
 * Builds the record of one Nest log call, snapshotting its values now (the
 * record is sent later, and callers may mutate what they logged). The first
 * message is the record's message; plain objects after it become attributes,
 * anything else is appended to the message. An Error gives its type and (unless
 * the call named a stack) its stack as attributes. The record goes through
 * parseLogRecord like any input, which truncates an oversized message.
 */
export function buildNestLogRecord(
  level: LogLevel,
  args: unknown[],
  origin: RecordOrigin,
  now: number = Date.now(),
): Result<LogRecord> {
  const { messages, context, stack } = readNestArguments(level, args);
  const [first, ...rest] = messages;
  const attributes: Record<string, unknown> = {};
  const text = [first instanceof Error ? first.message : messageText(first)];
  for (const value of rest) {
    const fields = isPlainObject(value) ? jsonSnapshot(value) : undefined;
    if (fields) Object.entries(fields).forEach(([key, field]) => setOwn(attributes, key, field));
    else text.push(messageText(value));
  }
  if (context !== undefined) attributes[CONTEXT_ATTRIBUTE] = context;
  const error = messages.find((value): value is Error => value instanceof Error);
  if (error) attributes[EXCEPTION_TYPE_ATTRIBUTE] = error.name;
  const trace = stack ?? error?.stack;
  if (trace !== undefined) attributes[STACK_ATTRIBUTE] = cutStack(trace);
  const ts = formatEpochMicros(BigInt(now) * 1000n);
  const fields = {
    id: uuidv7(),
    ts,
    host: origin.host,
    service: origin.service,
    severity: NEST_LEVEL_SEVERITY[level],
    message: text.join(' '),
    attributes,
  };
  const record = parseLogRecord(fields, { observedTs: ts });
  if (record.ok || Object.keys(attributes).length === 0) return record;
  return parseLogRecord(
    { ...fields, attributes: { [ATTRIBUTES_REFUSED_ATTRIBUTE]: record.error } },
    { observedTs: ts },
  );
}

function cutStack(stack: string): string {
  if (stack.length <= MAX_STACK_LENGTH) return stack;
  const high = stack.charCodeAt(MAX_STACK_LENGTH - 1);
  // Not between the two halves of a surrogate pair.
  const end = high >= 0xd800 && high <= 0xdbff ? MAX_STACK_LENGTH - 1 : MAX_STACK_LENGTH;
  return `${stack.slice(0, end)}…`;
}

function splitContext(args: unknown[]): NestLogCall {
  const last = args[args.length - 1];
  if (args.length <= 1 || typeof last !== 'string') return { messages: args };
  return { messages: args.slice(0, -1), context: last };
}

// Nest's own test for "this string is a stack trace".
function isStack(value: unknown): value is string {
  return typeof value === 'string' && /^(.)+\n\s+at .+:\d+:\d+/.test(value);
}

function messageText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error || typeof value !== 'object' || value === null) return String(value);
  return jsonText(value) ?? inspect(value, { breakLength: Infinity });
}

// A copy that can always be serialised: encoding a batch later must not fail on one caller's circular object.
function jsonSnapshot(value: object): Record<string, unknown> | undefined {
  const json = jsonText(value);
  const copy: unknown = json === undefined ? undefined : JSON.parse(json);
  return isPlainObject(copy) ? copy : undefined;
}

function jsonText(value: object): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined; // circular or BigInt: the caller falls back to util.inspect
  }
}

// Plain assignment of a key named "__proto__" would replace the prototype instead of storing the field.
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

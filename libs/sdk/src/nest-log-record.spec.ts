import { LogLevel } from '@nestjs/common';
import { DEFAULT_MAX_MESSAGE_BYTES, LogRecord, toEpochMicros } from '@logyard/contracts';
import {
  ATTRIBUTES_REFUSED_ATTRIBUTE,
  buildNestLogRecord,
  CONTEXT_ATTRIBUTE,
  EXCEPTION_TYPE_ATTRIBUTE,
  MAX_STACK_LENGTH,
  NEST_LEVEL_SEVERITY,
  readNestArguments,
  STACK_ATTRIBUTE,
} from './nest-log-record';

const ORIGIN = { service: 'checkout', host: 'web-1.prod.example.com' };
const STACK = 'Error: declined\n    at PaymentService.charge (/app/payment.service.ts:12:11)';

function build(level: LogLevel, ...args: unknown[]): LogRecord {
  const record = buildNestLogRecord(level, args, ORIGIN);
  if (!record.ok) throw new Error(record.error);
  return record.value;
}

describe('NEST_LEVEL_SEVERITY', () => {
  it.each([
    ['log', 'info'],
    ['error', 'error'],
    ['warn', 'warn'],
    ['debug', 'debug'],
    ['verbose', 'trace'],
    ['fatal', 'fatal'],
  ] as const)('maps Nest %s to %s', (level, severity) => {
    expect(NEST_LEVEL_SEVERITY[level]).toBe(severity);
    expect(build(level, 'x').severity).toBe(severity);
  });
});

describe(readNestArguments.name, () => {
  it.each<[LogLevel, unknown[], ReturnType<typeof readNestArguments>]>([
    ['log', ['hello'], { messages: ['hello'] }],
    ['log', ['hello', 'OrdersService'], { messages: ['hello'], context: 'OrdersService' }],
    ['log', ['hello', { id: 1 }], { messages: ['hello', { id: 1 }] }],
    ['warn', ['a', 'b', 'Ctx'], { messages: ['a', 'b'], context: 'Ctx' }],
    ['error', ['failed', STACK], { messages: ['failed'], stack: STACK }],
    ['error', ['failed', 'Ctx'], { messages: ['failed'], context: 'Ctx' }],
    ['error', ['failed', STACK, 'Ctx'], { messages: ['failed'], stack: STACK, context: 'Ctx' }],
    // What `new Logger('Ctx').error('failed')` passes: Nest fills in an undefined stack.
    ['error', ['failed', undefined, 'Ctx'], { messages: ['failed'], stack: undefined, context: 'Ctx' }],
    ['error', ['failed', { id: 1 }, 'Ctx'], { messages: ['failed', { id: 1 }], context: 'Ctx' }],
  ])('reads %s %j as Nest ConsoleLogger does', (level, args, expected) => {
    expect(readNestArguments(level, args)).toEqual(expected);
  });
});

describe(buildNestLogRecord.name, () => {
  it('builds a complete record with a UUIDv7 id, and ts and observedTs of now', () => {
    const now = Date.UTC(2026, 10, 3, 12, 0, 0, 123);
    const result = buildNestLogRecord('log', ['order placed', 'OrdersService'], ORIGIN, now);
    expect(result).toEqual({
      ok: true,
      value: {
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        ts: '2026-11-03T12:00:00.123000Z',
        observedTs: '2026-11-03T12:00:00.123000Z',
        host: 'web-1.prod.example.com',
        service: 'checkout',
        severity: 'info',
        message: 'order placed',
        attributes: { [CONTEXT_ATTRIBUTE]: 'OrdersService' },
      },
    });
  });

  it('gives each record its own id, ordered like the calls', () => {
    const ids = Array.from({ length: 100 }, () => build('log', 'x').id);
    expect(new Set(ids).size).toBe(100);
    expect([...ids].sort()).toEqual(ids);
  });

  it('keeps a stack passed the Nest way as the OpenTelemetry stack trace attribute', () => {
    const record = build('error', 'payment declined', STACK, 'PaymentService');
    expect(record).toMatchObject({
      severity: 'error',
      message: 'payment declined',
      attributes: { [CONTEXT_ATTRIBUTE]: 'PaymentService', [STACK_ATTRIBUTE]: STACK },
    });
  });

  it('takes message, type and stack from an Error, as Nest logs an unhandled exception', () => {
    const error = new TypeError('cannot read id');
    const record = build('error', error, undefined, 'ExceptionsHandler');
    expect(record.message).toBe('cannot read id');
    expect(record.attributes).toEqual({
      [CONTEXT_ATTRIBUTE]: 'ExceptionsHandler',
      [EXCEPTION_TYPE_ATTRIBUTE]: 'TypeError',
      [STACK_ATTRIBUTE]: error.stack,
    });
  });

  it('keeps the stack of an Error passed after the message', () => {
    const error = new RangeError('too big');
    const record = build('warn', 'retrying', error);
    expect(record.message).toBe('retrying RangeError: too big');
    expect(record.attributes).toEqual({
      [EXCEPTION_TYPE_ATTRIBUTE]: 'RangeError',
      [STACK_ATTRIBUTE]: error.stack,
    });
  });

  it('turns plain objects after the message into attributes, snapshotted at the call', () => {
    const fields = { orderId: 42, customer: { tier: 'gold' } };
    const record = build('log', 'order placed', fields, 'OrdersService');
    fields.orderId = 43;
    expect(record.attributes).toEqual({ orderId: 42, customer: { tier: 'gold' }, context: 'OrdersService' });
  });

  it('writes an object message as JSON, and other values as text', () => {
    expect(build('log', { event: 'started' }).message).toBe('{"event":"started"}');
    expect(build('log', 42, true).message).toBe('42 true');
    expect(build('log', 'list', [1, 2]).message).toBe('list [1,2]');
  });

  it('survives values JSON cannot hold', () => {
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    const record = build('log', 'state', circular, { big: 10n });
    expect(record.message).toMatch(
      /^state <ref \*1> \{ name: 'loop', self: \[Circular \*1\] \} \{ big: 10n \}$/,
    );
    expect(record.attributes).toEqual({});
    expect(() => JSON.stringify(record)).not.toThrow();
  });

  it('stores a field named __proto__ as a field', () => {
    const record = build('log', 'odd', JSON.parse('{"__proto__": {"polluted": true}}'));
    expect(Object.getPrototypeOf(record.attributes)).toBe(Object.prototype);
    expect(Object.keys(record.attributes)).toEqual(['__proto__']);
  });

  it('truncates an oversized message like every Logyard edge does', () => {
    const record = build('log', 'x'.repeat(70_000));
    expect(Buffer.byteLength(record.message)).toBe(65_536);
    expect(record.attributes['logyard.truncated_bytes']).toBe(70_000);
  });

  it('cuts a stack as long as a huge error message, so the error is still shipped', () => {
    const error = new Error('x'.repeat(70_000));
    const record = build('error', error);

    expect(record.message).toHaveLength(DEFAULT_MAX_MESSAGE_BYTES);
    const stack = record.attributes[STACK_ATTRIBUTE] as string;
    expect(stack).toBe(`${error.stack!.slice(0, MAX_STACK_LENGTH)}…`);
  });

  it('ships the line without its attributes when they break the limits, saying why', () => {
    const record = build('log', 'order placed', { cart: 'x'.repeat(70_000) });

    expect(record.message).toBe('order placed');
    expect(record.attributes).toEqual({
      [ATTRIBUTES_REFUSED_ATTRIBUTE]: expect.stringMatching(/^attributes: .*65536 bytes/),
    });
  });

  it('uses the time of the call', () => {
    const before = BigInt(Date.now()) * 1000n;
    const record = build('log', 'x');
    expect(toEpochMicros(record.ts)).toBeGreaterThanOrEqual(before);
    expect(toEpochMicros(record.ts)).toBeLessThanOrEqual(BigInt(Date.now()) * 1000n);
  });
});

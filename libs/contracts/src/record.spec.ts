import { validate, version } from 'uuid';

import {
  DEFAULT_MAX_MESSAGE_BYTES,
  MAX_NAME_LENGTH,
  LogRecord,
  parseLogRecord,
  toWire,
  TRUNCATED_BYTES_ATTRIBUTE,
  WIRE_VERSION,
} from './record';
import { makeRecord } from './record.factory';
import { Result } from './result';

const OBSERVED = '2026-11-24T23:49:27.123456Z';
const TRACE_ID = '4BF92F3577B34DA6A3CE929D0E0E4736';
const SPAN_ID = '00F067AA0BA902B7';

function parsed(input: unknown, options: Parameters<typeof parseLogRecord>[1] = {}): LogRecord {
  const result = parseLogRecord(input, { observedTs: OBSERVED, ...options });
  if (!result.ok) throw new Error(`expected a record, got: ${result.error}`);
  return result.value;
}

function refusal(input: unknown, options: Parameters<typeof parseLogRecord>[1] = {}): string {
  const result: Result<LogRecord> = parseLogRecord(input, { observedTs: OBSERVED, ...options });
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe(parseLogRecord.name, () => {
  describe('defaults', () => {
    it('fills everything but the message', () => {
      const record = parsed({ message: 'hello' });
      expect(record).toEqual({
        id: expect.any(String),
        ts: OBSERVED,
        observedTs: OBSERVED,
        host: 'unknown',
        service: 'unknown',
        severity: 'info',
        message: 'hello',
        attributes: {},
      });
      expect(validate(record.id) && version(record.id)).toBe(7);
      expect(record).not.toHaveProperty('traceId');
      expect(record).not.toHaveProperty('spanId');
    });

    it('observes now when no observedTs is given', () => {
      const result = parseLogRecord({ message: 'hello' });
      expect(result).toEqual({
        ok: true,
        value: expect.objectContaining({ observedTs: expect.stringMatching(/^\d{4}-.*\.\d{6}Z$/) }),
      });
    });

    it('gives each record its own id', () => {
      expect(parsed({ message: 'a' }).id).not.toBe(parsed({ message: 'a' }).id);
    });

    it('treats an empty host or service as unknown', () => {
      expect(parsed({ message: 'm', host: '', service: '' })).toMatchObject({
        host: 'unknown',
        service: 'unknown',
      });
    });

    it('treats null as absent', () => {
      expect(
        parsed({ message: 'm', ts: null, severity: null, host: null, id: null, traceId: null }),
      ).toMatchObject({ ts: OBSERVED, severity: 'info', host: 'unknown' });
    });
  });

  describe('the record must be an object', () => {
    it.each<[unknown]>([[null], [[{ message: 'm' }]], ['message'], [42], [undefined], [Buffer.from('{}')]])(
      'refuses %p',
      (input) => {
        expect(refusal(input)).toBe('record must be a JSON object');
      },
    );
  });

  describe('v', () => {
    it('accepts version 1', () => {
      expect(parsed({ v: WIRE_VERSION, message: 'm' }).message).toBe('m');
    });

    it.each<[unknown]>([[2], ['1'], [0]])('refuses version %p', (v) => {
      expect(refusal({ v, message: 'm' })).toMatch(/^v: unsupported wire version/);
    });
  });

  describe('message', () => {
    it.each<[unknown]>([[{}], [{ message: null }], [{ message: undefined }], [{ msg: null }]])(
      'is required: %p',
      (input) => {
        expect(refusal(input)).toBe('message is required');
      },
    );

    it('accepts msg when message is absent', () => {
      expect(parsed({ msg: 'from pino' }).message).toBe('from pino');
    });

    it('prefers message over msg, keeping msg as an attribute', () => {
      expect(parsed({ message: 'a', msg: 'b' })).toMatchObject({ message: 'a', attributes: { msg: 'b' } });
    });

    it.each<[unknown, string]>([
      [42, '42'],
      [false, 'false'],
      [{ a: 1 }, '{"a":1}'],
      [[1, 'x'], '[1,"x"]'],
      ['', ''],
    ])('turns %p into the text %j', (message, text) => {
      expect(parsed({ message }).message).toBe(text);
    });

    it('refuses a message that cannot be serialised', () => {
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      expect(refusal({ message: circular })).toMatch(/^message: cannot be serialised as JSON/);
    });
  });

  describe('truncation', () => {
    it('keeps a message of exactly the limit', () => {
      const record = parsed({ message: 'x'.repeat(DEFAULT_MAX_MESSAGE_BYTES) });
      expect(record.message).toHaveLength(DEFAULT_MAX_MESSAGE_BYTES);
      expect(record.attributes).toEqual({});
    });

    it('cuts a longer message to the limit and records the original length', () => {
      const record = parsed({ message: 'x'.repeat(DEFAULT_MAX_MESSAGE_BYTES + 10) });
      expect(record.message).toHaveLength(DEFAULT_MAX_MESSAGE_BYTES);
      expect(record.attributes).toEqual({ [TRUNCATED_BYTES_ATTRIBUTE]: DEFAULT_MAX_MESSAGE_BYTES + 10 });
    });

    it('never splits a multi-byte character at the boundary', () => {
      // 'é' is 2 bytes and '€' 3: with a limit of 10 the cut falls inside the '€' at bytes 9-11.
      const message = 'abcdefgh€xyz';
      const record = parsed({ message }, { maxMessageBytes: 10 });
      expect(record.message).toBe('abcdefgh');
      expect(record.attributes[TRUNCATED_BYTES_ATTRIBUTE]).toBe(Buffer.byteLength(message));
      expect(Buffer.from(record.message).toString('utf8')).toBe(record.message);
    });

    it('never splits a surrogate pair', () => {
      const record = parsed({ message: 'ab😀' }, { maxMessageBytes: 5 });
      expect(record.message).toBe('ab');
      expect(record.attributes[TRUNCATED_BYTES_ATTRIBUTE]).toBe(6);
    });

    it('keeps the first original length when re-truncated with a smaller limit', () => {
      const once = parsed({ message: 'x'.repeat(100) }, { maxMessageBytes: 50 });
      const twice = parsed(toWire(once), { maxMessageBytes: 20 });
      expect(twice.message).toHaveLength(20);
      expect(twice.attributes[TRUNCATED_BYTES_ATTRIBUTE]).toBe(100);
    });
  });

  describe('severity', () => {
    it('accepts level when severity is absent', () => {
      expect(parsed({ message: 'm', level: 50 }).severity).toBe('error');
      expect(parsed({ message: 'm', level: 'WARNING' }).severity).toBe('warn');
    });

    it('reads numbers on the scale given in the options', () => {
      expect(parsed({ message: 'm', severity: 3 }, { severityScale: 'syslog' }).severity).toBe('error');
      expect(parsed({ message: 'm', severity: 3 }).severity).toBe('trace');
    });

    it('refuses an unknown severity, naming the field and the accepted values', () => {
      expect(refusal({ message: 'm', severity: 'loud' })).toBe(
        'severity: "loud" is not recognised; use trace, debug, info, warn, error or fatal ' +
          '(or an alias such as warning, err, critical, a pino level 10-60, or an OpenTelemetry severity number 1-24)',
      );
    });

    it('names the alias the sender used', () => {
      expect(refusal({ message: 'm', level: 'loud' })).toMatch(/^level: "loud" is not recognised/);
    });
  });

  describe('host and service', () => {
    it('keep the original names', () => {
      expect(parsed({ message: 'm', host: 'Web-1.prod.example.com', service: 'Check Out' })).toMatchObject({
        host: 'Web-1.prod.example.com',
        service: 'Check Out',
      });
    });

    it('accepts hostname when host is absent', () => {
      expect(parsed({ message: 'm', hostname: 'web-1' }).host).toBe('web-1');
    });

    it.each<[string, unknown]>([
      ['host', 42],
      ['hostname', true],
      ['service', { name: 'x' }],
    ])('refuse a %s that is not a string', (field, value) => {
      expect(refusal({ message: 'm', [field]: value })).toMatch(new RegExp(`^${field}: must be a string`));
    });

    it.each(['host', 'service'])('refuse a %s longer than MAX_NAME_LENGTH, on the wire too', (field) => {
      const longest = { ...toWire(makeRecord()), [field]: 'a'.repeat(MAX_NAME_LENGTH) };
      expect(parsed(longest)[field as 'host' | 'service']).toHaveLength(MAX_NAME_LENGTH);
      expect(refusal({ ...longest, [field]: 'a'.repeat(MAX_NAME_LENGTH + 1) })).toBe(
        `${field}: longer than ${MAX_NAME_LENGTH} characters`,
      );
    });
  });

  describe('id', () => {
    it('keeps a given UUID of any version, lower-cased', () => {
      expect(parsed({ message: 'm', id: '0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B' }).id).toBe(
        '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
      );
      expect(parsed({ message: 'm', id: '9f0c6a44-2a8c-4c35-9e1f-36f1e1e5b0a2' }).id).toBe(
        '9f0c6a44-2a8c-4c35-9e1f-36f1e1e5b0a2',
      );
    });

    it.each<[unknown]>([['not-a-uuid'], [''], [42], ['0193a1b2c3d47e5f8a9b0c1d2e3f4a5b'], [{}]])(
      'refuses %p',
      (id) => {
        expect(refusal({ message: 'm', id })).toBe('id must be a UUID');
      },
    );

    it('replaces the nil UUID, which would collide with every other', () => {
      const record = parsed({ message: 'm', id: '00000000-0000-0000-0000-000000000000' });
      expect(version(record.id)).toBe(7);
    });
  });

  describe('ts', () => {
    it('normalises the timestamp', () => {
      expect(parsed({ message: 'm', ts: 1764028167123 }).ts).toBe('2025-11-24T23:49:27.123000Z');
    });

    it.each([['timestamp'], ['time']])('accepts %s when ts is absent', (field) => {
      expect(parsed({ message: 'm', [field]: '2026-01-02T03:04:05Z' }).ts).toBe(
        '2026-01-02T03:04:05.000000Z',
      );
    });

    it('prefers ts over its aliases, keeping them as attributes', () => {
      const record = parsed({ message: 'm', ts: '2026-01-02T03:04:05Z', time: 'yesterday' });
      expect(record).toMatchObject({ ts: '2026-01-02T03:04:05.000000Z', attributes: { time: 'yesterday' } });
    });

    it('refuses a ts that is present but invalid rather than using now', () => {
      expect(refusal({ message: 'm', ts: 'yesterday' })).toBe(
        'ts: "yesterday" is not a valid timestamp; use ISO-8601, epoch milliseconds or epoch nanoseconds',
      );
      expect(refusal({ message: 'm', time: 'later' })).toMatch(/^time: "later" is not a valid timestamp/);
    });
  });

  describe('observedTs', () => {
    it('keeps a valid observedTs from the input', () => {
      expect(parsed({ message: 'm', observedTs: '2026-01-01T00:00:00Z' })).toMatchObject({
        observedTs: '2026-01-01T00:00:00.000000Z',
        ts: '2026-01-01T00:00:00.000000Z',
      });
    });

    it('replaces an invalid observedTs with the observation time', () => {
      expect(parsed({ message: 'm', observedTs: 'whenever' }).observedTs).toBe(OBSERVED);
    });
  });

  describe('attributes', () => {
    it('keeps given attributes', () => {
      expect(parsed({ message: 'm', attributes: { user: { id: 7 } } }).attributes).toEqual({
        user: { id: 7 },
      });
    });

    it.each<[unknown]>([[[1, 2]], ['x'], [5]])('refuses attributes %p', (attributes) => {
      expect(refusal({ message: 'm', attributes })).toMatch(/^attributes: must be a JSON object/);
    });

    it('moves unknown top-level fields into attributes without overwriting given ones', () => {
      const record = parsed({
        message: 'm',
        pid: 123,
        req: { method: 'GET' },
        user: 'from top level',
        attributes: { user: 'explicit' },
      });
      expect(record.attributes).toEqual({ pid: 123, req: { method: 'GET' }, user: 'explicit' });
      expect(record).not.toHaveProperty('pid');
    });

    it('does not keep consumed aliases as attributes', () => {
      const record = parsed({ msg: 'm', level: 'warn', hostname: 'h', timestamp: 0 });
      expect(record.attributes).toEqual({});
    });

    it('stores a field called __proto__ as data, not as a prototype', () => {
      const record = parsed(JSON.parse('{"message":"m","__proto__":{"polluted":true}}'));
      expect(Object.getPrototypeOf(record.attributes)).toBe(Object.prototype);
      expect(Object.keys(record.attributes)).toEqual(['__proto__']);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('does not change the input', () => {
      const attributes = { a: 1 };
      parsed({ message: 'x'.repeat(20), attributes, extra: true }, { maxMessageBytes: 10 });
      expect(attributes).toEqual({ a: 1 });
    });
  });

  describe('traceId and spanId', () => {
    it('keep well-formed ids, lower-cased', () => {
      expect(parsed({ message: 'm', traceId: TRACE_ID, spanId: SPAN_ID })).toMatchObject({
        traceId: TRACE_ID.toLowerCase(),
        spanId: SPAN_ID.toLowerCase(),
      });
    });

    it.each<[unknown]>([['0'.repeat(32)], ['']])('treat a traceId of %j as absent', (traceId) => {
      expect(parsed({ message: 'm', traceId, spanId: '0'.repeat(16) })).not.toHaveProperty('traceId');
      expect(parsed({ message: 'm', traceId, spanId: '0'.repeat(16) })).not.toHaveProperty('spanId');
    });

    it.each<[string, unknown]>([
      ['traceId', 'abc'],
      ['traceId', SPAN_ID],
      ['traceId', `${TRACE_ID.slice(1)}g`],
      ['traceId', 42],
      ['spanId', TRACE_ID],
      ['spanId', 'xyz'],
    ])('refuse a %s of %p', (field, value) => {
      expect(refusal({ message: 'm', [field]: value })).toMatch(
        new RegExp(`^${field}: must be ${field === 'traceId' ? 32 : 16} hexadecimal characters`),
      );
    });
  });

  describe('idempotence', () => {
    it('gives back the record from its wire form', () => {
      const first = parsed(
        {
          message: 'x'.repeat(30),
          level: 'ERR',
          hostname: 'Web-1.prod',
          service: '',
          time: '1764028167123456789',
          traceId: TRACE_ID,
          spanId: SPAN_ID,
          extra: { nested: [1, 2] },
          attributes: { a: 1 },
        },
        { maxMessageBytes: 10 },
      );
      const again = parseLogRecord(toWire(first), {
        observedTs: '2030-01-01T00:00:00.000000Z',
        maxMessageBytes: 10,
      });
      expect(again).toEqual({ ok: true, value: first });
    });

    it('gives back a factory record through JSON', () => {
      const record = makeRecord({ severity: 'fatal', attributes: { k: 'v' } });
      expect(parseLogRecord(JSON.parse(JSON.stringify(toWire(record))))).toEqual({ ok: true, value: record });
    });
  });
});

describe(toWire.name, () => {
  it('adds the version and leaves out absent optional fields', () => {
    const record = makeRecord();
    const wire = toWire(record);
    expect(wire).toEqual({ v: 1, ...record });
    expect(Object.keys(wire)[0]).toBe('v');
    expect(wire).not.toHaveProperty('traceId');
    expect(JSON.stringify(wire)).not.toContain('spanId');
  });

  it('keeps present optional fields', () => {
    const record = makeRecord({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) });
    expect(toWire(record)).toMatchObject({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) });
  });
});

describe('a record without ts', () => {
  const observedTs = '2026-11-24T23:49:27.123456Z';

  it('takes ts from a UUIDv7 id, so a retried record keeps its storage key', () => {
    const id = '019ab8a2-5f3b-7c1d-8e2f-3a4b5c6d7e8f';
    const first = parseLogRecord({ id, message: 'm' }, { observedTs });
    const retry = parseLogRecord({ id, message: 'm' }, { observedTs: '2026-11-25T00:00:00.000000Z' });
    expect(first.ok && first.value.ts).toBe(
      new Date(parseInt('019ab8a25f3b', 16)).toISOString().replace('Z', '000Z'),
    );
    expect(retry.ok && retry.value.ts).toBe(first.ok && first.value.ts);
  });

  it('takes the observed time when the id is not a UUIDv7 or absent', () => {
    const v4 = parseLogRecord({ id: '3b241101-e2bb-4255-8caf-4136c566a962', message: 'm' }, { observedTs });
    expect(v4.ok && v4.value.ts).toBe(observedTs);
    const none = parseLogRecord({ message: 'm' }, { observedTs });
    expect(none.ok && none.value.ts).toBe(observedTs);
  });
});

describe('the canonical wire fast path', () => {
  const wire = () =>
    toWire(makeRecord({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), attributes: { k: 1 } }));

  it('returns exactly what the full parse returns for a canonical wire record', () => {
    const record = wire();
    const { v, ...withoutVersion } = record;
    expect(v).toBe(1);
    expect(parseLogRecord(record)).toEqual(parseLogRecord(withoutVersion));
  });

  it.each([
    [
      'an upper-case id',
      { id: '019AB8A2-5F3B-7C1D-8E2F-3A4B5C6D7E8F' },
      { id: '019ab8a2-5f3b-7c1d-8e2f-3a4b5c6d7e8f' },
    ],
    ['a millisecond ts', { ts: '2026-11-24T23:49:27.123Z' }, { ts: '2026-11-24T23:49:27.123000Z' }],
    ['an empty host', { host: '' }, { host: 'unknown' }],
    ['an unknown field', { region: 'eu' }, { attributes: { k: 1, region: 'eu' } }],
  ])('normalises %s through the full path', (_name, change, expected) => {
    const result = parseLogRecord({ ...wire(), ...change });
    expect(result.ok && result.value).toMatchObject(expected);
  });

  it('drops an all-zero trace id through the full path', () => {
    const result = parseLogRecord({ ...wire(), traceId: '0'.repeat(32) });
    expect(result.ok && result.value).not.toHaveProperty('traceId');
  });

  it('still truncates an over-long message', () => {
    const result = parseLogRecord({ ...wire(), message: 'x'.repeat(100) }, { maxMessageBytes: 10 });
    expect(result.ok && [result.value.message, result.value.attributes['logyard.truncated_bytes']]).toEqual([
      'x'.repeat(10),
      100,
    ]);
  });
});

import { validate, version } from 'uuid';
import {
  DecodedMessage,
  encodeBatch,
  LogRecord,
  makeRecord,
  MAX_RECORDS_PER_MESSAGE,
  SEPARATE_REJECTS,
  toWire,
} from '@logyard/contracts';
import { InboundMessage, normaliseMessage, NormaliseOptions } from './normalise.transform';

const OBSERVED = '2026-11-24T23:49:27.123456Z';
const OPTIONS: NormaliseOptions = { observedTs: OBSERVED, maxBodyBytes: 1024 * 1024 };
const MESSAGE_ID = '0193a3b2-7c4d-7e5f-8a9b-0c1d2e3f4a5b';

function message(body: string | Buffer, overrides: Partial<InboundMessage> = {}): InboundMessage {
  return {
    body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
    routingKey: 'test.mysql.error',
    ...overrides,
  };
}

function json(value: unknown, overrides: Partial<InboundMessage> = {}): InboundMessage {
  return message(JSON.stringify(value), { contentType: 'application/json', ...overrides });
}

/** The single record a message must normalise to, failing the test with the reject reasons otherwise. */
function onlyRecord(outcome: DecodedMessage): LogRecord {
  expect(outcome.rejects.map((reject) => reject.reason)).toEqual([]);
  expect(outcome.records).toHaveLength(1);
  return outcome.records[0];
}

describe(normaliseMessage.name, () => {
  it.each([
    ['JSON', 'application/json'],
    ['text', 'text/plain'],
  ])('refuses a %s message over BODY_LIMIT whole, unread', (_, contentType) => {
    const body = Buffer.from(`[${'{"message":"x"},'.repeat(20)}{"message":"x"}]`);
    const sut = normaliseMessage(message(body, { contentType }), {
      ...OPTIONS,
      maxBodyBytes: body.length - 1,
    });
    expect(sut).toEqual({
      records: [],
      rejects: [
        {
          reason: `message of ${body.length} bytes is over BODY_LIMIT (${body.length - 1} bytes); publish fewer records per message`,
          body,
          contentType,
        },
      ],
    });
    expect(
      normaliseMessage(message(body, { contentType }), { ...OPTIONS, maxBodyBytes: body.length }),
    ).toMatchObject({
      rejects: [],
    });
  });

  describe('JSON bodies', () => {
    it('turns one JSON object into one record', () => {
      const sut = normaliseMessage(
        json({
          id: MESSAGE_ID,
          ts: '2026-11-24T10:00:00Z',
          host: 'web-1.prod.example.com',
          service: 'checkout',
          severity: 'warning',
          message: 'slow payment',
          region: 'eu',
        }),
        OPTIONS,
      );
      expect(sut).toEqual({
        records: [
          {
            id: MESSAGE_ID,
            ts: '2026-11-24T10:00:00.000000Z',
            observedTs: OBSERVED,
            host: 'web-1.prod.example.com',
            service: 'checkout',
            severity: 'warn',
            message: 'slow payment',
            attributes: { region: 'eu' },
          },
        ],
        rejects: [],
      });
    });

    it("reads Logyard's own batches back to the same records", () => {
      const records = [makeRecord(), makeRecord({ severity: 'error', traceId: 'c'.repeat(32) })];
      const sut = normaliseMessage(
        message(encodeBatch(records), {
          contentType: 'application/json',
          routingKey: 'web-1_prod_example_com.checkout.info',
        }),
        OPTIONS,
      );
      expect(sut).toEqual({ records, rejects: [] });
    });

    it('rejects only the bad item of an array, naming its index', () => {
      const items = [
        { message: 'first' },
        { message: 'second', severity: 'loud' },
        { message: 'third', ts: 'yesterday' },
        { message: 'fourth' },
      ];
      const sut = normaliseMessage(json(items), OPTIONS);
      expect(sut.records.map((record) => record.message)).toEqual(['first', 'fourth']);
      expect(sut.rejects).toEqual([
        {
          reason: expect.stringMatching(/^record 1: severity: "loud" is not recognised/),
          body: Buffer.from(JSON.stringify(items[1])),
          contentType: 'application/json',
        },
        {
          reason: expect.stringMatching(/^record 2: ts: "yesterday" is not a valid timestamp/),
          body: Buffer.from(JSON.stringify(items[2])),
          contentType: 'application/json',
        },
      ]);
    });

    it('reports a lone bad record without an index', () => {
      const sut = normaliseMessage(json({ severity: 'info' }), OPTIONS);
      expect(sut).toEqual({
        records: [],
        rejects: [
          {
            reason: 'message is required',
            body: Buffer.from('{"severity":"info"}'),
            contentType: 'application/json',
          },
        ],
      });
    });

    it('rejects the first SEPARATE_REJECTS bad items one by one and the rest together, losing none', () => {
      const bad = Array.from({ length: SEPARATE_REJECTS + 3 }, (_, i) => ({ severity: 'info', n: i }));
      const sut = normaliseMessage(json([{ message: 'good' }, ...bad]), OPTIONS);
      expect(sut.records.map((record) => record.message)).toEqual(['good']);
      expect(sut.rejects).toHaveLength(SEPARATE_REJECTS + 1);
      expect(sut.rejects[0]).toEqual({
        reason: 'record 1: message is required',
        body: Buffer.from(JSON.stringify(bad[0])),
        contentType: 'application/json',
      });
      expect(sut.rejects[SEPARATE_REJECTS]).toEqual({
        reason: `3 more records of this message refused, from record ${SEPARATE_REJECTS + 1} on, e.g. record ${SEPARATE_REJECTS + 1}: message is required`,
        body: Buffer.from(JSON.stringify(bad.slice(SEPARATE_REJECTS))),
        contentType: 'application/json',
        records: 3,
      });
    });

    it('dead-letters the message once for all the items JSON cannot write again', () => {
      // JSON.parse reads 20,000 levels of nesting; JSON.stringify's stack cannot write them back.
      const deep = `{"message":"x","attributes":{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`;
      const body = Buffer.from(`[${deep},{"message":"good"},${deep},${deep}]`);
      const sut = normaliseMessage(message(body, { contentType: 'application/json' }), OPTIONS);

      expect(sut.records.map((record) => record.message)).toEqual(['good']);
      expect(sut.rejects).toEqual([
        {
          reason: expect.stringMatching(
            /^records 0, 2, 3 of this message refused, e\.g\. record 0: attributes: .*; JSON cannot write them again, so this letter is the whole message$/,
          ),
          body,
          contentType: 'application/json',
          records: 3,
        },
      ]);
    });

    it('reads MAX_RECORDS_PER_MESSAGE records of a message and refuses the rest unread, together', () => {
      const items = Array.from({ length: MAX_RECORDS_PER_MESSAGE + 2 }, (_, i) => ({ message: `m${i}` }));
      const sut = normaliseMessage(json(items), { ...OPTIONS, maxBodyBytes: Infinity });
      expect(sut.records).toHaveLength(MAX_RECORDS_PER_MESSAGE);
      expect(sut.records.at(-1)?.message).toBe(`m${MAX_RECORDS_PER_MESSAGE - 1}`);
      expect(sut.rejects).toEqual([
        {
          reason:
            `message holds ${MAX_RECORDS_PER_MESSAGE + 2} records, more than the ${MAX_RECORDS_PER_MESSAGE} one message ` +
            `may carry: records ${MAX_RECORDS_PER_MESSAGE} on refused unread; publish fewer records per message`,
          body: Buffer.from(JSON.stringify(items.slice(MAX_RECORDS_PER_MESSAGE))),
          contentType: 'application/json',
          records: 2,
        },
      ]);
    });

    it('rejects the whole message when a body declared as JSON is not JSON', () => {
      const body = Buffer.from('[INFO] server started');
      const sut = normaliseMessage(message(body, { contentType: 'application/json' }), OPTIONS);
      expect(sut).toEqual({
        records: [],
        rejects: [
          {
            reason: expect.stringMatching(/^body is not valid JSON: /),
            body,
            contentType: 'application/json',
          },
        ],
      });
    });

    it('rejects a declared JSON body that is neither an object nor an array', () => {
      const body = Buffer.from('"just a string"');
      const sut = normaliseMessage(
        message(body, { contentType: 'application/json; charset=utf-8' }),
        OPTIONS,
      );
      expect(sut).toEqual({
        records: [],
        rejects: [
          {
            reason: 'body must be a JSON object or an array of objects',
            body,
            contentType: 'application/json; charset=utf-8',
          },
        ],
      });
    });

    it('reads an undeclared body that is valid JSON as JSON', () => {
      const sut = onlyRecord(normaliseMessage(message('  {"message":"hi","service":"api"}'), OPTIONS));
      expect(sut).toMatchObject({ message: 'hi', service: 'api', host: 'test', severity: 'error' });
    });
  });

  describe('plain-text bodies', () => {
    it('takes host, service and severity from a three-word key and the body as the message', () => {
      const sut = onlyRecord(normaliseMessage(message('Connection refused'), OPTIONS));
      expect(sut).toEqual({
        id: expect.any(String),
        ts: OBSERVED,
        observedTs: OBSERVED,
        host: 'test',
        service: 'mysql',
        severity: 'error',
        message: 'Connection refused',
        attributes: {},
      });
      expect(validate(sut.id) && version(sut.id)).toBe(7);
    });

    it('canonicalises a severity alias in the key', () => {
      const sut = onlyRecord(
        normaliseMessage(message('disk full', { routingKey: 'db-1.postgres.CRIT' }), OPTIONS),
      );
      expect(sut).toMatchObject({ host: 'db-1', service: 'postgres', severity: 'fatal' });
    });

    it.each([[undefined], ['application/octet-stream']])(
      'treats an undeclared body starting with "[INFO]" as text (content type %p)',
      (contentType) => {
        const sut = onlyRecord(normaliseMessage(message('[INFO] server started', { contentType }), OPTIONS));
        expect(sut).toMatchObject({
          host: 'test',
          service: 'mysql',
          severity: 'error',
          message: '[INFO] server started',
        });
      },
    );

    it('keeps a text/plain body as text even when it looks like JSON', () => {
      const sut = onlyRecord(
        normaliseMessage(message('{"message":"x"}', { contentType: 'text/plain' }), OPTIONS),
      );
      expect(sut.message).toBe('{"message":"x"}');
    });

    it('reads the AMQP timestamp property, in seconds, as ts', () => {
      const sut = onlyRecord(normaliseMessage(message('up', { timestamp: 1_764_000_000 }), OPTIONS));
      expect(sut.ts).toBe('2025-11-24T16:00:00.000000Z');
      expect(sut.observedTs).toBe(OBSERVED);
    });

    it('keeps a UUID messageId as the record id', () => {
      const sut = onlyRecord(normaliseMessage(message('up', { messageId: MESSAGE_ID }), OPTIONS));
      expect(sut.id).toBe(MESSAGE_ID);
      expect(sut.attributes).toEqual({});
    });

    it('keeps a messageId that is not a UUID in attributes and assigns a new id', () => {
      const sut = onlyRecord(normaliseMessage(message('up', { messageId: 'order-42' }), OPTIONS));
      expect(sut.attributes).toEqual({ 'amqp.message_id': 'order-42' });
      expect(validate(sut.id) && version(sut.id)).toBe(7);
    });

    it.each([
      ['error', 'unknown', 'error'],
      ['warning', 'unknown', 'warn'],
      ['test.info', 'test', 'info'],
      ['error.apache', 'apache', 'error'],
    ])(
      'reads the tutorial key %p as service %p, severity %p, host unknown',
      (routingKey, service, severity) => {
        const sut = onlyRecord(normaliseMessage(message('Run. Run.', { routingKey }), OPTIONS));
        expect(sut).toMatchObject({ host: 'unknown', service, severity, message: 'Run. Run.' });
      },
    );

    it.each([
      ['test.mysql', 'has no severity word; use host.service.severity, service.severity or severity'],
      ['info.error', 'has two severity words; use host.service.severity, service.severity or severity'],
      ['a.b.c.d', 'must be host.service.severity, service.severity or severity'],
      ['test..error', 'must be host.service.severity, service.severity or severity'],
      ['', 'must be host.service.severity, service.severity or severity'],
    ])('rejects the whole message when the key is %p, naming the accepted shapes', (routingKey, problem) => {
      const body = Buffer.from('Connection refused');
      const sut = normaliseMessage(message(body, { routingKey }), OPTIONS);
      expect(sut).toEqual({
        records: [],
        rejects: [
          {
            reason: expect.stringContaining(
              `plain-text message needs a routing key naming its severity: routing key ${JSON.stringify(routingKey)} ${problem}`,
            ),
            body,
            contentType: undefined,
          },
        ],
      });
    });

    it('rejects a key whose third word is not a severity', () => {
      const sut = normaliseMessage(message('x', { routingKey: 'test.mysql.loud' }), OPTIONS);
      expect(sut.records).toEqual([]);
      expect(sut.rejects.map((reject) => reject.reason)).toEqual([
        expect.stringMatching(
          /^plain-text message needs a routing key naming its severity: routing key "test\.mysql\.loud": severity "loud" is not recognised/,
        ),
      ]);
    });
  });

  describe('a JSON record with a three-word key', () => {
    it('treats null or empty host and severity as absent and takes them from the key', () => {
      const record = onlyRecord(
        normaliseMessage(json({ message: 'm', host: null, severity: null, service: '' }), OPTIONS),
      );
      expect(record).toMatchObject({ host: 'test', service: 'mysql', severity: 'error' });
    });

    it('takes missing host, service and severity from the key', () => {
      const sut = onlyRecord(normaliseMessage(json({ message: 'deadlock' }), OPTIONS));
      expect(sut).toMatchObject({ host: 'test', service: 'mysql', severity: 'error', message: 'deadlock' });
    });

    it('keeps its own host, service and severity', () => {
      const sut = onlyRecord(
        normaliseMessage(
          json({ message: 'm', host: 'db-2.prod', service: 'postgres', severity: 'debug' }),
          OPTIONS,
        ),
      );
      expect(sut).toMatchObject({ host: 'db-2.prod', service: 'postgres', severity: 'debug' });
    });

    it('counts the aliases hostname and level as its own', () => {
      const sut = onlyRecord(
        normaliseMessage(json({ message: 'm', hostname: 'db-3', level: 'warning' }), OPTIONS),
      );
      expect(sut).toMatchObject({ host: 'db-3', service: 'mysql', severity: 'warn' });
      expect(sut.attributes).toEqual({});
    });

    it('fills each item of an array on its own', () => {
      const sut = normaliseMessage(
        json([
          { message: 'a', severity: 'info' },
          { message: 'b', host: 'h' },
        ]),
        OPTIONS,
      );
      expect(sut.rejects).toEqual([]);
      expect(sut.records.map(({ host, service, severity }) => [host, service, severity])).toEqual([
        ['test', 'mysql', 'info'],
        ['h', 'mysql', 'error'],
      ]);
    });

    it('uses the record defaults when the key names no severity', () => {
      const sut = onlyRecord(normaliseMessage(json({ message: 'm' }, { routingKey: 'test.mysql' }), OPTIONS));
      expect(sut).toMatchObject({ host: 'unknown', service: 'unknown', severity: 'info' });
    });

    it('takes service and severity from a two-word key', () => {
      const sut = onlyRecord(
        normaliseMessage(json({ message: 'm' }, { routingKey: 'error.apache' }), OPTIONS),
      );
      expect(sut).toMatchObject({ host: 'unknown', service: 'apache', severity: 'error' });
    });

    it('does not let a wire record pick up anything from the key', () => {
      const record = makeRecord({ host: 'web-1', service: 'api', severity: 'debug' });
      const sut = onlyRecord(normaliseMessage(json(toWire(record)), OPTIONS));
      expect(sut).toEqual(record);
    });
  });
});

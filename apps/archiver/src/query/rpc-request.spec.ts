import { TokenSet } from '@logyard/auth';
import { isReplyQueue, paramErrorReply, parseRpcRequest, RpcPolicy, vetRpcRequest } from './rpc-request';

const body = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe(parseRpcRequest.name, () => {
  it('reads a JSON object of query parameters, strings or arrays of strings', () => {
    const params = { service: 'checkout', severity: ['error', 'fatal'], 'attr.region': 'eu', limit: '10' };
    expect(parseRpcRequest(body(params))).toEqual({ ok: true, value: params });
  });

  it('reads an empty object as the newest page of everything', () => {
    expect(parseRpcRequest(body({}))).toEqual({ ok: true, value: {} });
  });

  it.each([
    [
      'not JSON',
      'service=checkout',
      'body: is not valid JSON; must be a JSON object of the query parameters of GET /api/logs',
    ],
    ['empty', '', 'body: is not valid JSON; must be a JSON object of the query parameters of GET /api/logs'],
    ['an array', '[]', 'body: must be a JSON object of the query parameters of GET /api/logs'],
    ['null', 'null', 'body: must be a JSON object of the query parameters of GET /api/logs'],
    ['a string', '"checkout"', 'body: must be a JSON object of the query parameters of GET /api/logs'],
  ])('refuses a body that is %s, naming body', (_kind, text, message) => {
    const result = parseRpcRequest(body(text));
    expect(result.ok || paramErrorReply(result.error)).toEqual({
      error: { statusCode: 400, field: 'body', message },
    });
  });

  it.each([
    ['a number', { limit: 10 }],
    ['an array with a number', { severity: ['error', 5] }],
    ['an object', { host: { eq: 'web-1' } }],
    ['null', { limit: null }],
  ])('refuses a value that is %s, naming its parameter', (_kind, params) => {
    const [name] = Object.keys(params);
    expect(parseRpcRequest(body(params))).toEqual({
      ok: false,
      error: { field: name, message: 'must be a string or an array of strings' },
    });
  });
});

describe(paramErrorReply.name, () => {
  it('carries the status, field and message the HTTP 400 would', () => {
    expect(paramErrorReply({ field: 'limit', message: 'must be an integer from 1 to 1000' })).toEqual({
      error: { statusCode: 400, field: 'limit', message: 'limit: must be an integer from 1 to 1000' },
    });
  });
});

describe(vetRpcRequest.name, () => {
  const TOKEN = 'a-query-token-of-16+chars';
  const guarded: RpcPolicy = { tokens: new TokenSet([TOKEN]), maxRequestBytes: 64 };
  const open: RpcPolicy = { tokens: new TokenSet([]), maxRequestBytes: 64 };
  const request = (
    replyTo: string | undefined,
    headers: Record<string, unknown> = {},
    content = body({}),
  ) => ({
    content,
    properties: { replyTo, headers },
  });

  it('answers a request with a reply queue and a query token', () => {
    expect(
      vetRpcRequest(request('amq.rabbitmq.reply-to.g1h2', { 'x-logyard-token': TOKEN }), guarded),
    ).toEqual({
      action: 'answer',
      params: {},
    });
    expect(vetRpcRequest(request('amq.gen-5iyQQxGNW1Nst'), open)).toEqual({ action: 'answer', params: {} });
  });

  it.each([['logyard.dead'], ['logyard.archive.error'], ['logyard.rpc'], ['my-replies'], ['amq.direct']])(
    'dead-letters a request whose reply_to is %p, no reply queue, whatever its token',
    (replyTo) => {
      expect(vetRpcRequest(request(replyTo, { 'x-logyard-token': TOKEN }), guarded)).toEqual({
        action: 'dead-letter',
        reason: expect.stringContaining(`reply_to "${replyTo}", which is no reply queue`),
      });
    },
  );

  it('dead-letters a request without reply_to', () => {
    expect(vetRpcRequest(request(undefined), open)).toEqual({
      action: 'dead-letter',
      reason: 'RPC request without reply_to: there is nowhere to send the answer',
    });
  });

  it('refuses a request without a token, or with a wrong one, when QUERY_TOKENS is set', () => {
    expect(vetRpcRequest(request('amq.gen-x'), guarded)).toEqual({
      action: 'reply',
      reply: {
        error: {
          statusCode: 401,
          message: 'this query needs header x-logyard-token with one of QUERY_TOKENS',
        },
      },
    });
    expect(vetRpcRequest(request('amq.gen-x', { 'x-logyard-token': 'not-the-token-0000' }), guarded)).toEqual(
      {
        action: 'reply',
        reply: {
          error: { statusCode: 401, message: 'the x-logyard-token header is not one of QUERY_TOKENS' },
        },
      },
    );
  });

  it('takes the token as bytes too', () => {
    const headers = { 'x-logyard-token': Buffer.from(TOKEN) };
    expect(vetRpcRequest(request('amq.gen-x', headers), guarded)).toMatchObject({ action: 'answer' });
  });

  it('refuses a body over the cap with 413, naming body and the setting', () => {
    const big = body({ q: 'x'.repeat(64) });
    expect(vetRpcRequest(request('amq.gen-x', {}, big), open)).toEqual({
      action: 'reply',
      reply: {
        error: {
          statusCode: 413,
          field: 'body',
          message: `body: ${big.length} bytes; a request holds at most 64 (RPC_MAX_REQUEST_BYTES)`,
        },
      },
    });
  });

  it('refuses a body that is no query with the 400 of parseRpcRequest', () => {
    expect(vetRpcRequest(request('amq.gen-x', {}, body('[]')), open)).toMatchObject({
      action: 'reply',
      reply: { error: { statusCode: 400, field: 'body' } },
    });
  });
});

describe(isReplyQueue.name, () => {
  it.each([['amq.rabbitmq.reply-to'], ['amq.rabbitmq.reply-to.g1h2AA5yZXBseUAy'], ['amq.gen-5iyQQxGNW1Nst']])(
    'accepts %p',
    (name) => expect(isReplyQueue(name)).toBe(true),
  );

  it.each([['logyard.dead'], ['logyard.rpc'], [''], ['amq.gen'], ['replies.amq.gen-x']])(
    'refuses %p',
    (name) => expect(isReplyQueue(name)).toBe(false),
  );
});

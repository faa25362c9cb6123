import { paramErrorReply, parseRpcRequest } from './rpc-request';

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

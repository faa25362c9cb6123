import { createServer, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { callApi, readAnswer } from './api-client';
import { EXIT_FAILURE, EXIT_USAGE } from './cli-error';

describe(callApi.name, () => {
  let server: Server;
  let baseUrl: string;
  /** What the server does with each request. */
  let answer: (response: ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((_, response) => answer(response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    // The answer that never ends holds its connection open.
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reads an answer up to maxAnswerBytes', async () => {
    answer = (response) => response.end('{"items":[]}');
    await expect(
      callApi({ baseUrl, timeoutMs: 5_000, maxAnswerBytes: 12 }, 'GET', '/api/logs'),
    ).resolves.toEqual({
      status: 200,
      body: '{"items":[]}',
    });
  });

  it('stops reading an answer past maxAnswerBytes, and fails saying so', async () => {
    answer = (response) => {
      response.write('x'.repeat(64 * 1024));
      // The rest never comes: the CLI must not wait for it.
    };
    await expect(
      callApi({ baseUrl, timeoutMs: 5_000, maxAnswerBytes: 1_000 }, 'GET', '/api/logs'),
    ).rejects.toThrow(
      expect.objectContaining({
        exitCode: EXIT_FAILURE,
        message: `Logyard at ${baseUrl} answered with more than 1000 bytes; is it Logyard?`,
      }),
    );
  });

  it('tells an answer that broke off from a server it cannot reach', async () => {
    answer = (response) => {
      response.writeHead(200, { 'content-length': '1000' });
      response.write('{"items":');
      setImmediate(() => response.destroy());
    };
    await expect(callApi({ baseUrl, timeoutMs: 5_000 }, 'GET', '/api/logs')).rejects.toThrow(
      expect.objectContaining({
        exitCode: EXIT_FAILURE,
        message: expect.stringMatching(new RegExp(`^Logyard at ${baseUrl} broke off its answer \\(`)),
      }),
    );
  });
});

describe(readAnswer.name, () => {
  it('reads the JSON of a success, and nothing from an empty 204', () => {
    expect(readAnswer(200, '{"items":[]}')).toEqual({ items: [] });
    expect(readAnswer(204, '')).toBeUndefined();
  });

  it.each([
    [400, { statusCode: 400, field: 'limit', message: 'limit: too big' }, EXIT_USAGE, 'limit: too big'],
    [
      401,
      { statusCode: 401, message: 'a token is required' },
      EXIT_FAILURE,
      'a token is required; set LOGYARD_TOKEN to a query token',
    ],
    [
      409,
      { statusCode: 409, message: 'the name is taken' },
      EXIT_FAILURE,
      'Logyard answered 409: the name is taken',
    ],
  ])(
    'turns an HTTP %p into the exit code and message a script expects',
    (status, body, exitCode, message) => {
      expect(() => readAnswer(status, JSON.stringify(body))).toThrow(
        expect.objectContaining({ exitCode, message }),
      );
    },
  );

  it("takes an RPC reply's status from its error envelope, as the reply carries no status line", () => {
    const reply = JSON.stringify({ error: { statusCode: 400, field: 'from', message: 'from: not a time' } });
    expect(() => readAnswer(200, reply)).toThrow(
      expect.objectContaining({ exitCode: EXIT_USAGE, message: 'from: not a time' }),
    );
  });

  it('fails on a body that is not JSON, quoting the start of it', () => {
    expect(() => readAnswer(502, '<html>Bad gateway</html>')).toThrow(
      expect.objectContaining({
        exitCode: EXIT_FAILURE,
        message: expect.stringContaining('<html>Bad gateway'),
      }),
    );
  });
});

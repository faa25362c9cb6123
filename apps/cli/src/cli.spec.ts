import { createServer } from 'node:net';
import { makeRecord } from '@logyard/contracts';
import { runCli } from './cli';

/** Runs the CLI in-process with stdout and stderr captured. */
async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const capture = (stream: 'stdout' | 'stderr') =>
    jest.spyOn(process[stream], 'write').mockImplementation((chunk: string | Uint8Array) => {
      out[stream] += chunk.toString();
      return true;
    });
  const spies = [capture('stdout'), capture('stderr')];
  try {
    return { code: await runCli(argv), ...out };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe(runCli.name, () => {
  describe('usage errors exit 2 before anything is contacted', () => {
    it.each([
      [['send', 'web-1.checkout', 'hello'], 'routing key "web-1.checkout" has no severity word'],
      [['send', 'web-1.checkout.loud', 'hello'], 'severity "loud" is not recognised'],
      [
        ['tail', '*.*.error', '*..error'],
        "has an empty word; separate words with single dots, e.g. '*.error'; did you mean '*.error'?",
      ],
      [['query', '--since', 'yesterday'], '--since must be a duration'],
      [['query', '--severity', 'error', '--min-severity', 'warn'], 'cannot be used with option'],
      [['query', '--via', 'smtp'], 'Allowed choices are http, amqp'],
      [['query', '--timeout', '0'], 'must be a positive integer'],
      [['start', '--target', 'everything'], 'Allowed choices are all, collector, router, archiver'],
      [['tail'], "missing required argument 'pattern'"],
      [['frobnicate'], "unknown command 'frobnicate'"],
    ])('%j', async (argv, message) => {
      const result = await run(...argv);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
    });

    it('prints help and exits 2 without a command', async () => {
      const result = await run();
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('Usage: logyard');
    });
  });

  it('exits 0 for --help', async () => {
    const result = await run('query', '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--min-severity <severity>');
  });

  describe('query over HTTP', () => {
    const record = makeRecord({ ts: '2026-11-24T10:00:00.000000Z', host: 'web-1', severity: 'warn' });
    let fetchSpy: jest.SpyInstance;
    const answer = (status: number, body: unknown) =>
      fetchSpy.mockResolvedValue(new Response(JSON.stringify(body), { status }));

    beforeEach(() => {
      fetchSpy = jest.spyOn(global, 'fetch');
    });
    afterEach(() => fetchSpy.mockRestore());

    it('maps the options onto GET /api/logs and prints one line per record', async () => {
      answer(200, { items: [record], nextCursor: null });
      const result = await run(
        'query',
        '--url',
        'http://logs.example:8080/',
        '--host',
        'web-1',
        '--host',
        'web-2',
        '--service',
        'checkout',
        '--min-severity',
        'warn',
        '--since',
        '1h',
        '-q',
        'payment declined',
        '--limit',
        '50',
      );
      expect(result).toEqual({
        code: 0,
        stdout: `2026-11-24T10:00:00.000000Z web-1 checkout warn order placed\n`,
        stderr: '',
      });
      const url = new URL(fetchSpy.mock.calls[0][0] as string);
      expect(url.origin + url.pathname).toBe('http://logs.example:8080/api/logs');
      expect([...url.searchParams]).toEqual([
        ['from', 'now-1h'],
        ['host', 'web-1'],
        ['host', 'web-2'],
        ['service', 'checkout'],
        ['minSeverity', 'warn'],
        ['q', 'payment declined'],
        ['limit', '50'],
      ]);
    });

    it('prints the answer as it came with --json', async () => {
      answer(200, { items: [record], nextCursor: 'next' });
      const result = await run('query', '--url', 'http://x', '--json');
      expect(JSON.parse(result.stdout)).toEqual({ items: [record], nextCursor: 'next' });
    });

    // A carriage return is JSON whitespace: printed as it came, a server's answer could redraw the line.
    it('prints --json as one line whatever whitespace the answer holds between its tokens', async () => {
      fetchSpy.mockResolvedValue(new Response('{\r"items":\r\n[],\t"nextCursor":null}\r', { status: 200 }));
      const result = await run('query', '--url', 'http://x', '--json');
      expect(result.stdout).toBe('{"items":[],"nextCursor":null}\n');
    });

    it("turns the API's 400 into a usage error naming the field", async () => {
      answer(400, {
        statusCode: 400,
        error: 'Bad Request',
        field: 'limit',
        message: 'limit: must be an integer',
      });
      await expect(run('query', '--url', 'http://x', '--limit', '0')).resolves.toEqual({
        code: 2,
        stdout: '',
        stderr: 'logyard: limit: must be an integer\n',
      });
    });

    it('fails with exit 1 and says how to start Logyard when nothing answers', async () => {
      fetchSpy.mockRestore();
      const url = `http://127.0.0.1:${await closedPort()}`;
      const result = await run('query', '--url', url);
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr: expect.stringMatching(
          /^logyard: cannot reach Logyard at http:.* \(connect ECONNREFUSED .*\); start it with/,
        ),
      });
    });
  });
});

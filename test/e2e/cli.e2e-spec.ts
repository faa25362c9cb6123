import { randomBytes } from 'node:crypto';
import { validate as isUuid } from 'uuid';
import { LogPage as Page } from '@logyard/contracts';
import { createTestEnvironment, TestEnvironment, unusedPort, waitFor } from '@logyard/testing';
import { runCli, spawnCli } from '../support/cli';
import { WatchedProcess } from '../support/processes';
import { request } from '../support/http';

describe('the logyard CLI, run as a user types it', () => {
  let world: TestEnvironment;
  /** `logyard start`, serving every role for the other commands. */
  let service: WatchedProcess;
  /** What a user's shell holds: the broker and prefix, and PORT from which the CLI finds the HTTP API. */
  let env: Record<string, string>;
  const tag = randomBytes(4).toString('hex');
  const host = `cli-${tag}`;

  beforeAll(async () => {
    world = createTestEnvironment();
    env = { ...world.env, PORT: String(await unusedPort()) };
    service = spawnCli(['start'], env);
    await waitFor(
      'logyard start to be ready',
      async () => {
        if (service.child.exitCode !== null) throw new Error(`logyard start exited:\n${service.stderr()}`);
        return (
          (await request(`http://127.0.0.1:${env.PORT}/health/ready`).catch(() => undefined))?.status === 200
        );
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  });

  afterAll(async () => {
    if (service?.child.exitCode === null) service.child.kill('SIGKILL');
    await world?.dispose();
  });

  it('sends a record that query then finds over HTTP, as text and as JSON', async () => {
    const sent = await runCli(['send', `${host}.checkout.error`, 'payment', 'declined', 'for order 42'], env);
    expect(sent).toEqual({ code: 0, stdout: expect.stringMatching(/^\S+\n$/), stderr: '' });
    const id = sent.stdout.trim();
    expect(isUuid(id)).toBe(true);

    const found = await waitFor('the record in the archive', async () => {
      const run = await runCli(['query', '--host', host, '--json'], env);
      return run.code === 0 && (JSON.parse(run.stdout) as Page).items.length > 0 && run;
    });
    const page = JSON.parse(found.stdout) as Page;
    expect(page).toEqual({
      items: [expect.objectContaining({ id, host, service: 'checkout' })],
      nextCursor: null,
    });
    const [record] = page.items;
    expect(record).toMatchObject({ severity: 'error', message: 'payment declined for order 42' });

    await expect(
      runCli(
        ['query', '--host', host, '--service', 'checkout', '--min-severity', 'warn', '--since', '1h'],
        env,
      ),
    ).resolves.toEqual({
      code: 0,
      stdout: `${record.ts} ${host} checkout error payment declined for order 42\n`,
      stderr: '',
    });
    // --url wins over the environment; filters that exclude the record find nothing.
    await expect(
      runCli(['query', '--url', `http://127.0.0.1:${env.PORT}`, '--host', host, '--severity', 'info'], {
        ...env,
        LOGYARD_URL: 'http://127.0.0.1:9/unused',
      }),
    ).resolves.toEqual({ code: 0, stdout: '', stderr: '(no logs matched)\n' });
  });

  it('answers the same query over the AMQP RPC', async () => {
    await runCli(['send', `${host}.payments.warn`, 'card expired'], env);
    const query = ['query', '--host', host, '--min-severity', 'warn', '--limit', '10', '--json'];
    const overHttp = await waitFor('both records archived', async () => {
      const run = await runCli(query, env);
      return (JSON.parse(run.stdout) as Page).items.length === 2 && run;
    });
    const overAmqp = await runCli([...query, '--via', 'amqp'], env);
    expect(overAmqp).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(overAmqp.stdout)).toEqual(JSON.parse(overHttp.stdout));
  });

  it("exits 2 with the API's message when it refuses a parameter, over HTTP and AMQP", async () => {
    for (const via of ['http', 'amqp']) {
      await expect(runCli(['query', '--limit', '0', '--via', via], env)).resolves.toEqual({
        code: 2,
        stdout: '',
        stderr: 'logyard: limit: must be an integer from 1 to 1000\n',
      });
    }
  });

  it("tails live records as `[x] 'host.service.severity': message`, or as JSON, until Ctrl-C", async () => {
    const tails = [spawnCli(['tail', `${host}-live.#`], env), spawnCli(['tail', '#.fatal', '--json'], env)];
    for (const tail of tails) {
      await waitFor('the tail to subscribe', () => tail.stderr().includes('Ctrl-C to stop'), {
        timeoutMs: 10_000,
      });
    }
    expect(tails[0].stderr()).toBe(
      `logyard: tailing '${host}-live.#' on ${world.prefix}.logs; Ctrl-C to stop\n`,
    );

    const sent = await runCli(['send', `${host}-live.API.FATAL`, 'disk', 'full'], env);
    expect(sent.code).toBe(0);
    await waitFor('the text line', () => tails[0].stdout().includes('\n'));
    await waitFor('the JSON line', () => tails[1].stdout().includes('\n'));
    expect(tails[0].stdout()).toBe(`[x] '${host}-live.api.fatal': disk full\n`);
    expect(JSON.parse(tails[1].stdout())).toMatchObject({
      id: sent.stdout.trim(),
      host: `${host}-live`,
      service: 'API',
      severity: 'fatal',
      message: 'disk full',
    });

    for (const tail of tails) tail.child.kill('SIGINT');
    await expect(Promise.all(tails.map((tail) => tail.exited))).resolves.toEqual([0, 0]);
  });

  it('ends quietly, with exit 0, when the reader of its output has closed the pipe (`| head -1`)', async () => {
    for (let i = 0; i < 3; i++)
      expect((await runCli(['send', `${host}-piped.api.info`, `line ${i}`], env)).code).toBe(0);
    const query = ['query', '--host', `${host}-piped`];
    await waitFor(
      'the records archived',
      async () => (await runCli(query, env)).stdout.split('\n').length > 3,
    );

    const sut = spawnCli(query, env);
    // The reader is gone before the query answers: every write the CLI makes fails with EPIPE.
    sut.child.stdout!.destroy();
    await expect(sut.exited).resolves.toBe(0);
    expect(sut.stderr()).toBe('');
  });

  it('exits 2 with a one-line hint for usage errors', async () => {
    await expect(runCli(['tail', '*..error'], env)).resolves.toEqual({
      code: 2,
      stdout: '',
      stderr:
        `logyard: pattern "*..error" has an empty word; separate words with single dots, e.g. '*.error'; ` +
        `did you mean '*.error'?\n`,
    });
    await expect(runCli(['send', 'web-1.checkout.info.x', 'hello'], env)).resolves.toEqual({
      code: 2,
      stdout: '',
      stderr:
        'logyard: routing key "web-1.checkout.info.x" must be host.service.severity, service.severity ' +
        'or severity (e.g. web-1.checkout.error, checkout.error, error)\n',
    });
    await expect(runCli(['query', '--since', 'yesterday'], env)).resolves.toMatchObject({ code: 2 });
    await expect(runCli(['stop'], env)).resolves.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('stop'),
    });
  });

  it('exits 1 with one line saying what to start when the broker, the API or the topology is missing', async () => {
    const noBroker = { ...env, AMQP_URL: 'amqp://guest:secret@127.0.0.1:1' };
    for (const args of [
      ['send', 'a.b.error', 'x'],
      ['tail', '#'],
      ['query', '--via', 'amqp'],
    ]) {
      const run = await runCli(args, noBroker);
      expect({ args, code: run.code }).toEqual({ args, code: 1 });
      expect(run.stderr).toMatch(
        /^logyard: cannot reach RabbitMQ at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1 \(.+\); start it with 'rabbitmq-server -detached' or set AMQP_URL\n$/,
      );
    }

    const noApi = await runCli(['query'], { ...env, LOGYARD_URL: 'http://127.0.0.1:9' });
    expect(noApi.code).toBe(1);
    expect(noApi.stderr).toMatch(
      /^logyard: cannot reach Logyard at http:\/\/127\.0\.0\.1:9 \(.+\); start it with 'logyard start'/,
    );

    // A prefix nothing was ever started on: the exchanges and the RPC queue do not exist.
    const nothing = { ...env, AMQP_PREFIX: `nothing-${tag}` };
    for (const [args, missing] of [
      [['send', 'a.b.error', 'x'], `exchange nothing-${tag}.ingest`],
      [['tail', '#'], `exchange nothing-${tag}.logs`],
      [['query', '--via', 'amqp'], `queue nothing-${tag}.rpc`],
    ] as const) {
      await expect(runCli([...args], nothing)).resolves.toEqual({
        code: 1,
        stdout: '',
        stderr: `logyard: ${missing} does not exist on the broker; start Logyard first ('logyard start') or check AMQP_PREFIX\n`,
      });
    }
  });

  it('stops `logyard start` on SIGTERM after draining, with exit 0; query --via amqp then times out', async () => {
    service.child.kill('SIGTERM');
    await expect(service.exited).resolves.toBe(0);
    expect(service.stdout()).toMatch(/drained and closed/);

    // The RPC queue outlives the archiver, so the request is taken, and nobody answers it.
    await expect(runCli(['query', '--via', 'amqp', '--timeout', '1500'], env)).resolves.toEqual({
      code: 1,
      stdout: '',
      stderr: `logyard: no answer on ${world.prefix}.rpc within 1500 ms; is an archiver with the query RPC running?\n`,
    });
  });
});

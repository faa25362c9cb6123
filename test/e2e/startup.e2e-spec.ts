import { createTestEnvironment, TestEnvironment, waitFor } from '@logyard/testing';
import { request } from '../support/http';
import { spawnLogyard } from '../support/processes';

describe('starting the built service', () => {
  let world: TestEnvironment;

  beforeAll(() => {
    world = createTestEnvironment();
  });

  afterAll(async () => {
    await world.dispose();
  });

  it('prints one line naming the unreachable broker and exits 1', async () => {
    const sut = spawnLogyard([], { ...world.env, AMQP_URL: 'amqp://guest:secret@127.0.0.1:1' });
    await expect(sut.exited).resolves.toBe(1);
    const errors = sut
      .output()
      .split('\n')
      .filter((line) => line.startsWith('logyard:'));
    expect(errors).toEqual([
      expect.stringMatching(
        /^logyard: cannot reach RabbitMQ at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1 .*rabbitmq-server -detached/,
      ),
    ]);
    expect(sut.output()).not.toMatch(/\n\s+at /);
  });

  it('prints one line naming the unreachable database and exits 1', async () => {
    const sut = spawnLogyard(['--target', 'archiver'], {
      ...world.env,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x',
    });
    await expect(sut.exited).resolves.toBe(1);
    expect(sut.output()).toMatch(
      /logyard: cannot reach PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/x .*pg_ctlcluster/,
    );
    expect(sut.output()).not.toMatch(/\n\s+at /);
  });

  it('refuses invalid configuration with every problem listed', async () => {
    const sut = spawnLogyard([], { ...world.env, QUEUE_TYPE: 'lazy', BODY_LIMIT: 'huge' });
    await expect(sut.exited).resolves.toBe(1);
    expect(sut.output()).toMatch(/logyard: invalid configuration: .*QUEUE_TYPE.*BODY_LIMIT/);
  });

  it.each([
    ['INGEST_TOKENS', ' , ', /^logyard: invalid configuration: INGEST_TOKENS: is set but names no token; /],
    [
      'QUERY_TOKENS',
      'too-short-token',
      /^logyard: invalid configuration: QUERY_TOKENS: token 1 of 1 is shorter than 16 /,
    ],
  ])(
    'refuses %s=%p, which would leave the service open or guessable, in one line',
    async (name, value, line) => {
      const sut = spawnLogyard([], { ...world.env, [name]: value });
      await expect(sut.exited).resolves.toBe(1);
      expect(sut.output().trim().split('\n')).toEqual([expect.stringMatching(line)]);
    },
  );

  it('runs one role per process on its default port and drains on SIGTERM', async () => {
    const sut = spawnLogyard(['--target', 'collector'], world.env);
    await waitFor(
      'collector on :3001',
      async () => (await request('http://127.0.0.1:3001/health/ready')).status === 200,
      {
        timeoutMs: 20_000,
      },
    );
    await expect(request('http://127.0.0.1:3001/api/logs')).resolves.toMatchObject({ status: 404 });
    sut.child.kill('SIGTERM');
    await expect(sut.exited).resolves.toBe(0);
  });
});

import amqplib from 'amqplib';
import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArchiverModule } from '@logyard/archiver';
import { CollectorModule } from '@logyard/collector';
import { LogRecord } from '@logyard/contracts';
import { metricValue } from '@logyard/observability';
import { RouterModule } from '@logyard/router';
import { IsolatedLogyard, startIsolatedLogyard, waitFor } from '@logyard/testing';
import { watchProcess } from '../support/processes';

const ROOT = join(__dirname, '../..');
const TUTORIAL = join(ROOT, 'docs/tutorial');
/** apt's python3-pika installs for the system interpreter, which a pyenv shim on PATH may hide. */
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';

/** A snippet of docs/tutorial running as its own process, as a reader would run it. */
interface Snippet {
  child: ChildProcess;
  lines(): string[];
  exited: Promise<number | null>;
}

/** The ```python blocks of the README that start with `# docs/tutorial/<file>`, by file name. */
function readmeSnippets(): Map<string, string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const blocks = new Map<string, string>();
  for (const [, body] of readme.matchAll(/^```python\n(# docs\/tutorial\/[\s\S]*?)^```$/gm)) {
    blocks.set(/^# docs\/tutorial\/([\w.]+)/.exec(body)![1], body);
  }
  return blocks;
}

describe('the tutorial, against Logyard: the README’s pika snippets', () => {
  const files = readdirSync(TUTORIAL).filter((name) => name.endsWith('.py'));
  let sut: IsolatedLogyard;
  const running: Snippet[] = [];
  const workQueue = () => `${sut.world.prefix}.tutorial-error-alerts`;

  const run = (file: string, ...args: string[]): Snippet => {
    const { child, stdout, stderr, exited } = watchProcess(
      spawn(PYTHON, [join(TUTORIAL, file), ...args], {
        env: {
          PATH: process.env.PATH ?? '',
          PYTHONUNBUFFERED: '1',
          AMQP_URL: sut.world.amqpUrl,
          AMQP_PREFIX: sut.world.prefix,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    const snippet = {
      child,
      lines: () =>
        stdout()
          .split('\n')
          .filter((line) => line !== ''),
      exited: exited.then((code) => {
        if (code !== 0 && code !== null && stderr()) process.stderr.write(`${file}: ${stderr()}`);
        return code;
      }),
    };
    running.push(snippet);
    return snippet;
  };
  const started = async (file: string, ...args: string[]) => {
    const snippet = run(file, ...args);
    await waitFor(`${file} waiting`, () => snippet.lines().some((line) => line.startsWith(' [*] Waiting')));
    return snippet;
  };
  const publish = async (key: string, message: string) => {
    await expect(run('emit_log.py', key, message).exited).resolves.toBe(0);
  };
  /** The messages a subscriber printed, in order. */
  const received = (snippet: Snippet) =>
    snippet
      .lines()
      .filter((line) => line.startsWith(' [x] '))
      .map((line) => line.slice(line.indexOf(': ') + 2));

  beforeAll(async () => {
    sut = await startIsolatedLogyard([CollectorModule, RouterModule, ArchiverModule]);
  });

  afterAll(async () => {
    for (const snippet of running) snippet.child.kill('SIGTERM');
    await Promise.all(running.map((snippet) => snippet.exited));
    const connection = await amqplib.connect(sut.world.amqpUrl);
    await (await connection.createChannel()).deleteQueue(workQueue());
    await connection.close();
    await sut?.close();
  });

  it('quotes every snippet verbatim in the README, so the two cannot drift', () => {
    const blocks = readmeSnippets();
    expect([...blocks.keys()].sort()).toEqual([...files].sort());
    for (const file of files) expect(blocks.get(file)).toBe(readFileSync(join(TUTORIAL, file), 'utf8'));
  });

  it('runs the publisher with 1-, 2- and 3-word keys and every subscriber gets exactly its records, once', async () => {
    const topic = await started('receive_logs_topic.py', '*.error', 'checkout.*');
    const direct = await started('receive_logs_direct.py', 'info', 'error');
    const headers = await started('receive_logs_headers.py', 'any', 'host=web-1_prod', 'severity=fatal');
    const fanout = await started('receive_logs.py');
    const workers = [
      await started('worker.py', workQueue(), '*.error'),
      await started('worker.py', workQueue(), '*.error'),
    ];

    const published: [string, string][] = [
      ['error', 'one-word error'],
      ['checkout.warning', 'checkout warning'],
      ['test.info', 'test info'],
      ['error.apache', 'apache error'],
      ['web-1_prod.checkout.error', 'web checkout error'],
      ['web-1_prod.api.fatal', 'web api fatal'],
      ['db-2.pg.debug', 'db pg debug'],
    ];
    for (const [key, message] of published) await publish(key, message);
    // A marker every subscriber matches, published once the rest is routed: seeing it means seeing all before it.
    await waitFor(
      'all routed',
      async () => (await metricValue(sut.url, 'logyard_records_routed_total')) === 7,
    );
    await publish('web-1_prod.checkout.error', 'marker');
    for (const subscriber of [topic, direct, headers, fanout]) {
      await waitFor('the marker', () => received(subscriber).includes('marker'));
    }

    expect(received(topic).sort()).toEqual(
      ['one-word error', 'checkout warning', 'apache error', 'web checkout error', 'marker'].sort(),
    );
    expect(received(direct).sort()).toEqual(
      ['one-word error', 'test info', 'apache error', 'web checkout error', 'marker'].sort(),
    );
    expect(received(headers).sort()).toEqual(['web checkout error', 'web api fatal', 'marker'].sort());
    expect(received(fanout).sort()).toEqual([...published.map(([, message]) => message), 'marker'].sort());
    expect(topic.lines()).toContain(' [x] unknown.unknown.error: one-word error');

    // Competing consumers of one work queue: together they see each record once.
    const work = () => workers.flatMap(received).sort();
    const expectedWork = ['one-word error', 'apache error', 'web checkout error', 'marker'].sort();
    await waitFor('the workers', () => work().length >= expectedWork.length);
    expect(work()).toEqual(expectedWork);
  });

  it('answers the RPC client with what GET /api/logs answers', async () => {
    await waitFor('the archive', async () => (await sut.db.scalar('SELECT count(*) FROM logs')) === 8);
    const client = run('rpc_client.py', 'service=checkout', 'limit=10');
    await expect(client.exited).resolves.toBe(0);
    const answer = JSON.parse(client.lines().at(-1)!) as { items: LogRecord[]; nextCursor: string | null };
    expect(answer.items.map((record) => record.message).sort()).toEqual(
      ['checkout warning', 'web checkout error', 'marker'].sort(),
    );
    expect(answer.nextCursor).toBeNull();
  });
});

import amqplib from 'amqplib';
import { topologyNames } from '@logyard/amqp';
import { createTestEnvironment, DatabaseProbe, TestEnvironment, unusedPort, waitFor } from '@logyard/testing';
import { WatchedProcess, startLogyardProcess, stopLogyardProcess } from '../support/processes';
import { makeOutgoingRecords, RetryingSender } from '../support/retrying-sender';
import { RabbitCluster, RabbitNode } from './rabbit-cluster';

/** 30,000 per scenario by default; CLUSTER_RECORDS=5000 for a quick run. */
const RECORDS = Number(process.env.CLUSTER_RECORDS ?? 30_000);
const STRIKE_AT = Math.floor(RECORDS / 3);

type Running = WatchedProcess & { url: string; role: string };

interface ScenarioResult {
  scenario: string;
  accepted: number;
  stored: number;
  duplicated: number;
  deadLettered: number;
  recoveryMs: number;
}

/**
 * Logyard on a real 3-node RabbitMQ cluster with quorum queues: one
 * collector, two routers and two archivers as separate OS processes, each
 * given every node in AMQP_URL. Records stream in from a sender that retries
 * like an agent while a node fails; every accepted record must be stored
 * exactly once. Recovery is the time from the fault until every process that
 * was connected to the failed node has connected to another one and every
 * process reports ready.
 */
describe('cluster: a broker node fails while records stream in', () => {
  let cluster: RabbitCluster | undefined;
  let world: TestEnvironment | undefined;
  let db: DatabaseProbe | undefined;
  const processes: Running[] = [];
  const results: ScenarioResult[] = [];

  beforeAll(async () => {
    cluster = await RabbitCluster.start();
    world = createTestEnvironment({
      AMQP_URL: cluster.amqpUrl,
      QUEUE_TYPE: 'quorum',
      ARCHIVER_FLUSH_MS: '100',
    });
    const env = world.env;
    const roles = ['collector', 'router', 'router', 'archiver', 'archiver'] as const;
    for (const role of roles) {
      processes.push({ ...(await startLogyardProcess(role, env, await unusedPort())), role });
    }
    db = await DatabaseProbe.open(world.databaseUrl);
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => stopLogyardProcess(p).catch(() => undefined)));
    await db?.close().catch(() => undefined);
    await cluster?.destroy();
    await world?.dispose();
    if (results.length > 0) {
      console.log(
        [
          `cluster suite, ${RECORDS} records per scenario, 3 nodes, quorum queues, 1 collector + 2 routers + 2 archivers:`,
          ...results.map(
            (r) =>
              `  ${r.scenario}: accepted ${r.accepted}, stored ${r.stored}, duplicated ${r.duplicated}, ` +
              `dead-lettered ${r.deadLettered}, recovery ${(r.recoveryMs / 1000).toFixed(1)} s`,
          ),
        ].join('\n'),
      );
    }
  });

  const collector = () => processes[0];

  /** The AMQP port a process last logged connecting to, and how many connects it logged. */
  function connection(process: Running): { port: number; connects: number } {
    const ports = [...process.output().matchAll(/connected to amqp:\/\/[^@\s]*@127\.0\.0\.1:(\d+)/g)];
    return { port: Number(ports.at(-1)?.[1]), connects: ports.length };
  }

  async function deadLettered(): Promise<number> {
    for (const node of cluster!.nodes) {
      try {
        const connection = await amqplib.connect(node.url);
        try {
          const channel = await connection.createChannel();
          return (await channel.checkQueue(topologyNames(world!.env.AMQP_PREFIX).deadQueue)).messageCount;
        } finally {
          await connection.close();
        }
      } catch {
        // that node is down; ask the next
      }
    }
    throw new Error('no node of the cluster answered');
  }

  /**
   * Streams RECORDS records, strikes `node` a third of the way in, waits for
   * every affected process to move to another node, runs `afterRecovery`, and
   * counts what was stored.
   */
  async function scenario(
    name: string,
    node: RabbitNode,
    strike: (node: RabbitNode) => Promise<void>,
    afterRecovery: (node: RabbitNode, sender: RetryingSender) => Promise<void>,
  ): Promise<void> {
    const records = makeOutgoingRecords(RECORDS, name);
    const sender = new RetryingSender(() => collector().url, records, {
      chunk: 500,
      holdAfter: STRIKE_AT,
      deadlineMs: 480_000,
    });
    const sending = sender.run();
    await waitFor('a third of the records accepted', () => sender.accepted >= STRIKE_AT || undefined, {
      timeoutMs: 300_000,
      intervalMs: 20,
    });

    const before = processes.map(connection);
    const affected = processes.filter((_, i) => before[i].port === node.port);
    const struck = Date.now();
    await strike(node);
    sender.release();
    await waitFor(
      `${affected.map((p) => p.role).join(', ') || 'nothing'} reconnected and every process ready`,
      async () => {
        for (const p of affected) {
          const now = connection(p);
          if (now.connects <= before[processes.indexOf(p)].connects || now.port === node.port) return false;
        }
        const statuses = await Promise.all(
          processes.map((p) =>
            fetch(`${p.url}/health/ready`).then(
              (r) => r.status,
              () => 0,
            ),
          ),
        );
        return statuses.every((status) => status === 200);
      },
      { timeoutMs: 120_000, intervalMs: 50 },
    );
    const recoveryMs = Date.now() - struck;

    await afterRecovery(node, sender);
    await sending;
    const ids = records.map((record) => record.id);
    const storedOf = () =>
      db!.scalar('SELECT count(DISTINCT id) FROM logs WHERE id = ANY($1::uuid[])', [ids]);
    await waitFor('every accepted record stored', async () => (await storedOf()) === sender.accepted, {
      timeoutMs: 240_000,
      intervalMs: 500,
    });
    const result: ScenarioResult = {
      scenario: name,
      accepted: sender.accepted,
      stored: await storedOf(),
      duplicated: await db!.scalar(
        'SELECT count(*) - count(DISTINCT id) FROM logs WHERE id = ANY($1::uuid[])',
        [ids],
      ),
      deadLettered: await deadLettered(),
      recoveryMs,
    };
    results.push(result);
    expect(result).toEqual({ ...result, accepted: RECORDS, stored: RECORDS, duplicated: 0, deadLettered: 0 });
  }

  let killedInA: RabbitNode | undefined;

  it('(a) kill -9 of the node the collector is connected to', async () => {
    const node = cluster!.nodeOnPort(connection(collector()).port);
    killedInA = node;
    await scenario(
      "kill -9 of the collector's node",
      node,
      (n) => cluster!.killNode(n),
      // Back in the cluster before (b), while the rest of the records arrive.
      (n) => cluster!.startNode(n),
    );
  });

  it('(b) another node stopped and started', async () => {
    // Of the nodes other than (a)'s, the one holding the most Logyard connections, so the most processes move.
    const ports = processes.map((p) => connection(p).port);
    const held = (node: RabbitNode) => ports.filter((port) => port === node.port).length;
    const [node] = cluster!.nodes.filter((n) => n !== killedInA).sort((x, y) => held(y) - held(x));
    await scenario(
      'stop and start of another node',
      node,
      (n) => cluster!.stopNode(n),
      async (n, sender) => {
        // Down while a further third of the records arrives, then back.
        await waitFor('two thirds accepted', () => sender.accepted >= 2 * STRIKE_AT || undefined, {
          timeoutMs: 300_000,
        });
        await cluster!.startNode(n);
      },
    );
  });
});

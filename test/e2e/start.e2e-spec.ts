import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensureDatabase } from '@logyard/db';
import {
  createTestEnvironment,
  DatabaseProbe,
  dropDatabase,
  PG_SERVER_URL,
  TEST_DATABASE_STEM,
  TestEnvironment,
  unusedPort,
  waitFor,
} from '@logyard/testing';
import { request } from '../support/http';
import { WatchedProcess, watchProcess } from '../support/processes';

const ROOT = join(__dirname, '..', '..');
const BUILD_IF_STALE = join(ROOT, 'bin', 'build-if-stale.js');

function run(command: string, args: string[], env: Record<string, string>, cwd = ROOT): WatchedProcess {
  // Its own process group, so the whole npm → logyard → service chain stops with one signal.
  return watchProcess(spawn(command, args, { cwd, env: { ...process.env, ...env }, detached: true }));
}

describe('npm start build step (bin/build-if-stale.js)', () => {
  let root: string;
  const builds = () => readFileSync(join(root, 'builds'), 'utf8').split('\n').filter(Boolean).length;
  // A stand-in for tsc that takes long enough for racing starts to overlap, and counts itself.
  const env = { LOGYARD_BUILD_COMMAND: 'sleep 1 && mkdir -p dist && echo built >> builds' };
  const startMany = async (n: number) => {
    const runs = Array.from({ length: n }, () => run(process.execPath, [BUILD_IF_STALE, root], env));
    return Promise.all(runs.map((r) => r.exited));
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'logyard-build-'));
    mkdirSync(join(root, 'apps', 'a', 'src'), { recursive: true });
    writeFileSync(join(root, 'apps', 'a', 'src', 'main.ts'), 'export {};\n');
    writeFileSync(join(root, 'builds'), '');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('builds once for starts racing each other, and not again while the sources stay the same', async () => {
    await expect(startMany(4)).resolves.toEqual([0, 0, 0, 0]);
    expect(builds()).toBe(1);
    await expect(startMany(2)).resolves.toEqual([0, 0]);
    expect(builds()).toBe(1);
  });

  it('builds again after a source is edited, added or deleted', async () => {
    await expect(startMany(1)).resolves.toEqual([0]);
    const main = join(root, 'apps', 'a', 'src', 'main.ts');
    const later = new Date(Date.now() + 5_000);
    utimesSync(main, later, later);
    await expect(startMany(1)).resolves.toEqual([0]);
    writeFileSync(join(root, 'apps', 'a', 'src', 'extra.ts'), 'export {};\n');
    await expect(startMany(1)).resolves.toEqual([0]);
    rmSync(join(root, 'apps', 'a', 'src', 'extra.ts'));
    await expect(startMany(1)).resolves.toEqual([0]);
    expect(builds()).toBe(4);
  });

  it('takes over the lock of a build that was killed half-way', async () => {
    const lock = join(root, 'node_modules', '.cache', 'logyard', 'build.lock');
    mkdirSync(lock, { recursive: true });
    // A pid above the kernel's pid_max belongs to no process.
    writeFileSync(join(lock, 'pid'), String(2 ** 22 + 1));
    await expect(startMany(1)).resolves.toEqual([0]);
    expect(builds()).toBe(1);
  });
});

describe('npm start of every role at once', () => {
  let world: TestEnvironment;
  let db: DatabaseProbe | undefined;
  const runs: WatchedProcess[] = [];

  beforeAll(() => {
    world = createTestEnvironment();
  });
  afterAll(async () => {
    for (const r of runs) {
      if (r.child.exitCode === null && r.child.pid) process.kill(-r.child.pid, 'SIGTERM');
    }
    await Promise.all(runs.map((r) => r.exited));
    await db?.close();
    await world.dispose();
  });

  it('keeps a collector, two routers and two archivers started in parallel all running', async () => {
    const roles = ['collector', 'router', 'router', 'archiver', 'archiver'] as const;
    const ports = await Promise.all(roles.map(() => unusedPort()));
    roles.forEach((role, i) =>
      runs.push(
        run('npm', ['start', '--', '--target', role], {
          ...world.env,
          PORT: String(ports[i]),
          NO_COLOR: '1',
        }),
      ),
    );
    await Promise.all(
      ports.map((port, i) =>
        waitFor(
          `${roles[i]} on ${port} to be ready`,
          async () => {
            if (runs[i].child.exitCode !== null) throw new Error(`exited:\n${runs[i].output()}`);
            return (await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200;
          },
          { timeoutMs: 90_000, intervalMs: 200 },
        ),
      ),
    );

    const ids = Array.from(
      { length: 20 },
      (_, i) => `0190d000-0000-7000-8000-${String(i).padStart(12, '0')}`,
    );
    const sent = await request(`http://127.0.0.1:${ports[0]}/ingest`, {
      body: ids.map((id) => ({ id, host: 'web-1', service: 'start', message: 'hello' })),
    });
    expect(sent.status).toBe(202);
    db = await DatabaseProbe.open(world.databaseUrl);
    const probe = db;
    await expect(
      waitFor('every record to be stored', async () => {
        const stored = await probe.scalar<string>('SELECT count(*) FROM logs WHERE id = ANY($1::uuid[])', [
          ids,
        ]);
        return Number(stored) === ids.length;
      }),
    ).resolves.toBe(true);
    // Still all five: none lost its dist/ to another's start.
    expect(runs.map((r) => r.child.exitCode)).toEqual([null, null, null, null, null]);
  });
});

describe('archivers starting at once on a new database', () => {
  it('creates the database once, every one of them starting', async () => {
    // The race is narrow: a few rounds of four archivers' worth of CREATE DATABASE at the same moment.
    for (let round = 0; round < 5; round++) {
      const name = `${TEST_DATABASE_STEM}${randomBytes(4).toString('hex')}`;
      try {
        const starts = Array.from({ length: 4 }, () => ensureDatabase(`${PG_SERVER_URL}/${name}`));
        await expect(Promise.all(starts)).resolves.toHaveLength(4);
      } finally {
        await dropDatabase(name);
      }
    }
  });
});

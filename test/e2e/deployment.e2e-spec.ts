import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, SERVICE_NODE_FLAGS } from '@logyard/config';

const ROOT = join(__dirname, '..', '..');
// js-yaml comes with jest (istanbul's config loader); no YAML parser of our own is needed for one test.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { load } = require('js-yaml') as { load: (text: string) => unknown };

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
}

/**
 * There is no container engine on this machine: the Dockerfile and
 * docker-compose.yml are checked statically — parsed, their references
 * resolved, every Logyard container's environment validated by Logyard's own
 * config loader — and with `docker compose config` where that tool exists.
 */
describe('deployment files', () => {
  const compose = load(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, ComposeService>;
  };
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const logyardServices = Object.entries(compose.services).filter(([, s]) => s.image === 'logyard:latest');

  it('runs a 3-node RabbitMQ cluster, a PostgreSQL primary and replica, and each role in its own containers', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [
        'archiver-1',
        'archiver-2',
        'collector',
        'postgres-primary',
        'postgres-replica',
        'rabbitmq-1',
        'rabbitmq-2',
        'rabbitmq-3',
        'router-1',
        'router-2',
      ].sort(),
    );
    expect(logyardServices.map(([, s]) => s.command?.join(' ')).sort()).toEqual([
      '--target archiver',
      '--target archiver',
      '--target collector',
      '--target router',
      '--target router',
    ]);
  });

  it('gives every Logyard container a configuration Logyard accepts: every node, quorum queues', () => {
    for (const [, service] of logyardServices) {
      const config = loadConfig(service.environment ?? {});
      expect(config.amqp.urls.map((url) => new URL(url).hostname)).toEqual([
        'rabbitmq-1',
        'rabbitmq-2',
        'rabbitmq-3',
      ]);
      expect(config.amqp.queueType).toBe('quorum');
      expect(new URL(config.database.url).hostname).toBe('postgres-primary');
      expect(Object.keys(service.depends_on ?? {})).toEqual(
        expect.arrayContaining(['rabbitmq-1', 'rabbitmq-2', 'rabbitmq-3', 'postgres-primary']),
      );
    }
  });

  it('mounts only files that exist', () => {
    const mounts = Object.values(compose.services).flatMap((s) => s.volumes ?? []);
    const files = mounts.filter((m) => m.startsWith('./')).map((m) => m.split(':')[0]);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(existsSync(join(ROOT, file))).toBe(true);
  });

  it('builds in two stages and runs the built entry point as a non-root user with the service flags', () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    const runStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runStage).toMatch(/^USER node$/m);
    const entrypoint = JSON.parse(/^ENTRYPOINT (.+)$/m.exec(runStage)![1]) as string[];
    expect(entrypoint).toEqual(['node', ...SERVICE_NODE_FLAGS, 'dist/apps/logyard/src/main.js']);
    // The tests run from a build: the path the image starts is the one `npm run build` writes.
    expect(existsSync(join(ROOT, entrypoint.at(-1)!))).toBe(true);
    for (const [, source] of runStage.matchAll(/^COPY --from=build \/app\/(\S+)/gm)) {
      expect(['package.json', 'node_modules', 'dist', 'bin']).toContain(source);
    }
  });

  const composeTool = ['docker compose', 'docker-compose'].find(
    (tool) => spawnSync('sh', ['-c', `${tool} version`], { stdio: 'ignore' }).status === 0,
  );
  (composeTool ? it : it.skip)(`passes '${composeTool ?? 'docker compose'} config'`, () => {
    expect(() =>
      execFileSync('sh', ['-c', `${composeTool} -f docker-compose.yml config -q`], { cwd: ROOT }),
    ).not.toThrow();
  });
});

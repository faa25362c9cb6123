import { execFile, spawn } from 'node:child_process';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One node of the test cluster: its own name, AMQP and distribution ports, and directories. */
export interface RabbitNode {
  name: string;
  port: number;
  distPort: number;
  dir: string;
  url: string;
}

/**
 * A RabbitMQ cluster of its own on loopback, beside the machine's node (5672,
 * rabbit@localhost), which it never touches. Each node runs as the rabbitmq
 * user so it shares the machine's Erlang cookie (rabbitmqctl needs it too),
 * with a config whose only listener is its own port, no plugins (so no
 * management listener on 15672), and its data, logs and pid file under one
 * directory that `destroy()` removes. A run that died half-way leaves that
 * directory behind; the next `start()` kills its nodes first.
 */
export class RabbitCluster {
  readonly nodes: RabbitNode[];

  private constructor(
    private readonly base: string,
    size: number,
    firstPort: number,
  ) {
    this.nodes = Array.from({ length: size }, (_, i) => {
      const name = `ly${i + 1}@localhost`;
      const port = firstPort + i;
      return {
        name,
        port,
        distPort: port + 20_000,
        dir: join(base, `ly${i + 1}`),
        url: `amqp://guest:guest@127.0.0.1:${port}`,
      };
    });
  }

  /** Starts `size` nodes on ports firstPort… and joins them into one cluster. */
  static async start(size = 3, firstPort = 5681): Promise<RabbitCluster> {
    const base = join(tmpdir(), 'logyard-rabbit-cluster');
    const cluster = new RabbitCluster(base, size, firstPort);
    await cluster.destroy();
    try {
      for (const node of cluster.nodes) cluster.prepare(node);
      await Promise.all(cluster.nodes.map((node) => cluster.startNode(node)));
      const [first, ...others] = cluster.nodes;
      for (const node of others) {
        await cluster.ctl(node, 'stop_app');
        await cluster.ctl(node, 'join_cluster', first.name);
        await cluster.ctl(node, 'start_app');
      }
      return cluster;
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
  }

  /** The comma-separated AMQP_URL of every node. */
  get amqpUrl(): string {
    return this.nodes.map((node) => node.url).join(',');
  }

  nodeOnPort(port: number): RabbitNode {
    const node = this.nodes.find((candidate) => candidate.port === port);
    if (!node) throw new Error(`no node of the cluster listens on ${port}`);
    return node;
  }

  /** Starts a node (again, after a stop or a kill) and resolves once it runs; it rejoins the cluster itself. */
  async startNode(node: RabbitNode): Promise<void> {
    const log = openSync(join(node.dir, 'server.out'), 'a');
    // The script itself, not /usr/sbin's wrapper, which sends every node's output to one shared startup_log.
    const child = spawn('runuser', ['-u', 'rabbitmq', '--', '/usr/lib/rabbitmq/bin/rabbitmq-server'], {
      cwd: node.dir,
      env: {
        PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
        RABBITMQ_NODENAME: node.name,
        RABBITMQ_NODE_PORT: String(node.port),
        RABBITMQ_DIST_PORT: String(node.distPort),
        RABBITMQ_CONFIG_FILE: join(node.dir, 'rabbitmq.conf'),
        RABBITMQ_CONF_ENV_FILE: join(node.dir, 'rabbitmq-env.conf'),
        RABBITMQ_ENABLED_PLUGINS_FILE: join(node.dir, 'enabled_plugins'),
        RABBITMQ_MNESIA_BASE: join(node.dir, 'mnesia'),
        RABBITMQ_LOG_BASE: join(node.dir, 'log'),
        RABBITMQ_PID_FILE: join(node.dir, 'pid'),
        ERL_EPMD_ADDRESS: '127.0.0.1',
        // Inter-node traffic on loopback too, not on every interface.
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
      },
      stdio: ['ignore', log, log],
      detached: true,
    });
    closeSync(log);
    let exited = false;
    child.once('exit', () => (exited = true));
    child.unref();
    // await_startup fails at once until the VM has registered its name with epmd.
    const deadline = Date.now() + 180_000;
    for (;;) {
      try {
        await this.ctl(node, 'await_startup', '--timeout', '60');
        return;
      } catch (error) {
        if (exited || Date.now() > deadline) {
          const output = readFileSync(join(node.dir, 'server.out'), 'utf8').slice(-2000);
          throw new Error(`${node.name} did not start: ${(error as Error).message}\n${output}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  /** kill -9 of the node's Erlang VM: a crash, with no goodbye to clients or peers. */
  async killNode(node: RabbitNode): Promise<void> {
    const pid = this.pidOf(node);
    if (pid) process.kill(pid, 'SIGKILL');
    await waitUntil(() => !pid || !isAlive(pid), `${node.name} to die`);
  }

  /** A clean shutdown of the node's VM. */
  async stopNode(node: RabbitNode): Promise<void> {
    await this.ctl(node, 'shutdown');
  }

  /** Kills every node and removes every file of the cluster, whatever state it is in. */
  async destroy(): Promise<void> {
    for (const node of this.nodes) {
      const pid = this.pidOf(node);
      if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    // epmd keeps a name until the node's VM is gone; a VM being killed takes a moment.
    await Promise.all(
      this.nodes.map((node) => {
        const pid = this.pidOf(node);
        return pid ? waitUntil(() => !isAlive(pid), `${node.name} to die`) : undefined;
      }),
    );
    rmSync(this.base, { recursive: true, force: true });
  }

  async ctl(node: RabbitNode, ...args: string[]): Promise<string> {
    const { stdout } = await run('rabbitmqctl', ['-q', '-n', node.name, ...args], { timeout: 200_000 });
    return stdout;
  }

  private prepare(node: RabbitNode): void {
    mkdirSync(join(node.dir, 'log'), { recursive: true });
    mkdirSync(join(node.dir, 'mnesia'), { recursive: true });
    writeFileSync(join(node.dir, 'rabbitmq.conf'), `listeners.tcp.local = 127.0.0.1:${node.port}\n`);
    // Not the machine's env file, which names its node and port.
    writeFileSync(join(node.dir, 'rabbitmq-env.conf'), '');
    writeFileSync(join(node.dir, 'enabled_plugins'), '[].\n');
    chownToRabbitmq(this.base);
  }

  private pidOf(node: RabbitNode): number | undefined {
    const file = join(node.dir, 'pid');
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }
}

function chownToRabbitmq(dir: string): void {
  const owner = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === 'rabbitmq');
  if (!owner) throw new Error('no rabbitmq user on this machine');
  const [uid, gid] = [Number(owner[2]), Number(owner[3])];
  const walk = (path: string) => {
    chownSync(path, uid, gid);
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path)) walk(join(path, entry));
    }
  };
  walk(dir);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

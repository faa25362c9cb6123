import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AmqpConnectionManagerClass, Channel, ChannelWrapper } from 'amqp-connection-manager';
import { LOGYARD_CONFIG, LogyardConfig, redactUrl } from '@logyard/config';
import { StartupError } from '@logyard/observability';
import { assertTopology, buildTopology, Topology } from './topology';

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * The process's one RabbitMQ connection. amqp-connection-manager reconnects
 * it and re-runs every channel's setup (topology, prefetch, consumers) after
 * the broker comes back, so components only describe what a channel needs.
 */
@Injectable()
export class AmqpConnection implements OnModuleInit, OnApplicationShutdown {
  readonly topology: Topology;
  /** Shown in the broker's connection list and in this process's log lines; a subclass names its own. */
  protected readonly connectionName: string = 'logyard';
  private readonly logger = new Logger(AmqpConnection.name);
  private manager?: AmqpConnectionManagerClass;
  private lastError?: Error;
  private readonly channels = new Set<ChannelWrapper>();

  constructor(@Inject(LOGYARD_CONFIG) private readonly config: LogyardConfig) {
    this.topology = buildTopology(config.amqp.prefix, config.amqp.queueType);
  }

  async onModuleInit(): Promise<void> {
    const url = this.config.amqp.url;
    const manager = new AmqpConnectionManagerClass([url], {
      heartbeatIntervalInSeconds: 5,
      reconnectTimeInSeconds: 1,
      connectionOptions: { clientProperties: { connection_name: this.connectionName } },
    });
    this.manager = manager;
    const name = this.connectionName;
    manager.on('connect', () => this.logger.log(`${name} connected to ${redactUrl(url)}`));
    manager.on('disconnect', ({ err }) =>
      this.logger.warn(`${name} disconnected from RabbitMQ: ${err?.message ?? 'closed'}`),
    );
    manager.on('connectFailed', ({ err }) => (this.lastError = err));
    try {
      await manager.connect({ timeout: CONNECT_TIMEOUT_MS });
    } catch (error) {
      await manager.close().catch(() => undefined);
      const reason = (this.lastError ?? (error as Error)).message;
      throw new StartupError(
        `cannot reach RabbitMQ at ${redactUrl(url)} (${reason}); start it with 'rabbitmq-server -detached' or set AMQP_URL`,
      );
    }
    // Assert once before any role starts, so a failure here is a clear start-up error.
    const channel = this.createChannel('topology', false, (ch) => assertTopology(ch, this.topology));
    await channel.waitForConnect();
    await channel.close();
  }

  isConnected(): boolean {
    return this.manager?.isConnected() ?? false;
  }

  /** A channel whose setup re-runs on every reconnect; it always asserts the topology first. */
  createChannel(name: string, confirm: boolean, setup?: (channel: Channel) => Promise<void>): ChannelWrapper {
    if (!this.manager) throw new Error('AmqpConnection used before it connected');
    const channel = this.manager.createChannel({
      name,
      confirm,
      json: false,
      setup: async (channel: Channel) => {
        await assertTopology(channel, this.topology);
        await setup?.(channel);
      },
    });
    this.channels.add(channel);
    channel.once('close', () => this.channels.delete(channel));
    return channel;
  }

  /**
   * Runs after every role drained (beforeApplicationShutdown). Channels close
   * before the connection: a channel wrapper closed after its connection
   * would wait forever for a reconnect.
   */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.channels].map((channel) => channel.close().catch(() => undefined)));
    await this.manager?.close();
  }
}

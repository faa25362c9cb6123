import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AmqpConnectionManagerClass, Channel, ChannelWrapper } from 'amqp-connection-manager';
import { LOGYARD_CONFIG, LogyardConfig, redactUrl } from '@logyard/config';
import { StartupError } from '@logyard/observability';
import { createFailoverManager, reconnectOnChannelFault } from './broker-failover';
import { assertTopology, buildTopology, Topology } from './topology';

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * The process's one RabbitMQ connection, to one node of AMQP_URL's list at a
 * time. amqp-connection-manager reconnects it — to the next node, after a
 * jittered backoff (createFailoverManager) — and re-runs every channel's setup
 * (topology, prefetch, consumers) on the new connection, so components only
 * describe what a channel needs.
 */
@Injectable()
export class AmqpConnection implements OnModuleInit, OnApplicationShutdown {
  readonly topology: Topology;
  /** Shown in the broker's connection list and in this process's log lines; a subclass names its own. */
  protected readonly connectionName: string = 'logyard';
  /** Whether a channel the broker closes over a fault forces a reconnect (see createChannel). */
  protected readonly reconnectsOnChannelFault: boolean = true;
  private readonly logger = new Logger(AmqpConnection.name);
  private manager?: AmqpConnectionManagerClass;
  private lastError?: Error;
  private readonly channels = new Set<ChannelWrapper>();

  constructor(@Inject(LOGYARD_CONFIG) private readonly config: LogyardConfig) {
    this.topology = buildTopology(config.amqp.prefix, config.amqp.queueType, config.amqp.deliveryLimit);
  }

  async onModuleInit(): Promise<void> {
    const urls = this.config.amqp.urls;
    const manager = createFailoverManager(urls, {
      heartbeatIntervalInSeconds: 5,
      connectionOptions: { clientProperties: { connection_name: this.connectionName } },
    });
    this.manager = manager;
    const name = this.connectionName;
    manager.on('connect', ({ url }) => this.logger.log(`${name} connected to ${redactUrl(String(url))}`));
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
        `cannot reach RabbitMQ at ${urls.map(redactUrl).join(', ')} (${reason}); start it with 'rabbitmq-server -detached' or set AMQP_URL`,
      );
    }
    await this.assertTopologyAtStart(manager);
  }

  isConnected(): boolean {
    return this.manager?.isConnected() ?? false;
  }

  /**
   * A channel whose setup re-runs on every reconnect; it always asserts the topology first. A fault that
   * makes the broker close the channel forces a reconnect (reconnectOnChannelFault), unless the subclass
   * handles such faults per channel.
   */
  createChannel(name: string, confirm: boolean, setup?: (channel: Channel) => Promise<void>): ChannelWrapper {
    const manager = this.manager;
    if (!manager) throw new Error('AmqpConnection used before it connected');
    const channel = manager.createChannel({
      name,
      confirm,
      json: false,
      setup: async (channel: Channel) => {
        if (this.reconnectsOnChannelFault) {
          reconnectOnChannelFault(manager, channel, (reason) =>
            this.logger.warn(
              `RabbitMQ closed channel ${name} of ${this.connectionName}: ${reason}; reconnecting`,
            ),
          );
        }
        await assertTopology(channel, this.topology);
        await setup?.(channel);
      },
    });
    this.channels.add(channel);
    channel.once('close', () => this.channels.delete(channel));
    // A setup cut short by a lost node is emitted as an 'error', which would crash the process with no
    // listener; the next connection runs the setup again.
    channel.on('error', (error: Error) => this.logger.warn(`channel ${name} not set up: ${error.message}`));
    return channel;
  }

  /**
   * Asserts the topology once before any role starts, on a plain channel, so
   * that a broker refusing it — say a queue already declared with another
   * QUEUE_TYPE — is a start-up error naming the reason.
   */
  private async assertTopologyAtStart(manager: AmqpConnectionManagerClass): Promise<void> {
    try {
      if (!manager.connection) throw new Error('the connection closed again at once');
      const channel = await manager.connection.createChannel();
      channel.on('error', () => undefined);
      await assertTopology(channel, this.topology);
      await channel.close();
    } catch (error) {
      await manager.close().catch(() => undefined);
      throw new StartupError(
        `RabbitMQ refused Logyard's topology on prefix ${this.config.amqp.prefix}: ${(error as Error).message}`,
      );
    }
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

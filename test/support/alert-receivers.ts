import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import amqplib from 'amqplib';
import { AlertNotificationBody } from '@logyard/contracts';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  body: unknown;
  /** The status this receiver answered. */
  status: number;
}

/** A real HTTP server that records every POST; `status` decides what it answers next. */
export class HttpReceiver {
  readonly received: ReceivedRequest[] = [];
  status = 200;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly check: (request: ReceivedRequest) => string | undefined,
  ) {}

  /** `check` returns why a request is invalid (answered 400), or undefined. */
  static async start(
    check: (request: ReceivedRequest) => string | undefined = () => undefined,
  ): Promise<HttpReceiver> {
    const holder: { receiver?: HttpReceiver } = {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        let body: unknown;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          body = undefined;
        }
        const request: ReceivedRequest = { path: req.url ?? '', headers: req.headers, raw, body, status: 0 };
        const receiver = holder.receiver!;
        const invalid = receiver.check(request);
        request.status = invalid ? 400 : receiver.status;
        receiver.received.push(request);
        res.writeHead(request.status, { 'content-type': 'text/plain' }).end(invalid ?? 'ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.receiver = new HttpReceiver(server, `http://127.0.0.1:${port}`, check);
    return holder.receiver;
  }

  /** The notifications it accepted (answered 2xx). */
  accepted(): AlertNotificationBody[] {
    return this.received.filter((r) => r.status < 300).map((r) => r.body as AlertNotificationBody);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const ALERT_KEYS = new Set(['labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL']);

/**
 * Alertmanager's API v2 `POST /api/v2/alerts` body (postableAlerts), checked
 * strictly: an array of objects with only the schema's keys; `labels`
 * required, a non-empty map of valid label names to strings; `annotations` a
 * map of strings; `startsAt`/`endsAt` RFC 3339 date-times; `generatorURL` an
 * absolute URI. Returns the first violation, or undefined.
 */
export function alertmanagerV2Violation(request: ReceivedRequest): string | undefined {
  if (request.path !== '/api/v2/alerts') return `path ${request.path}`;
  if (request.headers['content-type'] !== 'application/json') return 'content-type';
  const alerts = request.body;
  if (!Array.isArray(alerts) || alerts.length === 0) return 'body is not a non-empty array';
  for (const alert of alerts as Record<string, unknown>[]) {
    if (typeof alert !== 'object' || alert === null) return 'alert is not an object';
    for (const key of Object.keys(alert)) if (!ALERT_KEYS.has(key)) return `unknown key ${key}`;
    const labels = alert.labels as Record<string, unknown> | undefined;
    if (typeof labels !== 'object' || labels === null || Object.keys(labels).length === 0)
      return 'labels missing';
    for (const [name, value] of Object.entries(labels)) {
      if (!LABEL_NAME.test(name) || typeof value !== 'string') return `label ${name}`;
    }
    if (alert.annotations !== undefined) {
      if (typeof alert.annotations !== 'object' || alert.annotations === null) return 'annotations';
      for (const [name, value] of Object.entries(alert.annotations)) {
        if (!LABEL_NAME.test(name) || typeof value !== 'string') return `annotation ${name}`;
      }
    }
    for (const key of ['startsAt', 'endsAt'] as const) {
      const value = alert[key];
      if (value === undefined) continue;
      if (
        typeof value !== 'string' ||
        !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value)
      ) {
        return `${key} is not a date-time`;
      }
    }
    if (alert.generatorURL !== undefined) {
      if (typeof alert.generatorURL !== 'string' || !URL.canParse(alert.generatorURL)) return 'generatorURL';
    }
  }
  return undefined;
}

/** A real AMQP subscriber on the alerts exchange, bound with `pattern`. */
export class AlertSubscriber {
  readonly messages: { routingKey: string; persistent: boolean; body: AlertNotificationBody }[] = [];

  private constructor(private readonly connection: amqplib.ChannelModel) {}

  static async open(amqpUrl: string, exchange: string, pattern: string): Promise<AlertSubscriber> {
    const connection = await amqplib.connect(amqpUrl);
    const subscriber = new AlertSubscriber(connection);
    const channel = await connection.createChannel();
    await channel.assertExchange(exchange, 'topic', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    await channel.bindQueue(queue, exchange, pattern);
    await channel.consume(
      queue,
      (message) => {
        if (!message) return;
        subscriber.messages.push({
          routingKey: message.fields.routingKey,
          persistent: message.properties.deliveryMode === 2,
          body: JSON.parse(message.content.toString('utf8')) as AlertNotificationBody,
        });
      },
      { noAck: true },
    );
    return subscriber;
  }

  close(): Promise<void> {
    return this.connection.close().catch(() => undefined);
  }
}

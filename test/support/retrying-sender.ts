import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

export interface OutgoingRecord {
  id: string;
  host: string;
  service: string;
  severity: string;
  message: string;
  attributes: Record<string, unknown>;
}

const HOSTS = ['web-1.prod.example.com', 'web-2.prod.example.com', 'db-1', 'cache-1', 'batch-7'];
const SERVICES = ['checkout', 'payments', 'search'];
const SEVERITIES = ['debug', 'info', 'info', 'info', 'warn', 'error'];

/** Records with client-side ids, as an agent that retries must send them. */
export function makeOutgoingRecords(count: number, tag: string): OutgoingRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    id: uuidv7(),
    host: HOSTS[i % HOSTS.length],
    service: SERVICES[i % SERVICES.length],
    severity: SEVERITIES[i % SEVERITIES.length],
    message: `${tag} record ${i} ${randomBytes(24).toString('base64')}`,
    attributes: { tag, i },
  }));
}

/**
 * Behaves like a real log agent: sends chunks over HTTP with a few requests
 * in flight, and retries a chunk — with the same ids — after a 503 or a
 * connection failure until it is accepted. Bounded by a deadline.
 */
export class RetryingSender {
  accepted = 0;
  refusals = 0;
  connectionFailures = 0;

  constructor(
    private readonly url: () => string,
    private readonly records: OutgoingRecord[],
    private readonly options: {
      chunk?: number;
      concurrency?: number;
      deadlineMs?: number;
      /** Sends this many records, then holds the rest until `release()`: a fault can strike with records still to come. */
      holdAfter?: number;
    } = {},
  ) {}

  private releaseHeld!: () => void;
  private readonly held = new Promise<void>((resolve) => (this.releaseHeld = resolve));

  /** Lets the sender go on past `holdAfter`. */
  release(): void {
    this.releaseHeld();
  }

  async run(): Promise<void> {
    const chunk = this.options.chunk ?? 500;
    const chunks: OutgoingRecord[][] = [];
    for (let i = 0; i < this.records.length; i += chunk) chunks.push(this.records.slice(i, i + chunk));
    const deadline = Date.now() + (this.options.deadlineMs ?? 240_000);
    let next = 0;
    const holdAt = Math.ceil((this.options.holdAfter ?? Infinity) / chunk);
    const worker = async () => {
      while (next < chunks.length) {
        if (next >= holdAt) await this.held;
        if (next >= chunks.length) return;
        const body = chunks[next++];
        await this.sendUntilAccepted(body, deadline);
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency ?? 4 }, worker));
  }

  private async sendUntilAccepted(records: OutgoingRecord[], deadline: number): Promise<void> {
    for (;;) {
      if (Date.now() > deadline)
        throw new Error(`sender gave up: ${this.accepted} accepted before the deadline`);
      try {
        const response = await fetch(`${this.url()}/ingest`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(records),
          signal: AbortSignal.timeout(30_000),
        });
        const body = (await response.json()) as { accepted?: number };
        if (response.status === 202) {
          if (body.accepted !== records.length)
            throw new Error(`only ${body.accepted} of ${records.length} accepted`);
          this.accepted += records.length;
          return;
        }
        if (response.status !== 503)
          throw new Error(`unexpected ${response.status}: ${JSON.stringify(body)}`);
        this.refusals++;
      } catch (error) {
        if ((error as Error).message.startsWith('unexpected') || (error as Error).message.startsWith('only'))
          throw error;
        this.connectionFailures++;
      }
      // An agent honours Retry-After; the suite retries faster to keep its runtime short.
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

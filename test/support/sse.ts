import { LogRecord } from '@logyard/contracts';
import { waitFor } from '@logyard/testing';

/** One thing an SSE stream carried: a comment line, or a message with its event name ('message' if none). */
export type SseItem = { comment: string } | { event: string; data: string };

/**
 * An incremental parser of the Server-Sent Events wire format (the
 * WHATWG rules: fields up to a blank line, `:` comments, data lines joined
 * by newlines). Feed it text as it arrives, in chunks of any size.
 */
export class SseParser {
  private buffer = '';
  private event = 'message';
  private data: string[] = [];

  push(text: string): SseItem[] {
    this.buffer += text;
    const items: SseItem[] = [];
    let end: number;
    while ((end = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + (this.buffer.startsWith('\r\n', end) ? 2 : 1));
      if (line === '') {
        if (this.data.length) items.push({ event: this.event, data: this.data.join('\n') });
        this.event = 'message';
        this.data = [];
      } else if (line.startsWith(':')) {
        items.push({ comment: line.slice(1).trimStart() });
      } else {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') this.event = value;
        else if (field === 'data') this.data.push(value);
      }
    }
    return items;
  }
}

/**
 * A GET /tail client over fetch. pause() stops reading, as a reader that has
 * fallen asleep: once the socket buffers are full, the server's writes
 * report backpressure.
 */
export class SseClient {
  readonly items: SseItem[] = [];
  /** The data of every unnamed message, parsed as it arrives (a flood would be too slow to re-parse). */
  readonly records: LogRecord[] = [];
  ended = false;
  private reading?: Promise<void>;
  private paused?: { until: Promise<void>; release: () => void };

  private constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly body: unknown,
    private readonly abort: AbortController,
    private readonly stream?: ReadableStream<Uint8Array>,
  ) {}

  static async open(url: string, options: { headers?: Record<string, string> } = {}): Promise<SseClient> {
    const abort = new AbortController();
    const response = await fetch(url, {
      headers: { accept: 'text/event-stream', ...options.headers },
      signal: abort.signal,
    });
    if (response.status !== 200) {
      const text = await response.text();
      return new SseClient(response.status, response.headers, text ? JSON.parse(text) : undefined, abort);
    }
    const client = new SseClient(response.status, response.headers, undefined, abort, response.body!);
    client.reading = client.read();
    return client;
  }

  /** Stops reading (a read already under way still completes). */
  pause(): void {
    if (this.paused) return;
    let release!: () => void;
    const until = new Promise<void>((resolve) => (release = resolve));
    this.paused = { until, release };
  }

  resume(): void {
    this.paused?.release();
    this.paused = undefined;
  }

  messages(event: string): string[] {
    return this.items.flatMap((item) => ('event' in item && item.event === event ? [item.data] : []));
  }

  /** Waits until `pick` finds something in what arrived so far. */
  waitFor<T>(description: string, pick: (client: SseClient) => T | undefined | false, timeoutMs = 30_000) {
    return waitFor(description, () => pick(this), { timeoutMs, intervalMs: 20 });
  }

  /** Hangs up, as a browser tab closing. */
  async close(): Promise<void> {
    this.abort.abort();
    this.resume();
    await this.reading;
  }

  private async read(): Promise<void> {
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const reader = this.stream!.getReader();
    try {
      for (;;) {
        await this.paused?.until;
        const { done, value } = await reader.read();
        if (done) break;
        for (const item of parser.push(decoder.decode(value, { stream: true }))) {
          this.items.push(item);
          if ('event' in item && item.event === 'message')
            this.records.push(JSON.parse(item.data) as LogRecord);
        }
      }
    } catch {
      // Aborted by close(), or the server went away: either way the stream is over.
    }
    this.ended = true;
  }
}

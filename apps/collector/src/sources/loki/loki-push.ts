/**
 * A Loki push request as both decoders produce it. The streams and their labels are checked; each entry is
 * still the sender's and is checked by the mapper, so one bad entry costs only itself.
 */
export interface LokiPushRequest {
  streams: LokiStream[];
}

export interface LokiStream {
  labels: Record<string, string>;
  entries: LokiEntry[];
}

export interface LokiEntry {
  /** Nanoseconds since the Unix epoch, as a decimal string. */
  ts: unknown;
  line: unknown;
  /** Structured metadata: an object of strings. */
  metadata?: unknown;
}

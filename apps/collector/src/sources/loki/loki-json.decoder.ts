import { err, isJsonObject, ok, parseJson, Result } from '@logyard/contracts';
import { LokiPushRequest, LokiStream } from './loki-push';

/**
 * Decodes Loki's JSON push body: `{"streams":[{"stream":{label:value},"values":[[ns, line, metadata?]]}]}`.
 * Refuses the whole body when its streams are missing or malformed; entries are checked one by one later.
 */
export function decodeLokiJson(body: Buffer): Result<LokiPushRequest> {
  const parsed = parseJson(body);
  if (!parsed.ok) return parsed;
  const value = parsed.value;
  if (!isJsonObject(value) || !Array.isArray(value.streams) || value.streams.length === 0) {
    return err('streams: a Loki push needs a non-empty "streams" array');
  }
  const streams: LokiStream[] = [];
  for (const [s, stream] of value.streams.entries()) {
    const at = `streams[${s}]`;
    if (!isJsonObject(stream)) return err(`${at}: must be an object with "stream" and "values"`);
    const labels = stream.stream ?? {};
    if (!isJsonObject(labels) || !Object.values(labels).every((label) => typeof label === 'string')) {
      return err(`${at}.stream: must be an object of string labels`);
    }
    if (!Array.isArray(stream.values))
      return err(`${at}.values: must be an array of [timestamp, line] pairs`);
    const index = stream.values.findIndex((entry: unknown) => !Array.isArray(entry));
    if (index >= 0) return err(`${at}.values[${index}]: must be an array [timestamp, line]`);
    streams.push({
      labels: labels as Record<string, string>,
      entries: (stream.values as unknown[][]).map(([ts, line, metadata]) => ({ ts, line, metadata })),
    });
  }
  return ok({ streams });
}

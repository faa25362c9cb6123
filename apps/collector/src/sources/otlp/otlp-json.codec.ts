import { err, isJsonObject, JsonObject, ok, parseJson, Result } from '@logyard/contracts';
import {
  OtlpCodec,
  OtlpLogsRequest,
  OtlpPartialSuccess,
  OtlpResourceLogs,
  OtlpScopeLogs,
} from './otlp-codec';

/** OTLP/HTTP with Content-Type application/json: protobuf's JSON mapping, ids in hex. */
export const OTLP_JSON_CODEC: OtlpCodec = {
  contentType: 'application/json',
  decodeRequest,
  encodeResponse: (partialSuccess?: OtlpPartialSuccess) =>
    Buffer.from(
      JSON.stringify(
        partialSuccess
          ? {
              // int64 fields are strings in protobuf's JSON mapping.
              partialSuccess: {
                rejectedLogRecords: String(partialSuccess.rejectedLogRecords),
                errorMessage: partialSuccess.errorMessage,
              },
            }
          : {},
      ),
    ),
  encodeBadRequest: (message: string) =>
    Buffer.from(JSON.stringify({ statusCode: 400, error: 'Bad Request', message })),
};

function decodeRequest(body: Buffer): Result<OtlpLogsRequest> {
  const parsed = parseJson(body);
  if (!parsed.ok) return parsed;
  const value = parsed.value;
  if (!isJsonObject(value) || !Array.isArray(value.resourceLogs)) {
    return err('body: expected an OTLP ExportLogsServiceRequest, a JSON object with a "resourceLogs" array');
  }
  const resourceLogs: OtlpResourceLogs[] = [];
  for (const [r, item] of value.resourceLogs.entries()) {
    const at = `resourceLogs[${r}]`;
    if (!isJsonObject(item)) return err(`${at}: must be an object`);
    const resource = optionalObject(item.resource, `${at}.resource`);
    if (!resource.ok) return resource;
    const scopes = objects(item.scopeLogs, `${at}.scopeLogs`);
    if (!scopes.ok) return scopes;
    const scopeLogs: OtlpScopeLogs[] = [];
    for (const [s, scopeItem] of scopes.value.entries()) {
      const scope = optionalObject(scopeItem.scope, `${at}.scopeLogs[${s}].scope`);
      if (!scope.ok) return scope;
      const logRecords = objects(scopeItem.logRecords, `${at}.scopeLogs[${s}].logRecords`);
      if (!logRecords.ok) return logRecords;
      scopeLogs.push({ scope: scope.value, logRecords: logRecords.value });
    }
    resourceLogs.push({ resource: resource.value, scopeLogs });
  }
  return ok({ resourceLogs });
}

// In protobuf's JSON mapping null means "not set", for messages and repeated fields alike.
function objects(value: unknown, at: string): Result<JsonObject[]> {
  if (value === undefined || value === null) return ok([]);
  if (!Array.isArray(value)) return err(`${at}: must be an array`);
  const index = value.findIndex((item) => !isJsonObject(item));
  return index < 0 ? ok(value as JsonObject[]) : err(`${at}[${index}]: must be an object`);
}

function optionalObject(value: unknown, at: string): Result<JsonObject | undefined> {
  if (value === undefined || value === null) return ok(undefined);
  return isJsonObject(value) ? ok(value) : err(`${at}: must be an object`);
}

import { Result } from '@logyard/contracts';

/**
 * An ExportLogsServiceRequest in the OTLP/JSON shape (lowerCamelCase names, 64-bit integers as strings or
 * numbers, trace and span ids as hex). Both codecs decode to it, so one mapper serves both encodings. The
 * codecs vouch for the containers down to the log records; what is inside a record is still the sender's
 * and is checked by the mapper, one record at a time.
 */
export interface OtlpLogsRequest {
  resourceLogs: OtlpResourceLogs[];
}

export interface OtlpResourceLogs {
  resource?: { attributes?: unknown };
  scopeLogs: OtlpScopeLogs[];
}

export interface OtlpScopeLogs {
  scope?: { name?: unknown; version?: unknown; attributes?: unknown };
  logRecords: OtlpLogRecord[];
}

export type OtlpLogRecord = Record<string, unknown>;

/** What an ExportLogsServiceResponse reports when some log records were refused. */
export interface OtlpPartialSuccess {
  rejectedLogRecords: number;
  errorMessage: string;
}

/** One OTLP/HTTP encoding: requests are decoded from it and answers encoded in it (the same Content-Type). */
export interface OtlpCodec {
  readonly contentType: string;
  /**
   * Fails with a message for the sender when the body is not an ExportLogsServiceRequest, or unpacks to
   * more than BODY_LIMIT (`bodyLimitBytes`) can pay for.
   */
  decodeRequest(body: Buffer, bodyLimitBytes: number): Result<OtlpLogsRequest>;
  encodeResponse(partialSuccess?: OtlpPartialSuccess): Buffer;
  /** The body of a 400 for an undecodable request, in this encoding. */
  encodeBadRequest(message: string): Buffer;
}

/**
 * V8 flags every Logyard service process starts with; V8 reads them only at
 * start, so whatever spawns the service (`npm start` through the CLI, tests,
 * the bench) passes them on the command line. Every hop parses and re-encodes
 * each record, so the service allocates many short-lived objects per record: a
 * 64 MB young generation (V8's default semi-space is 16 MB) lets most of them
 * die before a scavenge — end-to-end ingest 9,966 -> 11,051 records/s on the
 * bench (mean of 3 alternating runs each), for ~100 MB more address space.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];

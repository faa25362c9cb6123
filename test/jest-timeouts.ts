// Hooks start and stop whole apps against the real broker and database.
jest.setTimeout(Number(process.env.LOGYARD_TEST_TIMEOUT_MS ?? 120_000));

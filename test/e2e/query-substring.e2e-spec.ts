import { ArchiverModule } from '@logyard/archiver';
import { CollectorModule } from '@logyard/collector';
import { AttributeFacet, LogPage, LogRecord } from '@logyard/contracts';
import { RouterModule } from '@logyard/router';
import { IsolatedLogyard, startIsolatedLogyard, waitFor } from '@logyard/testing';
import { request } from '../support/http';

type Outgoing = Partial<LogRecord> & { message: string };

describe('query API: contains=, -host/-service/-severity exclusions, facets field=attr.<key>', () => {
  let logyard: IsolatedLogyard;
  const records: Outgoing[] = [
    ['web-1', 'shop', 'error', 'ConnectTimeoutException after 30s', 'eu'],
    ['web-1', 'shop', 'warn', 'read TIMEOUT on socket', 'eu'],
    ['web-2', 'shop', 'info', 'disk at 50% capacity', 'us'],
    ['web-2', 'cron', 'info', 'disk at 50 percent, 5000 inodes', 'us'],
    ['web-3', 'cron', 'debug', 'user_id resolved', undefined],
    ['web-3', 'cron', 'info', 'userXid resolved', 'ap'],
  ].map(([host, service, severity, message, region]) => ({
    host,
    service,
    severity: severity as LogRecord['severity'],
    message: message as string,
    attributes: region ? { region } : {},
  }));

  const messages = async (query: string) => {
    const response = await request<LogPage>(`${logyard.url}/api/logs?${query}`);
    expect({ query, status: response.status }).toEqual({ query, status: 200 });
    return response.body.items.map((record) => record.message).sort();
  };

  beforeAll(async () => {
    logyard = await startIsolatedLogyard([CollectorModule, RouterModule, ArchiverModule]);
    const response = await request(`${logyard.url}/ingest`, { body: records });
    expect(response.status).toBe(202);
    await waitFor(
      'the records archived',
      async () => (await logyard.db.scalar('SELECT count(*)::int FROM logs')) === 6,
    );
  });

  afterAll(() => logyard?.close());

  it.each([
    [
      'finds a case-insensitive substring inside words',
      'contains=timeout',
      ['ConnectTimeoutException after 30s', 'read TIMEOUT on socket'],
    ],
    ['finds whole words only with q, unlike contains', 'q=timeout', ['read TIMEOUT on socket']],
    ['needs every repeated substring', 'contains=disk&contains=percent', ['disk at 50 percent, 5000 inodes']],
    ['matches % as itself', 'contains=50%25', ['disk at 50% capacity']],
    ['matches _ as itself', 'contains=user_id', ['user_id resolved']],
    [
      'leaves out excluded services and severities',
      '-service=shop&-severity=debug',
      ['disk at 50 percent, 5000 inodes', 'userXid resolved'],
    ],
    ['leaves out an excluded host', 'service=shop&-host=web-1', ['disk at 50% capacity']],
  ])('%s: %s', async (_case, query, expected) => {
    await expect(messages(query)).resolves.toEqual(expected);
  });

  it('counts the values of an attribute, and filters facets like the list', async () => {
    const facet = await request<AttributeFacet>(`${logyard.url}/api/facets?field=attr.region&-host=web-3`);
    expect(facet).toMatchObject({
      status: 200,
      body: {
        field: 'attr.region',
        values: [
          { value: 'eu', count: 2 },
          { value: 'us', count: 2 },
        ],
      },
    });
  });

  it('refuses a bad field or an empty substring, naming it', async () => {
    for (const [query, field] of [
      ['field=host', 'field'],
      ['contains=', 'contains'],
      ['-severity=loud', '-severity'],
    ]) {
      const response = await request<{ field: string }>(`${logyard.url}/api/facets?${query}`);
      expect({ query, status: response.status, field: response.body.field }).toEqual({
        query,
        status: 400,
        field,
      });
    }
  });
});

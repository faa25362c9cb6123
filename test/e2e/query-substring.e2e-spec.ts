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

  it('finds a case-insensitive substring inside words, which q cannot', async () => {
    await expect(messages('contains=timeout')).resolves.toEqual([
      'ConnectTimeoutException after 30s',
      'read TIMEOUT on socket',
    ]);
    await expect(messages('q=timeout')).resolves.toEqual(['read TIMEOUT on socket']);
  });

  it('needs every repeated substring', async () => {
    await expect(messages('contains=disk&contains=percent')).resolves.toEqual([
      'disk at 50 percent, 5000 inodes',
    ]);
  });

  it('matches % and _ as themselves', async () => {
    await expect(messages('contains=50%25')).resolves.toEqual(['disk at 50% capacity']);
    await expect(messages('contains=user_id')).resolves.toEqual(['user_id resolved']);
  });

  it('leaves out excluded hosts, services and severities', async () => {
    await expect(messages('-service=shop&-severity=debug')).resolves.toEqual([
      'disk at 50 percent, 5000 inodes',
      'userXid resolved',
    ]);
    await expect(messages('service=shop&-host=web-1')).resolves.toEqual(['disk at 50% capacity']);
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

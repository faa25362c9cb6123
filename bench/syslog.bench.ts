import { connect } from 'node:net';
import { BenchService, progress, withClient } from './environment';
import { HOSTS, SERVICES } from './workload';

/**
 * N RFC 5424 records over one TCP connection with RFC 6587 octet counting,
 * until every one is committed in `logs`.
 */
export async function measureSyslog(
  service: BenchService,
  syslogPort: number,
  records: number,
): Promise<{ recordsPerSecond: number; seconds: number }> {
  const before = await count(service);
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const socket = connect(syslogPort, '127.0.0.1');
    socket.once('error', reject);
    socket.once('connect', async () => {
      const chunk: string[] = [];
      for (let i = 0; i < records; i++) {
        const host = HOSTS[i % HOSTS.length];
        const app = SERVICES[i % SERVICES.length];
        const line =
          `<${16 * 8 + (i % 8)}>1 ${new Date().toISOString()} ${host} ${app} ${1000 + (i % 50)} REQ - ` +
          `request ${i} completed path=/api/v1/${app}/${i % 5000} status=200 duration_ms=${i % 997} ` +
          `user=${(i * 2654435761) % 4294967296} detail=lorem ipsum dolor sit amet consectetur adipiscing`;
        chunk.push(`${Buffer.byteLength(line)} ${line}`);
        if (chunk.length === 1000 || i === records - 1) {
          if (!socket.write(chunk.join(''))) await new Promise((drained) => socket.once('drain', drained));
          chunk.length = 0;
        }
        if (i % 50_000 === 49_999) progress(`syslog: ${i + 1} / ${records} written`);
      }
      socket.end(resolve);
    });
  });
  for (let stored = 0; stored < before + records;) {
    stored = await count(service);
    if (stored < before + records) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { recordsPerSecond: Math.round(records / seconds), seconds };
}

function count(service: BenchService): Promise<number> {
  return withClient(service.database, async (client) =>
    Number((await client.query('SELECT count(*) FROM logs')).rows[0].count),
  );
}

import { connect } from 'node:net';
import { BenchService, progress, TimedRun, timeUntilStored } from './environment';
import { HOSTS, SERVICES } from './workload';

/**
 * N RFC 5424 records over one TCP connection with RFC 6587 octet counting,
 * until every one is committed in `logs`.
 */
export async function measureSyslog(
  service: BenchService,
  syslogPort: number,
  records: number,
): Promise<TimedRun> {
  // Frames are built before the clock starts, as for the other runs.
  const chunks: string[] = [];
  const chunk: string[] = [];
  for (let i = 0; i < records; i++) {
    const host = HOSTS[i % HOSTS.length];
    const app = SERVICES[i % SERVICES.length];
    const line =
      `<${16 * 8 + (i % 8)}>1 ${new Date().toISOString()} ${host} ${app} ${1000 + (i % 50)} REQ - ` +
      `request ${i} completed path=/api/v1/${app}/${i % 5000} status=200 duration_ms=${i % 997} ` +
      `user=${(i * 2654435761) % 4294967296} detail=lorem ipsum dolor sit amet consectetur adipiscing`;
    chunk.push(`${Buffer.byteLength(line)} ${line}`);
    if (chunk.length === 1000 || i === records - 1) chunks.push(chunk.splice(0).join(''));
  }
  return timeUntilStored(
    service,
    records,
    () =>
      new Promise<void>((resolve, reject) => {
        const socket = connect(syslogPort, '127.0.0.1');
        socket.once('error', reject);
        socket.once('connect', async () => {
          for (const [index, frames] of chunks.entries()) {
            if (!socket.write(frames)) await new Promise((drained) => socket.once('drain', drained));
            if (index % 50 === 49) progress(`syslog: ${(index + 1) * 1000} / ${records} written`);
          }
          socket.end(resolve);
        });
      }),
  );
}

import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect, Socket } from 'node:net';
import { loadConfig } from '@logyard/config';
import { StartupError } from '@logyard/observability';
import { waitFor } from '@logyard/testing';
import { SyslogIngest } from './syslog-ingest';
import { SyslogSource } from './syslog.source';

/** Stands in for the batcher: records what it is given, and reports whatever load the test sets. */
class FakeIngest {
  load = 0;
  readonly messages: string[] = [];
  readonly drop = jest.fn();
  readonly drain = jest.fn(async () => undefined);
  private published?: () => void;

  accept(messages: Buffer[]): void {
    this.messages.push(...messages.map((message) => message.toString()));
  }

  onPublished(listener: () => void): void {
    this.published = listener;
  }

  /** As after a publish that brought the load down to `load`. */
  publishedDownTo(load: number): void {
    this.load = load;
    this.published?.();
  }
}

const octets = (message: string) => `${Buffer.byteLength(message)} ${message}`;

describe(SyslogSource.name, () => {
  const config = loadConfig({ SYSLOG_PORT: '0', SYSLOG_HOST: '127.0.0.1' });
  let ingest: FakeIngest;
  let sut: SyslogSource;
  const clients: Socket[] = [];

  async function client(): Promise<Socket> {
    const socket = connect(sut.ports.tcp, '127.0.0.1');
    socket.on('error', () => undefined);
    clients.push(socket);
    await once(socket, 'connect');
    return socket;
  }

  beforeEach(async () => {
    ingest = new FakeIngest();
    sut = new SyslogSource(config, ingest as unknown as SyslogIngest);
    await sut.onApplicationBootstrap();
  });

  afterEach(async () => {
    clients.splice(0).forEach((socket) => socket.destroy());
    await sut.beforeApplicationShutdown();
    jest.restoreAllMocks();
  });

  it('stops reading TCP while the batcher is over its high-water mark, and resumes below the low mark', async () => {
    const socket = await client();
    socket.write(octets('<14>1 - h a - - - first'));
    await waitFor('the first message', () => ingest.messages.length === 1);
    const pause = jest.spyOn(Socket.prototype, 'pause');
    const resume = jest.spyOn(Socket.prototype, 'resume');
    ingest.load = 20_000;
    socket.write(octets('<14>1 - h a - - - second'));
    await waitFor('the second message', () => ingest.messages.length === 2);
    expect(pause).toHaveBeenCalledTimes(1);

    ingest.publishedDownTo(6_000);
    expect(resume).not.toHaveBeenCalled();
    ingest.publishedDownTo(4_999);
    expect(resume).toHaveBeenCalledTimes(1);
    socket.write(octets('<14>1 - h a - - - third'));
    await waitFor('the third message', () => ingest.messages.length === 3);
  });

  it('pauses connections opened while reading is paused', async () => {
    const first = await client();
    ingest.load = 25_000;
    first.write(octets('<14>1 - h a - - - x'));
    await waitFor('the message', () => ingest.messages.length === 1);
    const pause = jest.spyOn(Socket.prototype, 'pause');
    await client();
    await waitFor('the new connection paused', () => pause.mock.calls.length === 1);
  });

  it('drops and counts UDP datagrams past the overload limit instead of buffering them', async () => {
    const udp = createSocket('udp4');
    ingest.load = 80_000;
    udp.send('<14>1 - h a - - - dropped', sut.ports.udp, '127.0.0.1');
    await waitFor('the drop', () => ingest.drop.mock.calls.length === 1);
    expect(ingest.drop).toHaveBeenCalledWith(1, 'overload', expect.any(String));
    ingest.load = 0;
    udp.send('<14>1 - h a - - - taken', sut.ports.udp, '127.0.0.1');
    await waitFor('the datagram', () => ingest.messages.length === 1);
    udp.close();
  });

  it('lets a connected sender finish at shutdown, then drains the batcher', async () => {
    const socket = await client();
    socket.write(octets('<14>1 - h a - - - before'));
    await waitFor('the first message', () => ingest.messages.length === 1);
    const closed = once(socket, 'close');
    const shutdown = sut.beforeApplicationShutdown();
    // The collector said goodbye; what the sender still writes and the newline-framed tail are taken.
    socket.end('<14>1 - h a - - - last words');
    await shutdown;
    await closed;
    expect(ingest.messages).toEqual(['<14>1 - h a - - - before', '<14>1 - h a - - - last words']);
    expect(ingest.drain).toHaveBeenCalled();
  });

  it('refuses to start on a port in use, in one line that says what to do', async () => {
    const rival = new SyslogSource(
      loadConfig({ SYSLOG_PORT: String(sut.ports.tcp), SYSLOG_HOST: '127.0.0.1' }),
      new FakeIngest() as unknown as SyslogIngest,
    );
    const started = rival.onApplicationBootstrap();
    await expect(started).rejects.toThrow(StartupError);
    await expect(started).rejects.toThrow(
      new RegExp(
        `^cannot listen for syslog on 127\\.0\\.0\\.1:${sut.ports.tcp}/tcp \\(.*EADDRINUSE.*\\); set SYSLOG_PORT`,
      ),
    );
  });
});

import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect, Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@logyard/config';
import { StartupError } from '@logyard/observability';
import { waitFor } from '@logyard/testing';
import { SyslogIngest } from './syslog-ingest';
import { SyslogSource } from './syslog.source';

/** Stands in for the batcher: records what it is given, and reports whatever load the test sets. */
class FakeIngest {
  load = 0;
  heldBytes = 0;
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

  /** Replaces the source under test with one configured by `env`. */
  async function start(env: Record<string, string> = {}): Promise<void> {
    await sut?.beforeApplicationShutdown();
    ingest = new FakeIngest();
    sut = new SyslogSource(
      loadConfig({ SYSLOG_PORT: '0', SYSLOG_HOST: '127.0.0.1', ...env }),
      ingest as unknown as SyslogIngest,
    );
    await sut.onApplicationBootstrap();
  }

  beforeEach(() => start());

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

  it('stops reading TCP while 32 MiB of messages wait, and resumes below 8 MiB', async () => {
    const socket = await client();
    const pause = jest.spyOn(Socket.prototype, 'pause');
    const resume = jest.spyOn(Socket.prototype, 'resume');
    ingest.heldBytes = 32 * 1024 * 1024;
    socket.write(octets('<14>1 - h a - - - big'));
    await waitFor('the message', () => ingest.messages.length === 1);
    expect(pause).toHaveBeenCalledTimes(1);
    ingest.heldBytes = 8 * 1024 * 1024;
    ingest.publishedDownTo(0);
    expect(resume).not.toHaveBeenCalled();
    ingest.heldBytes = 0;
    ingest.publishedDownTo(0);
    expect(resume).toHaveBeenCalledTimes(1);
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

  it.each([
    ['80,000 records', { load: 80_000 }],
    ['64 MiB of messages', { heldBytes: 64 * 1024 * 1024 }],
  ])('drops and counts UDP datagrams past %s held instead of buffering them', async (_, held) => {
    const udp = createSocket('udp4');
    Object.assign(ingest, held);
    udp.send('<14>1 - h a - - - dropped', sut.ports.udp, '127.0.0.1');
    await waitFor('the drop', () => ingest.drop.mock.calls.length === 1);
    expect(ingest.drop).toHaveBeenCalledWith(1, 'overload', expect.any(String));
    Object.assign(ingest, { load: 0, heldBytes: 0 });
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

  describe('limits on what one sender can hold (issue 11, finding 8)', () => {
    it('closes connections past SYSLOG_TCP_MAX_CONNECTIONS on arrival, with one throttled warning', async () => {
      await start({ SYSLOG_TCP_MAX_CONNECTIONS: '2' });
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation();
      const [first] = [await client(), await client()];
      const extra = await Promise.all([client(), client()]);
      await Promise.all(extra.map((socket) => once(socket, 'close')));
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith(
        expect.stringMatching(
          /^closed 1 syslog TCP connection\(s\) on arrival, e\.g\. from .*: SYSLOG_TCP_MAX/,
        ),
      );

      first.destroy();
      await waitFor('the first connection gone', () => sut.openConnections === 1);
      const replacement = await client();
      replacement.write(octets('<14>1 - h a - - - after one left'));
      await waitFor('the message', () => ingest.messages.length === 1);
    });

    it('closes a connection idle for SYSLOG_TCP_IDLE_TIMEOUT_MS, and keeps one that sends', async () => {
      await start({ SYSLOG_TCP_IDLE_TIMEOUT_MS: '300' });
      const idle = await client();
      const busy = await client();
      const idleClosed = once(idle, 'close');
      const sending = setInterval(() => busy.write(octets('<14>1 - h a - - - tick')), 50);
      try {
        await idleClosed;
        expect(busy.destroyed).toBe(false);
      } finally {
        clearInterval(sending);
      }
    });

    it('keeps a connection open while reading it is paused, however long that takes', async () => {
      await start({ SYSLOG_TCP_IDLE_TIMEOUT_MS: '100' });
      const socket = await client();
      ingest.load = 20_000;
      socket.write(octets('<14>1 - h a - - - pauses reading'));
      await waitFor('the message', () => ingest.messages.length === 1);
      const closed = jest.fn();
      socket.on('close', closed);
      const rearmed = jest.spyOn(Socket.prototype, 'setTimeout');
      await waitFor('three idle timeouts while paused', () => rearmed.mock.calls.length >= 3);
      expect(closed).not.toHaveBeenCalled();
      ingest.publishedDownTo(0);
      await once(socket, 'close');
    });

    it('closes a connection whose frame outgrows SYSLOG_TCP_BUFFER_BYTES, with one throttled warning', async () => {
      await start({ SYSLOG_TCP_BUFFER_BYTES: '1kb' });
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation();
      const bystander = await client();
      const offenders = await Promise.all([client(), client()]);
      for (const socket of offenders) socket.write(`<13>${'x'.repeat(2_000)}`);
      await Promise.all(offenders.map((socket) => once(socket, 'close')));
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith(
        'closed 1 syslog connection(s), e.g. from 127.0.0.1: ' +
          'newline-terminated message runs past 1024 bytes without a line end',
      );
      bystander.write(octets(`<14>1 - h a - - - ${'y'.repeat(900)}`));
      await waitFor('the bystander message', () => ingest.messages.length === 1);
    });
  });
});

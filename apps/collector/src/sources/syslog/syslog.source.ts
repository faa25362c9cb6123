import { Inject, Injectable, Logger } from '@nestjs/common';
import { createSocket, Socket as UdpSocket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { AddressInfo, createServer, isIPv6, Server, Socket } from 'node:net';
import { LOGYARD_CONFIG, LogyardConfig } from '@logyard/config';
import { StartupError } from '@logyard/observability';
import { BackgroundWorker } from '@logyard/runtime';
import { SyslogFrameDecoder } from './syslog-frame.decoder';
import { SyslogIngest } from './syslog-ingest';
import { ThrottledWarning } from './throttled-warning';
const MIB = 1024 * 1024;
/**
 * TCP connections stop being read from at this many records waiting, or this many bytes of messages, and
 * resume below both low marks. Bytes as well as records: 20,000 records of 64 KiB would be 1.3 GB.
 */
const HIGH_WATER = { records: 20_000, bytes: 32 * MIB };
const LOW_WATER = { records: 5_000, bytes: 8 * MIB };
/** UDP cannot be paused: past this load datagrams are dropped (and counted) instead of buffered. */
const UDP_DROP = { records: 4 * HIGH_WATER.records, bytes: 2 * HIGH_WATER.bytes };
/** A larger kernel buffer absorbs bursts of datagrams while the event loop is busy (Linux caps it at rmem_max). */
const UDP_RECEIVE_BUFFER_BYTES = 8 * 1024 * 1024;
/** At shutdown, senders get this long to finish what they are sending after the collector says goodbye. */
const CLOSE_GRACE_MS = 1_000;
const WARNING_INTERVAL_MS = 5_000;

/**
 * Syslog on SYSLOG_HOST:SYSLOG_PORT over UDP (one message per datagram) and TCP (RFC 6587 framing, detected
 * per frame). A malformed TCP frame closes that connection only. Neither transport can tell a sender that
 * a message was lost, so TCP is slowed down instead (reading pauses while the batcher is full) and UDP is
 * dropped and counted past a limit; see README "Sources" for what each sender can lose.
 *
 * Syslog has no authentication, so what one sender can hold is bounded (SYSLOG_TCP_*): connections past
 * the cap are closed as they arrive, a connection that sends nothing for the idle timeout is closed, and
 * so is one whose frame outgrows its buffer. The refusals are logged, throttled, since a flood of them is
 * what an attack looks like.
 */
@Injectable()
export class SyslogSource implements BackgroundWorker {
  private readonly logger = new Logger(SyslogSource.name);
  private readonly tcp: Server = createServer((socket) => this.serve(socket));
  private readonly udp: UdpSocket;
  private readonly connections = new Set<Socket>();
  private readonly overCapWarning = new ThrottledWarning(this.logger, WARNING_INTERVAL_MS);
  private readonly refusedFrameWarning = new ThrottledWarning(this.logger, WARNING_INTERVAL_MS);
  private listening = false;
  private paused = false;
  private closing = false;

  constructor(
    @Inject(LOGYARD_CONFIG) private readonly config: LogyardConfig,
    private readonly ingest: SyslogIngest,
  ) {
    // Node closes a connection past maxConnections as soon as it is accepted, and says so with 'drop'.
    this.tcp.maxConnections = config.syslog.tcp.maxConnections;
    this.tcp.on('drop', (connection) =>
      this.overCapWarning.report(
        1,
        (n) =>
          `closed ${n} syslog TCP connection(s) on arrival, e.g. from ${connection?.remoteAddress}: ` +
          `SYSLOG_TCP_MAX_CONNECTIONS (${config.syslog.tcp.maxConnections}) are open`,
      ),
    );
    this.udp = createSocket(isIPv6(config.syslog.host) ? 'udp6' : 'udp4');
    this.udp.on('message', (datagram, peer) => this.receive(datagram, peer.address));
    this.udp.on('error', (error) => this.logger.error(`syslog UDP socket: ${error.message}`));
    this.ingest.onPublished(() => this.resumeIfDrained());
  }

  /** The bound ports; with SYSLOG_PORT=0 each transport gets its own free port. */
  get ports(): { tcp: number; udp: number } {
    return { tcp: (this.tcp.address() as AddressInfo).port, udp: this.udp.address().port };
  }

  /** TCP connections open now. */
  get openConnections(): number {
    return this.connections.size;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { host, port } = this.config.syslog;
    await this.listen('tcp', this.tcp, (ready) => this.tcp.listen(port, host, ready));
    try {
      await this.listen('udp', this.udp, (ready) => this.udp.bind(port, host, ready));
    } catch (error) {
      this.tcp.close();
      throw error;
    }
    this.udp.setRecvBufferSize(UDP_RECEIVE_BUFFER_BYTES);
    this.listening = true;
    this.logger.log(`syslog listening on ${host}, TCP port ${this.ports.tcp} and UDP port ${this.ports.udp}`);
  }

  /** Stops listening, lets connected senders finish what they are sending, then publishes what is pending. */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    this.closing = true;
    await new Promise<void>((resolve) => this.udp.close(() => resolve()));
    const stopped = new Promise<void>((resolve) => this.tcp.close(() => resolve()));
    for (const socket of this.connections) socket.resume().end();
    const grace = setTimeout(() => this.connections.forEach((socket) => socket.destroy()), CLOSE_GRACE_MS);
    await stopped;
    clearTimeout(grace);
    await this.ingest.drain();
  }

  /** Binds one transport; a port in use is an operator's start-up error, told in one line. */
  private listen(
    transport: 'tcp' | 'udp',
    emitter: EventEmitter,
    start: (ready: () => void) => void,
  ): Promise<void> {
    const { host, port } = this.config.syslog;
    return new Promise((resolve, reject) => {
      const fail = (error: Error) =>
        reject(
          new StartupError(
            `cannot listen for syslog on ${host}:${port}/${transport} (${error.message}); ` +
              'set SYSLOG_PORT to a free port or SYSLOG_HOST to a local address',
          ),
        );
      emitter.once('error', fail);
      start(() => {
        emitter.off('error', fail);
        resolve();
      });
    });
  }

  private receive(datagram: Buffer, peer: string): void {
    if (this.reached(UDP_DROP))
      this.ingest.drop(1, 'overload', 'UDP datagrams arrive faster than they can be published');
    else this.ingest.accept([datagram], peer);
  }

  private serve(socket: Socket): void {
    const peer = socket.remoteAddress;
    const decoder = new SyslogFrameDecoder(this.config.syslog.tcp.bufferBytes);
    this.connections.add(socket);
    if (this.paused) socket.pause();
    socket.setTimeout(this.config.syslog.tcp.idleTimeoutMs);
    socket.on('timeout', () => {
      // A connection is not idle while the collector itself stopped reading it: check again later.
      if (this.paused) socket.setTimeout(this.config.syslog.tcp.idleTimeoutMs);
      else {
        this.logger.debug(`closing syslog connection from ${peer}: idle for SYSLOG_TCP_IDLE_TIMEOUT_MS`);
        socket.destroy();
      }
    });
    socket.on('data', (chunk) => {
      const { frames, error } = decoder.push(chunk);
      this.take(frames, peer);
      if (error) this.refuse(socket, peer, error);
    });
    socket.on('end', () => {
      const { frames, error } = decoder.end();
      this.take(frames, peer);
      if (error) this.logger.warn(`syslog connection from ${peer}: ${error}`);
    });
    // A sender resetting the connection is routine; 'close' follows and cleans up.
    socket.on('error', (error) => this.logger.debug(`syslog connection from ${peer}: ${error.message}`));
    socket.on('close', () => this.connections.delete(socket));
  }

  private take(frames: Buffer[], peer: string | undefined): void {
    if (frames.length === 0) return;
    this.ingest.accept(frames, peer);
    if (!this.paused && !this.closing && this.reached(HIGH_WATER)) {
      this.paused = true;
      this.connections.forEach((socket) => socket.pause());
    }
  }

  /** TCP has no error channel: the connection is closed, and the reason logged for the operator. */
  private refuse(socket: Socket, peer: string | undefined, reason: string): void {
    this.refusedFrameWarning.report(
      1,
      (n) => `closed ${n} syslog connection(s), e.g. from ${peer}: ${reason}`,
    );
    socket.destroy();
  }

  private resumeIfDrained(): void {
    if (!this.paused || this.reached(LOW_WATER)) return;
    this.paused = false;
    this.connections.forEach((socket) => socket.resume());
  }

  /** Whether what the ingest holds reached either limit of a mark. */
  private reached({ records, bytes }: { records: number; bytes: number }): boolean {
    return this.ingest.load >= records || this.ingest.heldBytes >= bytes;
  }
}

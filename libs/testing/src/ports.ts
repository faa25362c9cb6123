import { createServer } from 'node:net';

/**
 * Linux hands out local ports for outgoing connections from 32768-60999
 * (net.ipv4.ip_local_port_range). A port picked there can be taken by any
 * client socket on the machine between picking it and listening on it, so
 * test and bench processes listen below that range instead.
 */
const LOW = 20_000;
const HIGH = 32_000;
const handedOut = new Set<number>();

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '0.0.0.0', () => probe.close(() => resolve(true)));
  });
}

/**
 * A TCP port that nothing listens on now, outside the ephemeral range, and
 * not handed out before in this process (a restarted process may reuse its own).
 */
export async function unusedPort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free TCP port found in ${LOW}-${HIGH}`);
}

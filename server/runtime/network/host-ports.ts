/**
 * Whether a host port is free, asked the only reliable way: bind it and let go. portmap does
 * not reserve ports (its DNAT rule silently steals traffic from a host service), so this check
 * is what keeps `-p` from shadowing something already listening.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { CgdashError, errnoOf } from '@/server/lib/errors';
import { formatPortMapping } from './ports';
import type { PortMapping } from './types';

function bindTcp(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      const addr = server.address();
      const bound = typeof addr === 'object' && addr ? addr.port : port;
      server.close(() => resolve(bound));
    });
  });
}

function bindUdp(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: 'udp4' });
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.bind({ address: host, port, exclusive: true }, () => {
      const bound = socket.address().port;
      socket.close(() => resolve(bound));
    });
  });
}

/**
 * Bind the mapping's host address and port (0: any free port) and return the port bound.
 * Taken -> 'conflict' naming the port; an address not on this host -> 'invalid'.
 */
export async function probeHostPort(m: PortMapping): Promise<number> {
  const host = m.hostIp ?? '0.0.0.0';
  try {
    return m.protocol === 'udp' ? await bindUdp(host, m.hostPort) : await bindTcp(host, m.hostPort);
  } catch (err) {
    const code = errnoOf(err);
    const label = formatPortMapping(m);
    if (code === 'EADDRINUSE') {
      throw new CgdashError('conflict', `host port ${m.hostPort}/${m.protocol} on ${host} is already in use (publishing ${label})`, {
        field: 'ports',
        value: label,
        cause: err,
      });
    }
    if (code === 'EADDRNOTAVAIL') {
      throw new CgdashError('invalid', `host address ${host} is not an address of this host (publishing ${label})`, {
        field: 'ports',
        value: label,
        cause: err,
      });
    }
    throw new CgdashError('internal', `cannot check host port ${label}: ${(err as Error).message}`, { cause: err });
  }
}

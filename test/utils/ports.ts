import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Ports are picked outside the kernel's ephemeral range. A port the kernel
 * hands out for `listen(0)` comes from the same pool it uses for outgoing
 * connections, so between our pick and the server's bind, any client (an
 * apiserver dialling etcd, say) could take it as its local port: CI saw
 * kube-apiserver fail with "bind: address already in use" that way.
 */
const handedOut = new Set<number>();

function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low !== undefined && high !== undefined && Number.isInteger(low) && Number.isInteger(high)) return [low, high];
  } catch {
    // Not Linux: fall through to the kernel's usual default.
  }
  return [32768, 60999];
}

/** The ports we pick from: below the ephemeral range if it leaves room, else above it. */
export function candidateRange([low, high]: [number, number]): [number, number] {
  if (low - 1 - 10_000 >= 1_000) return [10_000, low - 1];
  return [high + 1, 65_535];
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => {
      resolve(false);
    });
    server.listen(port, '127.0.0.1', () => {
      server.close(() => {
        resolve(true);
      });
    });
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago and that this process has not handed out before. */
export async function freePort(): Promise<number> {
  const [from, to] = candidateRange(ephemeralRange());
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from + 1));
    if (handedOut.has(port)) continue;
    handedOut.add(port); // before the await, so a concurrent call cannot pick it too
    if (await canBind(port)) return port;
    handedOut.delete(port);
  }
  throw new Error(`no free port found in ${from}-${to} after 200 attempts`);
}

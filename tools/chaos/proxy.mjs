// A TCP proxy that the fault suite puts on a wire between two services (the caller's URL points at
// it) to inject what networks do: added latency with jitter, and connections reset under calls in
// flight. With no fault set it passes bytes straight through.
//
// Latency is added per chunk and per direction, at a delay drawn uniformly from [min, max] ms,
// never reordering a connection's bytes (a chunk leaves no earlier than the one before it): what a
// congested link does to an HTTP/2 stream. A reset ends both sides of a live connection with a TCP
// RST (`socket.resetAndDestroy()`), each connection after an exponentially distributed time of
// mean `resetMeanMs` while resets are on: every call on that HTTP/2 connection fails as a peer
// that vanished makes it fail, and gRPC connects again for the next call. It also counts the calls
// made over it (HTTP/2 HEADERS frames from the caller: one per gRPC call, retries included).
import net from 'node:net';

/**
 * @typedef {object} Faults
 * @property {[number, number]} [latencyMs]   added delay per chunk, uniform in [min, max]
 * @property {number} [resetMeanMs]           mean life of a connection before it is reset
 *
 * @typedef {object} FaultProxy
 * @property {number} port                    where it listens (127.0.0.1)
 * @property {(faults: Faults) => void} set   faults from now on (`{}`: none)
 * @property {{ connections: number, resets: number, delayedChunks: number, calls: number }} stats
 * @property {() => Promise<void>} close
 */

/**
 * Starts a proxy on a free port of 127.0.0.1 that forwards every connection to `target`.
 *
 * @param {{ host: string, port: number }} target
 * @returns {Promise<FaultProxy>}
 */
export async function startFaultProxy(target) {
  /** @type {Faults} */
  let faults = {};
  const stats = { connections: 0, resets: 0, delayedChunks: 0, calls: 0 };
  /** @type {Set<{ reset(): void, schedule(): void }>} */
  const live = new Set();

  const server = net.createServer({ noDelay: true }, (client) => {
    stats.connections += 1;
    const upstream = net.connect({ ...target, noDelay: true });
    let resetTimer;
    let closed = false;
    const link = {
      reset() {
        if (closed) {
          return;
        }
        stats.resets += 1;
        closeBoth(true);
      },
      schedule() {
        clearTimeout(resetTimer);
        if (faults.resetMeanMs && !closed) {
          const after = -Math.log(1 - Math.random()) * faults.resetMeanMs;
          resetTimer = setTimeout(() => link.reset(), after);
          resetTimer.unref();
        }
      },
    };
    const closeBoth = (rst) => {
      if (closed) {
        return;
      }
      closed = true;
      clearTimeout(resetTimer);
      live.delete(link);
      for (const socket of [client, upstream]) {
        if (rst && !socket.destroyed && socket.readyState === 'open') {
          socket.resetAndDestroy();
        } else {
          socket.destroy();
        }
      }
    };
    const countCalls = http2Requests(() => (stats.calls += 1));
    client.on('data', countCalls);
    pump(client, upstream, () => faults, stats);
    pump(upstream, client, () => faults, stats);
    for (const socket of [client, upstream]) {
      socket.on('error', () => closeBoth(true));
      socket.on('close', () => closeBoth(false));
    }
    live.add(link);
    link.schedule();
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });

  return {
    port: /** @type {net.AddressInfo} */ (server.address()).port,
    stats,
    set(next) {
      faults = { ...next };
      for (const link of live) {
        link.schedule();
      }
    },
    close() {
      faults = {};
      for (const link of [...live]) {
        link.reset();
      }
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Reads a client's side of an HTTP/2 connection (the 24-byte preface, then frames of a 9-byte
 * header and a payload) and calls `onRequest` for every HEADERS frame (type 1). A gRPC client sends
 * one per call; it sends no trailers.
 */
function http2Requests(onRequest) {
  let skip = 24;
  let header = Buffer.alloc(0);
  return (chunk) => {
    let at = 0;
    while (at < chunk.length) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - at);
        skip -= n;
        at += n;
        continue;
      }
      const n = Math.min(9 - header.length, chunk.length - at);
      header = Buffer.concat([header, chunk.subarray(at, at + n)]);
      at += n;
      if (header.length === 9) {
        if (header[3] === 1) {
          onRequest();
        }
        skip = header.readUIntBE(0, 3);
        header = Buffer.alloc(0);
      }
    }
  };
}

/** Copies `from` to `to`, each chunk after the current latency, in order; ends `to` after the last. */
function pump(from, to, currentFaults, stats) {
  /** @type {{ at: number, chunk: Buffer }[]} */
  const queue = [];
  let timer;
  let ended = false;
  const drain = () => {
    timer = undefined;
    const now = Date.now();
    while (queue.length > 0 && queue[0].at <= now) {
      const { chunk } = queue.shift();
      if (!to.destroyed) {
        to.write(chunk);
      }
    }
    if (queue.length > 0) {
      timer = setTimeout(drain, queue[0].at - now);
    } else if (ended && !to.destroyed) {
      to.end();
    }
  };
  from.on('data', (chunk) => {
    const [min, max] = currentFaults().latencyMs ?? [0, 0];
    const now = Date.now();
    const last = queue.length > 0 ? queue[queue.length - 1].at : 0;
    const at = Math.max(last, now + min + Math.random() * (max - min));
    if (at <= now && queue.length === 0) {
      if (!to.destroyed) {
        to.write(chunk);
      }
      return;
    }
    stats.delayedChunks += 1;
    queue.push({ at, chunk });
    timer ??= setTimeout(drain, at - now);
  });
  from.on('end', () => {
    ended = true;
    if (queue.length === 0 && !to.destroyed) {
      to.end();
    }
  });
  to.on('close', () => clearTimeout(timer));
}

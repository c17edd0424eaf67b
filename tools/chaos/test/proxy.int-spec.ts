// The fault suite's TCP proxy between a real HTTP/2 client and server (as gRPC uses them): it
// passes requests through, counts them, adds the latency it is told to, and resets connections.
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { startFaultProxy } from '../proxy.mjs';

interface Proxy {
  port: number;
  stats: { connections: number; resets: number; calls: number };
  set(faults: { latencyMs?: [number, number]; resetMeanMs?: number }): void;
  close(): Promise<void>;
}

function request(session: http2.ClientHttp2Session, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path });
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (body += chunk));
    stream.on('end', () => resolve(body));
    stream.on('error', reject);
    stream.end();
  });
}

describe('startFaultProxy', () => {
  let server: http2.Http2Server;
  let sut: Proxy;
  const sessions: http2.ClientHttp2Session[] = [];
  const connect = () => {
    const session = http2.connect(`http://127.0.0.1:${sut.port}`);
    session.on('error', () => undefined);
    sessions.push(session);
    return session;
  };

  beforeAll(async () => {
    server = http2.createServer((req, res) => res.end(`echo ${req.url}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    sut = (await startFaultProxy({
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
    })) as Proxy;
  });

  afterAll(async () => {
    for (const session of sessions) {
      session.destroy();
    }
    await sut.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('passes requests through and counts each one', async () => {
    const session = connect();
    const before = sut.stats.calls;
    const bodies = await Promise.all([1, 2, 3, 4, 5].map((n) => request(session, `/call/${n}`)));
    expect(bodies).toEqual([1, 2, 3, 4, 5].map((n) => `echo /call/${n}`));
    expect(sut.stats.calls - before).toBe(5);
  });

  it('adds the latency it is told to, in both directions, without reordering', async () => {
    const session = connect();
    await request(session, '/warm');
    sut.set({ latencyMs: [150, 200] });
    const t0 = Date.now();
    const bodies = await Promise.all([1, 2, 3].map((n) => request(session, `/slow/${n}`)));
    const took = Date.now() - t0;
    sut.set({});
    expect(bodies).toEqual([1, 2, 3].map((n) => `echo /slow/${n}`));
    // Out and back: at least twice the smallest delay.
    expect(took).toBeGreaterThanOrEqual(300);
  });

  it('resets connections while told to, and passes new ones when no longer', async () => {
    const session = connect();
    await request(session, '/before');
    const closed = new Promise((resolve) => session.once('close', resolve));
    sut.set({ resetMeanMs: 50 });
    await closed;
    sut.set({});
    expect(sut.stats.resets).toBeGreaterThan(0);
    expect(await request(connect(), '/after')).toBe('echo /after');
  });
});

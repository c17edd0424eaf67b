import { freePort } from '@yugong/shared/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import { serveMetrics } from './http-metrics.util';

const TOKEN = 'metrics-token-0123456789';

describe(serveMetrics.name, () => {
  let api: FastifyInstance;
  let close: () => Promise<void>;

  beforeEach(() => {
    api = Fastify();
    close = async () => undefined;
  });

  afterEach(async () => {
    await close();
    await api.close();
  });

  it('serves metrics on the API listener to anyone by default', async () => {
    close = await serveMetrics(api, { host: '127.0.0.1' });

    const res = await api.inject({ method: 'GET', url: '/metrics' });

    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
  });

  it('answers 401 to a scrape without the metrics token, or with another', async () => {
    close = await serveMetrics(api, { host: '127.0.0.1', token: TOKEN });

    const statuses = await Promise.all(
      [undefined, 'Bearer wrong-token', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, `Bearer ${TOKEN}`].map(
        async (authorization) =>
          (
            await api.inject({
              method: 'GET',
              url: '/metrics',
              headers: authorization ? { authorization } : {},
            })
          ).statusCode,
      ),
    );

    expect(statuses).toEqual([401, 401, 401, 401, 200]);
    const refused = await api.inject({ method: 'GET', url: '/metrics' });
    expect(refused.json()).toEqual({ error: 'UNAUTHENTICATED', message: expect.any(String) });
    expect(refused.body).not.toContain('nodejs_');
  });

  it('serves metrics only on their own port when given one, behind the token as well', async () => {
    const port = await freePort();
    close = await serveMetrics(api, { host: '127.0.0.1', port, token: TOKEN });
    const url = `http://127.0.0.1:${port}/metrics`;

    expect((await api.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    expect((await fetch(url)).status).toBe(401);
    const scraped = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toContain('text/plain');
  });
});

import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fs from 'node:fs';
import path from 'node:path';

/** Paths the gateway itself answers; everything else without an extension is the web app's. */
const SERVER_PATHS = /^\/(api|healthz|readyz|metrics)(\/|\?|$)/;
const HAS_EXTENSION = /\.[A-Za-z0-9]+$/;

/**
 * The URL a GET for `url` is routed to: a page of the single-page app (a path with no file
 * extension outside the API) becomes `/`, which serves index.html; the router in the browser
 * reads the real path from the address bar. Any other URL is left alone.
 */
export function webAppUrl(method: string | undefined, url: string): string {
  if (method !== 'GET' && method !== 'HEAD') {
    return url;
  }
  const pathname = url.split('?', 1)[0] ?? url;
  if (pathname === '/' || SERVER_PATHS.test(pathname) || HAS_EXTENSION.test(pathname)) {
    return url;
  }
  return '/';
}

/**
 * Serves the built web app in `root` at `/`: each file it holds at its own path (hashed assets
 * cached for a year, index.html revalidated on every load), with the gzip and brotli copies the
 * build writes beside them. Routes are made for the files present at boot, so an unknown path
 * stays a 404 from the API's own handler.
 */
export async function serveWebApp(fastify: FastifyInstance, root: string): Promise<boolean> {
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    return false;
  }
  await fastify.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    preCompressed: true,
    cacheControl: false,
    setHeaders: (reply, file) => {
      const immutable = file.includes(`${path.sep}assets${path.sep}`);
      void reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return true;
}

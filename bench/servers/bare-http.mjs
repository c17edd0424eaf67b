// The baseline of bench/catalog-read.mjs: a bare node:http server answering every request with
// the same bytes and content-type the gateway sent for the product listing. It does nothing else,
// so it is the ceiling this machine and load generator allow for that response.
// Env: PORT, BODY_FILE (the bytes to send), CONTENT_TYPE.
import fs from 'node:fs';
import http from 'node:http';

const body = fs.readFileSync(process.env.BODY_FILE);
const headers = { 'content-type': process.env.CONTENT_TYPE, 'content-length': body.length };
const server = http.createServer((_request, response) => {
  response.writeHead(200, headers);
  response.end(body);
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`bare http on ${process.env.PORT}`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));

#!/usr/bin/env node
// Minimal grpc_health_probe for images without the Go binary (used by docker-compose healthchecks;
// Kubernetes uses its native `grpc:` probes instead).
//   node tools/deploy/bin/grpc-health-probe.cjs [host:port] [service]
// Exits 0 when grpc.health.v1.Health/Check answers SERVING within the deadline, 1 otherwise.
'use strict';
const grpc = require('@grpc/grpc-js');
const { service } = require('grpc-health-check');

const target = process.argv[2] || `127.0.0.1:${process.env.GRPC_PORT || 50051}`;
const serviceName = process.argv[3] || '';
const timeoutMs = Number(process.env.PROBE_TIMEOUT_MS || 2000);

const Health = grpc.makeGenericClientConstructor(service, 'Health');
const client = new Health(target, grpc.credentials.createInsecure());
client.check({ service: serviceName }, { deadline: Date.now() + timeoutMs }, (err, res) => {
  client.close();
  if (err) {
    process.stderr.write(`health check of ${target} failed: ${err.message}\n`);
    process.exit(1);
  }
  if (res.status !== 'SERVING') {
    process.stderr.write(`${target} is ${res.status}\n`);
    process.exit(1);
  }
  process.exit(0);
});

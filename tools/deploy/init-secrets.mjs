#!/usr/bin/env node
// `npm run secrets:compose` (.env for docker-compose) and `npm run secrets:k8s-dev`
// (k8s/overlays/dev/secrets.env): writes a secrets file from its committed template, once, as
// `npm start` does with .data/secrets.json. In the template, every secret left empty (a name with
// PASSWORD, SECRET, TOKEN or KEY) gets a random value, `<id>:` with nothing after it a random
// AES-256 key, `<SERVICE>_SERVICE_KEY=` a new P-256 key pair of that service (the private key
// written), `SERVICE_PUBLIC_KEYS=` the public keys of every service key above it, and `${NAME}`
// the value of NAME above it. An existing file is kept: the data written with its keys and
// passwords cannot be read without them.
//   node tools/deploy/init-secrets.mjs <template> <file>
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newServiceKey } from '../runtime/services.mjs';

const SECRET_NAME = /PASSWORD|SECRET|TOKEN|KEYS?$/;
const SERVICE_KEY_NAME = /^([A-Z]+)_SERVICE_KEY$/;

/** The public key (base64 SPKI DER) of a service's private key (base64 PKCS#8 DER). */
const publicKeyOf = (privateKey) =>
  createPublicKey(createPrivateKey({ key: Buffer.from(privateKey, 'base64'), format: 'der', type: 'pkcs8' }))
    .export({ format: 'der', type: 'spki' })
    .toString('base64');
/** URL- and env-file-safe: a password inside a DATABASE_URL needs no escaping. */
const randomValue = () => randomBytes(32).toString('base64url');
/** An AES-256 key as PII_ENCRYPTION_KEYS wants it. */
const randomKey = () => randomBytes(32).toString('base64');

/**
 * The template's `KEY=value` lines with their secrets made; comments and blank lines kept.
 *
 * @param {string} template - text of a `*.example` file
 * @returns {string}
 */
export function fillSecrets(template) {
  /** @type {Record<string, string>} */
  const values = {};
  /** `service:publicKey` of every service key so far. */
  const publicKeys = [];
  return template
    .split('\n')
    .map((line) => {
      const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
      if (!match) {
        return line;
      }
      const [, name, raw] = match;
      let value = raw.replace(/\$\{(\w+)\}/g, (ref, other) => {
        if (values[other] === undefined) {
          throw new Error(`${name} refers to ${other}, which is not set above it`);
        }
        return values[other];
      });
      const service = SERVICE_KEY_NAME.exec(name);
      if (service) {
        value ||= newServiceKey().privateKey;
        publicKeys.push(`${service[1].toLowerCase()}:${publicKeyOf(value)}`);
      } else if (name === 'SERVICE_PUBLIC_KEYS' && value === '') {
        value = publicKeys.join(',');
      } else if (SECRET_NAME.test(name) && value === '') {
        value = randomValue();
      } else if (SECRET_NAME.test(name) && /^\w+:$/.test(value)) {
        value += randomKey();
      }
      values[name] = value;
      return `${name}=${value}`;
    })
    .join('\n');
}

/**
 * Writes `file` from `template` (mode 600) unless it exists.
 *
 * @param {string} template - path of the `*.example` file
 * @param {string} file - path of the secrets file
 * @returns {'created' | 'kept'}
 */
export function initSecrets(template, file) {
  if (existsSync(file)) {
    return 'kept';
  }
  writeFileSync(file, fillSecrets(readFileSync(template, 'utf8')), { mode: 0o600, flag: 'wx' });
  return 'created';
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [template, file] = process.argv.slice(2);
  if (!template || !file) {
    console.error('usage: node tools/deploy/init-secrets.mjs <template> <file>');
    process.exit(2);
  }
  const outcome = initSecrets(template, file);
  console.log(
    outcome === 'created'
      ? `${file}: written with new random secrets (keep it; never commit it)`
      : `${file}: exists, kept as it is`,
  );
}

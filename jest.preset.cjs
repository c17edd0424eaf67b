// Shared Jest settings for every project: SWC transform (with the decorator metadata Nest and
// MikroORM need), tsconfig path aliases, and a JSON result file per project for the CI summary.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias.replace(/[/]/g, '\\/')}$`,
    path.join(__dirname, target),
  ]),
);

/** @param {string} projectRoot absolute path of the project  @param {string} name project name */
module.exports = function preset(projectRoot, name) {
  return {
    displayName: name,
    rootDir: projectRoot,
    testEnvironment: 'node',
    testMatch: [
      '<rootDir>/src/**/*.spec.ts',
      '<rootDir>/test/**/*.int-spec.ts',
      '<rootDir>/test/**/*.e2e-spec.ts',
    ],
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        {
          swcrc: false,
          jsc: {
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true },
            target: 'es2022',
            keepClassNames: true,
          },
          module: { type: 'commonjs' },
        },
      ],
      // The launcher's service table (tools/runtime/services.mjs), which tests that boot services
      // take their environment from: plain ES modules, made CommonJS as the specs are.
      '^.+\\.mjs$': [
        '@swc/jest',
        {
          swcrc: false,
          jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' },
          module: { type: 'commonjs' },
        },
      ],
    },
    moduleFileExtensions: ['ts', 'js', 'json'],
    moduleNameMapper,
    cacheDirectory: path.join(__dirname, 'tmp', 'jest-cache'),
    reporters: ['default', [path.join(__dirname, 'tools/test/json-result-reporter.cjs'), { name }]],
    testTimeout: 30_000,
  };
};

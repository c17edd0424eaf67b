// Unit specs of the web app's pure code (formatting); its screens are tested in a browser
// (e2e/, Playwright). Not named jest.config.cjs so that Nx infers no second `test` target.
const preset = require('../../jest.preset.cjs')(__dirname, 'web');

module.exports = { ...preset, testMatch: ['<rootDir>/src/**/*.spec.ts'] };

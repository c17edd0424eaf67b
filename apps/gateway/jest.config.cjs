// Two workers: each e2e file runs the whole platform in its Jest worker, one core's worth of
// JavaScript, and the gateway's files are the suite's longest tail; with one worker the other core
// sat idle once the other projects had finished.
module.exports = { ...require('../../jest.preset.cjs')(__dirname, 'gateway'), maxWorkers: 2 };

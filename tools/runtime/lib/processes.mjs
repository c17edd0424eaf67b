// Process helpers shared by the launcher and the test runner: stop a child politely then firmly,
// find and kill a stale process left by a run that was itself SIGKILLed, prefix output lines.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** True when a process with this PID exists (and is not a zombie we could reap). */
export function isAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) {
    return false;
  }
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error.code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** The command line of a running process, or '' when unknown. */
export function commandOf(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    try {
      return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  }
}

/** Waits until the process is gone or the time is up; returns true when it is gone. */
export async function waitForExit(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) {
      return false;
    }
    await sleep(50);
  }
  return true;
}

function signal(pid, sig, group) {
  try {
    process.kill(group ? -pid : pid, sig);
  } catch {
    // already gone
  }
}

/**
 * Stops a process: each signal in turn, waiting `graceMs` after each, until it is gone.
 * With `group`, signals the whole process group (children spawned with `detached: true`).
 */
export async function killPid(pid, { signals = ['SIGTERM', 'SIGKILL'], graceMs = 5000, group = false } = {}) {
  for (const sig of signals) {
    if (!isAlive(pid)) {
      return true;
    }
    signal(pid, sig, group);
    if (await waitForExit(pid, graceMs)) {
      if (group) {
        signal(pid, 'SIGKILL', true); // anything the leader left behind in its group
      }
      return true;
    }
  }
  return !isAlive(pid);
}

/** Reads a PID file; undefined when missing or garbled. */
export function readPidFile(file) {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8').split('\n')[0].trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function writePidFile(file, pid) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${pid}\n`);
}

export function removeFile(file) {
  fs.rmSync(file, { force: true });
}

/**
 * Kills the process named in a PID file if it is still running and its command line contains
 * every one of `mustContain` (so a recycled PID of an unrelated process is never touched).
 * Returns the PID it stopped, or undefined.
 */
export async function killStale(pidFile, mustContain, options) {
  const pid = readPidFile(pidFile);
  let stopped;
  if (pid && isAlive(pid)) {
    const command = commandOf(pid);
    if (command && mustContain.every((part) => command.includes(part))) {
      await killPid(pid, options);
      stopped = pid;
    }
  }
  removeFile(pidFile);
  return stopped;
}

/** Finds an executable on PATH; undefined when absent. */
export function findOnPath(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) {
      continue;
    }
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) {
        return candidate;
      }
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Calls `onLine` for every complete line of a stream (and the last partial one at its end). */
export function eachLine(stream, onLine) {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      onLine(buffered.slice(0, newline).replace(/\r$/, ''));
      buffered = buffered.slice(newline + 1);
    }
  });
  stream.on('end', () => {
    if (buffered) {
      onLine(buffered);
      buffered = '';
    }
  });
}

/** Rejects after `ms` with `message` unless the promise settles first. */
export function withTimeout(promise, ms, message) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
      timer.unref();
    }),
  ]);
}

// Starts the login-front demo (target/debug/login-front-demo, or DEMO_BIN)
// on the given loopback port with the given environment; resolves with
// { url, stop } once it listens.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../harness.mjs';

export async function startDemo(port, env) {
  const bin = process.env.DEMO_BIN || join(repoRoot, 'target', 'debug', 'login-front-demo');
  if (!existsSync(bin)) {
    throw new Error(`login-front-demo not found at ${bin}: run cargo build -p login-front-demo first`);
  }
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(bin, [], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DEMO_LOG: 'warn', DEMO_LISTEN: `127.0.0.1:${port}`, DEMO_PUBLIC_URL: url, ...env },
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the demo did not start in 30 s: ${stderr}`)), 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('login-front demo listening on')) { clearTimeout(timer); resolve(); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the demo exited (${code}): ${stderr}`)); });
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  };
  return { url, stop, stderr: () => stderr };
}

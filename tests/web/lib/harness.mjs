// Serves the release build (dist/) on 127.0.0.1 and opens it in Debian's Chromium through
// playwright-core, recording every request and page error so tests can assert there are none
// beyond the page's own origin.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const DIST = process.env.RTMPSCOPE_DIST || path.join(ROOT, 'dist');
export const SHOTS = process.env.RTMPSCOPE_SCREENSHOTS || '/tmp/rtmpscope-web-screenshots';
mkdirSync(SHOTS, { recursive: true });

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function waitForServer(url, deadline) {
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server at ${url} did not start`);
}

/** Starts the static server and the browser. */
export async function start() {
  const port = await freePort();
  const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1',
    '--directory', DIST], { stdio: 'ignore' });
  const origin = `http://127.0.0.1:${port}`;
  await waitForServer(`${origin}/index.html`, Date.now() + 15000);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run'],
  });
  return {
    origin,
    browser,
    async close() {
      await browser.close();
      server.kill();
    },
  };
}

/** A new page at the app, with its requests and errors recorded. */
export async function openApp(env, { colorScheme = 'light' } = {}) {
  const context = await env.browser.newContext({
    viewport: { width: 1440, height: 900 }, colorScheme, acceptDownloads: true,
  });
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  // Worker requests go through the context, not only the page.
  context.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  await page.goto(`${env.origin}/`);
  await page.waitForSelector('[data-testid=drop-zone]');
  return { context, page, requests, errors };
}

/** The requests that went anywhere but the page's own origin (data: and blob: URLs are local). */
export function foreignRequests(env, requests) {
  return requests.filter((u) => !u.startsWith(`${env.origin}/`) && !u.startsWith('data:')
    && !u.startsWith('blob:'));
}

/** Runs the CLI, if RTMPSCOPE_BIN names it. */
export function cli(args) {
  const bin = process.env.RTMPSCOPE_BIN;
  if (!bin) return null;
  return execFileSync(bin, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/** A classic pcap file of Ethernet frames (microsecond timestamps). */
export function pcap(frames) {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  const records = frames.map((frame, i) => {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1700000000 + i, 0);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    return Buffer.concat([rec, frame]);
  });
  return Buffer.concat([header, ...records]);
}

/** An Ethernet/IPv4/UDP frame from 10.0.0.1:5000 to 10.0.0.2:53 with `payload`. */
export function udpFrame(payload) {
  const eth = Buffer.from('0000000000020000000000010800', 'hex');
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + 8 + payload.length, 2);
  ip[8] = 64;
  ip[9] = 17;
  Buffer.from([10, 0, 0, 1, 10, 0, 0, 2]).copy(ip, 12);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(5000, 0);
  udp.writeUInt16BE(53, 2);
  udp.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([eth, ip, udp, payload]);
}

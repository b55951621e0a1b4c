// The browser benchmark: one capture analyzed by the release web build (dist/, from
// `trunk build --release=true`) in headless Chromium, through the page's file input, as a user
// would. Prints wall time, MiB/s, peak memory of Chromium's processes and the wasm memory sizes.
// Not a test (it is outside tests/web, so `node --test tests/web/*.mjs` does not run it);
// scripts/bench.sh --web runs it next to the native measurement.
//
//   node scripts/bench-web.mjs FILE [--json OUT] [--timeout SECONDS] [--max-rss-mb N] [--profile N]
//
// CPU time is the user + system time of all of Chromium's processes over the same span (the file
// is read by the browser process and handed to the renderer, so both count).
// Memory is sampled every 100 ms from /proc/PID/status of every Chromium process this script
// started: VmHWM (the kernel's peak RSS, so nothing between samples is missed) of each renderer
// (the page and its analysis worker run in one renderer process) and the largest sum of VmRSS
// over all of Chromium's processes. Chromium is killed when that sum passes --max-rss-mb
// (default 5120). The wasm memories (page and worker) are read over the DevTools protocol after
// the analysis; wasm memory only grows, so its final size is its peak.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { start, openApp } from '../tests/web/lib/harness.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const [value] = args.splice(i, 2).slice(1);
  return value;
};
const jsonOut = option('--json', null);
const profileTop = Number(option('--profile', 0));
const timeoutMs = Number(option('--timeout', 1800)) * 1000;
const maxRssKb = Number(option('--max-rss-mb', 5120)) * 1024;
const file = args[0];
if (!file || args.length !== 1) {
  console.error('usage: node scripts/bench-web.mjs FILE [--json OUT] [--timeout S] [--max-rss-mb N] [--profile N]');
  process.exit(2);
}
const bytes = statSync(file).size;

/** Every process descended from this one (Chromium's browser, zygotes, renderers, utilities). */
function descendants() {
  const children = new Map();
  for (const entry of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch { /* gone */ }
  }
  const out = [];
  const todo = [process.pid];
  while (todo.length) {
    for (const c of children.get(todo.pop()) ?? []) {
      out.push(c);
      todo.push(c);
    }
  }
  return out;
}

/** {rss, hwm, anon} in KiB and the process type (renderer, gpu-process, ..., browser). */
function processMemory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => Number((status.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm')) ?? [])[1] ?? 0);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!/chrom/.test(cmdline)) return null;
    const type = (cmdline.match(/--type=([\w-]+)/) ?? [])[1] ?? 'browser';
    return { pid, type, rss: field('VmRSS'), hwm: field('VmHWM'), anon: field('RssAnon') };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) used so far by Chromium's processes, in all and by type. */
function chromiumCpu() {
  const byType = {};
  let ticks = 0;
  for (const pid of descendants()) {
    const m = processMemory(pid);
    if (!m) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const t = Number(fields[11]) + Number(fields[12]);
      ticks += t;
      byType[m.type] = (byType[m.type] ?? 0) + t / 100;
    } catch { /* gone */ }
  }
  return { total: ticks / 100, byType }; // USER_HZ
}
/** CPU seconds of each thread of Chromium's renderers, by thread name (summed over same names). */
function rendererThreads() {
  const byName = {};
  for (const pid of descendants()) {
    const m = processMemory(pid);
    if (!m || m.type !== 'renderer') continue;
    try {
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        byName[name] = (byName[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100;
      }
    } catch { /* gone */ }
  }
  return byName;
}
const threadsSince = (start) => {
  const out = {};
  for (const [k, v] of Object.entries(rendererThreads())) {
    const d = v - (start[k] ?? 0);
    if (d >= 0.01) out[k] = Number(d.toFixed(2));
  }
  return out;
};
const cpuSince = (start) => {
  const now = chromiumCpu();
  const byType = {};
  for (const [k, v] of Object.entries(now.byType)) byType[k] = Number((v - (start.byType[k] ?? 0)).toFixed(2));
  return { total: now.total - start.total, byType };
};

const memory = { maxTotalRss: 0, renderers: new Map(), killed: false };
function sample() {
  let total = 0;
  for (const pid of descendants()) {
    const m = processMemory(pid);
    if (!m) continue;
    total += m.rss;
    if (m.type === 'renderer') {
      const prev = memory.renderers.get(pid) ?? { hwm: 0, anon: 0 };
      memory.renderers.set(pid, { hwm: Math.max(prev.hwm, m.hwm), anon: Math.max(prev.anon, m.anon) });
    }
  }
  memory.maxTotalRss = Math.max(memory.maxTotalRss, total);
  if (total > maxRssKb && !memory.killed) {
    memory.killed = true;
    console.error(`bench-web: Chromium uses ${(total / 1024).toFixed(0)} MiB, killing it`);
    for (const pid of descendants()) {
      if (processMemory(pid)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
  }
}

/**
 * --profile N: V8's sampling CPU profiler in the page and in the analysis worker (started paused
 * at its first statement, so the whole analysis is seen) over the DevTools protocol, until the
 * analysis is done; prints the N functions with the most self time in each.
 */
async function startProfiles(context, page) {
  const cdp = await context.newCDPSession(page);
  const pending = new Map();
  let nextId = 1;
  const workers = [];
  cdp.on('Target.receivedMessageFromTarget', ({ sessionId, message }) => {
    const msg = JSON.parse(message);
    const resolve = pending.get(`${sessionId}/${msg.id}`);
    if (resolve) { pending.delete(`${sessionId}/${msg.id}`); resolve(msg.result ?? { error: msg.error }); }
  });
  const sendTo = (sessionId) => (method, params = {}) => new Promise((resolve) => {
    const id = nextId++;
    pending.set(`${sessionId}/${id}`, resolve);
    cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
  });
  cdp.on('Target.attachedToTarget', async (e) => {
    if (e.targetInfo.type !== 'worker') return;
    const send = sendTo(e.sessionId);
    await send('Profiler.enable');
    await send('Profiler.setSamplingInterval', { interval: 200 });
    await send('Profiler.start');
    workers.push(send);
    await send('Runtime.runIfWaitingForDebugger');
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: false });
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  return async () => {
    const profiles = { page: (await cdp.send('Profiler.stop')).profile };
    for (const [i, send] of workers.entries()) profiles[`worker ${i}`] = (await send('Profiler.stop')).profile;
    await cdp.detach();
    return profiles;
  };
}

/** The `top` functions of a CPU profile by self time, in ms. */
function profileSummary(profile, top) {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = profile.timeDeltas;
  profile.samples.forEach((id, i) => {
    const f = byNode.get(id).callFrame;
    const name = `${f.functionName || '(anonymous)'} ${f.url ? f.url.split('/').pop() : ''}`.trim();
    self.set(name, (self.get(name) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  });
  return [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([name, ms]) => `${ms.toFixed(0).padStart(7)} ms  ${name}`);
}

/**
 * Sizes of every WebAssembly.Memory in the page and in its workers, over the DevTools protocol
 * (the wasm-bindgen modules keep their memories private).
 */
async function wasmMemories(context, page) {
  const sizes = {};
  const measure = async (send) => {
    const proto = await send('Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype' });
    const found = await send('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId });
    const got = await send('Runtime.callFunctionOn', {
      objectId: found.objects.objectId,
      functionDeclaration: 'function () { return this.map((m) => m.buffer.byteLength); }',
      returnByValue: true,
    });
    return got.result.value;
  };
  const cdp = await context.newCDPSession(page);
  sizes.page = await measure((method, params) => cdp.send(method, params));
  // The worker: attach to it through the page's session and talk over Target messages.
  const pending = new Map();
  let nextId = 1;
  let workerSession = null;
  cdp.on('Target.receivedMessageFromTarget', ({ sessionId, message }) => {
    if (sessionId !== workerSession) return;
    const msg = JSON.parse(message);
    const resolve = pending.get(msg.id);
    if (resolve) { pending.delete(msg.id); resolve(msg.result ?? { error: msg.error }); }
  });
  const attached = new Promise((resolve) => cdp.on('Target.attachedToTarget', (e) => {
    if (e.targetInfo.type === 'worker') resolve(e.sessionId);
  }));
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  workerSession = await Promise.race([attached, new Promise((r) => setTimeout(() => r(null), 5000))]);
  if (workerSession) {
    sizes.worker = await measure((method, params) => new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      cdp.send('Target.sendMessageToTarget', {
        sessionId: workerSession, message: JSON.stringify({ id, method, params }),
      });
    }));
  }
  await cdp.detach();
  return sizes;
}

const env = await start();
const sampler = setInterval(sample, 100);
let result;
try {
  const app = await openApp(env);
  const { page } = app;
  page.on('console', (m) => { if (m.text().startsWith('SPANS')) console.log(m.text()); });
  page.on('worker', (w) => w.on('console', (m) => { if (m.text().startsWith('SPANS')) console.log(`worker ${m.text()}`); }));
  sample();
  const cpu0 = chromiumCpu();
  const threads0 = rendererThreads();
  const stopProfiles = profileTop > 0 ? await startProfiles(app.context, page) : null;
  const t0 = performance.now();
  await page.setInputFiles('[data-testid=file-input]', file);
  // The worker's analysis ends when the progress bar switches to reading the results; the
  // page is done when the session cards are shown.
  let analysedAt = null;
  let analysedCpu = null;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (memory.killed) throw new Error('Chromium was killed (memory)');
    if (Date.now() > deadline) throw new Error('timed out');
    const state = await page.evaluate(() => {
      if (document.querySelector('[data-testid=error-message]')) {
        return { error: document.querySelector('[data-testid=error-message]').innerText };
      }
      const row = document.querySelector('.progress-row');
      return {
        reading: !!row && row.innerText.startsWith('Reading'),
        done: !row && !!document.querySelector('[data-testid=session-card]'),
      };
    });
    if (state.error) throw new Error(`the app says: ${state.error}`);
    if (analysedAt === null && (state.reading || state.done)) {
      analysedAt = performance.now();
      analysedCpu = cpuSince(cpu0);
      analysedCpu.threads = threadsSince(threads0);
      if (stopProfiles) {
        for (const [target, profile] of Object.entries(await stopProfiles())) {
          console.log(`profile: ${target}, self time`);
          for (const line of profileSummary(profile, profileTop)) console.log(`  ${line}`);
        }
      }
    }
    if (state.done) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const doneAt = performance.now();
  const doneCpu = cpuSince(cpu0);
  sample();
  const sessions = await page.locator('[data-testid=session-card]').count();
  // The toolbar's "N messages": a check that the whole file was read.
  const messages = Number(((await page.locator('[data-testid=file-info]').innerText())
    .match(/([\d\s\u202f]+) messages/) ?? [])[1]?.replace(/\D/g, '') ?? NaN);
  const wasm = await wasmMemories(app.context, page).catch((e) => ({ error: String(e) }));
  const mib = (kb) => kb / 1024;
  const renderers = [...memory.renderers.values()];
  result = {
    file,
    bytes,
    sessions,
    messages,
    analysis_s: (analysedAt - t0) / 1000,
    total_s: (doneAt - t0) / 1000,
    analysis_mib_s: bytes / 1048576 / ((analysedAt - t0) / 1000),
    total_mib_s: bytes / 1048576 / ((doneAt - t0) / 1000),
    analysis_cpu_s: analysedCpu.total,
    total_cpu_s: doneCpu.total,
    analysis_mib_s_cpu: bytes / 1048576 / analysedCpu.total,
    total_mib_s_cpu: bytes / 1048576 / doneCpu.total,
    analysis_cpu_s_by_process: analysedCpu.byType,
    analysis_cpu_s_by_renderer_thread: analysedCpu.threads,
    renderer_peak_rss_mib: mib(Math.max(0, ...renderers.map((r) => r.hwm))),
    renderer_peak_anon_mib: mib(Math.max(0, ...renderers.map((r) => r.anon))),
    chromium_peak_total_rss_mib: mib(memory.maxTotalRss),
    wasm_memory_mib: Object.fromEntries(Object.entries(wasm).map(([k, v]) => [k,
      Array.isArray(v) ? v.map((b) => b / 1048576) : v])),
  };
  await app.context.close();
} finally {
  clearInterval(sampler);
  await env.close().catch(() => {});
  // Nothing of Chromium may outlive the benchmark.
  for (const pid of descendants()) {
    if (processMemory(pid)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
}

const f = (x, d = 1) => x.toFixed(d);
console.log(`file                     ${file} (${f(bytes / 1048576)} MiB), ${result.sessions} session(s), ${result.messages} messages`);
console.log(`analysis (worker)        ${f(result.analysis_s, 2)} s wall, ${f(result.analysis_mib_s)} MiB/s; `
  + `${f(result.analysis_cpu_s, 2)} s CPU, ${f(result.analysis_mib_s_cpu)} MiB/s (CPU)`);
console.log(`  CPU s by process type   ${JSON.stringify(result.analysis_cpu_s_by_process)}`);
console.log(`  renderer threads, CPU s ${JSON.stringify(result.analysis_cpu_s_by_renderer_thread)}`);
console.log(`until results shown      ${f(result.total_s, 2)} s wall, ${f(result.total_mib_s)} MiB/s; `
  + `${f(result.total_cpu_s, 2)} s CPU, ${f(result.total_mib_s_cpu)} MiB/s (CPU)`);
console.log(`renderer peak RSS        ${f(result.renderer_peak_rss_mib)} MiB (anonymous ${f(result.renderer_peak_anon_mib)} MiB)`);
console.log(`all Chromium, peak RSS   ${f(result.chromium_peak_total_rss_mib)} MiB (sum over processes)`);
console.log(`wasm memory              ${JSON.stringify(result.wasm_memory_mib, (k, v) => (typeof v === 'number' ? Number(v.toFixed(1)) : v))} MiB`);
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(result, null, 2)}\n`);

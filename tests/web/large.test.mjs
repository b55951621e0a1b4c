// A 50 MB capture: the page stays responsive (analysis in the worker, progress shown), the
// analysis can be cancelled, and the app is usable afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { start, openApp, foreignRequests, repeatedCapture, ROOT, SHOTS } from './lib/harness.mjs';

const COPIES = 75; // × 683 KB ≈ 50 MB, 75 sessions, 28 950 messages
let env;
let bigFile;

before(async () => {
  env = await start();
  bigFile = path.join(SHOTS, 'large-75-publishes.pcap');
  writeFileSync(bigFile, repeatedCapture(path.join(ROOT, 'tests/data/nginx-ffmpeg-publish.pcap'), COPIES));
});
after(async () => { await env?.close(); });

/** Records main-thread tasks over 50 ms (the page would feel stuck during them). */
async function watchLongTasks(page) {
  await page.evaluate(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: false });
  });
}

test('a 50 MB capture loads with progress and without freezing the page', async () => {
  const app = await openApp(env);
  const { page } = app;
  await watchLongTasks(page);
  const started = Date.now();
  await page.setInputFiles('[data-testid=file-input]', bigFile);
  await page.locator('[data-testid=progress]').waitFor();
  // While the worker reads, the page answers: a tab of the old view and the text stay live.
  const responsive = await page.evaluate(() => new Promise((resolve) => {
    const t0 = performance.now();
    requestAnimationFrame(() => resolve(performance.now() - t0));
  }));
  assert.ok(responsive < 500, `a frame took ${responsive} ms during analysis`);
  await page.waitForSelector('[data-testid=session-card]', { timeout: 180000 });
  const elapsed = Date.now() - started;
  assert.equal(await page.locator('[data-testid=session-card]').count(), COPIES);
  await page.keyboard.press('2');
  const count = page.locator('[data-testid=message-count]');
  assert.equal(Number(await count.getAttribute('data-total')), 386 * COPIES);
  const rows = await page.locator('[data-testid=timeline-row]').count();
  assert.ok(rows < 200, `${rows} rows in the DOM`);
  await page.keyboard.press('End');
  await page.waitForFunction(() => document.querySelector('.row.selected')?.dataset.index === String(386 * 75 - 1));
  // The last row, far down, is the last message with its own columns, and its detail comes
  // from the worker.
  const last = page.locator('.row.selected');
  assert.match(await last.innerText(), /Video|Audio|AMF0 Command|User Control/);
  await page.locator('[data-testid=detail-pane] dl.kv').first().waitFor();
  assert.match(await page.locator('[data-testid=detail-pane] h3').innerText(), new RegExp(`^#${386 * 75 - 1} `));
  // Filtering the whole list: one connect per session, and every row shown is one.
  await page.fill('[data-testid=filter-text]', 'CONNECT(');
  await page.waitForFunction(() => document.querySelector('[data-testid=message-count]')?.dataset.visible === '75');
  const shown = await page.locator('[data-testid=timeline-row]').allInnerTexts();
  assert.ok(shown.length > 10 && shown.length <= 75, `${shown.length} rows rendered`);
  assert.ok(shown.every((t) => /connect\(1, \{app: "live"/.test(t)), shown[0]);
  await page.keyboard.press('Escape');
  const longest = Math.max(0, ...await page.evaluate(() => window.longTasks));
  console.log(`50 MB: loaded in ${elapsed} ms; longest main-thread task ${longest.toFixed(0)} ms`);
  assert.ok(longest < 3000, `the page froze for ${longest} ms`);
  await page.screenshot({ path: path.join(SHOTS, 'large-messages.png') });
  assert.deepEqual(foreignRequests(env, app.requests), []);
  assert.deepEqual(app.errors, []);
  await app.context.close();
});

test('an analysis can be cancelled and the next file loads', async () => {
  const app = await openApp(env);
  const { page } = app;
  // The analysis of 50 MB takes a few hundred milliseconds now, less than Playwright's click
  // takes to check the button, so the click is made in the page as soon as the button appears.
  const clicked = page.evaluate(() => new Promise((resolve) => {
    const click = () => {
      const button = document.querySelector('[data-testid=cancel-button]');
      button?.click();
      return Boolean(button);
    };
    if (click()) return resolve(true);
    new MutationObserver((_, observer) => {
      if (click()) {
        observer.disconnect();
        resolve(true);
      }
    }).observe(document.body, { childList: true, subtree: true });
  }));
  await page.setInputFiles('[data-testid=file-input]', bigFile);
  assert.equal(await clicked, true);
  const error = page.locator('[data-testid=error-message]');
  await error.waitFor();
  assert.match(await error.innerText(), /cancelled/);
  assert.equal(await page.locator('[data-testid=progress]').count(), 0);
  await page.setInputFiles('[data-testid=file-input]', path.join(ROOT, 'tests/data/nginx-rtmpdump-play.pcap'));
  await page.waitForSelector('[data-testid=session-card]');
  assert.equal(await page.locator('[data-testid=session-card]').count(), 1);
  assert.deepEqual(app.errors, []);
  await app.context.close();
});

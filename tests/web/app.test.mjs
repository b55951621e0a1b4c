// End-to-end tests of the web app's release build in Chromium: what a user would check.
// Run by scripts/test.sh after `trunk build --release=true`; RTMPSCOPE_BIN names the CLI so the
// page's counts and export can be compared with it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { start, openApp, foreignRequests, cli, pcap, udpFrame, ROOT, SHOTS } from './lib/harness.mjs';

const DATA = path.join(ROOT, 'tests/data');
let env;

before(async () => { env = await start(); });
after(async () => { await env?.close(); });

function cliMessageCount(file, fallback) {
  const out = cli(['messages', file, '--format', 'jsonl']);
  return out === null ? fallback : out.trim().split('\n').length;
}

async function loadCapture(page, file) {
  await page.setInputFiles('[data-testid=file-input]', file);
  await page.waitForSelector('[data-testid=session-card]', { timeout: 60000 });
}

async function checkClean(app, label) {
  assert.deepEqual(foreignRequests(env, app.requests), [], `${label}: requests left 127.0.0.1`);
  assert.deepEqual(app.errors, [], `${label}: page errors`);
}

const captures = [
  { name: 'nginx-ffmpeg-publish.pcap', messages: 386, role: 'publish' },
  { name: 'nginx-rtmpdump-play.pcap', messages: 340, role: 'play' },
];

for (const c of captures) {
  test(`${c.name}: sessions, timeline, detail tree, chart, export`, async () => {
    const app = await openApp(env);
    const { page } = app;
    const file = path.join(DATA, c.name);
    await loadCapture(page, file);

    // Session card: app and stream name, the role.
    const card = page.locator('[data-testid=session-card]').first();
    assert.equal(await card.locator('[data-testid=session-app]').innerText(), 'live');
    assert.match(await card.locator('[data-testid=stream-name]').first().innerText(), /^stream/);
    assert.match(await card.innerText(), new RegExp(c.role));

    // Bitrate chart with data points.
    const chart = page.locator('[data-testid=bitrate-chart]').first();
    assert.ok(Number(await chart.getAttribute('data-buckets')) >= 3, 'chart has buckets');
    const points = (await chart.locator('[data-testid=chart-total]').getAttribute('points')).trim().split(/\s+/);
    assert.ok(points.length >= 3, `chart has points: ${points.length}`);
    await chart.hover();
    assert.match(await page.locator('[data-testid=chart-readout]').first().innerText(), /total/);
    await page.screenshot({ path: path.join(SHOTS, `${c.name}-sessions.png`) });

    // Timeline: same message count as the CLI.
    await page.keyboard.press('2');
    const count = page.locator('[data-testid=message-count]');
    const expected = cliMessageCount(file, c.messages);
    assert.equal(expected, c.messages, 'the CLI agrees with the README');
    assert.equal(Number(await count.getAttribute('data-total')), expected);
    assert.equal(Number(await count.getAttribute('data-visible')), expected);
    const rows = await page.locator('[data-testid=timeline-row]').count();
    assert.ok(rows > 10 && rows < expected, `virtualised: ${rows} rows in the DOM`);

    // A command row shows its AMF tree; the response link jumps.
    await page.locator('[data-testid=timeline-row]', { hasText: 'connect(' }).first().click();
    const tree = page.locator('[data-testid=detail-pane] [data-testid=amf-tree]');
    await tree.waitFor();
    const treeText = await tree.innerText();
    assert.match(treeText, /app:\s*string\s*"live"/);
    assert.match(treeText, /tcUrl/);
    await page.locator('[data-testid=hexdump]').waitFor();
    await page.screenshot({ path: path.join(SHOTS, `${c.name}-messages.png`) });
    await page.locator('[data-testid=detail-pane] a.link', { hasText: '#' }).first().click();
    await page.waitForFunction(() => document.querySelector('[data-testid=detail-pane] h3')?.textContent.includes('AMF0 Command'));
    assert.match(await page.locator('[data-testid=detail-pane]').innerText(), /_result/);

    // Keyboard moves the selection.
    const before = await page.locator('.row.selected').getAttribute('data-index');
    await page.keyboard.press('ArrowDown');
    const afterIndex = await page.locator('.row.selected').getAttribute('data-index');
    assert.equal(Number(afterIndex), Number(before) + 1);

    // Filters: video only, then text.
    await page.selectOption('[data-testid=type-filter]', 'g:video');
    const videoCount = Number(await count.getAttribute('data-visible'));
    assert.ok(videoCount > 50 && videoCount < expected, `video messages: ${videoCount}`);
    await page.fill('[data-testid=filter-text]', 'onStatus');
    await page.selectOption('[data-testid=type-filter]', '');
    assert.ok(Number(await count.getAttribute('data-visible')) >= 1);

    // Diagnostics view renders.
    await page.keyboard.press('Escape');
    await page.keyboard.press('3');
    await page.locator('[data-testid=diagnostics]').waitFor();

    // Export equals `rtmpscope summary --format json`.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=export-button]'),
    ]);
    const exported = readFileSync(await download.path(), 'utf8');
    const report = JSON.parse(exported);
    assert.equal(report.messages.length, expected);
    const cliJson = cli(['summary', file, '--format', 'json']);
    if (cliJson !== null) assert.equal(exported, cliJson, 'export equals the CLI JSON');

    await checkClean(app, c.name);
    await app.context.close();
  });
}

test('a file that is not a capture, and a capture without RTMP, give clear messages', async () => {
  const app = await openApp(env);
  const { page } = app;
  await page.setInputFiles('[data-testid=file-input]', {
    name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello, this is not a pcap\n'),
  });
  const error = page.locator('[data-testid=error-message]');
  await error.waitFor();
  assert.match(await error.innerText(), /notes\.txt is not a capture file/);
  await page.screenshot({ path: path.join(SHOTS, 'not-a-capture.png') });

  await page.setInputFiles('[data-testid=file-input]', {
    name: 'dns.pcap', mimeType: 'application/octet-stream', buffer: pcap([udpFrame(Buffer.from('abcd'))]),
  });
  await page.waitForFunction(() => document.querySelector('[data-testid=error-message]')?.textContent.includes('No RTMP'));
  assert.match(await error.innerText(), /No RTMP in this capture/);

  // Still usable: a real capture loads next.
  await loadCapture(page, path.join(DATA, 'nginx-ffmpeg-publish.pcap'));
  assert.equal(await error.count(), 0);
  await checkClean(app, 'bad files');
  await app.context.close();
});

test('the sample button, dark theme, progress and no foreign requests', async () => {
  const app = await openApp(env, { colorScheme: 'dark' });
  const { page } = app;
  await page.screenshot({ path: path.join(SHOTS, 'landing-dark.png') });
  await page.click('[data-testid=sample-button]');
  await page.waitForSelector('[data-testid=session-card]', { timeout: 60000 });
  assert.match(await page.locator('[data-testid=file-info]').innerText(), /sample-ffmpeg-publish\.pcap/);
  await page.screenshot({ path: path.join(SHOTS, 'sample-dark.png') });
  await page.keyboard.press('2');
  await page.locator('[data-testid=timeline-row]').nth(3).click();
  await page.screenshot({ path: path.join(SHOTS, 'sample-dark-messages.png') });
  if (process.env.RTMPSCOPE_UPDATE_DOC_SCREENSHOT) {
    copyFileSync(path.join(SHOTS, 'sample-dark-messages.png'), path.join(ROOT, 'www/screenshot.png'));
  }
  await checkClean(app, 'sample');
  await app.context.close();
});

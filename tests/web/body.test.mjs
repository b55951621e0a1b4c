// End-to-end tests of what the web app re-reads from the capture file: the hex dump of a whole
// message body (several chunks, several packets) and the FLV download of a stream, compared
// byte for byte with the CLI (`rtmpscope show --hex`, `rtmpscope export`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { start, openApp, foreignRequests, cli, ROOT, SHOTS } from './lib/harness.mjs';

const DATA = path.join(ROOT, 'tests/data');
let env;

before(async () => { env = await start(); });
after(async () => { await env?.close(); });

/** Bytes of hex dump lines `OFFSET  HEX (49 columns)  ASCII` (`__`, a missing byte: null). */
function dumpBytes(lines) {
  const bytes = [];
  for (const line of lines) {
    const m = line.match(/^\s*[0-9a-f]{8} {2}(?=(?:[0-9a-f]{2}|__) )/);
    if (!m) continue;
    const hex = line.slice(m[0].length, m[0].length + 49).trim();
    for (const token of hex.split(/\s+/)) bytes.push(token === '__' ? null : parseInt(token, 16));
  }
  return bytes;
}

async function loadCapture(page, file) {
  await page.setInputFiles('[data-testid=file-input]', file);
  await page.waitForSelector('[data-testid=session-card]', { timeout: 60000 });
}

/** Selects the first timeline row containing `text`; returns its message index. */
async function selectRow(page, text) {
  const row = page.locator('[data-testid=timeline-row]', { hasText: text }).first();
  await row.click();
  const index = Number(await row.getAttribute('data-index'));
  await page.waitForFunction((i) => document.querySelector('[data-testid=detail-pane] h3')?.textContent.startsWith(`#${i} `), index);
  await page.locator('[data-testid=hexdump]').waitFor();
  return index;
}

async function shownLength(page) {
  const text = await page.locator('[data-testid=detail-pane] dl.kv').first().innerText();
  return Number(text.match(/length\s+(\d+) bytes/)[1]);
}

for (const c of [
  // connect: 139 bytes in two 128-byte-size chunks; a keyframe: chunks of 4096 across packets.
  { file: 'nginx-ffmpeg-publish.pcap', row: 'connect(', length: 139 },
  { file: 'nginx-ffmpeg-publish.pcap', row: 'AVC keyframe', length: 6889 },
  // Reordered and retransmitted segments.
  { file: 'nginx-ffmpeg-publish-lossy.pcap', row: 'AVC keyframe' },
]) {
  test(`${c.file}: the hex dump of "${c.row}" is the whole body, as the CLI reads it`, async () => {
    const app = await openApp(env);
    const { page } = app;
    const file = path.join(DATA, c.file);
    await loadCapture(page, file);
    await page.keyboard.press('2');
    const index = await selectRow(page, c.row);
    const length = await shownLength(page);
    if (c.length) assert.equal(length, c.length);
    const dump = page.locator('[data-testid=hexdump]');
    assert.equal(Number(await dump.getAttribute('data-length')), length);
    assert.equal(Number(await dump.getAttribute('data-bytes')), length, 'every body byte is shown');
    assert.equal(await page.locator('[data-testid=hexdump-missing]').count(), 0);
    const rows = await page.locator('[data-testid=hexdump-row]').allInnerTexts();
    assert.equal(rows.length, Math.ceil(length / 16));
    const bytes = dumpBytes(rows);
    assert.equal(bytes.length, length);
    assert.ok(bytes.every((b) => b !== null));
    assert.match(await page.locator('[data-testid=hexdump-note]').innerText(), new RegExp(`^Body: ${length} of ${length} bytes`));
    const out = cli(['show', file, '--message', String(index), '--hex']);
    if (out !== null) {
      const expected = dumpBytes(out.split('\n'));
      assert.equal(expected.length, length);
      assert.deepEqual(bytes.slice(0, 16), expected.slice(0, 16), 'first bytes');
      assert.deepEqual(bytes.slice(-16), expected.slice(-16), 'last bytes');
      assert.deepEqual(bytes, expected, 'the whole body');
    }
    await page.screenshot({ path: path.join(SHOTS, `hexdump-${c.file}-${index}.png`) });
    assert.deepEqual(foreignRequests(env, app.requests), []);
    assert.deepEqual(app.errors, []);
    await app.context.close();
  });
}

test('a message cut by the snap length shows what exists and says what is missing', async () => {
  const app = await openApp(env);
  const { page } = app;
  const file = path.join(DATA, 'nginx-ffmpeg-publish-snap200.pcap');
  await loadCapture(page, file);
  await page.keyboard.press('2');
  const index = await selectRow(page, 'AVC keyframe');
  const dump = page.locator('[data-testid=hexdump]');
  const length = Number(await dump.getAttribute('data-length'));
  const shown = Number(await dump.getAttribute('data-bytes'));
  assert.ok(shown > 0 && shown < length, `${shown} of ${length} bytes`);
  assert.ok(await page.locator('[data-testid=hexdump-missing]').count() >= 1);
  assert.match(await page.locator('[data-testid=hexdump-note]').innerText(), /bytes are not in the capture/);
  const out = cli(['show', file, '--message', String(index), '--hex']);
  if (out !== null) {
    const rows = await page.locator('[data-testid=hexdump-row]').allInnerTexts();
    const present = (list) => list.filter((b) => b !== null);
    assert.deepEqual(present(dumpBytes(rows)), present(dumpBytes(out.split('\n'))));
  }
  assert.deepEqual(app.errors, []);
  await app.context.close();
});

test('the FLV download of a stream is what `rtmpscope export` writes', async () => {
  const app = await openApp(env);
  const { page } = app;
  const file = path.join(DATA, 'nginx-ffmpeg-publish.pcap');
  await loadCapture(page, file);
  const button = page.locator('[data-testid=flv-button][data-conn="0"][data-msid="1"]');
  assert.equal(await button.isEnabled(), true);
  await page.screenshot({ path: path.join(SHOTS, 'sessions-flv.png') });
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  assert.equal(download.suggestedFilename(), 'nginx-ffmpeg-publish-conn0-stream1.flv');
  const flv = readFileSync(await download.path());
  assert.equal(flv.subarray(0, 5).toString('latin1'), 'FLV\x01\x05');
  if (process.env.RTMPSCOPE_BIN) {
    const out = path.join(SHOTS, 'cli-conn0-stream1.flv');
    execFileSync(process.env.RTMPSCOPE_BIN, ['export', file, '--conn', '0', '--stream', '1', '-o', out]);
    const expected = readFileSync(out);
    rmSync(out);
    assert.equal(flv.length, expected.length);
    assert.ok(flv.equals(expected), 'byte-identical to rtmpscope export');
  }
  assert.deepEqual(foreignRequests(env, app.requests), []);
  assert.deepEqual(app.errors, []);
  await app.context.close();
});

test('a stream without its sequence headers cannot be downloaded, and the button says why', async () => {
  const app = await openApp(env);
  const { page } = app;
  await loadCapture(page, path.join(DATA, 'nginx-ffmpeg-publish-midstream.pcap'));
  const button = page.locator('[data-testid=flv-button][data-msid="1"]').first();
  assert.equal(await button.isDisabled(), true);
  assert.match(await button.getAttribute('title'), /no video sequence header/);
  assert.deepEqual(app.errors, []);
  await app.context.close();
});

import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, freePort, type CliProcess } from '../helpers/cli-process.js';
import { chat, eventually } from '../helpers/harness.js';

// The console in real headless Chromium (Debian's, driven by playwright-core)
// against `switchboard dev` on the example routes, with an admin key.
// Screenshots go to test/artifacts/ (gitignored); docs/console.md shows two.

const ARTIFACTS = new URL('../artifacts/', import.meta.url).pathname;
const KEY = 'console-admin-key-0123456789';
let gw: CliProcess;
let url: string;
let browser: Browser;
let page: Page;
let dir: string;

/** The example routes, their local backends moved to free ports (dev simulates whatever they name). */
async function exampleRoutes(): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'switchboard-console-'));
  const ports = new Map<string, number>();
  for (const name of await readdir('examples/routes')) {
    let yaml = await readFile(join('examples/routes', name), 'utf8');
    for (const old of ['9101', '9102', '9103']) {
      if (!ports.has(old)) ports.set(old, await freePort());
      yaml = yaml.replaceAll(`127.0.0.1:${old}`, `127.0.0.1:${ports.get(old)}`);
    }
    await writeFile(join(out, name), yaml);
  }
  return out;
}

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `console-${name}.png`), fullPage: true });

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  dir = await exampleRoutes();
  await writeFile(join(dir, '..', `${dir.split('/').pop()}.key`), KEY);
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  gw = cli([
    'dev',
    '--routes',
    dir,
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--admin-key-file',
    join(dir, '..', `${dir.split('/').pop()}.key`),
  ]);
  await eventually(async () => {
    if (gw.child.exitCode !== null) throw new Error(`switchboard dev exited: ${gw.stderr()}`);
    return (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200;
  }, 20_000);
  browser = await chromium.launch({
    executablePath: process.env.SWITCHBOARD_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1366, height: 800 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (gw && gw.child.exitCode === null) {
    gw.child.kill('SIGTERM');
    await gw.exit();
  }
  await rm(dir, { recursive: true, force: true });
  await rm(`${dir}.key`, { force: true });
});

describe('the web console', () => {
  it('needs the admin key, then shows the example routes and their backends', async () => {
    expect((await fetch(`${url}/console/api/overview`)).status).toBe(401);
    expect((await fetch(`${url}/console/api/overview`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const bytes: number[] = [];
    page.on(
      'response',
      (r) =>
        void r.body().then(
          (b) => bytes.push(b.length),
          () => undefined,
        ),
    );
    await page.goto(`${url}/console/`);
    await page.getByRole('heading', { name: 'Admin key needed' }).waitFor();
    await page.getByLabel('Admin key').fill(KEY);
    await page.getByRole('button', { name: 'Open the console' }).click();
    for (const route of ['default/assistant', 'default/smart', 'default/frugal'])
      await page.getByRole('heading', { name: route }).waitFor();
    expect(await page.getByRole('row', { name: /strong/ }).count()).toBeGreaterThan(0);
    const paint = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1);
    await writeFile(
      join(ARTIFACTS, 'console-load.json'),
      JSON.stringify({ transferredBytes: bytes.reduce((a, b) => a + b, 0), firstContentfulPaintMs: paint }),
    );
    await shot('overview');
  });

  it('charts the traffic once there is some', async () => {
    for (let i = 0; i < 12; i++)
      expect((await chat(url, i % 2 ? 'smart' : 'assistant', `Question number ${i}: what is ${i} + ${i}?`)).status).toBe(200);
    await page.goto(`${url}/console/#/traffic`);
    await page.getByLabel('Route').selectOption('default/smart');
    const figure = page.getByRole('figure', { name: /Requests per minute by backend \(default\/smart\)/ });
    await figure.locator('canvas').first().waitFor({ timeout: 15_000 });
    // The chart's own numbers, in its data table: six requests to smart this minute.
    const cells = await figure.locator('details tbody td:not(:first-child)').allTextContents();
    expect(
      cells.map(Number).reduce((a, b) => a + b, 0),
      cells.join('|'),
    ).toBe(6);
    await page
      .getByRole('figure', { name: /Latency percentiles/ })
      .locator('canvas')
      .first()
      .waitFor();
    await shot('traffic');
    await page.goto(`${url}/console/#/savings`);
    await page.getByRole('figure', { name: 'Spend against the baseline (cumulative)' }).locator('canvas').first().waitFor();
    await page.getByRole('figure', { name: /Share of answers by backend \(default\/assistant\)/ }).waitFor();
    await shot('savings');
  });

  it('the playground explains a prompt, and sending it goes to the backend it named', async () => {
    await page.goto(`${url}/console/#/playground`);
    await page.getByLabel('Route (model)').selectOption('smart');
    for (const prompt of ['hi', 'Derive the closed form of the sum of the first n cubes and prove it by induction.']) {
      await page.getByLabel('Prompt', { exact: true }).fill(prompt);
      await page.getByRole('button', { name: 'Explain' }).click();
      const chosen = page.getByTestId('chosen');
      await chosen.filter({ hasText: /strong|weak/ }).waitFor();
      const named = await chosen.textContent();
      await page.getByRole('button', { name: 'Send for real' }).click();
      await page
        .getByTestId('answered')
        .filter({ hasText: named ?? '' })
        .waitFor();
      expect(await page.getByTestId('answered').textContent()).toBe(named);
    }
    await shot('playground');
    await page.getByLabel('Backend 1').selectOption('strong');
    await page.getByLabel('Backend 2').selectOption('weak');
    await page.getByRole('button', { name: 'Compare' }).click();
    const side = page.getByRole('region', { name: 'Side by side' });
    await side.getByRole('heading', { name: 'weak' }).waitFor();
    expect(await side.getByRole('article').count()).toBe(2);
  });

  it('the live view lists recent decisions without prompt text (capture is off)', async () => {
    await page.goto(`${url}/console/#/live`);
    const rows = page.locator('table.live tbody tr');
    await rows.first().waitFor();
    expect(await page.getByRole('columnheader', { name: 'Prompt' }).count()).toBe(0);
    expect(await page.locator('table.live').textContent()).not.toContain('Question number');
    await shot('live');
  });

  it('the report page draws an eval --plot file with the same APGR', async () => {
    const svg = join(dir, 'eval.svg');
    const json = execFileSync(
      process.execPath,
      [
        'packages/cli/dist/bin.js',
        'eval',
        '--data',
        'data/router/mmlu-train.jsonl',
        '--strong',
        'gpt-4-1106-preview',
        '--weak',
        'mixtral-8x7b-instruct-v0.1',
        '--router',
        'mf-hashed',
        '--json',
        '--plot',
        svg,
      ],
      { encoding: 'utf8' },
    );
    // One dataset (mmlu) in the file: its table is the report's only one.
    const report = (JSON.parse(json) as { datasets: { router: { apgr: number }; oracle: { apgr: number } }[] }).datasets[0]!;
    await page.goto(`${url}/console/#/report`);
    await page.getByLabel('Evaluation plot (SVG)').setInputFiles(svg);
    expect(await page.getByTestId('apgr-router').textContent()).toBe(report.router.apgr.toFixed(3));
    expect(await page.getByTestId('apgr-oracle').textContent()).toBe(report.oracle.apgr.toFixed(3));
    await page
      .getByRole('figure', { name: /Quality against the share/ })
      .locator('canvas')
      .first()
      .waitFor();
    await shot('report');
  });
});

// Builds the whole site (generators, TypeDoc, VitePress), serves the static output on 127.0.0.1
// and opens every page in headless Chromium (Debian's `chromium`, scripts/install-chromium.sh):
// fails on a broken internal link, a console error, a failed request, an empty page or a broken
// image, builds the live cube page in the browser (equal to the same cube in Node), and saves
// screenshots of the home page, the cube guide and the live cube under .test-results/docs/.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import sirv from 'sirv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLiveCube, cubeChecksum } from '../live/live-cube.js';

const siteRoot = path.resolve(import.meta.dirname, '..');
const distDirectory = path.join(siteRoot, '.vitepress/dist');
const screenshotDirectory = path.resolve(siteRoot, '../../.test-results/docs');
const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Every HTML page of the built site, as a URL path (`/guide/cube.html`). */
function listPages(directory: string, prefix = ''): string[] {
  return readdirSync(directory).flatMap((name) => {
    const file = path.join(directory, name);
    if (statSync(file).isDirectory()) return listPages(file, `${prefix}/${name}`);
    return name.endsWith('.html') && name !== '404.html' ? [`${prefix}/${name}`] : [];
  });
}

interface PageReport {
  path: string;
  errors: string[];
  links: string[];
  textLength: number;
  brokenImages: string[];
}

let server: Server;
let origin: string;
let browser: Browser;
let pages: string[];
const reports: PageReport[] = [];

async function visit(page: Page, pagePath: string): Promise<PageReport> {
  const errors: string[] = [];
  const onConsole = (message: { type(): string; text(): string }) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  };
  const onPageError = (error: unknown) => errors.push(`page error: ${String(error)}`);
  const onResponse = (response: { status(): number; url(): string }) => {
    if (response.status() >= 400) errors.push(`HTTP ${response.status()} ${response.url()}`);
  };
  const onRequestFailed = (request: { url(): string; failure(): { errorText: string } | null }) =>
    errors.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`);
  page.on('console', onConsole);
  page.on('pageerror', onPageError);
  page.on('response', onResponse);
  page.on('requestfailed', onRequestFailed);
  try {
    const response = await page.goto(`${origin}${pagePath}`, {
      waitUntil: 'load',
      timeout: 30_000,
    });
    if (!response?.ok()) errors.push(`page answered ${response?.status()}`);
    const facts = await page.evaluate(() => {
      const main = document.querySelector('.VPDoc .vp-doc, .VPHome') as HTMLElement | null;
      return {
        textLength: (main?.innerText ?? '').trim().length,
        links: [...document.querySelectorAll('a[href]')].map(
          (anchor) => (anchor as HTMLAnchorElement).href,
        ),
        brokenImages: [...document.images]
          .filter((image) => image.complete && image.naturalWidth === 0)
          .map((image) => image.src),
      };
    });
    return { path: pagePath, errors, ...facts };
  } finally {
    page.off('console', onConsole);
    page.off('pageerror', onPageError);
    page.off('response', onResponse);
    page.off('requestfailed', onRequestFailed);
  }
}

beforeAll(async () => {
  // The real build, as `pnpm --filter docs build` runs it.
  await promisify(execFile)(process.execPath, [path.join(siteRoot, 'scripts/build-site.mjs')], {
    cwd: siteRoot,
    maxBuffer: 64 << 20,
    env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' },
  });
  pages = listPages(distDirectory);
  const serve = sirv(distDirectory, { extensions: ['html'], dev: false });
  server = createServer((request, response) =>
    serve(request, response, () => {
      response.writeHead(404).end('not found');
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await puppeteer.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  mkdirSync(screenshotDirectory, { recursive: true });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe('the docs site in Chromium', () => {
  it('has the guides, the generated references and the pictures', () => {
    for (const expected of [
      '/index.html',
      '/guide/cube.html',
      '/guide/search.html',
      '/reference/cli.html',
      '/reference/performance.html',
      '/reference/migrating.html',
      '/api/index.html',
      '/api/@pyramids/core.html',
    ]) {
      expect(pages).toContain(expected);
    }
    expect(existsSync(path.join(distDirectory, 'generated/cube-quicklook.png'))).toBe(true);
    expect(existsSync(path.join(distDirectory, 'data-flow.svg'))).toBe(true);
  });

  it('opens every page without a console error, a failed request, an empty page or a broken image', async () => {
    // A few tabs at once: hundreds of API pages, two shared cores.
    const tabs = await Promise.all([0, 1, 2].map(() => browser.newPage()));
    const queue = [...pages];
    await Promise.all(
      tabs.map(async (tab) => {
        for (let next = queue.shift(); next !== undefined; next = queue.shift())
          reports.push(await visit(tab, next));
      }),
    );
    await Promise.all(tabs.map((tab) => tab.close()));
    expect(reports).toHaveLength(pages.length);
    const problems = reports.flatMap((report) => [
      ...report.errors.map((error) => `${report.path}: ${error}`),
      ...(report.textLength < 40
        ? [`${report.path}: empty page (${report.textLength} characters)`]
        : []),
      ...report.brokenImages.map((image) => `${report.path}: broken image ${image}`),
    ]);
    expect(problems).toEqual([]);
  }, 600_000);

  it('has no broken internal link on any page', async () => {
    expect(reports.length).toBeGreaterThan(0);
    const targets = new Map<string, string>();
    for (const report of reports) {
      for (const link of report.links) {
        const url = new URL(link);
        if (url.origin !== origin) continue;
        targets.set(url.pathname, report.path);
      }
    }
    const broken: string[] = [];
    for (const [target, from] of targets) {
      const response = await fetch(`${origin}${target}`);
      await response.arrayBuffer();
      if (!response.ok) broken.push(`${target} (linked from ${from}): HTTP ${response.status}`);
    }
    expect(targets.size).toBeGreaterThan(20);
    expect(broken).toEqual([]);
  });

  it('saves screenshots of the home page and the cube guide, pictures loaded', async () => {
    const page = await browser.newPage();
    try {
      await page.setViewport({ width: 1280, height: 900 });
      for (const [pagePath, file] of [
        ['/index.html', 'home.png'],
        ['/guide/cube.html', 'cube-guide.png'],
      ] as const) {
        await page.goto(`${origin}${pagePath}`, { waitUntil: 'networkidle0' });
        const images = await page.evaluate(() =>
          [...document.images].map((image) => ({ src: image.src, width: image.naturalWidth })),
        );
        expect(
          images.some(
            (image) => image.src.endsWith('/generated/cube-quicklook.png') && image.width > 0,
          ),
        ).toBe(true);
        expect(
          images.some((image) => image.src.endsWith('/data-flow.svg') && image.width > 0),
        ).toBe(true);
        await page.screenshot({ path: path.join(screenshotDirectory, file), fullPage: true });
        expect(statSync(path.join(screenshotDirectory, file)).size).toBeGreaterThan(10_000);
      }
    } finally {
      await page.close();
    }
  });

  it('builds the live cube in the browser, equal to the same cube built in Node', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    page.on('pageerror', (error) => errors.push(String(error)));
    try {
      await page.setViewport({ width: 1280, height: 900 });
      await page.goto(`${origin}/guide/live-cube.html`, { waitUntil: 'networkidle0' });
      await page.select('.live-cube select:nth-of-type(1)', 'True colour (B04, B03, B02)');
      await page.click('.live-cube button');
      await page.waitForSelector('.live-cube[data-state="done"], .live-cube[data-state="failed"]', {
        timeout: 60_000,
      });
      const summary = await page.$eval('.live-cube .summary', (element) => element.textContent);
      const inBrowser = await page.evaluate(() => window.pyramidsLiveCube);
      // Every time step was drawn: its canvas has opaque (valid) pixels.
      const opaque = await page.$$eval('.live-cube canvas', (canvases) =>
        canvases.map((canvas) => {
          const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
          let count = 0;
          for (let index = 3; index < data.length; index += 4) if (data[index] === 255) count++;
          return count;
        }),
      );
      await page.screenshot({
        path: path.join(screenshotDirectory, 'live-cube.png'),
        fullPage: true,
      });

      // The same module in Node, reading the same files from the same server.
      const inNode = await buildLiveCube({
        itemsUrl: `${origin}/live/sample-data/items.json`,
        assets: ['B04', 'B03', 'B02'],
        resolution: 20,
        resampling: 'bilinear',
        groupby: 'solar_day',
      });
      expect(errors).toEqual([]);
      expect(summary).toContain('built in');
      expect(inBrowser).toEqual({
        shape: [...inNode.cube.shape],
        time: inNode.cube.coords.time,
        band: ['B04', 'B03', 'B02'],
        checksum: cubeChecksum(inNode.cube),
      });
      // 3 solar days of the sample; each picture has valid pixels.
      expect(inBrowser?.time).toHaveLength(3);
      expect(opaque).toHaveLength(3);
      for (const count of opaque) expect(count).toBeGreaterThan(1000);
    } finally {
      await page.close();
    }
  });
});

import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { indexedCatalogue } from '@vsp/search/testing';
import { nearDuplicate, onCleanup } from '@vsp/test-harness';
import { chromium } from 'playwright-core';
import { repoRoot } from './support/service-process.js';

/** Debian's chromium package; .ci/run installs it. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

test('the search page should show the uploaded photo’s product first in the grid, on a phone-sized screen', async (t) => {
  assert.ok(
    existsSync(CHROMIUM),
    `no Chromium at ${CHROMIUM}: apt-get install chromium (.ci/run does), or set CHROMIUM_PATH`,
  );
  const { images, search } = await indexedCatalogue(t);
  const photo = await nearDuplicate(images[21] as Buffer);
  // Root (as in CI) cannot use Chromium's sandbox.
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  onCleanup(t, () => browser.close());
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });

  await page.goto(search.url);
  await page.setInputFiles('#file', { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: photo });
  await page.waitForSelector('.result', { timeout: 30_000 });
  // Expressions run in the page (this project compiles without the DOM library).
  const first = await page.evaluate(`(() => {
    const card = document.querySelector('.result');
    return { id: card.dataset.productId, title: card.querySelector('.title').textContent, image: card.querySelector('img').src };
  })()`);
  await page.waitForFunction("document.querySelector('.result img').naturalWidth > 0", undefined, { timeout: 10_000 });
  const output = join(repoRoot, 'test-output');
  mkdirSync(output, { recursive: true });
  await page.screenshot({ path: join(output, 'search-page.png'), fullPage: true });

  assert.deepEqual(first, {
    id: 'p21',
    title: 'Товар 21',
    image: new URL('p21/main.jpg', search.config.IMAGE_BASE_URL).toString(),
  });
  assert.match((await page.textContent('#status')) ?? '', /^Найдено похожих товаров: \d+$/);
  assert.equal(await page.getAttribute('#status', 'role'), 'status', 'screen readers announce the status');
  const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  assert.ok(width <= 390, `no horizontal scrolling on a phone (${width} px)`);
});

test('the search page should offer only the index’s categories, take prices with a decimal comma and say in Russian what went wrong, clearing old results', async (t) => {
  const { images, search } = await indexedCatalogue(t);
  const photo = await nearDuplicate(images[4] as Buffer);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  onCleanup(t, () => browser.close());
  const page = await browser.newPage();
  await page.goto(search.url);
  await page.waitForFunction("document.querySelectorAll('#category option').length > 1", undefined, {
    timeout: 10_000,
  });
  const options = await page.evaluate("[...document.querySelectorAll('#category option')].map((o) => o.textContent)");

  await page.selectOption('#category', 'Обувь');
  await page.fill('#min_price', '1 000,5');
  await page.fill('#max_price', '1500,50');
  await page.setInputFiles('#file', { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: photo });
  await page.waitForSelector('.result', { timeout: 30_000 });
  const found = await page.evaluate("[...document.querySelectorAll('.result')].map((r) => r.dataset.productId)");
  await page.fill('#min_price', 'дёшево');
  await page.click('#go');
  await page.waitForSelector('#status.error', { timeout: 10_000 });
  const invalid = await page.textContent('#status');
  const left = await page.evaluate("document.querySelectorAll('.result').length");
  await page.fill('#min_price', '');
  await page.fill('#product', 'no-such-product');
  await page.click('#go');
  await page.waitForFunction("document.querySelector('#status').textContent.includes('не найден')", undefined, {
    timeout: 10_000,
  });
  const missing = await page.textContent('#status');

  assert.deepEqual(options, ['все категории', 'Обувь (20)', 'Одежда (19)']);
  assert.equal((found as string[])[0], 'p4');
  assert.ok(
    (found as string[]).every((id) => ['p0', 'p2', 'p4'].includes(id)),
    `shoes from 1000.5 to 1500.5 only: ${found}`,
  );
  assert.match(invalid ?? '', /^Проверьте фильтры: цена — число/);
  assert.equal(left, 0, 'a failed search leaves no old results');
  assert.equal(missing, 'Товар с таким номером не найден, или у него нет фото.');
});

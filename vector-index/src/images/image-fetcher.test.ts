import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startImageHost } from '../testing/image-host.js';
import { ImageFetcher, imageUrl } from './image-fetcher.js';

test('image keys should be plain relative paths under the base URL', () => {
  assert.equal(
    imageUrl('https://cdn.bakai.kg/images', '12345/main.jpg').href,
    'https://cdn.bakai.kg/images/12345/main.jpg',
  );
  assert.equal(
    imageUrl('https://cdn.bakai.kg/images/', 'a b/фото #1.jpg').href,
    'https://cdn.bakai.kg/images/a%20b/%D1%84%D0%BE%D1%82%D0%BE%20%231.jpg',
  );
  for (const key of [
    '',
    'https://evil.example/x.jpg',
    'file:///etc/passwd',
    '/etc/passwd',
    '\\\\host\\share',
    '../secret.jpg',
    'a/../../b.jpg',
    'a/./b.jpg',
    'a//b.jpg',
    'a\u0000b.jpg',
    'a\nb.jpg',
  ]) {
    assert.throws(
      () => imageUrl('https://cdn.bakai.kg/images/', key),
      { code: 'IMAGE_KEY_INVALID' },
      JSON.stringify(key),
    );
  }
});

test('image fetcher should classify host answers: 5xx, 408, 429 and drops retriable; 404, 403 and non-images permanent', async (t) => {
  const host = await startImageHost(t);
  const fetcher = new ImageFetcher({ baseUrl: host.baseUrl, timeoutMs: 2_000, maxBytes: 1_000 });
  host.put('ok.jpg', Buffer.from('jpeg bytes'));
  host.put('page.html', Buffer.from('<html/>'), 'text/html');
  host.put('large.jpg', Buffer.alloc(1_001));
  for (const [key, status] of [
    ['down.jpg', 503],
    ['timeout.jpg', 408],
    ['busy.jpg', 429],
    ['gone.jpg', 410],
    ['forbidden.jpg', 403],
  ] as const) {
    host.answer(key, status);
  }

  const image = await fetcher.fetch('ok.jpg');
  assert.equal(image.bytes.toString(), 'jpeg bytes');
  assert.match(image.sha256, /^[0-9a-f]{64}$/);
  const expectations = {
    'down.jpg': ['IMAGE_HOST_UNAVAILABLE', true],
    'timeout.jpg': ['IMAGE_HOST_UNAVAILABLE', true],
    'busy.jpg': ['IMAGE_HOST_UNAVAILABLE', true],
    'missing.jpg': ['IMAGE_NOT_FOUND', false],
    'gone.jpg': ['IMAGE_NOT_FOUND', false],
    'forbidden.jpg': ['IMAGE_REFUSED', false],
    'page.html': ['IMAGE_REFUSED', false],
    'large.jpg': ['IMAGE_TOO_LARGE', false],
  } as const;
  for (const [key, [code, retriable]] of Object.entries(expectations)) {
    await assert.rejects(fetcher.fetch(key), { code, retriable }, key);
  }
  host.setDown(true);
  await assert.rejects(fetcher.fetch('ok.jpg'), { code: 'IMAGE_HOST_UNAVAILABLE', retriable: true });
});

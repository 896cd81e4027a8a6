import assert from 'node:assert/strict';
import { type TestOptions, test } from 'node:test';
import type { CleanupContext } from '@vsp/test-harness';
import type { ProductPayload } from '../store/product-payload.js';
import type { ProductPoint, VectorStore } from '../store/vector-store.js';

export const CONTRACT_DIMENSION = 8;

/** Makes a fresh, empty store (its own alias over its own collection) for one test, removed afterwards. */
export type StoreFactory = (t: CleanupContext) => Promise<VectorStore>;

function unit(values: number[]): Float32Array {
  const norm = Math.hypot(...values);
  return Float32Array.from(values.map((v) => v / norm));
}

/** A searchable point whose vector points along `direction`. */
export function contractPoint(
  productId: string,
  direction: number[],
  overrides: Partial<ProductPayload> = {},
): ProductPoint {
  return {
    productId,
    vector: unit(direction),
    payload: {
      product_id: productId,
      title: `Товар ${productId}`,
      description: 'Описание',
      category: 'Электроника',
      price: '15000.5',
      price_value: 15000.5,
      currency: 'KGS',
      image_key: `${productId}/main.jpg`,
      deleted: false,
      deleted_at: null,
      versions: { title: '001762941600000|evt_1' },
      last_event_id: 'evt_1',
      last_event_type: 'product.created',
      event_time: 1_762_941_600_000,
      image_source: `${productId}/main.jpg@`,
      image_sha256: 'ab'.repeat(32),
      model_id: 'contract-model',
      searchable: true,
      ...overrides,
    },
  };
}

const closeTo = (a: Float32Array, b: Float32Array) =>
  a.length === b.length && a.every((v, i) => Math.abs(v - (b[i] as number)) < 1e-6);

/**
 * The behaviour every VectorStore adapter must have; run once per adapter. `options` skips it
 * where the store cannot run (see TEST_INDEX_STORES).
 */
export function vectorStoreContract(name: string, create: StoreFactory, options: TestOptions = {}): void {
  test(`${name} should keep payload and vector by product, replacing on upsert`, options, async (t) => {
    const store = await create(t);
    const first = contractPoint('p1', [1, 0, 0, 0, 0, 0, 0, 0]);
    const replaced = contractPoint('p1', [0, 1, 0, 0, 0, 0, 0, 0], { title: 'Новое название', deleted: true });

    await store.upsert([first, contractPoint('p2', [0, 0, 1, 0, 0, 0, 0, 0])]);
    await store.upsert([replaced]);
    const found = await store.get(['p1', 'p2', 'missing']);

    assert.deepEqual([...found.keys()].sort(), ['p1', 'p2']);
    assert.deepEqual(found.get('p1')?.payload, replaced.payload);
    assert.ok(closeTo(found.get('p1')?.vector as Float32Array, replaced.vector));
    assert.equal(await store.count(), 2);
  });

  test(`${name} should rank the nearest products first and leave unsearchable ones out`, options, async (t) => {
    const store = await create(t);
    await store.upsert([
      contractPoint('near', [1, 0.1, 0, 0, 0, 0, 0, 0]),
      contractPoint('far', [0, 0, 0, 0, 0, 0, 0, 1]),
      contractPoint('nearest-but-deleted', [1, 0, 0, 0, 0, 0, 0, 0], { deleted: true, searchable: false }),
      contractPoint('placeholder-without-image', [1, 0, 0, 0, 0, 0, 0, 0], { image_key: null, searchable: false }),
      contractPoint('middle', [1, 1, 0, 0, 0, 0, 0, 0]),
    ]);

    const hits = await store.search(unit([1, 0, 0, 0, 0, 0, 0, 0]), 3);

    assert.deepEqual(
      hits.map((h) => h.productId),
      ['near', 'middle', 'far'],
    );
    assert.ok((hits[0]?.score as number) > 0.99);
    assert.equal(hits[0]?.payload.title, 'Товар near');
  });

  test(
    `${name} should narrow a search by category, currency, price range and an excluded product`,
    options,
    async (t) => {
      const store = await create(t);
      const priced = (id: string, category: string, currency: string, price: number) =>
        contractPoint(id, [1, Number(id.slice(1)) / 10, 0, 0, 0, 0, 0, 0], {
          category,
          currency,
          price: String(price),
          price_value: price,
        });
      await store.upsert([
        priced('p1', 'Обувь', 'KGS', 1000),
        priced('p2', 'Обувь', 'KGS', 2500.5),
        priced('p3', 'Обувь', 'USD', 30),
        priced('p4', 'Одежда', 'KGS', 2000),
        contractPoint('p5', [1, 0.5, 0, 0, 0, 0, 0, 0], {
          price: null,
          price_value: null,
          currency: null,
          category: 'Обувь',
        }),
      ]);
      const query = unit([1, 0, 0, 0, 0, 0, 0, 0]);
      const ids = async (filter: Parameters<VectorStore['search']>[2]) =>
        (await store.search(query, 10, filter)).map((h) => h.productId).sort();

      assert.deepEqual(await ids({ category: 'Обувь' }), ['p1', 'p2', 'p3', 'p5']);
      assert.deepEqual(await ids({ category: 'Обувь', currency: 'KGS' }), ['p1', 'p2']);
      assert.deepEqual(await ids({ minPrice: 1000, maxPrice: 2000 }), ['p1', 'p4']);
      assert.deepEqual(await ids({ minPrice: 2000.25 }), ['p2']);
      assert.deepEqual(await ids({ maxPrice: 30 }), ['p3']);
      assert.deepEqual(await ids({ category: 'Обувь', excludeProductId: 'p1' }), ['p2', 'p3', 'p5']);
    },
  );

  test(`${name} should count the categories of searchable products only, most first`, options, async (t) => {
    const store = await create(t);
    await store.upsert([
      contractPoint('p1', [1, 0, 0, 0, 0, 0, 0, 0], { category: 'Обувь' }),
      contractPoint('p2', [0, 1, 0, 0, 0, 0, 0, 0], { category: 'Обувь' }),
      contractPoint('p3', [0, 0, 1, 0, 0, 0, 0, 0], { category: 'Одежда' }),
      contractPoint('p4', [0, 0, 0, 1, 0, 0, 0, 0], { category: 'Посуда', searchable: false, deleted: true }),
      contractPoint('p5', [0, 0, 0, 0, 1, 0, 0, 0], { category: null }),
    ]);

    assert.deepEqual(await store.categories(10), [
      { category: 'Обувь', products: 2 },
      { category: 'Одежда', products: 1 },
    ]);
    assert.deepEqual(await store.categories(1), [{ category: 'Обувь', products: 2 }]);
  });
}

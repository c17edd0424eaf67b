import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api, ok } from '../api/client';
import type { Page, Producer, Product, Town } from '../api/views';
import { yuan } from '../format.util';
import { ReliefLogo } from '../ui/relief-logo';
import { useLoad } from '../ui/use-load';
import { addToCart } from './cart.actions';

const CATEGORIES = [
  'meat',
  'poultry',
  'eggs',
  'grain',
  'oil',
  'vegetables',
  'mushrooms',
  'fruit',
  'nuts',
  'honey',
  'tea',
  'herbs',
  'processed',
  'crafts',
];
const PAGE_SIZE = 12;

/**
 * The storefront: every listed relief product, searched and filtered by town, category and
 * producer (kept in the address, so a filtered list can be shared). Plain elements only: this is
 * the page most people land on.
 */
export default function ProductsPage() {
  const { t, i18n } = useTranslation();
  const [params, setParams] = useSearchParams();
  const [said, setSaid] = useState('');
  const q = params.get('q') ?? '';
  const town = params.get('town') ?? '';
  const category = params.get('category') ?? '';
  const producerId = params.get('producer') ?? '';
  const page = Number(params.get('page') ?? '1') || 1;
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);
  const facets = useLoad(
    () =>
      Promise.all([
        ok<{ items: Town[] }>(api.GET('/api/v1/towns')),
        ok<Page<Producer>>(
          api.GET('/api/v1/producers', { params: { query: { pageSize: 100, status: 'verified' } } }),
        ),
      ]),
    [],
  );
  const list = useLoad(
    () =>
      ok<Page<Product>>(
        api.GET('/api/v1/products', {
          params: {
            query: {
              q: q || undefined,
              town: town || undefined,
              category: category || undefined,
              producerId: producerId || undefined,
              page,
              pageSize: PAGE_SIZE,
            },
          },
        }),
      ),
    [q, town, category, producerId, page],
  );
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) {
      next.set(key, value);
    } else {
      next.delete(key);
    }
    if (key !== 'page') {
      next.delete('page');
    }
    setParams(next);
  };
  const en = i18n.language === 'en';
  const name = (p: Product) => (en ? p.nameEn || p.nameZh : p.nameZh);
  const add = (product: Product) =>
    addToCart(product.id, 1).then(
      () => setSaid(`${t('products.added')}: ${name(product)}`),
      (error: Error) => setSaid(error.message),
    );
  const pages = list.data ? Math.max(1, Math.ceil(list.data.total / PAGE_SIZE)) : 1;
  return (
    <>
      <h1>{t('products.title')}</h1>
      <form
        role="search"
        className="yg-filters"
        onSubmit={(event) => {
          event.preventDefault();
          set('q', text.trim());
        }}
      >
        <input
          type="search"
          aria-label={t('products.search')}
          placeholder={t('products.search')}
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
        <button type="submit" className="yg-button primary">
          {t('common.search')}
        </button>
        <select aria-label={t('products.town')} value={town} onChange={(e) => set('town', e.target.value)}>
          <option value="">
            {t('products.town')}: {t('common.all')}
          </option>
          {(facets.data?.[0].items ?? []).map((item) => (
            <option key={item.id} value={item.nameZh}>
              {en ? item.nameEn || item.nameZh : item.nameZh}
            </option>
          ))}
        </select>
        <select
          aria-label={t('products.category')}
          value={category}
          onChange={(e) => set('category', e.target.value)}
        >
          <option value="">
            {t('products.category')}: {t('common.all')}
          </option>
          {CATEGORIES.map((value) => (
            <option key={value} value={value}>
              {t(`categories.${value}`)}
            </option>
          ))}
        </select>
        <select
          aria-label={t('products.producer')}
          value={producerId}
          onChange={(e) => set('producer', e.target.value)}
        >
          <option value="">
            {t('products.producer')}: {t('common.all')}
          </option>
          {(facets.data?.[1].items ?? []).map((p) => (
            <option key={p.id} value={p.id}>
              {p.legalName}
            </option>
          ))}
        </select>
      </form>
      <p className="yg-live" role="status" aria-live="polite">
        {said}
      </p>
      {list.error ? <p className="yg-error">{list.error.message}</p> : null}
      {!list.data ? (
        <p>{t('common.loading')}</p>
      ) : list.data.items.length === 0 ? (
        <p>{t('products.empty')}</p>
      ) : (
        <>
          <p>{t('products.count', { count: list.data.total })}</p>
          <ul className="yg-grid" data-testid="product-list">
            {list.data.items.map((product) => (
              <li key={product.id} className="yg-card" data-testid="product-card">
                <h2>
                  <Link to={`/products/${product.id}`}>{name(product)}</Link>
                </h2>
                <div className="yg-price">
                  {yuan(product.price.fen)} <span className="yg-unit">/ {product.unit}</span>
                </div>
                <div>{product.producerName}</div>
                <div className="yg-tags">
                  {product.licensed ? <ReliefLogo licenceNumber={product.licenceNumber} /> : null}
                  <span className="yg-tag">{product.town}</span>
                  <span className="yg-tag">
                    {t(`categories.${product.category}`, { defaultValue: product.category })}
                  </span>
                  <span className="yg-tag">
                    {t('products.stock')} {product.stock}
                  </span>
                </div>
                <button
                  type="button"
                  className="yg-button primary"
                  disabled={product.stock <= 0}
                  aria-label={`${t('products.addToCart')}: ${name(product)}`}
                  onClick={() => void add(product)}
                >
                  {product.stock > 0 ? t('products.addToCart') : t('products.outOfStock')}
                </button>
              </li>
            ))}
          </ul>
          <nav className="yg-pager" aria-label={t('common.next')}>
            <button
              type="button"
              className="yg-button"
              disabled={page <= 1}
              onClick={() => set('page', String(page - 1))}
            >
              {t('common.previous')}
            </button>
            <span>
              {page} / {pages}
            </span>
            <button
              type="button"
              className="yg-button"
              disabled={page >= pages}
              onClick={() => set('page', String(page + 1))}
            >
              {t('common.next')}
            </button>
          </nav>
        </>
      )}
    </>
  );
}

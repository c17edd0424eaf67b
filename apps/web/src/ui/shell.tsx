import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { switchLanguage } from '../i18n';
import { isBuyer, isOffice, useSession } from '../session';

/**
 * The frame of every screen: navigation by role, language switch, sign-in state. Plain elements
 * (no UI kit), so that the storefront's first load stays small; see antd-frame.tsx for the rest.
 */
export function Shell() {
  const { t, i18n } = useTranslation();
  const { user, signOut } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const role = user?.role;
  const links: [string, string][] = [
    ['/', t('nav.impact')],
    ['/products', t('nav.products')],
    ...(!user || isBuyer(role) ? [['/cart', t('nav.cart')] as [string, string]] : []),
    ...(user && isBuyer(role) ? [['/orders', t('nav.orders')] as [string, string]] : []),
    ...(role === 'producer_staff' ? [['/console', t('nav.console')] as [string, string]] : []),
    ...(isOffice(role) ? [['/office', t('nav.office')] as [string, string]] : []),
  ];
  return (
    <>
      <header className="yg-header">
        <NavLink to="/" className="yg-brand">
          {t('brand')}
        </NavLink>
        <nav aria-label={t('brand')} className="yg-nav">
          {links.map(([to, label]) => (
            <NavLink key={to} to={to} end={to === '/'}>
              {label}
            </NavLink>
          ))}
        </nav>
        <div className="yg-user">
          <button
            type="button"
            className="yg-button"
            onClick={switchLanguage}
            lang={i18n.language === 'en' ? 'zh-CN' : 'en'}
          >
            {t('nav.language')}
          </button>
          {user ? (
            <>
              <span>{user.name}</span>
              <button
                type="button"
                className="yg-button"
                onClick={() => void signOut().then(() => navigate('/'))}
              >
                {t('nav.signOut')}
              </button>
            </>
          ) : (
            <button
              type="button"
              className="yg-button primary"
              onClick={() =>
                void navigate(`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`)
              }
            >
              {t('nav.signIn')}
            </button>
          )}
        </div>
      </header>
      <main className="yg-main">
        <Suspense fallback={<p>{t('common.loading')}</p>}>
          <Outlet />
        </Suspense>
      </main>
      <footer className="yg-footer">愚公移山 · Yugong · Apache-2.0</footer>
    </>
  );
}

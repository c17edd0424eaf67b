import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router';
import './i18n';
import './styles.css';
import { SessionProvider } from './session';
import { Shell } from './ui/shell';

// Every screen is its own chunk: the storefront's first load carries only the shell and its page
// (plain elements); `antd` screens bring Ant Design with them.
const page = (load: () => Promise<{ default: React.ComponentType }>) => () =>
  load().then((module) => ({ Component: module.default }));
const antd = (load: () => Promise<{ default: React.ComponentType }>) => () =>
  Promise.all([load(), import('./ui/antd-frame')]).then(([module, frame]) => ({
    Component: frame.framed(module.default),
  }));

const router = createBrowserRouter([
  {
    path: '/',
    element: <Shell />,
    children: [
      { index: true, lazy: page(() => import('./pages/impact.page')) },
      { path: 'products', lazy: page(() => import('./pages/products.page')) },
      { path: 'products/:id', lazy: antd(() => import('./pages/product.page')) },
      { path: 'cart', lazy: antd(() => import('./pages/cart.page')) },
      { path: 'orders', lazy: antd(() => import('./pages/orders.page')) },
      { path: 'orders/:id', lazy: antd(() => import('./pages/order.page')) },
      { path: 'v/:code', lazy: page(() => import('./pages/verify.page')) },
      { path: 'sign-in', lazy: antd(() => import('./pages/sign-in.page')) },
      { path: 'console', lazy: antd(() => import('./console/console.page')) },
      {
        path: 'office',
        lazy: antd(() => import('./office/office.page')),
        children: [
          { index: true, lazy: page(() => import('./office/summary.page')) },
          { path: 'households', lazy: page(() => import('./office/households.page')) },
          { path: 'import', lazy: page(() => import('./office/import.page')) },
          { path: 'producers', lazy: page(() => import('./office/producers.page')) },
          { path: 'review', lazy: page(() => import('./office/review.page')) },
          { path: 'licences', lazy: page(() => import('./office/licences.page')) },
          { path: 'payments', lazy: page(() => import('./office/payments.page')) },
          { path: 'reports', lazy: page(() => import('./office/reports.page')) },
          { path: 'ledger', lazy: page(() => import('./office/ledger.page')) },
          { path: 'flow', lazy: page(() => import('./office/flow.page')) },
          { path: 'lots', lazy: page(() => import('./office/lot-trace.page')) },
          { path: 'runs', lazy: page(() => import('./office/runs.page')) },
          { path: 'payouts', lazy: page(() => import('./office/payouts.page')) },
          { path: 'runs/:id', lazy: page(() => import('./office/run.page')) },
          { path: 'monitoring', lazy: page(() => import('./office/monitoring.page')) },
          { path: 'suspense', lazy: page(() => import('./office/suspense.page')) },
          {
            path: 'households/:id/statement',
            lazy: page(() => import('./office/statement.page')),
          },
        ],
      },
      { path: '*', lazy: antd(() => import('./pages/not-found.page')) },
    ],
  },
]);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SessionProvider>
      <RouterProvider router={router} />
    </SessionProvider>
  </StrictMode>,
);

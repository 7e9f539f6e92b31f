import { createRouter, createWebHistory } from 'vue-router';
import { i18n } from './i18n';
import HomePage from './views/HomePage.vue';

export const router = createRouter({
  history: createWebHistory('/'),
  routes: [
    { path: '/', name: 'home', component: HomePage, meta: { titleKey: 'home' } },
    {
      path: '/pizzeria/:slug',
      name: 'shop',
      component: () => import('./views/ShopPage.vue'),
      props: true,
      meta: { titleKey: 'shop' },
    },
    {
      path: '/pizzeria/:slug/commande',
      name: 'checkout',
      component: () => import('./views/CheckoutPage.vue'),
      props: true,
      meta: { titleKey: 'checkout' },
    },
    {
      path: '/paiement/:token',
      name: 'payment',
      component: () => import('./views/PaymentPage.vue'),
      props: true,
      meta: { titleKey: 'payment' },
    },
    {
      path: '/track/:token',
      name: 'tracking',
      component: () => import('./views/TrackingPage.vue'),
      props: true,
      meta: { titleKey: 'tracking' },
    },
    // The first tracking links were sent as /suivi/…: they keep working.
    { path: '/suivi/:token', redirect: (to) => ({ name: 'tracking', params: { token: to.params.token } }) },
    {
      // The link of the sign-up e-mail: the account page confirms it, then shows the account.
      path: '/compte/confirmer',
      name: 'account-confirm',
      component: () => import('./views/AccountPage.vue'),
      meta: { titleKey: 'account' },
    },
    {
      path: '/compte',
      name: 'account',
      component: () => import('./views/AccountPage.vue'),
      meta: { titleKey: 'account' },
    },
    {
      path: '/:pathMatch(.*)*',
      name: 'not-found',
      component: () => import('./views/NotFoundPage.vue'),
      meta: { titleKey: 'notFound' },
    },
  ],
  scrollBehavior: (to, _from, saved) => saved ?? (to.hash ? { el: to.hash } : { top: 0 }),
});

export function pageTitle(titleKey: string | undefined): string {
  return titleKey ? `${i18n.global.t(`titles.${titleKey}`)} — OC Pizza` : 'OC Pizza';
}

router.afterEach((to) => {
  document.title = pageTitle(to.meta.titleKey);
});

import { createRouter, createWebHistory } from 'vue-router';
import { i18n } from './i18n';

// No base given: vue-router reads it from the page's <base href>, which the hub sets to the secret
// path (SECRET_ADMIN_URL). The app never writes that path itself.
export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', redirect: '/menu' },
    {
      path: '/shops',
      name: 'shops',
      component: () => import('./views/ShopsPage.vue'),
      meta: { titleKey: 'nav.shops' },
    },
    {
      path: '/shops/:shopId(\\d+)',
      name: 'shop',
      component: () => import('./views/ShopEditPage.vue'),
      props: (route) => ({ shopId: Number(route.params.shopId) }),
      meta: { titleKey: 'nav.shops' },
    },
    {
      path: '/menu',
      name: 'menu',
      component: () => import('./views/MenuPage.vue'),
      meta: { titleKey: 'nav.menu' },
    },
    {
      path: '/menu/new',
      name: 'product-new',
      component: () => import('./views/ProductEditPage.vue'),
      props: { productId: null },
      meta: { titleKey: 'nav.menu' },
    },
    {
      path: '/menu/:productId(\\d+)',
      name: 'product',
      component: () => import('./views/ProductEditPage.vue'),
      props: (route) => ({ productId: Number(route.params.productId) }),
      meta: { titleKey: 'nav.menu' },
    },
    {
      path: '/ingredients',
      name: 'ingredients',
      component: () => import('./views/IngredientsPage.vue'),
      meta: { titleKey: 'nav.ingredients' },
    },
    {
      path: '/staff',
      name: 'staff',
      component: () => import('./views/StaffPage.vue'),
      meta: { titleKey: 'nav.staff' },
    },
    {
      path: '/couriers',
      name: 'couriers',
      component: () => import('./views/CouriersPage.vue'),
      meta: { titleKey: 'nav.couriers' },
    },
    {
      path: '/audit',
      name: 'audit',
      component: () => import('./views/AuditPage.vue'),
      meta: { titleKey: 'nav.audit' },
    },
    {
      path: '/:pathMatch(.*)*',
      name: 'not-found',
      component: () => import('./views/NotFoundPage.vue'),
      meta: { titleKey: 'notFound.title' },
    },
  ],
});

router.afterEach((to) => {
  const title = to.meta.titleKey ? i18n.global.t(to.meta.titleKey) : null;
  document.title = title ? `${title} — OC Pizza back-office` : 'OC Pizza — back-office';
});

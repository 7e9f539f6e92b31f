import { createRouter, createWebHistory } from 'vue-router';

// Staff screens live at the site root (/kitchen, /courier, ...) even though their assets are under
// /staff/: the hub serves this app's index.html for each of these paths.
export const router = createRouter({
  history: createWebHistory('/'),
  routes: [
    { path: '/', redirect: '/login' },
    {
      path: '/kitchen',
      name: 'kitchen',
      component: () => import('./views/KitchenPage.vue'),
      meta: { title: 'Cuisine' },
    },
    {
      path: '/kitchen/stock',
      name: 'stock',
      component: () => import('./views/StockPage.vue'),
      meta: { title: 'Stock' },
    },
    {
      path: '/counter',
      name: 'counter',
      component: () => import('./views/CounterPage.vue'),
      meta: { title: 'Comptoir' },
    },
    {
      path: '/courier',
      name: 'courier',
      component: () => import('./views/CourierPage.vue'),
      meta: { title: 'Livreur' },
    },
    {
      path: '/manager',
      name: 'manager',
      component: () => import('./views/ManagerPage.vue'),
      meta: { title: 'Gérant' },
    },
    {
      path: '/login',
      name: 'login',
      component: () => import('./views/LoginPage.vue'),
      meta: { title: 'Connexion' },
    },
    {
      path: '/:pathMatch(.*)*',
      name: 'not-found',
      component: () => import('./views/NotFoundPage.vue'),
      meta: { title: 'Écran introuvable' },
    },
  ],
});

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} — OC Pizza` : 'OC Pizza — équipe';
});

import { createRouter, createWebHistory } from 'vue-router';
import HomePage from './views/HomePage.vue';

export const router = createRouter({
  history: createWebHistory('/'),
  routes: [
    { path: '/', name: 'home', component: HomePage, meta: { title: 'Nos pizzerias' } },
    {
      path: '/suivi/:token',
      name: 'tracking',
      component: () => import('./views/TrackingPage.vue'),
      props: true,
      meta: { title: 'Suivi de commande' },
    },
    {
      path: '/:pathMatch(.*)*',
      name: 'not-found',
      component: () => import('./views/NotFoundPage.vue'),
      meta: { title: 'Page introuvable' },
    },
  ],
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
});

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} — OC Pizza` : 'OC Pizza';
});

import type { Shop, SiteConfig } from '@ocp/hub/contract';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { hub } from '../api/hub';
import { ApiError } from '../api/http';

/** What every page may need from the hub once: the site's configuration and the shops. */
export const useSiteStore = defineStore('site', () => {
  const config = ref<SiteConfig | null>(null);
  const shops = ref<Shop[] | null>(null);
  const shopsError = ref<ApiError | null>(null);
  let configLoading: Promise<SiteConfig> | null = null;
  let shopsLoading: Promise<Shop[] | null> | null = null;

  /**
   * Without the configuration the site still takes orders, paid at the door or the counter:
   * online card payment is the one thing that needs it.
   */
  function loadConfig(): Promise<SiteConfig> {
    configLoading ??= hub
      .siteConfig()
      .then((loaded) => (config.value = loaded))
      .catch(() => {
        configLoading = null;
        return (config.value ??= { stripePublishableKey: null, mapsConfigured: false, mapTiles: null });
      });
    return configLoading;
  }

  function loadShops(force = false): Promise<Shop[] | null> {
    if (force) shopsLoading = null;
    shopsLoading ??= hub
      .shops()
      .then((loaded) => {
        shopsError.value = null;
        return (shops.value = loaded);
      })
      .catch((error: unknown) => {
        shopsLoading = null;
        shopsError.value =
          error instanceof ApiError ? error : new ApiError(0, 'service/unavailable', String(error));
        return null;
      });
    return shopsLoading;
  }

  return {
    config,
    shops,
    shopsError,
    loadConfig,
    loadShops,
    onlineCard: computed(() => Boolean(config.value?.stripePublishableKey)),
    shopBySlug: (slug: string) => shops.value?.find((s) => s.slug === slug) ?? null,
    shopById: (id: number) => shops.value?.find((s) => s.id === id) ?? null,
  };
});

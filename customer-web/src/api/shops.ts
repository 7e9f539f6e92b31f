import { ShopList, type Shop } from '@ocp/hub/contract';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** GET /api/shops, validated against the hub's contract. */
export async function fetchShops(signal?: AbortSignal): Promise<Shop[]> {
  const response = await fetch('/api/shops', { headers: { Accept: 'application/json' }, signal });
  if (!response.ok) {
    throw new ApiError(`GET /api/shops a répondu ${response.status}`, response.status);
  }
  const parsed = ShopList.safeParse(await response.json());
  if (!parsed.success) {
    throw new ApiError('Réponse inattendue du serveur pour /api/shops', response.status);
  }
  return parsed.data.shops;
}

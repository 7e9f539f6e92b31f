import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PNG } from 'pngjs';

export type FakeTiles = Awaited<ReturnType<typeof startFakeTiles>>;
export type TileRequest = { z: number; x: number; y: number; referer: string | undefined };

const SIZE = 256;
/** Metres of the world's width in Web Mercator at Paris's latitude (the demo shops). */
const WORLD_M = 40_075_016 * Math.cos((48.86 * Math.PI) / 180);
const BLOCK_M = 130;
const ANGLE = (17 * Math.PI) / 180;
const COS = Math.cos(ANGLE);
const SIN = Math.sin(ANGLE);

type Rgb = readonly [number, number, number];
const LAND: Rgb = [242, 239, 233];
const PARK: Rgb = [200, 230, 176];
const WATER: Rgb = [170, 211, 223];
const CASING: Rgb = [204, 196, 186];
const STREET: Rgb = [255, 255, 255];
const AVENUE_CASING: Rgb = [214, 170, 110];
const AVENUE: Rgb = [252, 224, 172];

/** Web Mercator y of a latitude, in metres from the top of the world (same scale as x). */
const mercatorY = (lat: number) =>
  ((1 - Math.log(Math.tan((lat * Math.PI) / 180) + 1 / Math.cos((lat * Math.PI) / 180)) / Math.PI) / 2) *
  WORLD_M;
const RIVER_Y = mercatorY(48.853);

const distanceToLine = (value: number, spacing: number) => {
  const r = ((value % spacing) + spacing) % spacing;
  return Math.min(r, spacing - r);
};

/**
 * One 256×256 tile of a made-up town: a street grid (every fifth an avenue), parks and a river,
 * drawn from world coordinates so that neighbouring tiles and zoom levels join up. It looks like
 * a street map in screenshots without any tile leaving the machine.
 */
function drawTile(z: number, x: number, y: number): Buffer {
  const png = new PNG({ width: SIZE, height: SIZE });
  const metresPerPx = WORLD_M / (SIZE * 2 ** z);
  const streetsShown = BLOCK_M / metresPerPx >= 14;
  const avenuesShown = (BLOCK_M * 5) / metresPerPx >= 8;
  const half = (metres: number, minPx: number) => Math.max(metres, minPx * metresPerPx) / 2;
  const street = half(11, 1.5);
  const avenue = half(26, 2.5);
  const casing = 1.2 * metresPerPx;
  for (let py = 0; py < SIZE; py++) {
    for (let px = 0; px < SIZE; px++) {
      const mx = (x * SIZE + px + 0.5) * metresPerPx;
      const my = (y * SIZE + py + 0.5) * metresPerPx;
      const a = mx * COS - my * SIN;
      const b = mx * SIN + my * COS;
      let color: Rgb = LAND;
      const blockHash = (Math.floor(a / BLOCK_M) * 73_856_093) ^ (Math.floor(b / BLOCK_M) * 19_349_663);
      if (Math.abs(blockHash) % 13 === 0) color = PARK;
      if (Math.abs(my - (RIVER_Y + 260 * Math.sin(mx / 700))) < 55) color = WATER;
      else {
        const d = Math.min(distanceToLine(a, BLOCK_M), distanceToLine(b, BLOCK_M));
        const dAvenue = Math.min(distanceToLine(a, BLOCK_M * 5), distanceToLine(b, BLOCK_M * 5));
        if (avenuesShown && dAvenue < avenue) color = AVENUE;
        else if (avenuesShown && dAvenue < avenue + casing) color = AVENUE_CASING;
        else if (streetsShown && d < street) color = STREET;
        else if (streetsShown && d < street + casing) color = CASING;
      }
      const i = (py * SIZE + px) * 4;
      png.data[i] = color[0];
      png.data[i + 1] = color[1];
      png.data[i + 2] = color[2];
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

/**
 * A loopback XYZ tile server: GET /tiles/{z}/{x}/{y}.png answers a generated PNG, as any tile
 * provider does. It records each request (with its Referer, which providers ask for) and can
 * fail (HTTP 503), as a provider that is down or refuses us.
 */
export async function startFakeTiles() {
  const requests: TileRequest[] = [];
  const cache = new Map<string, Buffer>();
  let failing = false;
  const server: Server = createServer((req, res) => {
    const match = /^\/tiles\/(\d{1,2})\/(\d+)\/(\d+)\.png$/.exec(req.url ?? '');
    if (!match) {
      res.statusCode = 404;
      return res.end('not a tile');
    }
    const [z, x, y] = match.slice(1).map(Number) as [number, number, number];
    requests.push({ z, x, y, referer: req.headers.referer });
    if (failing || x >= 2 ** z || y >= 2 ** z) {
      res.statusCode = failing ? 503 : 404;
      return res.end(failing ? 'tile server unavailable' : 'no such tile');
    }
    const key = `${z}/${x}/${y}`;
    let tile = cache.get(key);
    if (!tile) cache.set(key, (tile = drawTile(z, x, y)));
    res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' });
    res.end(tile);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    /** The MAP_TILES_URL that points the hub's maps here. */
    template: `${url}/tiles/{z}/{x}/{y}.png`,
    requests,
    fail(value: boolean) {
      failing = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

import http from 'node:http';

export type JsonResponse<T> = { status: number; body: T };

/**
 * A lean keep-alive JSON client for one hub (node:http: less CPU per request than fetch, which
 * matters when the load generator shares two cores with the system under test).
 */
export function jsonClient(baseUrl: string, options: { maxSockets: number; timeoutMs?: number }) {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
  const timeoutMs = options.timeoutMs ?? 30_000;

  function request<T = unknown>(method: string, path: string, body?: unknown): Promise<JsonResponse<T>> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return once<T>(method, path, payload, true);
  }

  function once<T>(
    method: string,
    path: string,
    payload: string | undefined,
    mayRetry: boolean,
  ): Promise<JsonResponse<T>> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method,
          path,
          agent,
          headers: payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON: keep the text
            }
            resolve({ status: res.statusCode ?? 0, body: parsed as T });
          });
          res.on('error', reject);
        },
      );
      req.setTimeout(timeoutMs, () =>
        req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)),
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        // The server closed an idle keep-alive connection just as we reused it: the request was
        // not processed; Node's documented remedy is to send it again on a new connection.
        if (mayRetry && req.reusedSocket && error.code === 'ECONNRESET') {
          once<T>(method, path, payload, false).then(resolve, reject);
        } else reject(error);
      });
      req.end(payload);
    });
  }

  return { baseUrl, request, close: () => agent.destroy() };
}

export type JsonClient = ReturnType<typeof jsonClient>;

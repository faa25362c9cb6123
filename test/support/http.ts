/** JSON over fetch, returning status, headers and the parsed body for assertions. */
export async function request<T = unknown>(
  url: string,
  init: { method?: string; body?: unknown; contentType?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: T }> {
  const isRaw = typeof init.body === 'string' || Buffer.isBuffer(init.body);
  const response = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': init.contentType ?? 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : isRaw ? (init.body as string) : JSON.stringify(init.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: body as T };
}

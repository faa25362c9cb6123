/** One Server-Sent Events message: an optional event name and its data, one `data:` line per line of it. */
export function sseMessage(data: string, event?: string): string {
  const lines = data.split(/\r\n|\r|\n/).map((line) => `data: ${line}\n`);
  return `${event === undefined ? '' : `event: ${event}\n`}${lines.join('')}\n`;
}

/** An SSE comment: ignored by EventSource, but it keeps proxies from timing out an idle stream. */
export function sseComment(text: string): string {
  return `${text
    .split(/\r\n|\r|\n/)
    .map((line) => `: ${line}\n`)
    .join('')}\n`;
}

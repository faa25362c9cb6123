import { err, ok, Result } from '@logyard/contracts';

// One `name="value"` pair with the spaces around it; values use Go/PromQL escapes (\" \\ \n \t).
const PAIR = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*/y;
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r' };

/** Parses a stream's labels as Loki's protobuf push writes them: `{job="api", host="web-1"}`. */
export function parseLokiLabels(text: string): Result<Record<string, string>> {
  const labels: Record<string, string> = {};
  const refuse = () => err(`labels: expected {name="value", …}, got ${JSON.stringify(text.slice(0, 80))}`);
  const open = /^\s*\{\s*/.exec(text);
  if (!open) return refuse();
  let at = open[0].length;
  if (text[at] !== '}') {
    for (;;) {
      PAIR.lastIndex = at;
      const pair = PAIR.exec(text);
      if (!pair) return refuse();
      Object.defineProperty(labels, pair[1], {
        value: pair[2].replace(/\\(.)/gs, (_, c: string) => ESCAPES[c] ?? c),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      at = PAIR.lastIndex;
      if (text[at] !== ',') break;
      at++;
    }
  }
  return text[at] === '}' && text.slice(at + 1).trim() === '' ? ok(labels) : refuse();
}

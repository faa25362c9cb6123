import { err, ok, Result } from '@logyard/contracts';
import { closingQuote } from '../quoted-text';

// What comes before a pair's value: `name="`, with the spaces around the `=`. Values use Go/PromQL escapes
// (\" \\ \n \t) and end at their closing quote (closingQuote).
const NAME = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"/y;
const SPACES = /\s*/y;
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
      NAME.lastIndex = at;
      const name = NAME.exec(text);
      if (!name) return refuse();
      const end = closingQuote(text, NAME.lastIndex);
      if (end === undefined) return refuse();
      Object.defineProperty(labels, name[1], {
        value: text.slice(NAME.lastIndex, end).replace(/\\(.)/gs, (_, c: string) => ESCAPES[c] ?? c),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      SPACES.lastIndex = end + 1;
      SPACES.exec(text);
      at = SPACES.lastIndex;
      if (text[at] !== ',') break;
      at++;
    }
  }
  return text[at] === '}' && text.slice(at + 1).trim() === '' ? ok(labels) : refuse();
}

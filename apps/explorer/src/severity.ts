import type { Severity } from '@logyard/contracts';

/**
 * The one place severity colours live: row markers, facet swatches and the histogram's stacks. Mid-tone
 * hues that read on light and dark backgrounds alike; text never takes these colours, so contrast rules
 * for text stay with the theme.
 */
export const SEVERITY_COLOURS: Record<Severity, string> = {
  trace: '#8c8c8c',
  debug: '#3b82c4',
  info: '#2e9d5b',
  warn: '#d99a00',
  error: '#e0483e',
  fatal: '#9c2bb8',
};

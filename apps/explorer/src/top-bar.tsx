import type { ComponentChildren } from 'preact';

const VIEWS = [
  { view: 'logs', label: 'Logs', href: '/' },
  { view: 'alerts', label: 'Alerts', href: '/#alerts' },
] as const;

type View = (typeof VIEWS)[number]['view'];

/** The header every view shares: the name (home), the view switcher marking this view, then its own controls. */
export function TopBar({ current, children }: { current: View; children?: ComponentChildren }) {
  return (
    <header class="top">
      <h1>
        <a href="/">Logyard</a>
      </h1>
      <nav aria-label="Views" class="views">
        {VIEWS.map(({ view, label, href }) => (
          <a key={view} href={href} aria-current={view === current ? 'page' : undefined}>
            {label}
          </a>
        ))}
      </nav>
      {children}
    </header>
  );
}

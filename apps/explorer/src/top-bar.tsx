import { ComponentChildren, createContext } from 'preact';
import { useContext } from 'preact/hooks';

const VIEWS = [
  { view: 'logs', label: 'Logs', href: '/' },
  { view: 'alerts', label: 'Alerts', href: '/#alerts' },
] as const;

type View = (typeof VIEWS)[number]['view'];

/** Signs the browser out where the API needs a query token; undefined where it needs none. */
export const SignOut = createContext<(() => void) | undefined>(undefined);

/**
 * The header every view shares: the name (home), the view switcher marking this view, its own controls,
 * and Sign out where there is a session to end.
 */
export function TopBar({ current, children }: { current: View; children?: ComponentChildren }) {
  const signOut = useContext(SignOut);
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
      {signOut && (
        <button type="button" class="sign-out" onClick={signOut}>
          Sign out
        </button>
      )}
    </header>
  );
}

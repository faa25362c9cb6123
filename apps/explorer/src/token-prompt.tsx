import { useState } from 'preact/hooks';
import { api } from './api';

/** Asks once for a query token; the server keeps it in an HTTP-only cookie for the API and the live tail. */
export function TokenPrompt({ onSignedIn }: { onSignedIn(): void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      await api.login(token);
      onSignedIn();
    } catch {
      setError('That token was refused: it must be one of QUERY_TOKENS.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="token-prompt">
      <form onSubmit={submit} aria-labelledby="token-heading">
        <h1 id="token-heading">Logyard</h1>
        <p>This Logyard needs a query token (one of its QUERY_TOKENS).</p>
        <label>
          <span>Query token</span>
          <input
            type="password"
            autocomplete="current-password"
            required
            autoFocus
            value={token}
            onInput={(e) => setToken(e.currentTarget.value)}
          />
        </label>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error && <p role="alert">{error}</p>}
      </form>
    </main>
  );
}

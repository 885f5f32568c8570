import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { adminKey, setAdminKey } from './api.js';
import { LivePage } from './pages/live.js';
import { OverviewPage } from './pages/overview.js';
import { PlaygroundPage } from './pages/playground.js';
import { ReportPage } from './pages/report.js';
import { SavingsPage } from './pages/savings.js';
import { TrafficPage } from './pages/traffic.js';
import './styles.css';

const PAGES = [
  ['overview', 'Routes'],
  ['traffic', 'Traffic'],
  ['savings', 'Savings'],
  ['live', 'Live'],
  ['playground', 'Playground'],
  ['report', 'Eval report'],
] as const;
type Page = (typeof PAGES)[number][0];

function currentPage(): Page {
  const hash = location.hash.replace(/^#\/?/, '');
  return PAGES.find(([p]) => p === hash)?.[0] ?? 'overview';
}

function Login({ onDone }: { onDone: () => void }) {
  const [key, setKey] = useState('');
  return (
    <form
      class="card login"
      onSubmit={(e) => {
        e.preventDefault();
        setAdminKey(key.trim());
        onDone();
      }}
    >
      <h1>Admin key needed</h1>
      <p>This gateway's console needs its admin key. It is kept for this tab only.</p>
      <label>
        Admin key{' '}
        <input
          name="admin-key"
          type="password"
          autoComplete="off"
          value={key}
          onInput={(e) => setKey((e.target as HTMLInputElement).value)}
        />
      </label>
      <button type="submit">Open the console</button>
    </form>
  );
}

function App() {
  const [page, setPage] = useState<Page>(currentPage());
  const [needKey, setNeedKey] = useState(false);
  useEffect(() => {
    const onHash = () => setPage(currentPage());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const unauthorized = useCallback(() => setNeedKey(true), []);
  const body =
    needKey && page !== 'report' ? (
      <Login onDone={() => setNeedKey(false)} />
    ) : page === 'traffic' ? (
      <TrafficPage onUnauthorized={unauthorized} />
    ) : page === 'savings' ? (
      <SavingsPage onUnauthorized={unauthorized} />
    ) : page === 'live' ? (
      <LivePage onUnauthorized={unauthorized} />
    ) : page === 'playground' ? (
      <PlaygroundPage onUnauthorized={unauthorized} />
    ) : page === 'report' ? (
      <ReportPage />
    ) : (
      <OverviewPage onUnauthorized={unauthorized} />
    );
  return (
    <>
      <header>
        <strong class="brand">Switchboard</strong>
        <nav aria-label="Console sections">
          {PAGES.map(([p, label]) => (
            <a key={p} href={`#/${p}`} aria-current={p === page ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        {adminKey() ? (
          <button type="button" class="link" onClick={() => (setAdminKey(null), setNeedKey(true))}>
            Forget key
          </button>
        ) : null}
      </header>
      <main id="main" tabIndex={-1}>
        {body}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);

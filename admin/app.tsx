import { useEffect, useState } from 'preact/hooks';
import { AdminClient, isUnauthorized } from './client.js';
import { feed, useFeedOpen } from './feed.js';
import { JobPage } from './job-page.js';
import { JobList } from './jobs.js';
import { describeError, setUnauthorizedHandler } from './load.js';
import { LoginForm } from './login.js';
import { Overview } from './overview.js';
import { hrefOf, useRoute, type Route } from './route.js';
import { Submit } from './submit.js';
import { Workers } from './workers.js';

const client = new AdminClient();

type Session = { kind: 'checking' } | { kind: 'out'; message?: string } | { kind: 'in' };

const SESSION_OVER = 'The session is over (it lasts 12 hours, and ends when the coordinator restarts). Log in again.';

/** The panel: the login form until a session is open, then the views, one per address. */
export function App() {
  const [session, setSession] = useState<Session>({ kind: 'checking' });

  useEffect(() => {
    setUnauthorizedHandler(() => setSession({ kind: 'out', message: SESSION_OVER }));
    client.isLoggedIn().then(
      (loggedIn) => setSession(loggedIn ? { kind: 'in' } : { kind: 'out' }),
      (error: unknown) => setSession({ kind: 'out', message: `Could not reach the coordinator: ${describeError(error)}` }),
    );
  }, []);

  useEffect(() => {
    if (session.kind !== 'in') return undefined;
    feed.start();
    return () => feed.stop();
  }, [session.kind]);

  const logIn = async (token: string): Promise<void> => {
    try {
      await client.logIn(token);
      setSession({ kind: 'in' });
    } catch (error) {
      const message = isUnauthorized(error) ? 'The coordinator refused that admin token. Enter the one it printed at start.' : `Could not log in: ${describeError(error)}`;
      setSession({ kind: 'out', message });
    }
  };
  const logOut = (): void => {
    client.logOut().then(
      () => setSession({ kind: 'out' }),
      (error: unknown) => setSession({ kind: 'out', message: `Could not log out: ${describeError(error)}` }),
    );
  };

  if (session.kind === 'checking') return <p class="loading">Loading…</p>;
  if (session.kind === 'out') {
    return (
      <>
        <Header />
        <main id="main">
          <LoginForm message={session.message} onLogIn={logIn} />
        </main>
      </>
    );
  }
  return <Panel onLogOut={logOut} />;
}

function Panel({ onLogOut }: { onLogOut: () => void }) {
  const route = useRoute();
  const open = useFeedOpen();
  useEffect(() => {
    document.title = `${titleOf(route)} · tabgrid admin`;
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [route.view, route.view === 'job' ? route.id : '']);
  return (
    <>
      <Header>
        <nav aria-label="Views">
          <NavLink route={{ view: 'overview' }} current={route} label="Overview" />
          <NavLink route={{ view: 'jobs' }} current={route} label="Jobs" />
          <NavLink route={{ view: 'submit' }} current={route} label="Submit" />
          <NavLink route={{ view: 'workers' }} current={route} label="Workers" />
        </nav>
        <span class={open ? 'live' : 'live off'} role="status">
          {open ? 'live' : 'reconnecting…'}
        </span>
        <button type="button" class="link" onClick={onLogOut}>
          Log out
        </button>
      </Header>
      <main id="main" tabIndex={-1}>
        <View route={route} />
      </main>
    </>
  );
}

function View({ route }: { route: Route }) {
  switch (route.view) {
    case 'overview':
      return <Overview client={client} />;
    case 'jobs':
      return <JobList client={client} route={route} />;
    case 'job':
      return <JobPage key={route.id} client={client} id={route.id} />;
    case 'workers':
      return <Workers client={client} />;
    case 'submit':
      return <Submit client={client} />;
  }
}

function Header({ children }: { children?: preact.ComponentChildren }) {
  return (
    <header>
      <a class="brand" href="#/">
        tabgrid admin
      </a>
      {children}
    </header>
  );
}

function NavLink({ route, current, label }: { route: Route; current: Route; label: string }) {
  const here = current.view === route.view || (current.view === 'job' && route.view === 'jobs');
  return (
    <a href={hrefOf(route)} aria-current={here ? 'page' : undefined}>
      {label}
    </a>
  );
}

function titleOf(route: Route): string {
  switch (route.view) {
    case 'overview':
      return 'Overview';
    case 'jobs':
      return 'Jobs';
    case 'job':
      return `Job ${route.id}`;
    case 'workers':
      return 'Workers';
    case 'submit':
      return 'Submit a job';
  }
}

import { AdminClient, isUnauthorized } from './client.js';
import { Dashboard } from './dashboard.js';
import { elements } from './elements.js';

const client = new AdminClient();
let dashboard: Dashboard | undefined;

function showLogin(message?: string): void {
  dashboard?.stop();
  dashboard = undefined;
  elements.logout.hidden = true;
  elements.loginForm.hidden = false;
  elements.loginError.textContent = message ?? '';
  elements.loginError.hidden = message === undefined;
  elements.token.focus();
}

function showDashboard(): void {
  elements.loginForm.hidden = true;
  elements.logout.hidden = false;
  dashboard = new Dashboard(client, () => {
    showLogin('The session is over (it lasts 12 hours, and ends when the coordinator restarts). Log in again.');
  });
  dashboard.start();
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function logIn(token: string): Promise<void> {
  try {
    await client.logIn(token);
    showDashboard();
  } catch (error) {
    if (isUnauthorized(error)) showLogin('The coordinator refused that admin token. Enter the one it printed at start.');
    else showLogin(`Could not log in: ${describe(error)}`);
  }
}

elements.loginForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const token = elements.token.value.trim();
  elements.token.value = '';
  if (token === '') showLogin('Enter the admin token.');
  else void logIn(token);
});

elements.logout.addEventListener('click', (event) => {
  event.preventDefault();
  dashboard?.stop();
  client.logOut().then(
    () => showLogin(),
    (error: unknown) => showLogin(`Could not log out: ${describe(error)}`),
  );
});

client.isLoggedIn().then(
  (loggedIn) => (loggedIn ? showDashboard() : showLogin()),
  (error: unknown) => showLogin(`Could not reach the coordinator: ${describe(error)}`),
);

import { AdminClient } from './client.js';
import { Dashboard } from './dashboard.js';
import { elements } from './elements.js';
import { forgetToken, loadToken, saveToken } from './session.js';

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

function showDashboard(token: string): void {
  elements.loginForm.hidden = true;
  elements.logout.hidden = false;
  dashboard = new Dashboard(new AdminClient(token), () => {
    forgetToken();
    showLogin('The coordinator refused that admin token. Enter the one it printed at start.');
  });
  dashboard.start();
}

elements.loginForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const token = elements.token.value.trim();
  if (token === '') {
    showLogin('Enter the admin token.');
    return;
  }
  elements.token.value = '';
  saveToken(token);
  showDashboard(token);
});

elements.logout.addEventListener('click', (event) => {
  event.preventDefault();
  forgetToken();
  showLogin();
});

const remembered = loadToken();
if (remembered) showDashboard(remembered);
else showLogin();

/** The admin page's elements, looked up once; a missing one is a bug in index.html. */
export const elements = {
  loginForm: byId('login-form', HTMLFormElement),
  token: byId('token', HTMLInputElement),
  loginError: byId('login-error', HTMLParagraphElement),
  logout: byId('logout', HTMLAnchorElement),
  dashboard: byId('dashboard', HTMLElement),
  connection: byId('connection', HTMLParagraphElement),
  jobs: byId('jobs', HTMLTableElement),
  noJobs: byId('no-jobs', HTMLParagraphElement),
  workers: byId('workers', HTMLTableElement),
  noWorkers: byId('no-workers', HTMLParagraphElement),
};

function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`admin page: #${id} is missing or not a ${type.name}`);
  return element;
}

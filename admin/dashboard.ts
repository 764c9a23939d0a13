import { type AdminClient, isUnauthorized } from './client.js';
import { elements } from './elements.js';
import { showJobs, showWorkers } from './tables.js';

const POLL_INTERVAL_MS = 1000;

/** Polls jobs and workers every second and shows them, until stopped or the session is refused. */
export class Dashboard {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly client: AdminClient,
    private readonly onUnauthorized: () => void,
  ) {}

  start(): void {
    elements.dashboard.hidden = false;
    void this.poll();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    elements.dashboard.hidden = true;
    showJobs(elements.jobs, [], cancelNothing);
    showWorkers(elements.workers, []);
    elements.connection.textContent = '';
  }

  private async poll(): Promise<void> {
    try {
      const [jobs, workers] = await Promise.all([this.client.listJobs(), this.client.listWorkers()]);
      if (this.stopped) return;
      showJobs(elements.jobs, jobs, (jobId) => this.cancel(jobId));
      showWorkers(elements.workers, workers);
      elements.noJobs.hidden = jobs.length > 0;
      elements.noWorkers.hidden = workers.length > 0;
      elements.connection.textContent = `Updated ${new Date().toLocaleTimeString()}`;
      elements.connection.classList.remove('error');
    } catch (error) {
      if (this.stopped) return;
      if (isUnauthorized(error)) {
        this.onUnauthorized();
        return;
      }
      this.showError(error);
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.poll(), POLL_INTERVAL_MS);
  }

  private async cancel(jobId: string): Promise<void> {
    try {
      await this.client.cancelJob(jobId);
    } catch (error) {
      if (isUnauthorized(error)) this.onUnauthorized();
      else this.showError(error);
    }
  }

  private showError(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    elements.connection.textContent = `Could not update: ${message}`;
    elements.connection.classList.add('error');
  }
}

function cancelNothing(): Promise<void> {
  return Promise.resolve();
}

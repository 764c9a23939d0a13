import { useRef, useState } from 'preact/hooks';
import { isTerminal, type JobStatus } from '../shared/index.js';
import type { AdminClient } from './client.js';
import { describeError } from './load.js';
import { go } from './route.js';

/**
 * The buttons that steer a job: pause, resume, cancel (after a confirmation), retry its failed
 * tasks, resubmit its spec as a new job, set its priority, switch debug mode. Each shows its
 * effect from the status the coordinator answers with; a refusal is shown, not thrown.
 */
export function Controls({ client, job, onChange }: { client: AdminClient; job: JobStatus; onChange: (job: JobStatus) => void }) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | undefined>(undefined);
  const [priority, setPriority] = useState(String(job.priority));
  const confirm = useRef<HTMLDialogElement>(null);
  const live = !isTerminal(job.state);

  async function act(what: string, call: () => Promise<JobStatus>): Promise<void> {
    setBusy(true);
    setMessage(undefined);
    try {
      const next = await call();
      if (next.id === job.id) {
        onChange(next);
        setMessage({ text: `${what}: the job is ${next.state}.`, error: false });
      } else {
        go({ view: 'job', id: next.id });
      }
    } catch (error) {
      setMessage({ text: `${what} refused: ${describeError(error)}`, error: true });
    } finally {
      setBusy(false);
    }
  }

  const debug = job.runMode === 'debug';
  const canSwitchMode = live && (job.runMode === 'debug' || job.runMode === 'immediate');
  return (
    <section aria-labelledby="controls-title" class="controls">
      <h2 id="controls-title" class="visually-hidden">
        Controls
      </h2>
      <div class="buttons">
        <button type="button" disabled={busy || !(job.state === 'PENDING' || job.state === 'RUNNING')} onClick={() => void act('Pause', () => client.control(job.id, 'pause'))}>
          Pause
        </button>
        <button type="button" disabled={busy || job.state !== 'PAUSED'} onClick={() => void act('Resume', () => client.control(job.id, 'resume'))}>
          Resume
        </button>
        <button type="button" class="danger" disabled={busy || !live} onClick={() => confirm.current?.showModal()}>
          Cancel
        </button>
        <button type="button" disabled={busy || job.state !== 'FAILED'} onClick={() => void act('Retry failed tasks', () => client.control(job.id, 'retry'))}>
          Retry failed tasks
        </button>
        <button type="button" disabled={busy} onClick={() => void act('Resubmit', () => client.resubmit(job.id))}>
          Resubmit
        </button>
        <button
          type="button"
          disabled={busy || !canSwitchMode}
          onClick={() => void act(debug ? 'Leave debug mode' : 'Debug mode', () => client.control(job.id, 'run-mode', { runMode: debug ? 'immediate' : 'debug' }))}
        >
          {debug ? 'Leave debug mode' : 'Switch to debug mode'}
        </button>
      </div>
      <form
        class="priority"
        onSubmit={(event) => {
          event.preventDefault();
          void act('Set priority', () => client.control(job.id, 'priority', { priority: Number(priority) }));
        }}
      >
        <label>
          Priority
          <input type="number" min={-1000} max={1000} step={1} required value={priority} onInput={(event) => setPriority(event.currentTarget.value)} disabled={!live} />
        </label>
        <button type="submit" disabled={busy || !live}>
          Set priority
        </button>
      </form>
      {message && (
        <p class={message.error ? 'error' : 'note'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
      <dialog ref={confirm} aria-labelledby="confirm-title">
        <h2 id="confirm-title">Cancel job {job.name}?</h2>
        <p>Its unfinished tasks stop and are not run again. Results already in are kept.</p>
        <div class="buttons">
          <button
            type="button"
            class="danger"
            onClick={() => {
              confirm.current?.close();
              void act('Cancel', () => client.control(job.id, 'cancel'));
            }}
          >
            Yes, cancel the job
          </button>
          <button type="button" autoFocus onClick={() => confirm.current?.close()}>
            Keep it running
          </button>
        </div>
      </dialog>
    </section>
  );
}

import { isTerminal, type JobStatus } from '../shared/index.js';
import type { AdminClient } from './client.js';
import { useLoad } from './load.js';

/** Most running gang tasks whose members are listed. */
const SHOWN = 10;

/** A gang job's running tasks and, for each, its members: rank and worker. */
export function GangMembers({ client, job, round, onOpenTask }: { client: AdminClient; job: JobStatus; round: number; onOpenTask: (index: number) => void }) {
  const isGang = job.spec?.gang !== undefined && !isTerminal(job.state);
  const gangs = useLoad(async () => {
    if (!isGang) return [];
    const running = await client.tasks(job.id, { state: ['leased'], limit: SHOWN });
    return Promise.all(running.tasks.map((task) => client.task(job.id, task.index)));
  }, [job.id, isGang, round]);
  if (!isGang) return null;
  return (
    <section aria-labelledby="gang-title">
      <h2 id="gang-title">Gang members</h2>
      {gangs.value && gangs.value.length === 0 && <p class="empty">No gang is running now{job.waitingReason ? `: ${job.waitingReason}` : '.'}</p>}
      {(gangs.value ?? []).map((task) => (
        <div key={task.index} class="table-box gang">
          <table>
            <caption>
              <button type="button" class="link" onClick={() => onOpenTask(task.index)}>
                Task {task.index}
              </button>
            </caption>
            <thead>
              <tr>
                <th scope="col">Rank</th>
                <th scope="col">Worker</th>
              </tr>
            </thead>
            <tbody>
              {(task.gang ?? []).map((member) => (
                <tr key={member.rank}>
                  <td>{member.rank}</td>
                  <td class="id">{member.workerId}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}

import type { JobSpecSummary, JobStatus } from '../shared/index.js';
import { counted, formatDuration, formatRate, formatTime, jobDuration, type ProgressRate } from './format.js';
import { hrefOf } from './route.js';
import { Fact, JobProgress } from './widgets.js';

/** What the job is (its spec in brief) and how it goes: progress, rate, time left, times. */
export function JobSummary({ job, rate }: { job: JobStatus; rate: ProgressRate }) {
  const running = job.state === 'RUNNING' || job.state === 'PENDING';
  const perSecond = running ? rate.perSecond() : undefined;
  const left = running ? rate.timeLeftMs(job.progress.total) : undefined;
  const duration = jobDuration(job);
  const spec = job.spec;
  return (
    <section aria-labelledby="summary-title">
      <h2 id="summary-title">Summary</h2>
      <p class="job-progress">
        <JobProgress job={job} /> {job.progress.running > 0 && <span>{job.progress.running} running</span>}
      </p>
      {job.waitingReason !== undefined && <p class="waiting">{job.waitingReason}</p>}
      <dl class="facts">
        <Fact term="Rate" value={perSecond === undefined ? '—' : `${formatRate(perSecond)} tasks/s`} />
        <Fact term="Time left" value={left === undefined ? '—' : `about ${formatDuration(left)}`} />
        <Fact term="Submitted" value={formatTime(job.createdAt)} />
        <Fact term="Started" value={formatTime(job.startedAt)} />
        <Fact term="Ended" value={formatTime(job.endedAt)} />
        <Fact term="Duration" value={duration === undefined ? '—' : formatDuration(duration)} />
        <Fact term="Run mode" value={job.runMode} />
        <Fact term="Priority" value={String(job.priority)} />
        <Fact term="Items" value={String(job.items)} />
        <Fact term="Tasks" value={`${job.progress.total}${job.reduce ? ' and the reduce step (the last task)' : ''}`} />
        {spec && <SpecFacts spec={spec} />}
        {job.validation && (
          <Fact
            term="Validation"
            value={`${job.validation.replicas} replicas, quorum ${job.validation.quorum}${job.validation.adaptive ? ', adaptive' : ''}; ${job.validation.accepted} accepted (${job.validation.checked} by quorum), ${job.validation.disagreements} disagreements`}
          />
        )}
      </dl>
    </section>
  );
}

function SpecFacts({ spec }: { spec: JobSpecSummary }) {
  return (
    <>
      <Fact term="Partitioner" value={`${spec.partitioner}${spec.chunkSize === undefined ? '' : `, ${spec.chunkSize} per task`}`} />
      {spec.retry && (
        <Fact
          term="Retry"
          value={`up to ${counted(spec.retry.maxAttempts, 'attempt')} and ${counted(spec.retry.maxLapses, 'lost lease')} a task, on ${counted(spec.retry.distinctWorkers, 'worker')} at least; backoff ${formatDuration(spec.retry.backoff.initialMs)} ×${spec.retry.backoff.factor} up to ${formatDuration(spec.retry.backoff.maxMs)}${spec.timeoutMs === undefined ? '' : `, timeout ${formatDuration(spec.timeoutMs)}`}`}
        />
      )}
      {spec.gang && <Fact term="Gang" value={spec.gang.size === undefined ? `${spec.gang.min}–${spec.gang.max} ranks (elastic)` : `${spec.gang.size} ranks`} />}
      {spec.requires && <Fact term="Requires" value={describeRequires(spec.requires)} />}
      {spec.dependsOn && spec.dependsOn.length > 0 && (
        <div>
          <dt>Depends on</dt>
          <dd>
            {spec.dependsOn.map((id, at) => (
              <>
                {at > 0 && ', '}
                <a key={id} href={hrefOf({ view: 'job', id })}>
                  {id}
                </a>
              </>
            ))}
          </dd>
        </div>
      )}
    </>
  );
}

function describeRequires(requires: NonNullable<JobSpecSummary['requires']>): string {
  const parts: string[] = [];
  if (requires.webgpu) parts.push('WebGPU');
  if (requires.runtime) parts.push(`${requires.runtime} workers`);
  if (requires.minCores !== undefined) parts.push(`${requires.minCores}+ cores`);
  if (requires.minMemoryGb !== undefined) parts.push(`${requires.minMemoryGb}+ GB`);
  return parts.join(', ') || 'nothing';
}

import type { JobStatus } from '../shared/index.js';
import type { AdminClient } from './client.js';
import { useLoad } from './load.js';

const PREVIEW = 10;

/** The first results, the whole set as an NDJSON download, and the reduce step's result. */
export function Results({ client, job, round }: { client: AdminClient; job: JobStatus; round: number }) {
  const preview = useLoad(() => (job.progress.done > 0 ? client.firstResults(job.id, PREVIEW) : Promise.resolve([])), [job.id, job.progress.done > 0, round]);
  const reduced = useLoad(() => (job.reduce && job.state === 'COMPLETED' ? client.reduceResult(job.id) : Promise.resolve(undefined)), [job.id, job.state]);
  return (
    <section aria-labelledby="results-title">
      <h2 id="results-title">Results</h2>
      {job.reduce && job.state === 'COMPLETED' && (
        <>
          <h3>Reduce result</h3>
          <pre class="result">{JSON.stringify(reduced.value, null, 2)}</pre>
        </>
      )}
      {preview.value && preview.value.length === 0 && <p class="empty">No results yet.</p>}
      {preview.value && preview.value.length > 0 && (
        <div class="table-box">
          <table class="results">
            <caption>The first {preview.value.length} item results</caption>
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Output</th>
              </tr>
            </thead>
            <tbody>
              {preview.value.map((result) => (
                <tr key={result.index}>
                  <td>{result.index}</td>
                  <td>
                    <code>{truncate(JSON.stringify(result.output) ?? 'undefined', 200)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p>
        <a href={client.resultsPath(job.id)} download={`${job.id}-results.ndjson`}>
          Download all results (NDJSON)
        </a>
      </p>
    </section>
  );
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

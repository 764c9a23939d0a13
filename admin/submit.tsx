import { useState } from 'preact/hooks';
import { checkSpecText, type SpecProblem } from '../shared/index.js';
import { AdminApiError, type AdminClient } from './client.js';
import { describeError } from './load.js';
import { go } from './route.js';

const EXAMPLE = `name: squares
code: |
  export default (x) => x * x
input:
  items: [1, 2, 3, 4, 5, 6, 7, 8]
  chunkSize: 2
`;

/**
 * Submit a job: a YAML or JSON spec pasted or uploaded, checked here with the schema the CLI and
 * the coordinator use, each mistake shown at its line and column; the new job's page opens.
 */
export function Submit({ client }: { client: AdminClient }) {
  const [text, setText] = useState(EXAMPLE);
  const [problems, setProblems] = useState<SpecProblem[]>([]);
  const [refusal, setRefusal] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  async function submit(): Promise<void> {
    setRefusal(undefined);
    const checked = checkSpecText(text);
    if (checked.problems) {
      setProblems(checked.problems);
      return;
    }
    setProblems([]);
    setBusy(true);
    try {
      const job = await client.submit(checked.spec);
      go({ view: 'job', id: job.id });
    } catch (error) {
      const reason = error instanceof AdminApiError && error.status === 400 ? `the coordinator refused it: ${error.message}` : describeError(error);
      setRefusal(reason);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="submit-title">
      <h1 id="submit-title">Submit a job</h1>
      <p>
        Paste a job spec in YAML or JSON, as for <code>tabgrid submit</code>, or upload one. Task code goes inline under <code>code: |</code> (a <code>codeFile</code> names a file on
        your machine, which the panel cannot read).
      </p>
      <form
        class="submit"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <label for="spec-file">Upload a spec file</label>
        <input
          id="spec-file"
          type="file"
          accept=".yaml,.yml,.json,application/json,text/yaml"
          onChange={(event) => {
            const file = event.currentTarget.files?.[0];
            if (file) void file.text().then(setText);
          }}
        />
        <label for="spec-text">Job spec (YAML or JSON)</label>
        <textarea id="spec-text" rows={18} spellcheck={false} value={text} onInput={(event) => setText(event.currentTarget.value)} aria-describedby="spec-problems" />
        <div class="buttons">
          <button type="button" onClick={() => setProblems(checkSpecText(text).problems ?? [])}>
            Check
          </button>
          <button type="submit" disabled={busy}>
            Submit job
          </button>
        </div>
      </form>
      <div id="spec-problems" role="alert">
        {problems.length > 0 && (
          <>
            <h2>Mistakes in the spec</h2>
            <ul class="problems">
              {problems.map((problem, at) => (
                <li key={at}>
                  {problem.position ? `Line ${problem.position.line}, column ${problem.position.column}` : 'Somewhere'}: <code>{problem.path}</code> {problem.message}
                </li>
              ))}
            </ul>
          </>
        )}
        {refusal !== undefined && <p class="error">{refusal}</p>}
      </div>
    </section>
  );
}


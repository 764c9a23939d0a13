import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Secret {
  value: string;
  /** True when this start made it (first start on a new data dir). */
  created: boolean;
}

/**
 * A secret kept in a file of the data dir with mode 0600, made at first start.
 * @param fromEnv a value that wins over the file (TABGRID_ADMIN_TOKEN)
 */
export async function loadSecret(dataDir: string, file: string, fromEnv?: string): Promise<Secret> {
  if (fromEnv) return { value: fromEnv, created: false };
  const path = join(dataDir, file);
  try {
    const value = (await readFile(path, 'utf8')).trim();
    if (value) return { value, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const value = randomBytes(24).toString('base64url');
  await writeFile(path, `${value}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
  return { value, created: true };
}

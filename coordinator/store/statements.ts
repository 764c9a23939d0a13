import type { Database as SQLiteDatabase, Statement } from 'better-sqlite3';

/** SQLite statements prepared once per text: the hot reads and every write run through here. */
export class Statements {
  private readonly cache = new Map<string, Statement>();

  constructor(private readonly sqlite: SQLiteDatabase) {}

  get(text: string): Statement {
    let statement = this.cache.get(text);
    if (!statement) this.cache.set(text, (statement = this.sqlite.prepare(text)));
    return statement;
  }
}

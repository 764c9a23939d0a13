import type pg from 'pg';

/**
 * `?` placeholders numbered as PostgreSQL writes them (`$1`, `$2`, …), once per text; each text
 * becomes a named statement, which every connection prepares once.
 */
export class Numbered {
  private readonly cache = new Map<string, pg.QueryConfig>();

  statement(text: string, values: readonly unknown[]): pg.QueryConfig {
    let config = this.cache.get(text);
    if (!config) {
      let n = 0;
      config = { name: `s${this.cache.size}`, text: text.replace(/\?/g, () => `$${++n}`) };
      this.cache.set(text, config);
    }
    return { ...config, values: values as unknown[] };
  }
}

/** The store's clock, in epoch milliseconds: the lease is timed by one clock whichever coordinator asks. */
export const NOW_MS = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

/**
 * Matmul tunes kept by the join page (and the lab page) in localStorage, by adapter key
 * (`matmulTuneKey`): the task Web Worker that tunes cannot reach storage (it is locked down),
 * so the page hands it the known tunes with `tensor-setup` and stores the one it reports back.
 */
import { z } from 'zod';

/** Adapters remembered; the oldest goes first. */
const MAX_TUNES = 8;

/** Configuration names by adapter key. */
export const MatmulTunes = z.record(z.string().max(1000), z.string().max(100)).refine((tunes) => Object.keys(tunes).length <= MAX_TUNES, 'too many tunes');
export type MatmulTunes = z.infer<typeof MatmulTunes>;

/** The localStorage item. */
export const MATMUL_TUNES_ITEM = 'tabgrid.webgpu-matmul-tunes';

/** What of `Storage` the cache uses. */
export type TuneStorage = Pick<Storage, 'getItem' | 'setItem'>;

/**
 * The tunes stored, or none when there are none, the item is malformed, or storage is refused.
 * @example readMatmulTunes(localStorage) // { 'google|swiftshader|...': 'direct+subgroups' }
 */
export function readMatmulTunes(storage: TuneStorage | undefined): MatmulTunes {
  try {
    const parsed = MatmulTunes.safeParse(JSON.parse(storage?.getItem(MATMUL_TUNES_ITEM) ?? '{}'));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/**
 * Stores `config` as the tune of `key`, the newest of at most 8; a storage that refuses (quota,
 * privacy settings) only means the next join tunes again.
 * @example rememberMatmulTune(localStorage, key, 'register-128x128-8x8-k8')
 */
export function rememberMatmulTune(storage: TuneStorage | undefined, key: string, config: string): void {
  const tunes = Object.entries(readMatmulTunes(storage)).filter(([known]) => known !== key);
  const kept: MatmulTunes = Object.fromEntries([...tunes, [key, config] as const].slice(-MAX_TUNES));
  try {
    storage?.setItem(MATMUL_TUNES_ITEM, JSON.stringify(kept));
  } catch {
    // Not stored: tuned again next time.
  }
}

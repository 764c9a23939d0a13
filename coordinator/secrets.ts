import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from './store/index.js';

/** The coordinator's secrets, kept in its store: every coordinator sharing the store uses the same. */
export interface Secrets {
  adminToken: string;
  /** True when this start made the admin token (the first start on a new store). */
  adminTokenCreated: boolean;
  joinToken: string;
  /** The PeerJS signalling server's key. */
  peerKey: string;
}

/**
 * Reads the secrets from the store, making each the first time (the first of several
 * coordinators starting at once makes it; the others read it). An admin token given (option or
 * TABGRID_ADMIN_TOKEN) wins over the stored one. A data dir from before the secrets moved into
 * the store still has them in files (`admin-token`, …): those are taken over as they are.
 */
export async function loadSecrets(store: Store, dataDir: string, givenAdminToken: string | undefined): Promise<Secrets> {
  const claim = async (name: string): Promise<{ value: string; created: boolean }> => {
    const offered = (await legacyFile(dataDir, name)) ?? randomBytes(24).toString('base64url');
    const value = await store.claimMeta(`secret:${name}`, offered);
    return { value, created: value === offered && (await legacyFile(dataDir, name)) === undefined };
  };
  const admin = givenAdminToken ? { value: givenAdminToken, created: false } : await claim('admin-token');
  return { adminToken: admin.value, adminTokenCreated: admin.created, joinToken: (await claim('join-token')).value, peerKey: (await claim('peer-key')).value };
}

async function legacyFile(dataDir: string, name: string): Promise<string | undefined> {
  try {
    return (await readFile(join(dataDir, name), 'utf8')).trim() || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

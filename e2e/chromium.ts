import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

/** Debian's package puts its launcher here. */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * Flags for headless Chromium on these machines: no sandbox (tests run as root), no calls to
 * the outside world, and WebGPU on (SwiftShader when there is no GPU). The Compute Pressure API
 * is off: Chromium's CPU pressure is the whole machine's load, so on a shared or busy test
 * machine a join page would back off or pause whenever another test (or its own workers) keeps
 * the cores busy; `e2e/volunteer-machine.spec.ts` gives the page a pressure it sets instead.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--enable-unsafe-webgpu',
  '--disable-dev-shm-usage',
  '--disable-blink-features=ComputePressure',
];

/** What `findChromium` asks of the machine; tests pass a fake. */
export interface ChromiumHost {
  /** `process.env.TABGRID_CHROMIUM`. */
  readonly configuredPath: string | undefined;
  exists(path: string): boolean;
  /** Running as root on Debian, so Debian's package can be installed. */
  canInstallDebianPackage(): boolean;
  /** Runs `apt-get update` and `apt-get install -y chromium`; throws when either fails. */
  installDebianPackage(): void;
  /** Where Playwright's own Chromium would be, whether or not it was downloaded. */
  playwrightExecutable(): string | undefined;
}

/** No Chromium could be found or installed. */
export class ChromiumNotFoundError extends Error {
  override readonly name = 'ChromiumNotFoundError';
}

/**
 * A Chromium for the browser tests, in this order: `TABGRID_CHROMIUM`, `/usr/bin/chromium`,
 * Debian's package installed now (as root on Debian), Playwright's own download. Throws,
 * saying how to get one, when there is none: browser tests are never skipped for want of it.
 * @example chromium.launch({ executablePath: findChromium(), args: [...CHROMIUM_ARGS] })
 */
export function findChromium(host: ChromiumHost = realHost): string {
  if (host.configuredPath !== undefined && host.configuredPath !== '') {
    if (host.exists(host.configuredPath)) return host.configuredPath;
    throw new ChromiumNotFoundError(`TABGRID_CHROMIUM is ${host.configuredPath}, but no file is there`);
  }
  if (host.exists(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;

  let installFailure: unknown;
  if (host.canInstallDebianPackage()) {
    try {
      host.installDebianPackage();
      if (host.exists(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
      installFailure = new Error(`apt-get installed chromium, but ${DEBIAN_CHROMIUM} is not there`);
    } catch (error) {
      installFailure = error;
    }
  }

  const playwrightPath = host.playwrightExecutable();
  if (playwrightPath !== undefined && host.exists(playwrightPath)) return playwrightPath;

  throw new ChromiumNotFoundError(describeMissingChromium(installFailure), { cause: installFailure });
}

function describeMissingChromium(installFailure: unknown): string {
  const lines = [
    'No Chromium for the browser tests. Get one of these:',
    '  - set TABGRID_CHROMIUM to a Chromium or Chrome executable',
    `  - apt-get install chromium (Debian; gives ${DEBIAN_CHROMIUM})`,
    '  - npx playwright install chromium',
  ];
  if (installFailure !== undefined) {
    const reason = installFailure instanceof Error ? installFailure.message : JSON.stringify(installFailure);
    lines.push(`Installing Debian's chromium failed: ${reason}`);
  }
  return lines.join('\n');
}

const realHost: ChromiumHost = {
  get configuredPath() {
    return process.env['TABGRID_CHROMIUM'];
  },
  exists: existsSync,
  canInstallDebianPackage: () => existsSync('/etc/debian_version') && process.getuid?.() === 0,
  installDebianPackage() {
    runShown('apt-get', ['update']);
    runShown('apt-get', ['install', '-y', 'chromium']);
  },
  playwrightExecutable() {
    try {
      return chromium.executablePath();
    } catch {
      return undefined;
    }
  },
};

function runShown(command: string, args: string[]): void {
  console.log(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
}

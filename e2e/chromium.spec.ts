import { expect, test } from '@playwright/test';
import { type ChromiumHost, ChromiumNotFoundError, DEBIAN_CHROMIUM, findChromium } from './chromium.js';

// Pure decision logic: no browser is launched here.

const PLAYWRIGHT_CHROMIUM = '/root/.cache/ms-playwright/chromium-1/chrome-linux/chrome';

interface FakeHost extends ChromiumHost {
  installs: number;
}

function fakeHost(options: {
  configuredPath?: string;
  files?: string[];
  canInstall?: boolean;
  installGives?: string[];
  installFails?: boolean;
}): FakeHost {
  const files = new Set(options.files ?? []);
  const host: FakeHost = {
    installs: 0,
    configuredPath: options.configuredPath,
    exists: (path) => files.has(path),
    canInstallDebianPackage: () => options.canInstall ?? false,
    installDebianPackage() {
      host.installs += 1;
      if (options.installFails) throw new Error('apt-get install -y chromium exited with 100');
      for (const file of options.installGives ?? []) files.add(file);
    },
    playwrightExecutable: () => PLAYWRIGHT_CHROMIUM,
  };
  return host;
}

test('TABGRID_CHROMIUM wins over everything else', () => {
  const host = fakeHost({ configuredPath: '/opt/chrome', files: ['/opt/chrome', DEBIAN_CHROMIUM], canInstall: true });
  expect(findChromium(host)).toBe('/opt/chrome');
  expect(host.installs).toBe(0);
});

test('a TABGRID_CHROMIUM that points at nothing is an error, not a fallback', () => {
  const host = fakeHost({ configuredPath: '/opt/missing', files: [DEBIAN_CHROMIUM] });
  expect(() => findChromium(host)).toThrow(/TABGRID_CHROMIUM is \/opt\/missing, but no file is there/);
});

test("Debian's /usr/bin/chromium comes next, without installing anything", () => {
  const host = fakeHost({ files: [DEBIAN_CHROMIUM, PLAYWRIGHT_CHROMIUM], canInstall: true });
  expect(findChromium(host)).toBe(DEBIAN_CHROMIUM);
  expect(host.installs).toBe(0);
});

test("as root on Debian, installs Debian's package before trying Playwright's browser", () => {
  const host = fakeHost({ files: [PLAYWRIGHT_CHROMIUM], canInstall: true, installGives: [DEBIAN_CHROMIUM] });
  expect(findChromium(host)).toBe(DEBIAN_CHROMIUM);
  expect(host.installs).toBe(1);
});

test("falls back to Playwright's browser when the install fails", () => {
  const host = fakeHost({ files: [PLAYWRIGHT_CHROMIUM], canInstall: true, installFails: true });
  expect(findChromium(host)).toBe(PLAYWRIGHT_CHROMIUM);
});

test("uses Playwright's browser when installing is not possible", () => {
  const host = fakeHost({ files: [PLAYWRIGHT_CHROMIUM], canInstall: false });
  expect(findChromium(host)).toBe(PLAYWRIGHT_CHROMIUM);
  expect(host.installs).toBe(0);
});

test('with no Chromium anywhere, throws saying how to get one', () => {
  const host = fakeHost({ canInstall: false });
  let thrown: unknown;
  try {
    findChromium(host);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ChromiumNotFoundError);
  const message = (thrown as Error).message;
  expect(message).toContain('TABGRID_CHROMIUM');
  expect(message).toContain('apt-get install chromium');
  expect(message).toContain('npx playwright install chromium');
});

test('a failed install is named in the error', () => {
  const host = fakeHost({ canInstall: true, installFails: true });
  expect(() => findChromium(host)).toThrow(/Installing Debian's chromium failed: apt-get install -y chromium exited/);
});

test('an install that leaves no /usr/bin/chromium is reported', () => {
  const host = fakeHost({ canInstall: true, installGives: [] });
  expect(() => findChromium(host)).toThrow(/is not there/);
});

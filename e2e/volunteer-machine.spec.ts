import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.js';
import { gridOf, leasesHeld, openVolunteerTab, sleepingTask, twoCores, volunteerStatus, type InitScript } from './volunteer-tab.js';

/**
 * Considerate by default: the join page backs off under the machine's pressure and pauses under
 * critical pressure or on a low battery. The test browser has no Compute Pressure API (see
 * `CHROMIUM_ARGS`) and a battery that always charges, so an init script puts a fake
 * `PressureObserver` and `navigator.getBattery()` *beside* the page, whose readings the test sets
 * (`window.machine`); the page's own code is the real one, reading them through its adapter.
 */

interface FakeMachine {
  pressure(state: string): void;
  battery(level: number, charging: boolean): void;
}

declare global {
  interface Window {
    machine?: FakeMachine;
  }
}

/** A fake CPU pressure at `critical`, and a battery discharging at 15 %, until the test says otherwise. */
const strainedMachine: InitScript = () => {
  let state = 'critical';
  const observers = new Set<{ callback: (records: object[]) => void }>();
  const report = (observer: { callback: (records: object[]) => void }): void => observer.callback([{ source: 'cpu', state, time: performance.now() }]);
  class FakePressureObserver {
    constructor(readonly callback: (records: object[]) => void) {}
    observe(): Promise<void> {
      observers.add(this);
      queueMicrotask(() => report(this));
      return Promise.resolve();
    }
    disconnect(): void {
      observers.delete(this);
    }
  }
  const battery = Object.assign(new EventTarget(), { level: 0.15, charging: false });
  Object.defineProperty(window, 'PressureObserver', { configurable: true, value: FakePressureObserver });
  Object.defineProperty(Navigator.prototype, 'getBattery', { configurable: true, value: () => Promise.resolve(battery) });
  window.machine = {
    pressure: (next) => {
      state = next;
      for (const observer of observers) report(observer);
    },
    battery: (level, charging) => {
      Object.assign(battery, { level, charging });
      battery.dispatchEvent(new Event('levelchange'));
      battery.dispatchEvent(new Event('chargingchange'));
    },
  };
};

/** The fake battery charging: only the pressure matters. */
const plugIn: InitScript = () => {
  window.machine!.battery(1, true);
};

/** The fake pressure nominal: only the battery matters. */
const calm: InitScript = () => {
  window.machine!.pressure('nominal');
};

function setPressure(page: Page, state: string): Promise<void> {
  return page.evaluate((next) => window.machine!.pressure(next), state);
}

function setBattery(page: Page, level: number, charging: boolean): Promise<void> {
  return page.evaluate(([next, plugged]) => window.machine!.battery(next, plugged), [level, charging] as const);
}

// Heartbeats every second: a tab that asks does so when welcomed, and its first heartbeat comes
// after, on the same socket; past it, no ask means none was sent at the welcome.
test.use({ coordinatorOptions: { heartbeatMs: 1000 } });

test('critical pressure pauses the tab, which leases nothing; serious halves its workers; nominal brings all back', async ({ browser, coordinator }) => {
  const { tab, sent } = await openVolunteerTab(browser, coordinator, [twoCores, strainedMachine, plugIn]);
  try {
    await expect(tab.getByTestId('state')).toHaveText('paused: the machine is under critical pressure');
    expect(await volunteerStatus(tab)).toMatchObject({ state: 'paused', pausedBecause: 'pressure', pressure: 'critical' });
    const job = await gridOf(coordinator).submit({ name: 'under pressure', code: sleepingTask(1000), input: { items: [0, 1, 2, 3], chunkSize: 1 } });
    await sent.waitFor('heartbeat');
    expect(sent.types).not.toContain('ask');
    const { workerId } = (await volunteerStatus(tab))!;
    expect(await leasesHeld(coordinator, workerId)).toEqual([]);
    expect((await job.status()).progress.done).toBe(0);

    await setPressure(tab, 'serious');
    await expect.poll(async () => (await volunteerStatus(tab))?.state).toBe('connected');
    expect(await volunteerStatus(tab)).toMatchObject({ workers: 1, pressure: 'serious' });
    await expect(tab.getByTestId('workers-why')).toHaveText('1 worker: 2 cores × 100 %, halved while the machine is under serious pressure');
    await expect.poll(async () => (await job.status()).progress.done, { timeout: 30_000 }).toBeGreaterThan(0);

    await setPressure(tab, 'nominal');
    await expect.poll(async () => (await volunteerStatus(tab))?.workers).toBe(2);
    expect((await job.wait({ timeoutMs: 60_000 })).state).toBe('COMPLETED');
  } finally {
    await tab.context().close();
  }
});

test('a battery discharging below the volunteer floor (20 % by default) pauses the tab; a lower floor, or charging, resumes it', async ({ browser, coordinator }) => {
  const { tab, sent } = await openVolunteerTab(browser, coordinator, [twoCores, strainedMachine, calm]);
  try {
    await expect(tab.getByTestId('state')).toHaveText('paused: battery at 15 %, below your 20 %');
    expect(await volunteerStatus(tab)).toMatchObject({ state: 'paused', pausedBecause: 'battery', battery: { level: 0.15, charging: false } });
    await expect(tab.getByTestId('battery-floor')).toHaveValue('0.2');
    const job = await gridOf(coordinator).submit({ name: 'on battery', code: sleepingTask(200), input: { items: [0, 1, 2, 3], chunkSize: 1 } });
    await sent.waitFor('heartbeat');
    expect(sent.types).not.toContain('ask');
    expect((await job.status()).progress.done).toBe(0);

    // The volunteer lowers the floor under the charge: the tab works, and remembers the choice.
    await tab.getByTestId('battery-floor').selectOption('0.1');
    await expect.poll(async () => (await job.status()).progress.done, { timeout: 30_000 }).toBeGreaterThan(0);
    expect(JSON.parse((await tab.evaluate(() => localStorage.getItem('tabgrid.settings'))) ?? '{}')).toMatchObject({ batteryFloor: 0.1 });

    // Below that one too, it pauses again; plugged in, it resumes.
    await setBattery(tab, 0.05, false);
    await expect(tab.getByTestId('state')).toHaveText('paused: battery at 5 %, below your 10 %');
    await setBattery(tab, 0.05, true);
    await expect.poll(async () => (await volunteerStatus(tab))?.state).not.toBe('paused');
    expect((await job.wait({ timeoutMs: 60_000 })).state).toBe('COMPLETED');
  } finally {
    await tab.context().close();
  }
});

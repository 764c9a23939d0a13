import { machinePause, NOTHING_READ, type MachineReadings } from './machine.js';
import type { PauseReason } from './status.js';

/** The choices a volunteer makes on the join page, remembered in `localStorage` for every tab of the site. */
export interface VolunteerSettings {
  /** Paused by the volunteer. */
  paused: boolean;
  /** Work only while this tab is visible (the Page Visibility API). */
  visibleOnly: boolean;
  /** Share of the whole machine the tab may use (see `workerPlan`): one of {@link CPU_SHARES}. */
  cpuShare: number;
  /** Pause while on battery below this charge (0 to 1; 0: never): one of {@link BATTERY_FLOORS}. */
  batteryFloor: number;
}

/** The CPU limits offered on the page. */
export const CPU_SHARES: readonly number[] = [0.25, 0.5, 0.75, 1];

/** The battery floors offered on the page (0: off). */
export const BATTERY_FLOORS: readonly number[] = [0, 0.1, 0.2, 0.3, 0.5];

export const DEFAULT_SETTINGS: Readonly<VolunteerSettings> = { paused: false, visibleOnly: false, cpuShare: 1, batteryFloor: 0.2 };

const STORAGE_KEY = 'tabgrid.settings';

/** The part of `Storage` used here. */
export type SettingsStorage = Pick<Storage, 'getItem' | 'setItem'>;

/**
 * The remembered settings; anything missing, unreadable or out of range is the default.
 * @example loadSettings(localStorage) // { paused: false, visibleOnly: true, cpuShare: 0.5, batteryFloor: 0.2 }
 */
export function loadSettings(storage: SettingsStorage | undefined): VolunteerSettings {
  let stored: unknown;
  try {
    stored = JSON.parse(storage?.getItem(STORAGE_KEY) ?? 'null');
  } catch {
    stored = null;
  }
  const { paused, visibleOnly, cpuShare, batteryFloor } = (typeof stored === 'object' && stored !== null ? stored : {}) as Record<string, unknown>;
  return {
    paused: typeof paused === 'boolean' ? paused : DEFAULT_SETTINGS.paused,
    visibleOnly: typeof visibleOnly === 'boolean' ? visibleOnly : DEFAULT_SETTINGS.visibleOnly,
    cpuShare: typeof cpuShare === 'number' && CPU_SHARES.includes(cpuShare) ? cpuShare : DEFAULT_SETTINGS.cpuShare,
    batteryFloor: typeof batteryFloor === 'number' && BATTERY_FLOORS.includes(batteryFloor) ? batteryFloor : DEFAULT_SETTINGS.batteryFloor,
  };
}

/** Remembers the settings; a browser that refuses (storage off, quota) just forgets them. */
export function saveSettings(storage: SettingsStorage | undefined, settings: VolunteerSettings): void {
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify(settings));
  } catch {
    // Not remembering a choice is no reason to stop working.
  }
}

/** This page's `localStorage`, or undefined where reading it is refused. */
export function pageLocalStorage(): SettingsStorage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

/**
 * Why the worker does not take tasks now, or null when it does: the volunteer's pause first, then
 * a hidden tab when asked, then the machine (see `machinePause`).
 * @example pauseReason({ ...settings, visibleOnly: true }, 'hidden') // 'hidden'
 * @example pauseReason(settings, 'visible', { pressure: 'critical', battery: null }) // 'pressure'
 */
export function pauseReason(settings: VolunteerSettings, visibility: DocumentVisibilityState, machine: MachineReadings = NOTHING_READ): PauseReason | null {
  if (settings.paused) return 'volunteer';
  if (settings.visibleOnly && visibility === 'hidden') return 'hidden';
  return machinePause(machine, settings.batteryFloor);
}

import type { WorkerPlan } from './cores.js';

/** The Compute Pressure API's states for the CPU, from the least pressure to the most. */
export const PRESSURE_STATES = ['nominal', 'fair', 'serious', 'critical'] as const;
export type PressureState = (typeof PRESSURE_STATES)[number];

/** The Battery Status API's reading. */
export interface BatteryReading {
  /** Charge, from 0 to 1. */
  level: number;
  charging: boolean;
}

/** What the browser tells of the machine; null where it has no such API (or has said nothing yet). */
export interface MachineReadings {
  pressure: PressureState | null;
  battery: BatteryReading | null;
}

export const NOTHING_READ: Readonly<MachineReadings> = { pressure: null, battery: null };

/**
 * The CPU pressure a tab's own work explains: its busy share of the machine (0 to 1), read the
 * way Chromium reads utilization (below 0.3 nominal, 0.6 fair, 0.9 serious; critical above).
 * @example pressureOfLoad(1) // 'critical': a tab on every core reads critical by itself
 */
export function pressureOfLoad(share: number): PressureState {
  if (share < 0.3) return 'nominal';
  if (share < 0.6) return 'fair';
  return share < 0.9 ? 'serious' : 'critical';
}

/**
 * The pressure the rest of the machine puts on it, as far as the tab can tell: the reading, unless
 * the tab's own work (`ownShare` of the machine, busy workers × their share / cores) explains it;
 * then nominal. Without this a tab on every core would read serious or critical from its own work
 * and back off from itself, and the next moment, idle, come back: the volunteer's CPU limit is
 * what bounds the tab's own load. A tab that uses the whole machine cannot tell others' pressure
 * from its own (both read critical): it keeps to its limit.
 * @example othersPressure('critical', 1) // 'nominal' (its own work)
 * @example othersPressure('serious', 0.25) // 'serious' (someone else's)
 */
export function othersPressure(reading: PressureState | null, ownShare: number): PressureState | null {
  if (reading === null) return null;
  return PRESSURE_STATES.indexOf(reading) > PRESSURE_STATES.indexOf(pressureOfLoad(ownShare)) ? reading : 'nominal';
}

/** The tab's workers under the machine's pressure: `halved` when it backs off. */
export interface PressedPlan extends WorkerPlan {
  halved: boolean;
}

/**
 * Backs off under serious pressure: half the workers (at least one), each at its own share.
 * @example underPressure({ workers: 4, workerShare: 1 }, 'serious') // { workers: 2, workerShare: 1, halved: true }
 */
export function underPressure(plan: WorkerPlan, pressure: PressureState | null): PressedPlan {
  if (pressure !== 'serious') return { ...plan, halved: false };
  return { ...plan, workers: Math.max(1, Math.floor(plan.workers / 2)), halved: true };
}

/**
 * Why the machine's state pauses the tab, or null: critical pressure, or a battery discharging
 * below the volunteer's floor (0 turns that off).
 * @example machinePause({ pressure: 'critical', battery: null }, 0.2) // 'pressure'
 * @example machinePause({ pressure: null, battery: { level: 0.15, charging: false } }, 0.2) // 'battery'
 */
export function machinePause(readings: MachineReadings, batteryFloor: number): 'pressure' | 'battery' | null {
  if (readings.pressure === 'critical') return 'pressure';
  const { battery } = readings;
  if (battery && !battery.charging && batteryFloor > 0 && battery.level < batteryFloor) return 'battery';
  return null;
}

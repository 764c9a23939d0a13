import { PRESSURE_STATES, type BatteryReading, type PressureState } from './machine.js';

/** How often the CPU's pressure is sampled. */
const PRESSURE_SAMPLE_MS = 1000;

/** The parts of the Compute Pressure API used here (not in TypeScript's DOM typings yet). */
type PressureObserverConstructor = new (callback: (records: readonly { source: string; state: string }[]) => void) => {
  observe(source: 'cpu', options?: { sampleInterval?: number }): Promise<void>;
};

/** The parts of the Battery Status API's `BatteryManager` used here. */
interface BatteryManager extends EventTarget {
  readonly level: number;
  readonly charging: boolean;
}

/**
 * Follows the CPU's pressure (the Compute Pressure API's `PressureObserver`, source `cpu`).
 * Where the browser has no such API, or refuses to observe, nothing is ever called.
 * @example watchPressure((state) => { readings.pressure = state; apply(); });
 */
export function watchPressure(onChange: (state: PressureState) => void): void {
  const Observer = (globalThis as { PressureObserver?: PressureObserverConstructor }).PressureObserver;
  if (typeof Observer !== 'function') return;
  const refused = (error: unknown): void => console.warn(`[tabgrid] no CPU pressure readings: ${String(error)}`);
  try {
    const observer = new Observer((records) => {
      const latest = records.filter((record) => record.source === 'cpu').at(-1);
      const state = PRESSURE_STATES.find((known) => known === latest?.state);
      if (state) onChange(state);
    });
    observer.observe('cpu', { sampleInterval: PRESSURE_SAMPLE_MS }).catch(refused);
  } catch (error) {
    refused(error);
  }
}

/**
 * Follows the battery (the Battery Status API's `navigator.getBattery()`): its reading now and at
 * every change of level or charging. Where the browser has no such API, nothing is ever called.
 * @example watchBattery((reading) => { readings.battery = reading; apply(); });
 */
export function watchBattery(onChange: (reading: BatteryReading) => void): void {
  const getBattery = (navigator as { getBattery?: () => Promise<BatteryManager> }).getBattery;
  if (typeof getBattery !== 'function') return;
  getBattery.call(navigator).then(
    (battery) => {
      const read = (): void => {
        const { level, charging } = battery;
        if (typeof level === 'number' && level >= 0 && level <= 1 && typeof charging === 'boolean') onChange({ level, charging });
      };
      battery.addEventListener('levelchange', read);
      battery.addEventListener('chargingchange', read);
      read();
    },
    (error: unknown) => console.warn(`[tabgrid] no battery readings: ${String(error)}`),
  );
}

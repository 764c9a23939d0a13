import { workerPlan, type WorkerPlan } from './cores.js';
import { NOTHING_READ, othersPressure, underPressure, type MachineReadings, type PressedPlan, type PressureState } from './machine.js';
import { pauseReason, type VolunteerSettings } from './settings.js';
import { machineLine, pauseLine, workersLine, type PauseReason } from './status.js';
import type { TabLines } from './view.js';

/**
 * What decides a tab's workers and its pauses: the volunteer's settings (read each time, so a
 * changed setting counts at once), the machine's latest readings, its cores and the address's
 * `workers=` cap.
 * @example
 * const tab = new TabConditions(settings, navigator.hardwareConcurrency, workersCap(params));
 * tab.machine.pressure = 'serious';
 * client.setConcurrency(tab.plan().workers);
 */
export class TabConditions {
  readonly machine: MachineReadings = { ...NOTHING_READ };
  readonly #cores: number;

  constructor(
    private readonly settings: Readonly<VolunteerSettings>,
    cores: number,
    private readonly cap: number | undefined,
  ) {
    this.#cores = Math.max(1, Math.floor(cores) || 1);
  }

  /** Tasks the tab runs now: with their share of the time, its own part of the machine's pressure. */
  busy = 0;

  /** The workers now, and each one's share of the time. */
  plan(): PressedPlan {
    return underPressure(this.unpressed(), this.othersPressure());
  }

  /** The pressure the tab did not cause itself (see `othersPressure`). */
  othersPressure(): PressureState | null {
    return othersPressure(this.machine.pressure, (this.busy * this.unpressed().workerShare) / this.#cores);
  }

  /** What the tab would do, whatever the machine's pressure: the workers and shares of its CPU limit. */
  private unpressed(): WorkerPlan {
    return workerPlan(this.#cores, this.settings.cpuShare, this.cap);
  }

  /** Its workers and why it pauses, in a word: the page applies them again when this changes. */
  decision(visibility: DocumentVisibilityState): string {
    return `${this.plan().workers}/${this.pauseReason(visibility) ?? 'working'}`;
  }

  /** The most workers any CPU limit gives this tab: what its `hello` declares. */
  mostWorkers(): number {
    return workerPlan(this.#cores, 1, this.cap).workers;
  }

  pauseReason(visibility: DocumentVisibilityState): PauseReason | null {
    return pauseReason(this.settings, visibility, { ...this.machine, pressure: this.othersPressure() });
  }

  /** What the page shows beside the client's snapshot. */
  lines(reason: PauseReason | null): TabLines {
    return {
      pausedBecause: reason,
      pausedWhy: reason && pauseLine(reason, this.machine, this.settings.batteryFloor),
      workersWhy: workersLine(this.plan(), this.#cores, this.settings.cpuShare, this.cap),
      machine: machineLine(this.machine),
    };
  }
}

import { InvalidArgumentError } from 'commander';

/** Commander argument parser for a whole number within `[min, max]` (negative ones too, where `min` allows them). */
export function integerOption(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < min || number > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    }
    return number;
  };
}

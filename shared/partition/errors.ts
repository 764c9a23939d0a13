/** A spec that parsed but cannot run (a dependency cycle, an unknown blob or job): a 400 naming the field. */
export class InvalidSpecError extends Error {
  override readonly name: string = 'InvalidSpecError';

  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`invalid job spec: ${path}: ${reason}`);
  }
}

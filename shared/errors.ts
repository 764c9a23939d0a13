import { z } from 'zod';

/** The body of every error response from the REST API. */
export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/**
 * Turns zod issues into `[{ path: 'input.chunkSize', message: '...' }]`, the `details` of a 400.
 * @example describeIssues(JobSpec.safeParse({}).error!)
 */
export function describeIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

/** One readable sentence from zod issues: `name: Required; input.items: ...`. */
export function summarizeIssues(error: z.ZodError): string {
  return describeIssues(error)
    .map((issue) => `${issue.path}: ${issue.message}`)
    .join('; ');
}

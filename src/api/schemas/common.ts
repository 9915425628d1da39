import { z } from 'zod';
import { SLUG_PATTERN } from '../../domain/validation.ts';

/** StandardErrorResponse of the Invocation API. */
export const ErrorBody = z.object({ Code: z.string(), Message: z.string() });

export const SlugSchema = z
  .string()
  .max(128)
  .regex(SLUG_PATTERN, 'must be letters, digits, -, _ or . and start and end with a letter or digit');

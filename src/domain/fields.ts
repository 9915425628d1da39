import { z } from 'zod';
import { MAP_KEY_PATTERN, MAX_KEY, MAX_SLUG, SLUG_PATTERN } from './validation.ts';
import { validation } from './errors.ts';

/**
 * Field rules of the Invocation API's entities (SEMANTICS.md "Invocation entity"), as zod schemas
 * so the routes (request schemas) and the domain (validating a merge-patch result) apply the same
 * rules. Limits the documents leave open are chosen here and listed in docs/invocation-api.md.
 */
export const LIMITS = {
  displayName: 256,
  functionName: 256,
  toolchainType: 128,
  labelValue: 128,
  annotationValue: 1024,
  labels: 256,
  annotations: 256,
  deleteGates: 64,
  arguments: 256,
  parameterName: 256,
  argumentString: 16_384,
  /** A patch map may name more keys than a result may hold, because null entries remove keys. */
  patchMapEntries: 1024,
} as const;

/** No control characters (C0, DEL, C1): they break logs, terminals and the where language. */
const NO_CONTROL = /^[^\p{Cc}]*$/u;
/** Label values must be printable and usable as a quoted literal in a `where` expression. */
const LABEL_VALUE = /^[^\p{C}"'\\*]*$/u;

/** A string field whose absence or wrong type is said plainly. */
const str = () =>
  z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') });

/** Zod's own message for a body that is not an object reads "expected object, received null". */
export const objectError = (issue: { code?: string }) =>
  issue.code === 'invalid_type' ? 'must be a JSON object' : undefined;

export const SlugField = str()
  .min(1, 'must not be empty')
  .max(MAX_SLUG, `must be at most ${MAX_SLUG} characters`)
  .regex(SLUG_PATTERN, 'must be letters, digits, -, _ or . and start and end with a letter or digit');

const text = (max: number) =>
  str().max(max, `must be at most ${max} characters`).regex(NO_CONTROL, 'must not contain control characters');

export const DisplayNameField = text(LIMITS.displayName);
export const FunctionNameField = text(LIMITS.functionName);
export const ToolchainTypeField = text(LIMITS.toolchainType).min(1, 'must not be empty');

export const MapKeyField = z
  .string()
  .max(MAX_KEY, `must be at most ${MAX_KEY} characters`)
  .regex(MAP_KEY_PATTERN, 'must be letters, digits, -, _, . or / and start and end with a letter or digit');

export const LabelValueField = str()
  .min(1, 'must not be empty')
  .max(LIMITS.labelValue, `must be at most ${LIMITS.labelValue} characters`)
  .regex(LABEL_VALUE, 'must be printable, without quotes, backslashes or *')
  .refine((v) => v.trim() === v, 'must not start or end with a space');

export const AnnotationValueField = str()
  .max(LIMITS.annotationValue, `must be at most ${LIMITS.annotationValue} characters`);

/**
 * Names the offending key and its problem rather than zod's generic "Invalid key in record"; the
 * key is quoted because a path printed with separators cannot show a key containing `/` or `.`.
 */
const mapError = (issue: { code?: string; input?: unknown; issues?: readonly { message: string }[] }) => {
  if (issue.code === 'invalid_key') {
    return `key '${String(issue.input)}' ${issue.issues?.[0]?.message ?? 'is not allowed'}`;
  }
  if (issue.code === 'invalid_type') return 'must be an object';
  return undefined;
};

const boundedMap = <V extends z.ZodType>(value: V, max: number) =>
  z
    .record(MapKeyField, value, { error: mapError })
    .refine((m) => Object.keys(m).length <= max, `must hold at most ${max} entries`);

export const LabelsField = boundedMap(LabelValueField, LIMITS.labels);
export const AnnotationsField = boundedMap(AnnotationValueField, LIMITS.annotations);
export const DeleteGatesField = boundedMap(z.boolean(), LIMITS.deleteGates);

/** The same maps as they appear in a merge patch: a null value removes that key. */
export const LabelsPatchField = boundedMap(LabelValueField.nullable(), LIMITS.patchMapEntries);
export const AnnotationsPatchField = boundedMap(AnnotationValueField.nullable(), LIMITS.patchMapEntries);
export const DeleteGatesPatchField = boundedMap(z.boolean().nullable(), LIMITS.patchMapEntries);

export const ArgumentField = z.strictObject({
  ParameterName: text(LIMITS.parameterName).min(1, 'must not be empty').optional(),
  Value: z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, a number or a boolean' }).refine(
    (v) => typeof v !== 'string' || v.length <= LIMITS.argumentString,
    `must be at most ${LIMITS.argumentString} characters`,
  ),
});
export const ArgumentsField = z
  .array(ArgumentField, { error: (issue) => (issue.code === 'invalid_type' ? 'must be an array' : undefined) })
  .max(LIMITS.arguments, `must hold at most ${LIMITS.arguments} arguments`);

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
}

/** One line naming every refused field, e.g. `Labels.env: must not be empty; unknown field 'Color'`. */
export function describeIssues(issues: readonly Issue[]): string {
  return issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      const prefix = path ? `${path}: ` : '';
      if (issue.code === 'unrecognized_keys' && issue.keys) {
        const keys = issue.keys.map((k) => `'${k}'`).join(', ');
        return `${prefix}unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}`;
      }
      return `${prefix}${issue.message}`;
    })
    .join('; ');
}

/** Parses with a schema or throws a 400 naming each refused field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, context?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const message = describeIssues(result.error.issues as Issue[]);
  throw validation(context ? `${context}: ${message}` : message);
}

/** Field rules shared by every Invocation API entity (SEMANTICS.md "Invocation entity"). */
export const SLUG_PATTERN = /^[A-Za-z0-9]([-_.A-Za-z0-9]*[A-Za-z0-9])?$/;
export const MAP_KEY_PATTERN = /^[A-Za-z0-9]([-_./A-Za-z0-9]*[A-Za-z0-9])?$/;
export const MAX_SLUG = 128;
export const MAX_KEY = 128;

// Narrowing untrusted values (server answers, bundles, cache entries) without casts.

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `text` as JSON, or undefined when it is not JSON (blank included). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A string with something in it, or undefined. */
export function nonEmptyText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/**
 * The value at a body path ("error.code", "0.errorCode": dot-separated keys, a number for an
 * array index), own properties only; undefined when any step is missing.
 */
export function valueAt(body: unknown, path: string): unknown {
  let node: unknown = body;
  for (const step of path.split('.')) {
    if (Array.isArray(node) && /^\d+$/.test(step)) node = node[Number(step)];
    else if (isRecord(node) && Object.hasOwn(node, step)) node = node[step];
    else return undefined;
  }
  return node;
}

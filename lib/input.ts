// Input data as Zapier hands it to a step: optional text may be missing, empty or padded.

/** Trimmed text, or undefined when there is none. */
export function clean(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

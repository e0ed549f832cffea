// What the doctor takes from the project it runs in rather than ships: TypeScript (to compile a
// .ts profile and to read a profile's or a draft's syntax tree) and Prettier (to format a draft in
// the project's style). The package has no dependencies; each is looked for from the folders
// given (the profile's, the project's), then from the doctor's own place (where `npx` installed
// it, or this repository).
import { createRequire } from 'node:module';
import path from 'node:path';
import type ts from 'typescript';

export type TypeScript = typeof ts;

/** A module the project lacks, with what to install. */
export class MissingModule extends Error {
  override name = 'MissingModule';
}

/** The file `name` resolves to from the first of `folders` (then the doctor's own) that has it. */
export function resolveFrom(name: string, folders: readonly string[]): string | undefined {
  for (const folder of [...folders, __dirname]) {
    try {
      return createRequire(path.join(path.resolve(folder), 'package.json')).resolve(name);
    } catch {
      // not installed there: the next folder
    }
  }
  return undefined;
}

/** `name` as Node loads it from `file` (outside any bundler's or test runner's registry). */
export function requireAt(file: string): unknown {
  return createRequire(file)(file);
}

const loaded = new Map<string, TypeScript>();

/**
 * The project's TypeScript. `needs` begins the error when there is none: "<needs> needs
 * TypeScript …" ("The profile src/profile.ts is TypeScript: it").
 */
export function typescriptFor(folders: readonly string[], needs = 'The doctor'): TypeScript {
  const at = resolveFrom('typescript', folders);
  if (at === undefined)
    throw new MissingModule(
      `${needs} needs TypeScript, which is not installed in ${path.resolve(folders[0] ?? '.')}: run \`npm install --save-dev typescript\` in the project, then the doctor again.`,
    );
  const hit = loaded.get(at);
  if (hit) return hit;
  const module = requireAt(at) as TypeScript;
  loaded.set(at, module);
  return module;
}

/** The project's Prettier (format and resolveConfig), if it has one. */
export function prettierFor(folders: readonly string[]): PrettierLike | undefined {
  const at = resolveFrom('prettier', folders);
  return at === undefined ? undefined : (requireAt(at) as PrettierLike);
}

export interface PrettierLike {
  resolveConfig(file: string): Promise<Record<string, unknown> | null>;
  format(text: string, options: Record<string, unknown>): Promise<string>;
}

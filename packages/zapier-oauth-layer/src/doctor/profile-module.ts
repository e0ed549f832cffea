// Loading a profile file as its own project would, with Node alone and the project's TypeScript:
// a .ts file (and the .ts files it imports) compiled to CommonJS by the project's `typescript` and
// run as a CommonJS module of its folder; a .js/.cjs file required; an ES module imported.
// `import … from 'zapier-oauth-layer'` inside is the project's installed copy, or, where the project
// has none, the doctor's own. Nothing is registered globally: the hooks live as long as one load.
import { existsSync, readFileSync, statSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { typescriptFor, type TypeScript } from './modules';

const TS = /\.[cm]?ts$/;

/** What Node's CommonJS loader has that @types/node does not declare. */
interface NodeModule {
  exports: unknown;
  filename: string;
  paths: string[];
  loaded: boolean;
  require(request: string): unknown;
  _compile(code: string, file: string, format?: string): void;
}
type ModuleClass = {
  new (id: string, parent?: unknown): NodeModule;
  _nodeModulePaths(dir: string): string[];
};

const isLayer = (request: string) =>
  request === 'zapier-oauth-layer' || request.startsWith('zapier-oauth-layer/');

/** The package's own copy of itself: where the doctor runs from (dist/, or this repository). */
function ownLayer(request: string): unknown {
  return createRequire(__filename)(request);
}

/** `request` as `file`'s folder resolves it, zapier-oauth-layer falling back to the doctor's own. */
function requireFrom(file: string, request: string): unknown {
  try {
    return createRequire(file)(request);
  } catch (error) {
    const notFound = (error as { code?: unknown }).code === 'MODULE_NOT_FOUND';
    if (!notFound || !isLayer(request) || !`${(error as Error).message}`.includes(request)) throw error;
    return ownLayer(request);
  }
}

const isFile = (file: string) => existsSync(file) && statSync(file).isFile();

/**
 * The TypeScript file a relative import means, if it is one: `./scopes`, `./scopes.ts`, or
 * `./scopes.js` naming scopes.ts (NodeNext writes the extension of the output), `./dir/index.ts`.
 */
export function typescriptFileOf(request: string, from: string): string | undefined {
  if (!request.startsWith('./') && !request.startsWith('../') && !path.isAbsolute(request)) return undefined;
  const at = path.resolve(path.dirname(from), request);
  const swapped = at.replace(/\.([cm]?)js$/, '.$1ts');
  const candidates = [
    ...(TS.test(at) ? [at] : []),
    ...(swapped !== at ? [swapped] : []),
    ...(isFile(at) ? [] : [`${at}.ts`, `${at}.mts`, `${at}.cts`, path.join(at, 'index.ts')]),
  ];
  return candidates.find(isFile);
}

/** A .ts file and what it imports, each compiled by the project's TypeScript and run once. */
function compileTypescript(entry: string, ts: TypeScript): unknown {
  const modules = new Map<string, NodeModule>();
  const NodeModuleClass = Module as unknown as ModuleClass;
  const load = (file: string): unknown => {
    const known = modules.get(file);
    if (known) return known.exports;
    const module = new NodeModuleClass(file);
    module.filename = file;
    module.paths = NodeModuleClass._nodeModulePaths(path.dirname(file));
    modules.set(file, module);
    module.require = (request: string) => {
      const local = typescriptFileOf(request, file);
      return local ? load(local) : requireFrom(file, request);
    };
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        inlineSourceMap: true,
        verbatimModuleSyntax: false,
      },
    });
    module._compile(outputText, file, 'commonjs');
    module.loaded = true;
    return module.exports;
  };
  return load(entry);
}

/** Whether Node takes a .js file as an ES module: the nearest package.json says "type": "module". */
function inModulePackage(file: string): boolean {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (isFile(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type === 'module';
      } catch {
        return false;
      }
    }
    if (path.dirname(dir) === dir) return false;
  }
}

/** A CommonJS .js/.cjs file, zapier-oauth-layer falling back to the doctor's own copy. */
function requireJavascript(file: string): unknown {
  const loader = Module as unknown as {
    _resolveFilename(request: string, parent: unknown, ...rest: unknown[]): string;
  };
  const original = loader._resolveFilename;
  loader._resolveFilename = function (request, parent, ...rest) {
    try {
      return original.call(this, request, parent, ...rest);
    } catch (error) {
      if (!isLayer(request)) throw error;
      return createRequire(__filename).resolve(request);
    }
  };
  try {
    return createRequire(file)(file);
  } finally {
    loader._resolveFilename = original;
  }
}

/**
 * The exports of a profile file, and the TypeScript that compiled it (for its markers). `spec` is
 * how the user named it, for the error when TypeScript is missing.
 */
export async function loadModule(
  file: string,
  cwd: string,
  spec: string,
): Promise<{ exports: unknown; ts?: TypeScript }> {
  if (TS.test(file)) {
    const ts = typescriptFor(
      [path.dirname(file), cwd],
      `The profile ${spec} is TypeScript, which the doctor compiles with the project's own compiler: it`,
    );
    return { exports: compileTypescript(file, ts), ts };
  }
  if (file.endsWith('.mjs') || (file.endsWith('.js') && inModulePackage(file)))
    // esbuild keeps an import() of a computed URL as it is in the CommonJS bundle: Node's own.
    return { exports: (await import(pathToFileURL(file).href)) as unknown };
  return { exports: requireJavascript(file) };
}

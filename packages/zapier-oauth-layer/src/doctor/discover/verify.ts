// --discover's last step: the draft loads (every placeholder is a value defineProfile accepts)
// and reads what was observed as it was meant, what it does not said in a note; and the text
// written holds that draft and nothing else (read back from its syntax tree).
import { isDeepStrictEqual } from 'node:util';
import type { Expression } from 'typescript';
import { createLayer, defineProfile, profileProblems, type Profile } from '../../internal';
import { toObject, type Branch } from '../draft';
import { typescriptFor, type TypeScript } from '../modules';
import { classifyWith, expiredAnswer } from './draft';
import type { Observations } from './request';

/** Notes on what the draft misreads; throws when it would not load (a defect of --discover). */
export function verify(profile: Branch, obs: Observations): string[] {
  const problems = profileProblems(toObject(profile));
  if (problems.length > 0)
    throw new Error(`the draft would not load (a defect of --discover):\n  - ${problems.join('\n  - ')}`);
  const notes: string[] = [];
  const { tokenProbe, invalid } = obs;
  if (tokenProbe) {
    const layer = createLayer(defineProfile(toObject(profile) as Profile));
    const outcome = layer.normaliseTokenResponse(
      { status: tokenProbe.status, body: tokenProbe.body },
      { grant: 'refresh_token', nowSeconds: obs.nowSeconds, secrets: obs.secrets },
    );
    if (outcome.ok || outcome.problem !== 'invalid_grant')
      notes.push(
        `The draft reads the refusal of a refresh token that cannot exist as ${outcome.ok ? 'tokens' : outcome.problem}, not invalid_grant: check token.errorCode and token.codes.`,
      );
  }
  const expired = expiredAnswer(obs);
  if (expired && classifyWith(profile, expired.answer) !== 'refresh')
    notes.push(
      `The draft reads the expired token's answer as "${classifyWith(profile, expired.answer)}", not "refresh": check signals.codes, signals.statuses and signals.bearerChallenge.`,
    );
  if (invalid) {
    const kind = classifyWith(profile, invalid);
    if (kind !== 'refresh')
      notes.push(
        `The draft reads the invalid-token answer as "${kind}", not "refresh": check signals.body.code and signals.codes.`,
      );
  }
  return notes;
}

/** The value of a literal in the draft's syntax tree; throws on anything that is not one. */
function valueOfLiteral(ts: TypeScript, node: Expression): unknown {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (
    ts.isPrefixUnaryExpression(node) &&
    node.operator === ts.SyntaxKind.MinusToken &&
    ts.isNumericLiteral(node.operand)
  )
    return -Number(node.operand.text);
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (node.kind === ts.SyntaxKind.NullKeyword) return null;
  if (ts.isIdentifier(node) && node.text === 'undefined') return undefined;
  if (ts.isArrayLiteralExpression(node)) return node.elements.map((element) => valueOfLiteral(ts, element));
  if (ts.isObjectLiteralExpression(node)) {
    const out: Record<string, unknown> = {};
    for (const property of node.properties) {
      if (!ts.isPropertyAssignment(property)) throw new Error(`not a plain property: ${property.getText()}`);
      const name = property.name;
      if (!ts.isIdentifier(name) && !ts.isStringLiteral(name) && !ts.isNumericLiteral(name))
        throw new Error(`not a plain key: ${name.getText()}`);
      const value = valueOfLiteral(ts, property.initializer);
      if (value !== undefined) out[name.text] = value;
    }
    return out;
  }
  throw new Error(`not a literal: ${node.getText().slice(0, 80)}`);
}

/**
 * Whether the draft's text is an import, then `export const … = defineProfile(<literal>)` whose
 * literal holds exactly `profile`: read from its syntax tree, never run. Nothing else in it can run
 * when --profile loads it.
 */
export function writtenAs(
  text: string,
  profile: Branch,
  ts: TypeScript = typescriptFor([process.cwd()]),
): boolean {
  const source = ts.createSourceFile('draft.ts', text, ts.ScriptTarget.ES2022, true);
  const [imported, exported, ...more] = source.statements;
  if (!imported || !exported || more.length > 0 || !ts.isImportDeclaration(imported)) return false;
  if (!ts.isVariableStatement(exported) || exported.declarationList.declarations.length !== 1) return false;
  const call = exported.declarationList.declarations[0]?.initializer;
  if (!call || !ts.isCallExpression(call) || call.expression.getText() !== 'defineProfile') return false;
  const [argument, ...others] = call.arguments;
  if (!argument || others.length > 0) return false;
  try {
    return isDeepStrictEqual(valueOfLiteral(ts, argument), toObject(profile));
  } catch {
    return false;
  }
}

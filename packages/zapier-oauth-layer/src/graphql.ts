// GraphQL's conventions as an endpoint family (profile.signals.families), so that a profile
// says a GraphQL endpoint in one line: graphqlFamily({ prefix: '/graphql', codes: {…} }).
//   GraphQL spec, §7.1 "Response": failures are a non-empty `errors` list, each error with a
//     `message` and, for a server's own details, `extensions`; `data` is null when execution
//     failed at its root, and partial beside errors raised by some fields.
//   GraphQL over HTTP (graphql.github.io/graphql-over-http/draft, "application/json"): a
//     well-formed request is answered HTTP 200 whatever errors it raised.
//   Apollo Server's built-in codes in `extensions.code`
//     (apollographql.com/docs/apollo-server/data/errors#built-in-error-codes), which GraphQL
//     Yoga, Hasura and others share.
import type { Family, SignalKind } from './profile';

/**
 * Apollo Server's codes that concern the request as a whole. INTERNAL_SERVER_ERROR is left
 * out on purpose: one field's resolver failing is reported with it beside partial data, which
 * is the step's business; without data the answer is an error all the same.
 */
export const GRAPHQL_CODES: Readonly<Record<string, SignalKind>> = {
  UNAUTHENTICATED: 'refresh', // no valid credentials: a refresh replaces the access token
  FORBIDDEN: 'forbidden', // authenticated, not allowed
  BAD_USER_INPUT: 'validation', // an argument's or a variable's value is invalid
  GRAPHQL_PARSE_FAILED: 'bad_request',
  GRAPHQL_VALIDATION_FAILED: 'bad_request',
  BAD_REQUEST: 'bad_request',
  OPERATION_RESOLUTION_FAILURE: 'bad_request',
};

/**
 * An endpoint family with GraphQL's conventions: errors as a list in `errors` on HTTP 200
 * (a failure when it is not empty, unless it names no known code beside data), each read at
 * `extensions.code` and `message`, Apollo's codes. What `options` names replaces the preset's
 * (body and codes are added to the preset's: GitHub's `{ body: { code: 'type' } }`).
 */
export function graphqlFamily({
  prefix,
  method,
  body,
  codes,
  ...rest
}: { prefix: string | readonly string[]; method?: string } & Partial<Omit<Family, 'match'>>): Family {
  return {
    name: 'graphql',
    envelope: { path: 'errors', nonEmpty: true, data: 'data' },
    ...rest,
    match: method === undefined ? { prefix } : { prefix, method },
    body: { list: 'errors', code: 'extensions.code', message: 'message', ...body },
    codes: { ...GRAPHQL_CODES, ...codes },
  };
}

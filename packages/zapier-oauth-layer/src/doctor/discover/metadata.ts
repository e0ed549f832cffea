// The server's RFC 8414 / OpenID Connect metadata, read with suspicion: it is the test URL's
// server describing where credentials should go, and nothing the user named. An endpoint it names
// is used only on the test URL's origin, or, over https, on the origin of the issuer it names
// (RFC 8414 §2: the authorization server's identifier) when that is https too. Anywhere else
// (another host, another port, plain http to a host the user never named) it is not used: the
// token endpoint is then asked for with --token-url.
import type { Answer } from '../http';
import { httpUrl } from './request';

export type MetadataEndpoint =
  | { url: URL; where: string }
  | { refused: string }
  /** The metadata names none. */
  | null;

function issuerOf(metadata: Record<string, unknown>): URL | null {
  const issuer = metadata.issuer;
  if (typeof issuer !== 'string' || !URL.canParse(issuer)) return null;
  const url = new URL(issuer);
  return url.protocol === 'https:' && !url.username && !url.password ? url : null;
}

/** An endpoint the metadata names, if the doctor may use it; why not, if not. */
export function metadataEndpoint(
  metadata: Record<string, unknown> | null,
  field: string,
  test: URL,
): MetadataEndpoint {
  const value = metadata?.[field];
  if (!metadata || typeof value !== 'string') return null;
  let url: URL;
  try {
    url = httpUrl(value, undefined, `metadata ${field}`);
  } catch {
    return {
      refused: `the server's metadata names ${field} "${value.slice(0, 100)}", not a URL the doctor sends to`,
    };
  }
  if (url.origin === test.origin) return { url, where: "on the test URL's origin" };
  const issuer = issuerOf(metadata);
  if (test.protocol === 'https:' && url.protocol === 'https:' && issuer?.origin === url.origin)
    return { url, where: `on the origin of its https issuer (${issuer.origin})` };
  return {
    refused:
      `the server's metadata names ${field} ${url.origin}${url.pathname}, on another host than the test URL ` +
      `(${test.origin}) and not on an https issuer's: not used`,
  };
}

/** The metadata answer, when it is one (RFC 8414 asks for token_endpoint). */
export function metadataIn(answer: Answer | null): Record<string, unknown> | null {
  const body = answer?.body;
  if (answer?.status !== 200 || typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  return typeof (body as Record<string, unknown>).token_endpoint === 'string'
    ? (body as Record<string, unknown>)
    : null;
}

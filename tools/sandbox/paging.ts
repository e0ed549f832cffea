// Keyset cursor paging. A cursor names the last item's sort key and id rather than an
// offset, so items created between two page fetches neither repeat nor go missing.
import { ApiError } from './errors';

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

interface CursorState {
  s: string; // sort the cursor was issued for
  k: string; // sort key of the last item on the previous page
  i: string; // id of that item
}

export interface PageRequest<T> {
  items: T[];
  id: (item: T) => string;
  // String sort key; ISO timestamps compare correctly as strings. '' sorts last.
  key: (item: T) => string;
  sortName: string;
  direction: 'asc' | 'desc';
  limit: number;
  cursor: string | undefined;
}

function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

function decodeCursor(cursor: string, sortName: string): CursorState {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'k' in parsed &&
      'i' in parsed &&
      's' in parsed &&
      typeof parsed.k === 'string' &&
      typeof parsed.i === 'string' &&
      parsed.s === sortName
    ) {
      return { s: parsed.s, k: parsed.k, i: parsed.i };
    }
  } catch {
    // fall through to the validation error
  }
  throw ApiError.validation({ cursor: 'is not a valid cursor for this list and sort' });
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function paginate<T>(req: PageRequest<T>): Page<T> {
  const sign = req.direction === 'desc' ? -1 : 1;
  const order = (a: T, b: T): number =>
    sign * (compare(req.key(a), req.key(b)) || compare(req.id(a), req.id(b)));
  const sorted = [...req.items].sort(order);

  let startIndex = 0;
  if (req.cursor !== undefined) {
    const after = decodeCursor(req.cursor, req.sortName);
    startIndex = sorted.findIndex(
      (item) => sign * (compare(req.key(item), after.k) || compare(req.id(item), after.i)) > 0,
    );
    if (startIndex === -1) startIndex = sorted.length;
  }

  const data = sorted.slice(startIndex, startIndex + req.limit);
  const last = data[data.length - 1];
  const hasMore = startIndex + req.limit < sorted.length;
  return {
    data,
    next_cursor:
      hasMore && last ? encodeCursor({ s: req.sortName, k: req.key(last), i: req.id(last) }) : null,
  };
}

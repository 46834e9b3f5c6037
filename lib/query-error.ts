/** A request that asks for something it may not (bad dates, unknown names, too wide a span): the caller's mistake, told in words. */
export class QueryError extends Error {
  override name = 'QueryError';
}

/** Produces fresh ids; the server uses UUIDs, tests use a counter. */
export interface IdGenerator {
  next(): string;
}

import { Transform } from "node:stream";

/**
 * A pass-through stream that fails with `tooLarge()` once more than `maxBytes` have gone
 * through: an upload is refused while it streams, whatever its content-length said.
 */
export function byteLimit(maxBytes: number, tooLarge: () => Error): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > maxBytes) done(tooLarge());
      else done(null, chunk);
    },
  });
}

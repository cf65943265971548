/** zod with `.openapi()` metadata, so the handlers' schemas also generate the OpenAPI document. */
import { extendZodWithOpenApi } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";

extendZodWithOpenApi(z);

export { z };

/**
 * An ISO 8601 date-time with an offset, as a string, limited to what PostgreSQL's
 * timestamptz reads: year 0001 on (it refuses "0000") and a UTC offset within ±15:59.
 */
export const dateTimeSchema = z.iso.datetime({ offset: true }).refine(
  (v) => {
    const year = Number(v.slice(0, 4));
    const offset = /([+-])(\d{2}):?(\d{2})$/.exec(v);
    return year >= 1 && (!offset || Number(offset[2]) * 60 + Number(offset[3]) <= 15 * 60 + 59);
  },
  { message: "Use a date-time from year 0001 on, with a UTC offset within ±15:59." },
);

/** zod with `.openapi()` metadata, so the handlers' schemas also generate the OpenAPI document. */
import { extendZodWithOpenApi } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";

extendZodWithOpenApi(z);

/**
 * zod's own messages ("Too small: expected number to be >=1") in plain words, without the field:
 * every place that shows them puts the field first ("Overlap: must be at least 1", the API's
 * `details[].path`). A schema's own message ("Give the campaign a name.") still wins.
 */
z.config({
  customError: (iss) => {
    const n = (v: unknown) => String(v);
    switch (iss.code) {
      case "too_small":
        if (iss.origin === "string") return Number(iss.minimum) <= 1 ? "must not be empty" : `must be at least ${n(iss.minimum)} characters`;
        if (iss.origin === "array" || iss.origin === "set") return `needs at least ${n(iss.minimum)} ${Number(iss.minimum) === 1 ? "item" : "items"}`;
        return `must be ${iss.inclusive === false ? "above" : "at least"} ${n(iss.minimum)}`;
      case "too_big":
        if (iss.origin === "string") return `must be at most ${n(iss.maximum)} characters`;
        if (iss.origin === "array" || iss.origin === "set") return `takes at most ${n(iss.maximum)} items`;
        return `must be ${iss.inclusive === false ? "below" : "at most"} ${n(iss.maximum)}`;
      case "invalid_type":
        if (iss.input === undefined) return "is required";
        return iss.expected === "int" ? "must be a whole number" : `must be ${/^[aeiou]/.test(iss.expected) ? "an" : "a"} ${iss.expected}`;
      case "invalid_value":
        return iss.values.length === 1 ? `must be ${JSON.stringify(iss.values[0])}` : `must be one of ${iss.values.map((v) => JSON.stringify(v)).join(", ")}`;
      case "invalid_union":
        // A missing field of a union type (a prompt, a response) said only "Invalid input".
        return iss.input === undefined ? "is required" : undefined;
      case "invalid_format":
        return iss.format === "uuid" ? "must be a UUID" : iss.format === "email" ? "must be an email address" : `must be a valid ${iss.format}`;
      default:
        return undefined; // zod's own
    }
  },
});

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

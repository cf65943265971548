import { describe, expect, it } from "vitest";
import { parseResponse } from "./prompt-format";
import { END_OF_TEXT } from "./tokenizer";

describe("parseResponse", () => {
  it("cuts at end-of-text, trims, and makes a sampled NUL storable", () => {
    expect(parseResponse(` A port.${END_OF_TEXT} more`)).toBe("A port.");
    expect(parseResponse("  no end  ")).toBe("no end");
    expect(parseResponse(" a\u0000b")).toBe("a\uFFFDb");
  });
});

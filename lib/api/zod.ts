/** zod with `.openapi()` metadata, so the handlers' schemas also generate the OpenAPI document. */
import { extendZodWithOpenApi } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";

extendZodWithOpenApi(z);

export { z };

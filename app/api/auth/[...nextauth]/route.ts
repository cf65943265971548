import { apiRoute } from "@/lib/api/handler";
import { authRoute } from "@/lib/auth/route";

const handler = apiRoute(authRoute);

export { handler as GET, handler as POST };

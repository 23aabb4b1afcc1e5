import { latest } from "../../releases";

export function GET() {
  return Response.json({ status: "ok", version: latest().version });
}

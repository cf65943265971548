import { roleValues } from "@/db/values";

/** The options of a role select: every role, as it is stored. */
export function RoleOptions() {
  return roleValues.map((role) => (
    <option key={role} value={role}>
      {role}
    </option>
  ));
}

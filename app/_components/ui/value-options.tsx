/**
 * The options of a select over one of db/values.ts's lists, in the list's order. With `labels`,
 * each value is shown in its words, and a value added to the list without words fails the
 * typecheck; without, each is shown as it is stored (roles, a campaign's status).
 */
export function ValueOptions<V extends string>({ values, labels }: { values: readonly V[]; labels?: NoInfer<Record<V, string>> }) {
  return values.map((value) => (
    <option key={value} value={value}>
      {labels ? labels[value] : value}
    </option>
  ));
}

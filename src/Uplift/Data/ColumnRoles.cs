namespace Uplift.Data;

/// <summary>
/// Which columns of a campaign file play which part (METHOD.md section 1): the treatment T (0/1), the value V and
/// the cost C are required; a known propensity, a sample weight and a user id are optional.
/// <see cref="Features"/> lists the feature columns; null (default) = every column not used by a role.
/// Names are case-sensitive and must match the header exactly.
/// </summary>
/// <param name="Treatment">Column of the treatment: 1 = treated, 0 = control, or labels, several arms included (see <see cref="Control"/>).</param>
/// <param name="Value">Column of the value V (e.g. revenue, conversion).</param>
/// <param name="Cost">Column of the cost C (e.g. coupon cost).</param>
public sealed record ColumnRoles(string Treatment, string Value, string Cost)
{
    /// <summary>Optional column of known propensities P(T=1|x), each strictly between 0 and 1.</summary>
    public string? Propensity { get; init; }
    /// <summary>Optional column of non-negative sample weights.</summary>
    public string? Weight { get; init; }
    /// <summary>Optional column of user ids, carried through to scores as text.</summary>
    public string? Id { get; init; }
    /// <summary>
    /// The label of the control group in the treatment column, for a column whose labels are not one of the known
    /// pairs (0/1, false/true, no/yes, f/t, control/treatment, control/treated, case-insensitive): one other label is
    /// the treated group, several are the treatment arms (see <see cref="TreatmentLabels"/>). Null (default): the known
    /// pairs, or the numbers 0..K. Saved with the preprocessor, so a model reads the treatment of new data the same way.
    /// </summary>
    public string? Control { get; init; }
    /// <summary>Feature columns; null (default) = all columns not used by a role. Must not be empty.</summary>
    public IReadOnlyList<string>? Features { get; init; }

    /// <summary>The role columns that are set, as (role, column) pairs, in a fixed order.</summary>
    public IEnumerable<(string Role, string Column)> RoleColumns()
    {
        yield return ("treatment", Treatment);
        yield return ("value", Value);
        yield return ("cost", Cost);
        if (Propensity is not null) yield return ("propensity", Propensity);
        if (Weight is not null) yield return ("weight", Weight);
        if (Id is not null) yield return ("id", Id);
    }

    /// <summary>
    /// Checks these roles against <paramref name="table"/> and returns the same roles with <see cref="Features"/>
    /// resolved to an explicit list. Throws <see cref="UpliftDataException"/> when a column is missing (the message
    /// lists the available ones), when a column is named for two roles or twice as a feature, or when no feature is left.
    /// </summary>
    public ColumnRoles Bind(RawTable table)
    {
        CheckNames(table.Source);
        var missing = RoleColumns().Where(p => !table.Contains(p.Column)).ToList();
        if (missing.Count > 0)
        {
            string what = string.Join(", ", missing.Select(p => $"'{p.Column}' ({p.Role})"));
            throw new UpliftDataException($"column(s) {what} not found; available columns: {table.DescribeColumns()}", table.Source, column: missing[0].Column);
        }
        if (Features is null)
        {
            var used = RoleColumns().Select(p => p.Column).ToHashSet(StringComparer.Ordinal);
            var features = table.Columns.Select(c => c.Name).Where(n => !used.Contains(n)).ToArray();
            if (features.Length == 0)
                throw new UpliftDataException("no feature columns: every column is used by a role", table.Source);
            return this with { Features = features };
        }
        var absent = Features.Where(f => !table.Contains(f)).ToList();
        if (absent.Count > 0)
            throw new UpliftDataException(
                $"feature column(s) {string.Join(", ", absent.Select(a => $"'{a}'"))} not found; available columns: {table.DescribeColumns()}",
                table.Source, column: absent[0]);
        return this with { Features = Features.ToArray() };
    }

    /// <summary>Checks the names alone: non-empty, no column for two roles, features distinct, not roles, not empty.</summary>
    internal void CheckNames(string? source)
    {
        var roleOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (role, column) in RoleColumns())
        {
            if (string.IsNullOrEmpty(column)) throw new UpliftDataException($"the {role} column name is empty", source);
            if (!roleOf.TryAdd(column, role))
                throw new UpliftDataException($"column '{column}' is named twice in the roles: as {roleOf[column]} and as {role}", source, column: column);
        }
        if (Control is not null && Control.Trim().Length == 0)
            throw new UpliftDataException("the control label is empty", source);
        if (Features is null) return;
        if (Features.Count == 0)
            throw new UpliftDataException("the feature list is empty; name at least one feature column (or none, to use all other columns)", source);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in Features)
        {
            if (string.IsNullOrEmpty(f)) throw new UpliftDataException("a feature column name is empty", source);
            if (roleOf.TryGetValue(f, out var role))
                throw new UpliftDataException($"column '{f}' is named twice in the roles: as {role} and as a feature", source, column: f);
            if (!seen.Add(f)) throw new UpliftDataException($"column '{f}' is named twice in the feature list", source, column: f);
        }
    }
}

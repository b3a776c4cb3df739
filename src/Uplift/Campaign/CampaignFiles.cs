using Uplift.Data;

namespace Uplift.Campaign;

/// <summary>
/// The campaign's files as tables: the assignment file (columns ID, <c>group</c>, <c>score</c>, one row per
/// candidate, where ID is named as the candidates' id column, e.g. <c>user_id</c>; <c>id</c> when unnamed) and the
/// outcome file (an id column and the observed value and cost of each user).
/// <para>Reading an assignment file, its id column is the one named, else its only column besides <c>group</c> and
/// <c>score</c>, else <c>id</c>.</para>
/// </summary>
public static class CampaignFiles
{
    /// <summary>Column names of the assignment file (<see cref="IdColumn"/> is the id column's name when none is given).</summary>
    public const string IdColumn = "id", GroupColumn = "group", ScoreColumn = "score";
    /// <summary>Columns of a multi-arm assignment file: the arm given and the arm of the budget path (<see cref="AssignedUser"/>).</summary>
    public const string ArmColumn = "arm", PolicyArmColumn = "policy_arm";

    /// <summary>The group's name in the assignment file: explore-treatment, explore-control, exploit-treated, untreated.</summary>
    public static string GroupName(CampaignGroup g) => g switch
    {
        CampaignGroup.ExploreTreatment => "explore-treatment",
        CampaignGroup.ExploreControl => "explore-control",
        CampaignGroup.ExploitTreated => "exploit-treated",
        CampaignGroup.Untreated => "untreated",
        _ => throw new ArgumentOutOfRangeException(nameof(g)),
    };

    /// <summary>The group of a name written by <see cref="GroupName"/>; null when unknown.</summary>
    public static CampaignGroup? ParseGroup(string? name) => name switch
    {
        "explore-treatment" => CampaignGroup.ExploreTreatment,
        "explore-control" => CampaignGroup.ExploreControl,
        "exploit-treated" => CampaignGroup.ExploitTreated,
        "untreated" => CampaignGroup.Untreated,
        _ => null,
    };

    /// <summary>True for the groups that receive the treatment.</summary>
    public static bool IsTreated(CampaignGroup g) => g is CampaignGroup.ExploreTreatment or CampaignGroup.ExploitTreated;

    /// <summary>The assignment file's table, in input order, its id column named <paramref name="idColumn"/>.</summary>
    public static RawTable AssignmentTable(string source, IReadOnlyList<AssignedUser> users, string idColumn = IdColumn)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentException.ThrowIfNullOrEmpty(idColumn);
        if (idColumn is GroupColumn or ScoreColumn)
            throw new UpliftOptionException("id", $"the id column cannot be called '{idColumn}' (another column of the assignment file).");
        var columns = new List<RawColumn>
        {
            RawColumn.Text(idColumn, users.Select(u => (string?)u.Id).ToArray()),
            RawColumn.Text(GroupColumn, users.Select(u => (string?)GroupName(u.Group)).ToArray()),
        };
        if (users.Count > 0 && users[0].Arm is not null)
        {
            if (idColumn is ArmColumn or PolicyArmColumn)
                throw new UpliftOptionException("id", $"the id column cannot be called '{idColumn}' (another column of the assignment file).");
            columns.Add(RawColumn.Text(ArmColumn, users.Select(u => u.Arm).ToArray()));
        }
        columns.Add(RawColumn.Numeric(ScoreColumn, users.Select(u => u.Score).ToArray()));
        if (users.Count > 0 && users[0].Arm is not null) columns.Add(RawColumn.Text(PolicyArmColumn, users.Select(u => u.PolicyArm).ToArray()));
        return new RawTable(source, users.Count, columns);
    }

    /// <summary>Read options that keep an id column as text (so "007" stays "007").</summary>
    public static TableReadOptions TextIds(string idColumn) => new() { TextColumns = [idColumn] };

    /// <summary>The id column of an assignment file with these columns: <paramref name="idColumn"/> when given, else the
    /// only column besides group and score, else <see cref="IdColumn"/>.</summary>
    public static string AssignmentIdColumn(IReadOnlyList<string> columns, string source, string? idColumn = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (idColumn is not null) return idColumn;
        bool multi = columns.Contains(ArmColumn) && columns.Contains(PolicyArmColumn);
        var others = columns.Where(c => c is not GroupColumn and not ScoreColumn && !(multi && c is ArmColumn or PolicyArmColumn)).ToList();
        if (others.Count == 1) return others[0];
        if (others.Contains(IdColumn)) return IdColumn;
        throw new UpliftDataException(
            $"cannot tell the id column of the assignment file: expected one column besides '{GroupColumn}' and '{ScoreColumn}', found " +
            (others.Count == 0 ? "none" : string.Join(", ", others.Take(10).Select(c => $"'{c}'"))) + ".", source);
    }

    /// <summary>Reads an assignment file (its id column as text, found by <see cref="AssignmentIdColumn"/>); returns the
    /// users and the id column's name.</summary>
    public static (List<AssignedUser> Users, string IdColumn) ReadAssignmentFile(string path, string? idColumn = null)
    {
        IReadOnlyList<string> columns;
        using (var header = TableChunkReader.Open(path, [])) columns = header.FileColumns;
        string id = AssignmentIdColumn(columns, path, idColumn);
        var text = new List<string> { id };
        foreach (var c in new[] { ArmColumn, PolicyArmColumn }) if (columns.Contains(c) && c != id) text.Add(c);
        return (ReadAssignments(TableReader.Read(path, new TableReadOptions { TextColumns = [.. text] }), id), id);
    }

    /// <summary>Reads an assignment table (columns ID, group, score; the id column found by <see cref="AssignmentIdColumn"/>).</summary>
    public static List<AssignedUser> ReadAssignments(RawTable table, string? idColumn = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        string idName = AssignmentIdColumn(table.Columns.Select(c => c.Name).ToList(), table.Source, idColumn);
        var id = Require(table, idName, "id");
        var group = Require(table, GroupColumn, "group");
        var score = OutcomeColumns.Numbers(table, ScoreColumn);
        RawColumn? arm = idName is ArmColumn ? null : table.Find(ArmColumn), policy = idName is PolicyArmColumn ? null : table.Find(PolicyArmColumn);
        if (arm is null != policy is null)
            throw new UpliftDataException($"a multi-arm assignment file needs both '{ArmColumn}' and '{PolicyArmColumn}' columns.", table.Source);
        var users = new List<AssignedUser>(table.Rows);
        for (int i = 0; i < table.Rows; i++)
        {
            string? text = id.TextAt(i);
            if (string.IsNullOrEmpty(text)) throw new UpliftDataException("empty user id.", table.Source, row: i + 1, column: idName);
            var g = ParseGroup(group.TextAt(i))
                ?? throw new UpliftDataException($"unknown group '{group.TextAt(i)}'; expected explore-treatment, explore-control, exploit-treated or untreated.",
                    table.Source, row: i + 1, column: GroupColumn);
            string? a = arm?.TextAt(i), pa = policy?.TextAt(i);
            if (arm is not null && (string.IsNullOrEmpty(a) || string.IsNullOrEmpty(pa)))
                throw new UpliftDataException("empty arm label.", table.Source, row: i + 1, column: string.IsNullOrEmpty(a) ? ArmColumn : PolicyArmColumn);
            users.Add(new AssignedUser(text, score[i], g, a, pa));
        }
        return users;
    }

    /// <summary>Reads observed outcomes: an id, a value and a cost column.</summary>
    public static List<UserOutcome> ReadOutcomes(RawTable table, string idColumn, string valueColumn, string costColumn)
    {
        ArgumentNullException.ThrowIfNull(table);
        var id = Require(table, idColumn, "id");
        Require(table, valueColumn, "value");
        Require(table, costColumn, "cost");
        var v = OutcomeColumns.Numbers(table, valueColumn, "value");
        var c = OutcomeColumns.Numbers(table, costColumn, "cost");
        var outcomes = new List<UserOutcome>(table.Rows);
        for (int i = 0; i < table.Rows; i++)
        {
            string? text = id.TextAt(i);
            if (string.IsNullOrEmpty(text)) throw new UpliftDataException("empty user id.", table.Source, row: i + 1, column: idColumn);
            outcomes.Add(new UserOutcome(text, v[i], c[i]));
        }
        return outcomes;
    }

    static RawColumn Require(RawTable table, string column, string role) => table.Find(column)
        ?? throw new UpliftDataException($"missing {role} column '{column}'. Columns: {table.DescribeColumns()}", table.Source, column: column);
}

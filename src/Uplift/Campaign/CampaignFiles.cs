using Uplift.Data;

namespace Uplift.Campaign;

/// <summary>
/// The campaign's files as tables: the assignment file (columns <c>id</c>, <c>group</c>, <c>score</c>, one row per
/// candidate) and the outcome file (an id column and the observed value and cost of each user).
/// </summary>
public static class CampaignFiles
{
    /// <summary>Column names of the assignment file.</summary>
    public const string IdColumn = "id", GroupColumn = "group", ScoreColumn = "score";

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

    /// <summary>The assignment file's table, in input order.</summary>
    public static RawTable AssignmentTable(string source, IReadOnlyList<AssignedUser> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        return new RawTable(source, users.Count,
        [
            RawColumn.Text(IdColumn, users.Select(u => (string?)u.Id).ToArray()),
            RawColumn.Text(GroupColumn, users.Select(u => (string?)GroupName(u.Group)).ToArray()),
            RawColumn.Numeric(ScoreColumn, users.Select(u => u.Score).ToArray()),
        ]);
    }

    /// <summary>Read options that keep an id column as text (so "007" stays "007").</summary>
    public static TableReadOptions TextIds(string idColumn) => new() { TextColumns = [idColumn] };

    /// <summary>Reads an assignment table (columns id, group, score).</summary>
    public static List<AssignedUser> ReadAssignments(RawTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var id = Require(table, IdColumn, "id");
        var group = Require(table, GroupColumn, "group");
        var score = OutcomeColumns.Numbers(table, ScoreColumn);
        var users = new List<AssignedUser>(table.Rows);
        for (int i = 0; i < table.Rows; i++)
        {
            string? text = id.TextAt(i);
            if (string.IsNullOrEmpty(text)) throw new UpliftDataException("empty user id.", table.Source, row: i + 1, column: IdColumn);
            var g = ParseGroup(group.TextAt(i))
                ?? throw new UpliftDataException($"unknown group '{group.TextAt(i)}'; expected explore-treatment, explore-control, exploit-treated or untreated.",
                    table.Source, row: i + 1, column: GroupColumn);
            users.Add(new AssignedUser(text, score[i], g));
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

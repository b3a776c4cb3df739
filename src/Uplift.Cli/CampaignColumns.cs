using System.CommandLine;
using Uplift.Data;

namespace Uplift.Cli;

/// <summary>
/// The options that name a campaign file and its columns (--data, --treatment, --control, --value, --cost, --id,
/// --features, --exclude), shared by 'train' and 'compare'.
/// </summary>
sealed class CampaignColumns
{
    readonly Option<string> _data = new("--data") { Description = "Past campaign (.csv, .csv.gz or .parquet) with one row per user.", Required = true };
    readonly Option<string> _treatment = new("--treatment") { Description = Common.TreatmentHelp, Required = true };
    readonly Option<string?> _control = Common.Control();
    readonly Option<string> _value = new("--value") { Description = "Value outcome column (what the business wants more of).", Required = true };
    readonly Option<string> _cost = new("--cost") { Description = "Cost outcome column (what the treatment costs; may be negative).", Required = true };
    readonly Option<string?> _id = new("--id") { Description = "User id column, carried through to scores (never a feature)." };
    readonly Option<string?> _propensity = new("--propensity") { Description = "Known propensity column P(T=1|x), for non-randomized data." };
    readonly Option<string?> _weight = new("--weight") { Description = "Sample weight column." };
    readonly Option<string?> _features = new("--features") { Description = "Feature columns, comma-separated (default: all other columns)." };
    readonly Option<string?> _exclude = new("--exclude") { Description = "Columns to leave out when features are 'all other columns'." };

    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { _data, _treatment, _control, _value, _cost, _id, _propensity, _weight, _features, _exclude })
            cmd.Options.Add(o);
    }

    /// <summary>The campaign file (--data).</summary>
    public string Data(ParseResult r) => r.GetValue(_data)!;

    /// <summary>The column roles of the flags (--features null = all other columns).</summary>
    public ColumnRoles Roles(ParseResult r)
    {
        var roles = new ColumnRoles(r.GetValue(_treatment)!, r.GetValue(_value)!, r.GetValue(_cost)!)
        {
            Control = r.GetValue(_control), Id = r.GetValue(_id), Propensity = r.GetValue(_propensity), Weight = r.GetValue(_weight),
            Features = Common.SplitList(r.GetValue(_features)),
        };
        UpliftOptionException.Check(roles.Features is null || r.GetValue(_exclude) is null, "--exclude", "use either --features or --exclude, not both.");
        return roles;
    }

    /// <summary>How the library loads the campaign: --exclude narrows "all other columns" (<see cref="CampaignLoadOptions.ExcludeFeatures"/>).</summary>
    public CampaignLoadOptions LoadOptions(ParseResult r) => new() { ExcludeFeatures = Common.SplitList(r.GetValue(_exclude)) };
}

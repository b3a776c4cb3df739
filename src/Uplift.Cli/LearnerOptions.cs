using System.CommandLine;
using System.Globalization;
using Uplift.Models;

namespace Uplift.Cli;

/// <summary>
/// The command-line options of every learner, shared by 'train' and 'compare': one option per flag name of the
/// registrations in <see cref="LearnerCatalog.All"/> (a flag several learners declare is one option). Whole numbers and
/// numbers are parsed by the command line; the registrations turn the text into options and say which flags apply to
/// which learner. Unset options keep the library defaults, so the CLI never invents its own.
/// </summary>
sealed class LearnerOptions
{
    readonly (string Name, Option Option)[] _options =
    [
        .. LearnerCatalog.FlagNames.Select(name => (name, Create(name, LearnerCatalog.Declarations(name)))),
    ];

    static Option Create(string name, IReadOnlyList<LearnerFlag> declarations)
    {
        string? description = declarations.Select(d => d.Description).FirstOrDefault(d => d is not null);
        return declarations[0].Value switch
        {
            FlagValue.WholeNumber => new Option<int?>(name) { Description = description },
            FlagValue.Number => new Option<double?>(name) { Description = description },
            _ => new Option<string?>(name) { Description = description },
        };
    }

    public void AddTo(Command cmd)
    {
        foreach (var (_, o) in _options) cmd.Options.Add(o);
    }

    /// <summary>The learners (catalog names) an option applies to, e.g. ["causal-forest"] for --trees.</summary>
    internal IReadOnlyList<string> AppliesTo(string option) => LearnerCatalog.LearnersTaking(option);

    /// <summary>The option names with the learners each applies to (for tests and help).</summary>
    internal IEnumerable<(string Option, IReadOnlyList<string> Models)> Mapping =>
        _options.Select(o => (o.Name, LearnerCatalog.LearnersTaking(o.Name)));

    /// <summary>
    /// The settings of every learner from the options given, after checking that each given option applies to at
    /// least one of <paramref name="models"/> (catalog names).
    /// </summary>
    public LearnerSettings Build(ParseResult r, IReadOnlyList<string> models)
    {
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, option) in _options)
        {
            if (r.GetResult(option) is null) continue;
            string? text = option switch
            {
                Option<int?> i => r.GetValue(i)?.ToString(CultureInfo.InvariantCulture),
                Option<double?> d => r.GetValue(d)?.ToString("R", CultureInfo.InvariantCulture),
                Option<string?> s => r.GetValue(s),
                _ => null,
            };
            if (text is not null) given[name] = text;
        }
        return LearnerCatalog.FromFlags(given, models);
    }
}

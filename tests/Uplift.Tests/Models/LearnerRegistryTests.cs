using System.Reflection;
using Uplift.Cli;
using Uplift.Engine;
using Uplift.Models;
using Uplift.Models.Forest;
using Uplift.Models.Meta;
using Uplift.Models.Ranking;
using Xunit;

namespace Uplift.Tests.Models;

/// <summary>The catalog is the one list of learners: names, CLI flags and which flag applies to which learner derive from it.</summary>
public class LearnerRegistryTests
{
    [Fact]
    public void Names_are_the_registrations_in_catalog_order()
    {
        Assert.Equal(["drm", "crm", "rlearner", "duality-rlearner", "causal-forest", "tlearner", "auto"], LearnerCatalog.Names);
        Assert.Equal(LearnerCatalog.All.Select(r => r.Name), LearnerCatalog.Names);
        Assert.Equal(LearnerCatalog.All.Count, LearnerCatalog.All.Select(r => r.OptionsType).Distinct().Count());
    }

    [Theory]
    [InlineData("train")]
    [InlineData("compare")]
    public void Every_registered_flag_is_one_option_of_the_command(string command)
    {
        var cmd = UpliftCli.Create().Subcommands.Single(c => c.Name == command);
        var names = cmd.Options.Select(o => o.Name).ToList();
        foreach (var r in LearnerCatalog.All)
            foreach (var f in r.Flags)
                Assert.Equal(1, names.Count(n => n == f.Name));
        foreach (var flag in LearnerCatalog.FlagNames)
        {
            var option = cmd.Options.Single(o => o.Name == flag);
            var declarations = LearnerCatalog.Declarations(flag);
            Assert.Equal(declarations.First(d => d.Description is not null).Description, option.Description);
            Assert.All(declarations, d => Assert.Equal(declarations[0].Value, d.Value));
        }
    }

    [Fact]
    public void Every_flag_is_described_once()
    {
        foreach (var flag in LearnerCatalog.FlagNames)
        {
            var described = LearnerCatalog.Declarations(flag).Select(d => d.Description).OfType<string>().Distinct().ToList();
            Assert.True(described.Count == 1, $"{flag}: {described.Count} different descriptions");
        }
    }

    /// <summary>A value every declaring learner of the flag takes.</summary>
    static string Sample(LearnerFlag f) => f.Choices?[0] ?? f.Value switch
    {
        FlagValue.WholeNumber => "3",
        FlagValue.Number => "0.1",
        _ => f.Name == "--hidden" ? "8" : "0.1,0.2",
    };

    [Fact]
    public void A_flag_applies_to_exactly_the_learners_whose_registration_declares_it()
    {
        var mapping = new LearnerOptions().Mapping.ToDictionary(m => m.Option, m => m.Models);
        Assert.Equal(LearnerCatalog.FlagNames, mapping.Keys);
        foreach (var flag in LearnerCatalog.FlagNames)
        {
            var declaring = LearnerCatalog.All.Where(r => r.Flags.Any(f => f.Name == flag)).Select(r => r.Name).ToList();
            Assert.Equal(declaring, mapping[flag]);
            var given = new Dictionary<string, string> { [flag] = Sample(LearnerCatalog.Declarations(flag)[0]) };
            foreach (var name in LearnerCatalog.Names)
            {
                if (declaring.Contains(name)) LearnerCatalog.FromFlags(given, [name]);
                else
                {
                    var e = Assert.Throws<UpliftOptionException>(() => LearnerCatalog.FromFlags(given, [name]));
                    Assert.Equal(flag, e.Option);
                    Assert.StartsWith("applies to ", e.Detail);
                }
            }
        }
    }

    [Fact]
    public void Flags_set_the_options_of_every_learner_that_takes_them()
    {
        var s = LearnerCatalog.FromFlags(new Dictionary<string, string>
        {
            ["--steps"] = "7", ["--lambda"] = "0.25", ["--base"] = "BOOSTED", ["--propensity-model"] = "constant",
            ["--preset"] = "paper", ["--trees"] = "11", ["--hidden"] = "4,2",
        }, ["drm", "causal-forest", "tlearner"]);
        Assert.Equal(7, s.Get<DrmOptions>().Steps);
        Assert.Equal(7, s.Get<CrmOptions>().Drm.Steps);
        Assert.Equal([4, 2], s.Get<CrmOptions>().Drm.HiddenSizes);
        Assert.Equal(ScorerKind.Mlp, s.Get<DrmOptions>().Scorer);
        Assert.Equal(0.25, s.Get<DrmOptions>().Lambda);
        Assert.Equal(0.25, s.Get<CausalForestOptions>().Lambda);
        Assert.Equal(BaseLearnerKind.Boosted, s.Get<TLearnerOptions>().BaseLearner);
        Assert.Equal(BaseLearnerKind.Boosted, s.Get<DualityRLearnerOptions>().RLearner.BaseLearner);
        Assert.Equal(PropensityMode.Constant, s.Get<CausalForestOptions>().Propensity);
        Assert.Equal(CausalForestOptions.Paper with { NumTrees = 11, Propensity = PropensityMode.Constant, Lambda = 0.25 }, s.Get<CausalForestOptions>());

        // A choice only some learners take goes to those only, and must be taken by one of the chosen.
        var logistic = LearnerCatalog.FromFlags(new Dictionary<string, string> { ["--propensity-model"] = "logistic" }, ["rlearner", "causal-forest"]);
        Assert.Equal(PropensityKind.Logistic, logistic.Get<RLearnerOptions>().Propensity);
        Assert.Equal(PropensityMode.Forest, logistic.Get<CausalForestOptions>().Propensity);
        var e = Assert.Throws<UpliftOptionException>(() =>
            LearnerCatalog.FromFlags(new Dictionary<string, string> { ["--propensity-model"] = "forest" }, ["rlearner"]));
        Assert.Equal("forest applies to causal-forest only, not to rlearner.", e.Detail);
        e = Assert.Throws<UpliftOptionException>(() =>
            LearnerCatalog.FromFlags(new Dictionary<string, string> { ["--propensity-model"] = "cubic" }, ["rlearner"]));
        Assert.Equal("'cubic': use constant, logistic (rlearner and duality-rlearner) or forest (causal-forest).", e.Detail);
    }

    [Fact]
    public void Settings_hold_one_record_per_options_type()
    {
        var s = new LearnerSettings();
        Assert.Same(LearnerCatalog.Find("drm")!.DefaultOptions, s.Get<DrmOptions>());
        var drm = new DrmOptions { Steps = 9 };
        var t = s.With(drm);
        Assert.Same(drm, t.Get<DrmOptions>());
        Assert.NotSame(drm, s.Get<DrmOptions>());
        Assert.Throws<ArgumentException>(() => s.With(new Uplift.Models.Linear.RidgeOptions()));
    }

    /// <summary>Every NameTable of the library (public or internal types), found by reflection (so a new one is checked too).</summary>
    public static TheoryData<string> Tables => [.. AllTables().Select(t => t.Name)];

    static IEnumerable<(string Name, object Table)> AllTables() =>
        typeof(UpliftException).Assembly.GetTypes()
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Static))
            .Where(p => p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() == typeof(NameTable<>))
            .Select(p => ($"{p.DeclaringType!.Name}.{p.Name}", p.GetValue(null)!));

    [Fact]
    public void The_enum_tables_are_found() =>
        Assert.True(AllTables().Count() >= 12, string.Join(", ", AllTables().Select(t => t.Name)));

    [Theory]
    [MemberData(nameof(Tables))]
    public void Every_enum_table_round_trips_every_value(string name)
    {
        var table = AllTables().Single(t => t.Name == name).Table;
        typeof(LearnerRegistryTests).GetMethod(nameof(RoundTrip), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(table.GetType().GetGenericArguments()[0]).Invoke(null, [table]);
    }

    static void RoundTrip<T>(NameTable<T> table) where T : struct, Enum
    {
        Assert.Equal(Enum.GetValues<T>().Order(), table.Values.Order());
        foreach (var v in Enum.GetValues<T>())
        {
            string n = table.Name(v);
            Assert.Equal(v, table.Parse(n, "--x"));
            Assert.Equal(v, table.Parse($" {n.ToUpperInvariant()} ", "--x"));
            Assert.Equal(v, table.Of(n));
        }
        var e = Assert.Throws<UpliftOptionException>(() => table.Parse("no-such-name", "--x"));
        Assert.Equal($"'no-such-name': use {table.Choices}.", e.Detail);
    }

    [Fact]
    public void Objective_spellings_are_the_command_lines()
    {
        Assert.Equal(["ratio", "softplus-ratio", "smooth-abs-ratio", "lagrangian"], EngineNames.Objective.Names);
        Assert.Equal("ratio, softplus-ratio, smooth-abs-ratio or lagrangian", EngineNames.Objective.Choices);
    }

    [Fact]
    public void Fit_information_is_typed_and_saved_as_the_last_two_options()
    {
        var data = Uplift.Synthetic.SyntheticCampaign.Generate(new Uplift.Synthetic.SyntheticOptions { Rows = 400, Features = 5, Seed = 2, MaxThreads = 1 }).Data;
        var model = new DrmLearner(new DrmOptions { Steps = 5, Restarts = 1 }).FitRanking(data, null, new FitContext(1, 1));
        Assert.Equal(new RankingFitInfo(AppliedSelection.TrainingObjective, true), model.FitInfo);
        Assert.False(model.Options.ContainsKey("selectionApplied"));
        var options = model.Save()["options"]!.AsObject();
        Assert.Equal(["selectionApplied", "outcomeBaselineApplied"], options.Select(p => p.Key).TakeLast(2));
        Assert.Equal("training-objective", (string)options["selectionApplied"]!);
        var loaded = RankingModel.Load(model.Save());
        Assert.Equal(model.FitInfo, loaded.FitInfo);
        Assert.Equal(model.Save().ToJsonString(), loaded.Save().ToJsonString());

        // a file without them loads without fit information; a wrong value is named
        var bare = model.Save();
        bare["options"]!.AsObject().Remove("selectionApplied");
        bare["options"]!.AsObject().Remove("outcomeBaselineApplied");
        Assert.Null(RankingModel.Load(bare).FitInfo);
        var bad = model.Save();
        bad["options"]!["selectionApplied"] = "best";
        Assert.Contains("selectionApplied", Assert.ThrowsAny<UpliftException>(() => RankingModel.Load(bad)).Message);
    }
}

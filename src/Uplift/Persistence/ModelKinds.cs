using System.Text.Json.Nodes;
using Uplift.Models;
using Uplift.Models.Forest;
using Uplift.Models.Meta;
using Uplift.Models.Ranking;

namespace Uplift.Persistence;

/// <summary>The loaders of every model kind the model file can hold, by kind name.</summary>
public static class ModelKinds
{
    static readonly Dictionary<string, Func<JsonObject, IUpliftModel>> Loaders = new(StringComparer.Ordinal)
    {
        ["drm"] = RankingModel.Load,
        ["crm"] = RankingModel.Load,
        ["rlearner"] = RLearnerModel.Load,
        ["duality-rlearner"] = DualityRLearnerModel.Load,
        ["causal-forest"] = CausalForestModel.Load,
        ["tlearner"] = TLearnerModel.Load,
    };

    public static IReadOnlyCollection<string> Names => Loaders.Keys;

    public static IUpliftModel Load(string kind, JsonObject model, string source)
    {
        if (!Loaders.TryGetValue(kind, out var load))
            throw new UpliftException($"{source}: unknown model kind '{kind}' (this library reads: {string.Join(", ", Loaders.Keys)}).");
        return load(model);
    }
}

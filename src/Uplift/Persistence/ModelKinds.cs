using Uplift.IO;
using Uplift.Models;
using Uplift.Models.Forest;
using Uplift.Models.Meta;
using Uplift.Models.Ranking;

namespace Uplift.Persistence;

/// <summary>The loaders of every model kind the model file can hold, by kind name.</summary>
public static class ModelKinds
{
    static readonly Dictionary<string, Func<ModelJson, IUpliftModel>> Loaders = new(StringComparer.Ordinal)
    {
        ["drm"] = RankingModel.Load,
        ["crm"] = RankingModel.Load,
        ["rlearner"] = RLearnerModel.Load,
        ["duality-rlearner"] = DualityRLearnerModel.Load,
        ["causal-forest"] = CausalForestModel.Load,
        ["tlearner"] = TLearnerModel.Load,
    };

    public static IReadOnlyCollection<string> Names => Loaders.Keys;

    /// <summary>Reads the "model" section of kind <paramref name="kind"/>; its own "kind" must agree.</summary>
    internal static IUpliftModel Load(string kind, ModelJson model)
    {
        if (!Loaders.TryGetValue(kind, out var load))
            throw new UpliftException($"{model.Source}: unknown model kind '{ModelJson.Clip(kind, 60)}' (this library reads: {string.Join(", ", Loaders.Keys)}).");
        string inner = model.String("kind");
        if (inner != kind) throw model.Error("kind", $"is '{ModelJson.Clip(inner, 60)}' but the file's kind is '{kind}'");
        return load(model);
    }
}

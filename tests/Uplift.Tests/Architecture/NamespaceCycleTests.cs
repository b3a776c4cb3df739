using Xunit;

namespace Uplift.Tests.Architecture;

/// <summary>
/// The namespaces of the Uplift assembly depend on each other in one direction (docs/ARCHITECTURE.md): the graph
/// read from the assembly's metadata (<see cref="NamespaceGraph"/>: signatures, base types, attributes and the
/// operands of every method body) has no cycle.
/// </summary>
public class NamespaceCycleTests
{
    static string AssemblyPath => typeof(UpliftException).Assembly.Location;

    /// <summary>Every reference.</summary>
    static readonly Lazy<NamespaceGraph> Full = new(() => NamespaceGraph.Read(AssemblyPath));


    [Fact]
    public void EngineNamesNoModel() =>
        Assert.False(Full.Value.Edges.TryGetValue("Uplift.Engine", out var to) && to.ContainsKey("Uplift.Models"),
            $"Uplift.Engine uses Uplift.Models ({to?.GetValueOrDefault("Uplift.Models")}); the engine's types belong to Uplift.Engine.");

    [Fact]
    public void EvaluationNamesNoModel() =>
        Assert.False(Full.Value.Edges.TryGetValue("Uplift.Evaluation", out var to) && to.ContainsKey("Uplift.Models"),
            $"Uplift.Evaluation uses Uplift.Models ({to?.GetValueOrDefault("Uplift.Models")}); evaluation needs only scores and (T, V, C).");

    [Theory]
    [InlineData("Uplift.Engine", "Uplift.Models")]
    [InlineData("Uplift.Models", "Uplift.Evaluation")]
    [InlineData("Uplift.Engine", "Uplift.Evaluation")]
    public void NoCycleBetween(string a, string b)
    {
        var g = Full.Value;
        var ab = g.Path(a, b);
        var ba = g.Path(b, a);
        Assert.True(ab is null || ba is null,
            $"namespace cycle {a} ⇄ {b}:\n  {(ab is null ? "" : g.Describe(ab))}\n  {(ba is null ? "" : g.Describe(ba))}");
    }

    [Fact]
    public void NoNamespaceCycle()
    {
        var g = Full.Value;
        var cycles = g.Cycles();
        Assert.True(cycles.Count == 0, "namespace cycles:\n" + string.Join("\n", cycles.Select(c =>
            "  " + string.Join(" ⇄ ", c) + ": " + g.Describe(g.Path(c[0], c[1])!) + "; " + g.Describe(g.Path(c[1], c[0])!)))
            + "\nall edges:\n" + g.Dump());
    }

    [Fact]
    public void TheGraphIsRead()
    {
        // guards the reader itself: known dependencies must be found (a field or signature type, a call, a base type)
        var e = Full.Value.Edges;
        Assert.True(e["Uplift.Models"].ContainsKey("Uplift.Engine"), "the ranking models use the engine");
        Assert.True(e["Uplift.Models"].ContainsKey("Uplift.Data"), "the learners fit a Dataset");
        Assert.True(e["Uplift.Persistence"].ContainsKey("Uplift.Models"), "the model file loads models");
        Assert.True(e["Uplift.Models"].ContainsKey("Uplift.Evaluation"), "the ranking trainer selects by validation AUCC");
    }
}

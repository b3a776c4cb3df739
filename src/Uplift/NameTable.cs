namespace Uplift;

/// <summary>
/// The one spelling of each value of an enum, as the command line, the model file and the messages write it
/// (e.g. <c>smooth-abs-ratio</c> for <c>Objective.SmoothAbsRatio</c>). One table per enum, declared next to it.
/// Parsing trims and ignores case ("Ratio" = "ratio"); every value of the enum has exactly one name.
/// </summary>
public sealed class NameTable<TEnum> where TEnum : struct, Enum
{
    readonly (TEnum Value, string Name)[] _pairs;

    public NameTable(params (TEnum Value, string Name)[] pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        foreach (var v in Enum.GetValues<TEnum>())
            if (pairs.Count(p => p.Value.Equals(v)) != 1) throw new ArgumentException($"{typeof(TEnum).Name}.{v} needs exactly one name");
        if (pairs.Select(p => p.Name.ToLowerInvariant()).Distinct().Count() != pairs.Length)
            throw new ArgumentException($"two values of {typeof(TEnum).Name} share a name");
        _pairs = pairs;
        Names = [.. pairs.Select(p => p.Name)];
        Values = [.. pairs.Select(p => p.Value)];
    }

    /// <summary>The names, in the table's order (the order messages list them in).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The values, in the order of <see cref="Names"/>.</summary>
    public IReadOnlyList<TEnum> Values { get; }

    /// <summary>"a, b or c": the names for a message.</summary>
    public string Choices => Wording.Or(Names);

    /// <summary>The name of <paramref name="value"/>.</summary>
    public string Name(TEnum value)
    {
        foreach (var (v, n) in _pairs)
            if (v.Equals(value)) return n;
        throw new ArgumentOutOfRangeException(nameof(value), value, $"not a {typeof(TEnum).Name}");
    }

    /// <summary>The value whose name is exactly <paramref name="name"/> (as a model file holds it, checked by the loader).</summary>
    public TEnum Of(string name)
    {
        foreach (var (v, n) in _pairs)
            if (n == name) return v;
        throw new ArgumentException($"'{name}' is not a name of {typeof(TEnum).Name}", nameof(name));
    }

    /// <summary>The value named <paramref name="text"/> (trimmed, any case), or false.</summary>
    public bool TryParse(string? text, out TEnum value)
    {
        foreach (var (v, n) in _pairs)
            if (string.Equals(text?.Trim(), n, StringComparison.OrdinalIgnoreCase)) { value = v; return true; }
        value = default;
        return false;
    }

    /// <summary>The value named <paramref name="text"/> (trimmed, any case); anything else is an
    /// <see cref="UpliftOptionException"/> for <paramref name="option"/>: "'x': use a, b or c."</summary>
    public TEnum Parse(string text, string option) =>
        TryParse(text, out var v) ? v : throw new UpliftOptionException(option, $"'{text}': use {Choices}.");
}

/// <summary>Lists of names in messages.</summary>
internal static class Wording
{
    /// <summary>"a", "a or b", "a, b or c".</summary>
    internal static string Or(IReadOnlyList<string> names) => Join(names, " or ");

    /// <summary>"a", "a and b", "a, b and c".</summary>
    internal static string And(IReadOnlyList<string> names) => Join(names, " and ");

    static string Join(IReadOnlyList<string> names, string last) =>
        names.Count == 1 ? names[0] : string.Join(", ", names.Take(names.Count - 1)) + last + names[^1];
}

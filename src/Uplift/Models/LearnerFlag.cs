using System.Globalization;

namespace Uplift.Models;

/// <summary>What a learner flag's value is; the command line parses it as such before the flag sees its text.</summary>
public enum FlagValue
{
    /// <summary>A whole number, e.g. --steps 1500.</summary>
    WholeNumber,
    /// <summary>A number, e.g. --learning-rate 0.01.</summary>
    Number,
    /// <summary>Text: a name or a comma-separated list, e.g. --objective ratio, --hidden 64,32.</summary>
    Text,
}

/// <summary>
/// A command-line flag of a learner, as plain data: its name, help text, the kind of value, and (for a choice) the
/// names this learner accepts. Several learners may declare the same name (--lambda, --base): the command line shows
/// one option, with the first declaring learner's <see cref="Description"/> (the others leave it null).
/// </summary>
public abstract class LearnerFlag
{
    private protected LearnerFlag(string name, string? description, FlagValue value, IReadOnlyList<string>? choices)
    {
        Name = name; Description = description; Value = value; Choices = choices;
    }

    /// <summary>The flag as typed, e.g. "--steps".</summary>
    public string Name { get; }
    /// <summary>Help text; null when another learner declaring the same flag describes it.</summary>
    public string? Description { get; }
    public FlagValue Value { get; }
    /// <summary>The names this learner accepts (null = any text): a value only some learners accept applies to those only.</summary>
    public IReadOnlyList<string>? Choices { get; }

    /// <summary>True when this learner takes <paramref name="value"/> (always, unless the flag is a choice).</summary>
    public bool Accepts(string value) =>
        Choices is null || Choices.Any(c => string.Equals(c, value.Trim(), StringComparison.OrdinalIgnoreCase));
}

/// <summary>A flag of the learner whose options are <typeparamref name="TOptions"/>: how its text sets the options.</summary>
public sealed class LearnerFlag<TOptions> : LearnerFlag where TOptions : class
{
    readonly Func<TOptions, string, TOptions> _apply;

    public LearnerFlag(string name, string? description, FlagValue value, Func<TOptions, string, TOptions> apply,
        IReadOnlyList<string>? choices = null) : base(name, description, value, choices)
    {
        _apply = apply ?? throw new ArgumentNullException(nameof(apply));
    }

    /// <summary>The options with the flag's value applied; a bad value is an <see cref="UpliftOptionException"/> naming the flag.</summary>
    public TOptions Apply(TOptions options, string value) => _apply(options, value);

    /// <summary>The same flag on options that hold these (the CRM's DRM part, the duality R-learner's R-learner part).</summary>
    public LearnerFlag<TOuter> Over<TOuter>(Func<TOuter, TOptions> get, Func<TOuter, TOptions, TOuter> set) where TOuter : class =>
        new(Name, Description, Value, (o, v) => set(o, _apply(get(o), v)), Choices);
}

/// <summary>Builders of the flags of <typeparamref name="TOptions"/>, parsing the text by <see cref="FlagText"/>.</summary>
public static class Flag<TOptions> where TOptions : class
{
    public static LearnerFlag<TOptions> Int(string name, string? description, Func<TOptions, int, TOptions> apply) =>
        new(name, description, FlagValue.WholeNumber, (o, v) => apply(o, FlagText.Int(v, name)));

    public static LearnerFlag<TOptions> Number(string name, string? description, Func<TOptions, double, TOptions> apply) =>
        new(name, description, FlagValue.Number, (o, v) => apply(o, FlagText.Number(v, name)));

    public static LearnerFlag<TOptions> Text(string name, string? description, Func<TOptions, string, TOptions> apply) =>
        new(name, description, FlagValue.Text, apply);

    /// <summary>A flag naming a value of <typeparamref name="TEnum"/> by its <paramref name="table"/>.</summary>
    public static LearnerFlag<TOptions> Choice<TEnum>(string name, string? description, NameTable<TEnum> table,
        Func<TOptions, TEnum, TOptions> apply) where TEnum : struct, Enum =>
        new(name, description, FlagValue.Text, (o, v) => apply(o, table.Parse(v, name)), table.Names);
}

/// <summary>The text of a flag as numbers (invariant culture); errors name the flag.</summary>
public static class FlagText
{
    public static int Int(string s, string flag) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
            : throw new UpliftOptionException(flag, $"expects a whole number, got '{Shorten(s)}'.");

    public static double Number(string s, string flag) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
            : throw new UpliftOptionException(flag, $"expects a number, got '{Shorten(s)}'.");

    /// <summary>"64,32": positive whole numbers separated by commas.</summary>
    public static int[] PositiveInts(string s, string flag)
    {
        var parts = s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var r = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out r[i]) || r[i] < 1)
                throw new UpliftOptionException(flag, $"expected positive integers separated by commas, got '{s}'.");
        return r;
    }

    /// <summary>"0.1,0.2": at least one number, separated by commas.</summary>
    public static double[] Numbers(string s, string flag)
    {
        var parts = s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var r = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out r[i]))
                throw new UpliftOptionException(flag, $"expected numbers separated by commas, got '{s}'.");
        UpliftOptionException.Check(r.Length > 0, flag, "give at least one value.");
        return r;
    }

    static string Shorten(string s) => s.Length <= 80 ? s : s[..77] + "...";
}

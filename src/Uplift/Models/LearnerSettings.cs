using System.Collections.Immutable;

namespace Uplift.Models;

/// <summary>
/// The options of any set of learners, one record per options type (a learner uses only its own); a learner whose
/// options are absent uses its registration's defaults. Immutable: <see cref="With{TOptions}"/> returns a copy.
/// </summary>
public sealed class LearnerSettings
{
    readonly ImmutableDictionary<Type, object> _options;

    public LearnerSettings() : this(ImmutableDictionary<Type, object>.Empty) { }
    LearnerSettings(ImmutableDictionary<Type, object> options) => _options = options;

    /// <summary>These settings with <paramref name="options"/> for the learner(s) whose options are a <typeparamref name="TOptions"/>.</summary>
    public LearnerSettings With<TOptions>(TOptions options) where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(options);
        Registration(typeof(TOptions));
        return new(_options.SetItem(typeof(TOptions), options));
    }

    /// <summary>The options of type <typeparamref name="TOptions"/>: as set, else the registration's defaults.</summary>
    public TOptions Get<TOptions>() where TOptions : class => (TOptions)Get(typeof(TOptions));

    internal object Get(Type type) => _options.TryGetValue(type, out var o) ? o : Registration(type).DefaultOptions;

    internal LearnerSettings With(Type type, object options) => new(_options.SetItem(type, options));

    static LearnerRegistration Registration(Type type) =>
        LearnerCatalog.All.FirstOrDefault(r => r.OptionsType == type)
        ?? throw new ArgumentException($"no registered learner takes {type.Name}", nameof(type));
}

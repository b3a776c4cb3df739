using Uplift.IO;
using Uplift.Models.MultiArm;

namespace Uplift.Models;

/// <summary>
/// Everything the library and the command line know of one learner: its name, its options record and their
/// defaults, how to create the learner, how to load its fitted model from a model file, and its command-line flags.
/// Each learner declares one, in its own folder; <see cref="LearnerCatalog.All"/> lists them.
/// <para>Several arms (METHOD.md section 10) are handled here, once for every learner: <see cref="Create(LearnerSettings)"/>
/// returns the binary learner inside a <see cref="PerArmLearner"/> (one arm: the binary fit itself; K arms: one head per
/// arm, calibrated when it only scores), and <see cref="Load"/> reads a <see cref="PerArmModel"/> (recognised by its
/// "arms") with the binary loader for each head. With that generic path every learner takes any number of arms, so a
/// registration declares no arm limit.</para>
/// </summary>
public abstract class LearnerRegistration
{
    private protected LearnerRegistration(string name) => Name = name;

    /// <summary>The learner's name on the command line and in the model file ("kind"), e.g. "drm".</summary>
    public string Name { get; }
    /// <summary>The type of the learner's options record.</summary>
    public abstract Type OptionsType { get; }
    /// <summary>The options the learner uses when none are given.</summary>
    public abstract object DefaultOptions { get; }
    /// <summary>The flags, in the order they are applied.</summary>
    public abstract IReadOnlyList<LearnerFlag> Flags { get; }
    /// <summary>The learner, with its options from <paramref name="settings"/> (its defaults when absent).</summary>
    public abstract IUpliftLearner Create(LearnerSettings settings);
    /// <summary>Reads the "model" section of a model file of this kind.</summary>
    internal abstract IUpliftModel Load(ModelJson model);
    /// <summary><paramref name="options"/> with the flags of <paramref name="given"/> that are this learner's applied, in <see cref="Flags"/> order.</summary>
    internal abstract object ApplyFlags(object options, IReadOnlyDictionary<string, string> given);
}

/// <summary>The registration of a learner whose options are <typeparamref name="TOptions"/>.</summary>
public sealed class LearnerRegistration<TOptions> : LearnerRegistration where TOptions : class
{
    readonly Func<TOptions, IUpliftLearner> _create;
    readonly Func<ModelJson, IUpliftModel> _load;
    readonly IReadOnlyList<LearnerFlag<TOptions>> _flags;

    internal LearnerRegistration(string name, TOptions defaults, Func<TOptions, IUpliftLearner> create,
        Func<ModelJson, IUpliftModel> load, IReadOnlyList<LearnerFlag<TOptions>> flags) : base(name)
    {
        Defaults = defaults; _create = create; _load = load; _flags = flags;
    }

    /// <summary>The options the learner uses when none are given.</summary>
    public TOptions Defaults { get; }
    public override Type OptionsType => typeof(TOptions);
    public override object DefaultOptions => Defaults;
    public override IReadOnlyList<LearnerFlag> Flags => _flags;
    /// <summary>The learner of any number of arms with these options (<see cref="PerArmLearner"/> around the binary learner).</summary>
    public IUpliftLearner Create(TOptions options) => new PerArmLearner(_create(options));
    public override IUpliftLearner Create(LearnerSettings settings) => Create(settings.Get<TOptions>());
    internal override IUpliftModel Load(ModelJson model) => !PerArmModel.IsPerArm(model) ? _load(model)
        : GatingModel.IsGating(model) ? (_create(Defaults) is IGatingLearner ? GatingModel.Load(model, Name)
            : throw model.Error("armModel", $"a {Name} model cannot be a learned gating (only drm and crm learn one)"))
        : PerArmModel.Load(model, Name, _load);

    internal override object ApplyFlags(object options, IReadOnlyDictionary<string, string> given)
    {
        var o = (TOptions)options;
        foreach (var f in _flags)
            if (given.TryGetValue(f.Name, out var value) && f.Accepts(value)) o = f.Apply(o, value);
        return o;
    }
}

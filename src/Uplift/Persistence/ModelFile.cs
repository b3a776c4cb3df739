using System.Text.Json;
using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Models;
using Uplift.IO;

namespace Uplift.Persistence;

/// <summary>
/// A trained model as a file: a versioned, human-readable JSON document holding the schema
/// (feature names and encodings), the preprocessing fitted on the training rows, the model's weights,
/// the options and seed it was trained with, and the library version.
/// <para>Format (version <see cref="FormatVersion"/>):
/// <c>{ "format": "uplift-model", "formatVersion": 1, "libraryVersion", "createdUtc", "kind", "seed",
/// "options": {...}, "preprocessor": {...}, "model": {...}, "metrics": {...} }</c>.
/// Writing is atomic: the document goes to a temporary file in the target folder, which then replaces
/// the target in one rename, so a crash never leaves a half-written model.</para>
/// </summary>
public sealed class ModelFile
{
    public const string FormatName = "uplift-model";
    public const int FormatVersion = 1;

    public IUpliftModel Model { get; }
    public Preprocessor Preprocessor { get; }
    public long Seed { get; }
    /// <summary>The options as given at training time (free-form, for the record).</summary>
    public JsonObject Options { get; }
    /// <summary>Metrics measured at training time (validation and test AUCC...), for the record.</summary>
    public JsonObject Metrics { get; }
    public string LibraryVersion { get; }
    public DateTime CreatedUtc { get; }
    /// <summary>The model's cost curve on its validation users (null when trained without one); prices a budget plan without --eval.</summary>
    public Uplift.Evaluation.ValidationCurve? ValidationCurve { get; init; }

    public ModelFile(IUpliftModel model, Preprocessor preprocessor, long seed, JsonObject? options = null,
        JsonObject? metrics = null, string? libraryVersion = null, DateTime? createdUtc = null)
    {
        Model = model;
        Preprocessor = preprocessor;
        Seed = seed;
        Options = options ?? new JsonObject();
        Metrics = metrics ?? new JsonObject();
        LibraryVersion = libraryVersion ?? UpliftInfo.Version;
        CreatedUtc = createdUtc ?? DateTime.UtcNow;
    }

    /// <summary>The preprocessing and the model as one fitted component that scores raw tables.</summary>
    public FittedPipeline Pipeline => new(Preprocessor, Model);

    /// <summary>Scores raw rows: applies the stored preprocessing (checking the columns match), then the model
    /// (on at most <paramref name="maxThreads"/> threads, null = all cores; the scores do not depend on it).</summary>
    public double[] Score(RawTable table, int? maxThreads = null) => Pipeline.Score(table, maxThreads);

    public JsonObject ToJson() => new()
    {
        ["format"] = FormatName,
        ["formatVersion"] = FormatVersion,
        ["libraryVersion"] = LibraryVersion,
        ["createdUtc"] = CreatedUtc.ToString("O"),
        ["kind"] = Model.Kind,
        ["seed"] = Seed,
        ["options"] = Options.DeepClone(),
        ["metrics"] = Metrics.DeepClone(),
        ["preprocessor"] = Preprocessor.ToJson(),
        ["model"] = Model.Save(),
        ["validationCurve"] = ValidationCurve?.ToJson(),
    };

    /// <summary>Writes the model through <see cref="AtomicFile"/> (temporary file, then rename over the target;
    /// missing folders are created).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var json = ToJson();
        AtomicFile.Write(path, stream =>
        {
            using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteTo(writer);
        });
    }

    /// <summary>
    /// The largest model file <see cref="Load(string)"/> reads: 2,000,000,000 bytes (just under the largest single
    /// buffer .NET can hold; a forest's biggest field is a base64 string, and .NET strings stop at 1 G characters).
    /// </summary>
    public const long MaxFileBytes = 2_000_000_000;

    /// <summary>
    /// Reads a model file. Refused with an <see cref="UpliftException"/> naming the file (and the JSON path of the
    /// field, when one is wrong): a missing path, a directory, anything that is not a regular file of at least one
    /// byte (a device such as /dev/zero, a FIFO or a pipe, checked before opening so nothing blocks), a file larger
    /// than <see cref="MaxFileBytes"/> (checked before reading), invalid JSON, duplicate keys, nesting deeper than
    /// 64, and every field of the wrong type or out of range (see <see cref="ModelJson"/> for the bounds).
    /// </summary>
    public static ModelFile Load(string path) => Load(path, MaxFileBytes);

    internal static ModelFile Load(string path, long maxBytes)
    {
        var root = ModelJson.Parse(ReadCapped(path, maxBytes), path);
        try { return FromJson(root); }
        finally { root.Release(); }
    }

    /// <summary>The bytes of a regular file of 1..<paramref name="maxBytes"/> bytes, checked by its metadata before opening.</summary>
    internal static byte[] ReadCapped(string path, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0) throw new UpliftException("model file: the path is empty.");
        FileInfo info;
        try
        {
            if (Directory.Exists(path)) throw new UpliftException($"{path}: is a directory, not a model file.");
            info = new FileInfo(path);
            if (info.LinkTarget is not null)
            {
                // FileInfo describes the link itself: look at what it finally points to.
                var target = File.ResolveLinkTarget(path, returnFinalTarget: true);
                if (target is not FileInfo { Exists: true } file)
                    throw new UpliftException($"{path}: is a link to something that is not a file (a pipe, a terminal or a missing path); a model file must be a regular file.");
                info = file;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UpliftException($"{path}: cannot read the model file ({e.Message}).");
        }
        if (!info.Exists) throw new UpliftException($"{path}: model file not found.");
        // A device, a FIFO or a pipe reports size 0: refusing size 0 refuses them without opening (a FIFO would block).
        if (info.Length == 0) throw new UpliftException($"{path}: is empty or not a regular file (a device, a FIFO or a pipe); a model file must be a saved model.");
        if (info.Length > maxBytes)
            throw new UpliftException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{path}: is {info.Length:N0} bytes, larger than the {maxBytes:N0}-byte limit of a model file."));
        try
        {
            using var stream = new FileStream(info.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            var bytes = new byte[info.Length];
            int n = 0;
            while (n < bytes.Length)
            {
                int r = stream.Read(bytes, n, bytes.Length - n);
                if (r == 0) break;
                n += r;
            }
            if (n < bytes.Length || stream.ReadByte() >= 0)
                throw new UpliftException($"{path}: the model file changed size while it was read; try again.");
            return bytes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UpliftException($"{path}: cannot read the model file ({e.Message}).");
        }
    }

    /// <summary>Reads a model document held in memory (see <see cref="Load(string)"/> for what is refused).</summary>
    public static ModelFile FromJson(JsonObject root, string source = "model") => FromJson(ModelJson.FromNode(root, "", source));

    internal static ModelFile FromJson(ModelJson root)
    {
        string source = root.Source;
        if (!root.IsObject) throw new UpliftException($"{source}: not a model file (expected a JSON object, got {ModelJson.Describe(root.Element)}).");
        if (root.Optional("format") is not { } format || format.Element.ValueKind != JsonValueKind.String || format.Element.GetString() != FormatName)
            throw new UpliftException($"{source}: not an Uplift model file (missing \"format\": \"{FormatName}\").");
        int version = root.Int("formatVersion");
        if (version != FormatVersion)
            throw new UpliftException($"{source}: model format version {version} is not supported by this library (reads version {FormatVersion}); retrain or use a matching Uplift version.");
        string kind = root.String("kind");
        var modelNode = root.Object("model");
        var preNode = root.Object("preprocessor");
        IUpliftModel model = LearnerCatalog.Load(kind, modelNode);
        var preprocessor = Preprocessor.FromModelJson(preNode);
        if (model.Features != preprocessor.FeatureNames.Count)
            throw modelNode.Error(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"takes {model.Features} features but the preprocessor makes {preprocessor.FeatureNames.Count}"));
        long seed = root.OptionalLong("seed") ?? 0;
        string? libraryVersion = root.OptionalString("libraryVersion");
        DateTime? created = root.OptionalString("createdUtc") is { } c && DateTime.TryParse(c, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.RoundtripKind, out var t) ? t : null;
        // Optional sections: kept for the record. A new optional section is read here too, from
        // root.OptionalNode("name") (null when absent) or with the typed accessors of root.Optional("name").
        var options = root.Optional("options")?.ToObject();
        var metrics = root.Optional("metrics")?.ToObject();
        return new ModelFile(model, preprocessor, seed, options, metrics, libraryVersion, created)
        {
            ValidationCurve = Uplift.Evaluation.ValidationCurve.FromJson(root.OptionalNode("validationCurve"), source),
        };
    }
}

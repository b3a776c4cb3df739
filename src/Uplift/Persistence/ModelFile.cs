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
    public int Seed { get; }
    /// <summary>The options as given at training time (free-form, for the record).</summary>
    public JsonObject Options { get; }
    /// <summary>Metrics measured at training time (validation and test AUCC...), for the record.</summary>
    public JsonObject Metrics { get; }
    public string LibraryVersion { get; }
    public DateTime CreatedUtc { get; }
    /// <summary>The model's cost curve on its validation users (null when trained without one); prices a budget plan without --eval.</summary>
    public Uplift.Evaluation.ValidationCurve? ValidationCurve { get; init; }

    public ModelFile(IUpliftModel model, Preprocessor preprocessor, int seed, JsonObject? options = null,
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

    /// <summary>Scores raw rows: applies the stored preprocessing (checking the columns match), then the model.</summary>
    public double[] Score(RawTable table)
    {
        var data = Preprocessor.Transform(table, requireOutcomes: false);
        return Model.Score(data);
    }

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

    public static ModelFile Load(string path)
    {
        if (!File.Exists(path)) throw new UpliftException($"{path}: model file not found.");
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new UpliftException($"{path}: not a model file (expected a JSON object).");
        }
        catch (JsonException e)
        {
            throw new UpliftException($"{path}: not a model file (invalid JSON: {e.Message}).");
        }
        return FromJson(root, path);
    }

    public static ModelFile FromJson(JsonObject root, string source = "model")
    {
        if ((string?)root["format"] != FormatName)
            throw new UpliftException($"{source}: not an Uplift model file (missing \"format\": \"{FormatName}\").");
        int version = (int?)root["formatVersion"] ?? -1;
        if (version != FormatVersion)
            throw new UpliftException($"{source}: model format version {version} is not supported by this library (reads version {FormatVersion}); retrain or use a matching Uplift version.");
        string kind = (string?)root["kind"] ?? throw new UpliftException($"{source}: model file has no \"kind\".");
        var modelNode = root["model"] as JsonObject ?? throw new UpliftException($"{source}: model file has no \"model\" section.");
        var preNode = root["preprocessor"] as JsonObject ?? throw new UpliftException($"{source}: model file has no \"preprocessor\" section.");
        IUpliftModel model = ModelKinds.Load(kind, modelNode, source);
        return new ModelFile(model, Preprocessor.FromJson(preNode), (int?)root["seed"] ?? 0,
            root["options"]?.DeepClone() as JsonObject, root["metrics"]?.DeepClone() as JsonObject,
            (string?)root["libraryVersion"], DateTime.TryParse((string?)root["createdUtc"], null,
                System.Globalization.DateTimeStyles.RoundtripKind, out var t) ? t : null)
        { ValidationCurve = Uplift.Evaluation.ValidationCurve.FromJson(root["validationCurve"], source) };
    }
}

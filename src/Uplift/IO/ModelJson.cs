using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Uplift.IO;

/// <summary>
/// Typed, path-naming reads of a model file's JSON. A <see cref="ModelJson"/> is one JSON value of the file with
/// its path ("model.layers[1]") and the file's name; every accessor checks the JSON type and the range of what it
/// reads and throws an <see cref="UpliftException"/> that names both ("model.json: model.layers[1].weights[17] must
/// be a finite number, got null"). Nothing here trusts a declared size: array lengths come from the arrays present.
/// <para>Bounds (<see cref="MaxMagnitude"/>): every weight, coefficient, leaf value, observation and mean is finite
/// with |x| &lt;= 1e30 (so a float cannot overflow on scoring); counts and sizes are whole numbers in the stated
/// range and are checked against the lengths of the arrays they describe before anything is allocated.</para>
/// </summary>
internal sealed class ModelJson
{
    /// <summary>The largest magnitude of a stored number (weights, coefficients, leaf values, means...).</summary>
    public const double MaxMagnitude = 1e30;
    /// <summary>JSON nesting depth cap (a model file nests about 8 deep).</summary>
    public const int MaxDepth = 64;

    public JsonElement Element { get; }
    /// <summary>The JSON path of this value ("" for the document root).</summary>
    public string Path { get; }
    /// <summary>The file (or "model") the value comes from, for messages.</summary>
    public string Source { get; }

    JsonDocument? _document;

    /// <summary>Returns the parsed document's buffers (of a value made by <see cref="Parse"/>); its values are unusable after.</summary>
    public void Release() => _document?.Dispose();

    public ModelJson(JsonElement element, string path, string source)
    {
        Element = element; Path = path; Source = source;
    }

    /// <summary>Parses a whole document: duplicate keys and nesting deeper than <see cref="MaxDepth"/> are refused.</summary>
    public static ModelJson Parse(ReadOnlyMemory<byte> utf8, string source)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8.Span))
        {
            throw new UpliftException($"{source}: not a model file (not UTF-8 text: an invalid byte at offset {FirstInvalidUtf8(utf8.Span)}).");
        }
        try
        {
            var doc = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = MaxDepth, AllowDuplicateProperties = false });
            return new ModelJson(doc.RootElement, "", source) { _document = doc };
        }
        catch (JsonException e)
        {
            throw new UpliftException($"{source}: not a model file (invalid JSON: {Clip(e.Message, 300)}).");
        }
    }

    static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        var buffer = new char[1 << 16];
        int offset = 0;
        while (true)
        {
            var status = System.Text.Unicode.Utf8.ToUtf16(bytes[offset..], buffer, out int read, out _, replaceInvalidSequences: false);
            offset += read;
            if (status != System.Buffers.OperationStatus.DestinationTooSmall || read == 0) return offset;
        }
    }

    /// <summary>Wraps an in-memory JSON object (a public loader's argument) under path <paramref name="path"/>.</summary>
    public static ModelJson FromNode(JsonNode? node, string path, string source = "model")
    {
        if (node is null) throw new UpliftException($"{source}: {Name(path)} is missing.");
        try
        {
            return new ModelJson(JsonSerializer.SerializeToElement(node), path, source);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or JsonException)
        {
            throw new UpliftException($"{source}: {Name(path)} is not valid JSON ({e.Message}).");
        }
    }

    /// <summary>The same value, with <paramref name="source"/> leading its messages.</summary>
    public ModelJson WithSource(string source) => new(Element, Path, source);

    static string Name(string path) => path.Length == 0 ? "the document" : path;

    public string Child(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>An error about this value.</summary>
    public UpliftException Error(string message) => new($"{Source}: {Name(Path)} {message}");

    /// <summary>An error about field <paramref name="key"/> of this object.</summary>
    public UpliftException Error(string key, string message) => new($"{Source}: {Child(key)} {message}");

    public bool IsObject => Element.ValueKind == JsonValueKind.Object;

    void RequireObject()
    {
        if (Element.ValueKind != JsonValueKind.Object) throw Error($"must be a JSON object, got {Describe(Element)}");
    }

    /// <summary>The field, or null when it is absent or JSON null.</summary>
    public ModelJson? Optional(string key)
    {
        RequireObject();
        if (!Element.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return new ModelJson(v, Child(key), Source);
    }

    /// <summary>The field, which must be present and not null.</summary>
    public ModelJson Get(string key)
    {
        RequireObject();
        if (!Element.TryGetProperty(key, out var v)) throw Error(key, "is missing");
        return new ModelJson(v, Child(key), Source);
    }

    public bool Has(string key) => Optional(key) is not null;

    /// <summary>A JSON object field.</summary>
    public ModelJson Object(string key)
    {
        var v = Get(key);
        if (v.Element.ValueKind != JsonValueKind.Object) throw Error(key, $"must be a JSON object, got {Describe(v.Element)}");
        return v;
    }

    /// <summary>A JSON array field; <see cref="Length"/> gives its length without reading it.</summary>
    public ModelJson Array(string key)
    {
        var v = Get(key);
        if (v.Element.ValueKind != JsonValueKind.Array) throw Error(key, $"must be a JSON array, got {Describe(v.Element)}");
        return v;
    }

    /// <summary>The length of this array value.</summary>
    public int Length => Element.ValueKind == JsonValueKind.Array ? Element.GetArrayLength() : throw Error($"must be a JSON array, got {Describe(Element)}");

    /// <summary>The items of this array value, each with its path.</summary>
    public IEnumerable<ModelJson> Items()
    {
        _ = Length; // the type check
        int i = 0;
        foreach (var e in Element.EnumerateArray()) yield return new ModelJson(e, $"{Path}[{i++}]", Source);
    }

    public ModelJson Item(int i) => new(Element[i], $"{Path}[{i}]", Source);

    public string String(string key) => AsString(Get(key));

    public string? OptionalString(string key) => Optional(key) is { } v ? AsString(v) : null;

    /// <summary>The longest text value (a name, a kind, a category), in UTF-8 bytes as stored.</summary>
    public const int MaxStringBytes = 1 << 16;

    static string AsString(ModelJson v)
    {
        if (v.Element.ValueKind != JsonValueKind.String) throw v.Error($"must be a string, got {Describe(v.Element)}");
        int raw = JsonMarshal.GetRawUtf8Value(v.Element).Length;
        if (raw > MaxStringBytes + 2)
            throw v.Error(string.Create(CultureInfo.InvariantCulture, $"is a string of {raw - 2} bytes, longer than the {MaxStringBytes}-byte limit of a text field"));
        try { return v.Element.GetString()!; }
        catch (InvalidOperationException) { throw v.Error("is not valid text (a broken escape or surrogate)"); }
    }

    public bool Bool(string key)
    {
        var v = Get(key);
        return v.Element.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(key, $"must be true or false, got {Describe(v.Element)}"),
        };
    }

    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int Int(string key, int min = int.MinValue, int max = int.MaxValue) => Get(key).AsInt(min, max);

    public int? OptionalInt(string key, int min = int.MinValue, int max = int.MaxValue) => Optional(key)?.AsInt(min, max);

    public long? OptionalLong(string key) => Optional(key)?.AsLong();

    /// <summary>This value as a whole number (64-bit).</summary>
    public long AsLong() => Element.ValueKind == JsonValueKind.Number && Element.TryGetInt64(out long v)
        ? v : throw Error($"must be a whole number, got {Describe(Element)}");

    /// <summary>This value as a whole number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int AsInt(int min = int.MinValue, int max = int.MaxValue)
    {
        long v = AsLong();
        if (v < min || v > max) throw Error(string.Create(CultureInfo.InvariantCulture, $"must be in [{min}, {max}], got {v}"));
        return (int)v;
    }

    /// <summary>A finite number with |x| &lt;= <see cref="MaxMagnitude"/> (or in [min, max] when given).</summary>
    public double Double(string key, double min = -MaxMagnitude, double max = MaxMagnitude) => Get(key).AsDouble(min, max);

    public double? OptionalDouble(string key, double min = -MaxMagnitude, double max = MaxMagnitude) => Optional(key)?.AsDouble(min, max);

    public double AsDouble(double min = -MaxMagnitude, double max = MaxMagnitude) =>
        Element.ValueKind == JsonValueKind.Number && Element.TryGetDouble(out double v) && double.IsFinite(v) && v >= min && v <= max
            ? v : throw Error(RangeText(min, max, Element));

    static string RangeText(double min, double max, JsonElement got) =>
        (min == -MaxMagnitude && max == MaxMagnitude
            ? "must be a finite number with magnitude at most 1e30"
            : string.Create(CultureInfo.InvariantCulture, $"must be a finite number in [{min:R}, {max:R}]")) + $", got {Describe(got)}";

    /// <summary>An array of exactly <paramref name="expected"/> finite floats with |x| &lt;= <paramref name="bound"/>
    /// (default 1e30; length checked first).</summary>
    public float[] Floats(string key, long expected, string? why = null, double bound = MaxMagnitude)
    {
        var a = Array(key);
        CheckLength(a, expected, why);
        var r = new float[expected];
        int i = 0;
        foreach (var e in a.Element.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out double v) || !double.IsFinite(v) || Math.Abs(v) > bound)
                throw new UpliftException(string.Create(CultureInfo.InvariantCulture,
                    $"{Source}: {a.Path}[{i}] must be a finite number with magnitude at most {(bound == MaxMagnitude ? "1e30" : bound.ToString("R", CultureInfo.InvariantCulture))}, got {Describe(e)}"));
            r[i++] = (float)v;
        }
        return r;
    }

    /// <summary>An array of finite doubles in [min, max]; <paramref name="expected"/> &lt; 0 takes any length.
    /// With <paramref name="allowNull"/>, a null item reads as NaN.</summary>
    public double[] Doubles(string key, long expected = -1, string? why = null, double min = -MaxMagnitude, double max = MaxMagnitude, bool allowNull = false)
    {
        var a = Array(key);
        if (expected >= 0) CheckLength(a, expected, why);
        var r = new double[a.Length];
        int i = 0;
        foreach (var e in a.Element.EnumerateArray())
        {
            if (allowNull && e.ValueKind == JsonValueKind.Null) { r[i++] = double.NaN; continue; }
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out double v) || !double.IsFinite(v) || v < min || v > max)
                throw new UpliftException($"{Source}: {a.Path}[{i}] {RangeText(min, max, e)}");
            r[i++] = v;
        }
        return r;
    }

    /// <summary>An array of whole numbers in [min, max]; <paramref name="expected"/> &lt; 0 takes any length.</summary>
    public int[] Ints(string key, long expected = -1, string? why = null, int min = int.MinValue, int max = int.MaxValue)
    {
        var a = Array(key);
        if (expected >= 0) CheckLength(a, expected, why);
        var r = new int[a.Length];
        int i = 0;
        foreach (var e in a.Items()) r[i++] = e.AsInt(min, max);
        return r;
    }

    /// <summary>An array of strings; <paramref name="expected"/> &lt; 0 takes any length.</summary>
    public string[] Strings(string key, long expected = -1, string? why = null)
    {
        var a = Array(key);
        if (expected >= 0) CheckLength(a, expected, why);
        var r = new string[a.Length];
        int i = 0;
        foreach (var e in a.Items()) r[i++] = AsString(e);
        return r;
    }

    /// <summary>A base64 string of exactly <paramref name="expected"/> raw little-endian values of <typeparamref name="T"/>.</summary>
    public T[] Base64<T>(string key, long expected, string? why = null) where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("model files assume a little-endian machine");
        var v = Get(key);
        if (v.Element.ValueKind != JsonValueKind.String) throw Error(key, $"must be a base64 string, got {Describe(v.Element)}");
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        byte[]? bytes;
        try
        {
            if (!v.Element.TryGetBytesFromBase64(out bytes)) throw Error(key, "is not valid base64");
        }
        catch (InvalidOperationException) { throw Error(key, "is not valid base64 (a broken escape)"); }
        if (bytes.Length % size != 0 || bytes.Length / size != expected)
            throw Error(key, string.Create(CultureInfo.InvariantCulture,
                $"holds {bytes.Length / (double)size:0.##} values, expected {expected}{(why is null ? "" : $" ({why})")}"));
        var r = new T[expected];
        bytes.AsSpan().CopyTo(MemoryMarshal.AsBytes(r.AsSpan()));
        return r;
    }

    void CheckLength(ModelJson a, long expected, string? why)
    {
        int n = a.Length;
        if (n != expected)
            throw a.Error(string.Create(CultureInfo.InvariantCulture,
                $"has {n} values, expected {expected}{(why is null ? "" : $" ({why})")}"));
    }

    /// <summary>One of the allowed strings.</summary>
    public string Choice(string key, params string[] allowed)
    {
        string s = String(key);
        if (System.Array.IndexOf(allowed, s) < 0)
            throw Error(key, $"must be one of {string.Join(", ", allowed.Select(a => $"'{a}'"))}, got '{Clip(s, 60)}'");
        return s;
    }

    /// <summary>A copy of this value as a mutable node (for free-form sections kept for the record).</summary>
    public JsonObject ToObject()
    {
        RequireObject();
        CheckText(Element, Path);
        return JsonObject.Create(Element.Clone())!;
    }

    /// <summary>A copy of field <paramref name="key"/> as a mutable node, or null when absent or JSON null (for an optional
    /// section read by its own loader); its text is checked to decode.</summary>
    public JsonNode? OptionalNode(string key)
    {
        if (Optional(key) is not { } v) return null;
        CheckText(v.Element, v.Path);
        return JsonNode.Parse(v.Element.GetRawText());
    }

    /// <summary>Every name and string in a free-form section decodes (a lone surrogate escape would throw later, when read).</summary>
    void CheckText(JsonElement e, string path)
    {
        try
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                    {
                        if (JsonMarshal.GetRawUtf8PropertyName(p).Length > MaxStringBytes)
                            throw new UpliftException($"{Source}: {path} has a field name longer than the {MaxStringBytes}-byte limit of a text field");
                        CheckText(p.Value, $"{path}.{Clip(p.Name, 60)}");
                    }
                    break;
                case JsonValueKind.Array:
                    int i = 0;
                    foreach (var item in e.EnumerateArray()) CheckText(item, $"{path}[{i++}]");
                    break;
                case JsonValueKind.String:
                    if (JsonMarshal.GetRawUtf8Value(e).Length > MaxStringBytes + 2)
                        throw new UpliftException(string.Create(CultureInfo.InvariantCulture,
                            $"{Source}: {path} is a string of {JsonMarshal.GetRawUtf8Value(e).Length - 2} bytes, longer than the {MaxStringBytes}-byte limit of a text field"));
                    _ = e.GetString();
                    break;
            }
        }
        catch (InvalidOperationException)
        {
            throw new UpliftException($"{Source}: {path} is not valid text (a broken escape or surrogate)");
        }
    }

    /// <summary>A short description of a JSON value for messages: null, true, a number, a string (clipped), an object, an array.</summary>
    public static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null => "null",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => Head(e, 40),
        JsonValueKind.String => $"the string {Head(e, 42)}",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => $"an array of {e.GetArrayLength()} values",
        _ => "nothing",
    };

    /// <summary>The first bytes of a value's raw text (never the whole of a huge value).</summary>
    static string Head(JsonElement e, int max)
    {
        var raw = JsonMarshal.GetRawUtf8Value(e);
        var text = System.Text.Encoding.UTF8.GetString(raw[..Math.Min(raw.Length, max)]);
        return raw.Length <= max ? text : text + "...";
    }

    internal static string Clip(string s, int max) => s.Length <= max ? s : s[..max] + "...";
}

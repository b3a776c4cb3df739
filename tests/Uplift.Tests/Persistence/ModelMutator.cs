using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Uplift.Tests.Persistence;

/// <summary>
/// Random damage to a valid model file, from a seed: structural mutations of the JSON (a value replaced by another
/// JSON type, a key deleted or written twice, a number scaled by 1e300, an array shortened or grown, the raw values
/// inside a base64 forest field changed) and byte-level ones (flipped bytes, a truncation, a cut, a copied range).
/// One to three mutations are stacked.
/// </summary>
internal static class ModelMutator
{
    static readonly Func<JsonNode?>[] Replacements =
    [
        () => null, () => true, () => false, () => "", () => "x", () => "1", () => 0, () => -1, () => 1, () => 1.5,
        () => 2147483648L, () => -2147483649L, () => 1e300, () => -1e300, () => 1e-300, () => 3.5e38,
        () => new JsonObject(), () => new JsonArray(), () => new JsonArray(1, 2), () => new JsonObject { ["a"] = 1 },
        () => new string('z', 3000),
    ];

    static readonly int[] Ints = [-1, 0, 1, 2, 7, 399, 400, int.MaxValue, int.MinValue, 1 << 30];

    public static (byte[] Bytes, string What) Mutate(string text, Random rng)
    {
        var what = new List<string>();
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        int count = 1 + rng.Next(3);
        for (int m = 0; m < count; m++)
        {
            if (rng.Next(6) == 0) bytes = ByteLevel(bytes, rng, what);
            else
            {
                JsonNode? root;
                List<Slot> slots;
                try { root = JsonNode.Parse(bytes); slots = root is null ? [] : Slots(root); }
                catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException or InvalidOperationException)
                {
                    bytes = ByteLevel(bytes, rng, what); // already broken (or a duplicate key): keep breaking bytes
                    continue;
                }
                if (root is null || slots.Count == 0) { bytes = ByteLevel(bytes, rng, what); continue; }
                try { bytes = Structural(root, slots, rng, what); }
                catch (InvalidOperationException) { bytes = ByteLevel(bytes, rng, what); } // text that is not UTF-8

            }
        }
        return (bytes, string.Join("; ", what));
    }

    sealed record Slot(JsonNode Parent, string? Key, int Index, JsonNode? Value, string Path);

    static List<Slot> Slots(JsonNode root)
    {
        var slots = new List<Slot>();
        void Walk(JsonNode node, string path)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (k, v) in o)
                    {
                        string p = path.Length == 0 ? k : $"{path}.{k}";
                        slots.Add(new Slot(o, k, -1, v, p));
                        if (v is not null) Walk(v, p);
                    }
                    break;
                case JsonArray a:
                    for (int i = 0; i < a.Count; i++)
                    {
                        string p = $"{path}[{i}]";
                        slots.Add(new Slot(a, null, i, a[i], p));
                        if (a[i] is { } v) Walk(v, p);
                    }
                    break;
            }
        }
        Walk(root, "");
        return slots;
    }

    static void Put(Slot s, JsonNode? value)
    {
        if (s.Key is not null) s.Parent.AsObject()[s.Key] = value;
        else s.Parent.AsArray()[s.Index] = value;
    }

    static byte[] Structural(JsonNode root, List<Slot> slots, Random rng, List<string> what)
    {
        // Half the time pick a container or a non-array-item slot, so the rare fields are hit as often as the weights.
        var pool = rng.Next(2) == 0 ? slots.Where(s => s.Key is not null).ToList() : slots;
        if (pool.Count == 0) pool = slots;
        var s = pool[rng.Next(pool.Count)];
        // A third of the time only values change (a number scaled, raw forest values rewritten): the file keeps its
        // shape, so the checks after parsing (ranges, indices, what scoring relies on) are what is exercised.
        switch (rng.Next(3) == 0 ? 3 + rng.Next(2) : rng.Next(7))
        {
            case 0:
                var r = Replacements[rng.Next(Replacements.Length)]();
                what.Add($"{s.Path} := {r?.ToJsonString() ?? "null"}"[..Math.Min(80, $"{s.Path} := {r?.ToJsonString() ?? "null"}".Length)]);
                Put(s, r);
                break;
            case 1:
                what.Add($"delete {s.Path}");
                if (s.Key is not null) s.Parent.AsObject().Remove(s.Key);
                else s.Parent.AsArray().RemoveAt(s.Index);
                break;
            case 2:
                var objects = slots.Where(x => x.Key is not null).ToList();
                if (objects.Count == 0) break;
                var d = objects[rng.Next(objects.Count)];
                what.Add($"duplicate {d.Path}");
                return Encoding.UTF8.GetBytes(DuplicateKey(root, d));
            case 3:
                var numbers = slots.Where(x => x.Value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number).ToList();
                if (numbers.Count == 0) break;
                var n = numbers[rng.Next(numbers.Count)];
                double x0 = n.Value!.GetValue<double>();
                double[] factors = [1e300, 1e-300, -1, 0, 1e30, 2, 0.5];
                double f = factors[rng.Next(factors.Length)];
                double y = x0 * f;
                what.Add($"{n.Path} *= {f.ToString("R", CultureInfo.InvariantCulture)}");
                Put(n, double.IsFinite(y) ? JsonValue.Create(y) : JsonValue.Create(1e308));
                break;
            case 4:
                var strings = slots.Where(x => x.Value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String
                    && ((string)v!).Length >= 8 && ((string)v!).Length % 4 == 0 && IsBase64((string)v!)).ToList();
                if (strings.Count == 0) goto case 0;
                var b = strings[rng.Next(strings.Count)];
                var raw = Convert.FromBase64String((string)b.Value!);
                if (rng.Next(3) == 0 && raw.Length >= 4)
                {
                    int cut = rng.Next(raw.Length / 4) * 4;
                    what.Add($"{b.Path}: base64 cut to {cut} bytes");
                    raw = raw[..cut];
                }
                else if (raw.Length >= 4)
                {
                    int at = rng.Next(raw.Length / 4) * 4;
                    int v = rng.Next(2) == 0 ? Ints[rng.Next(Ints.Length)] : rng.Next();
                    what.Add($"{b.Path}: int32 at byte {at} := {v}");
                    BitConverter.GetBytes(v).CopyTo(raw, at);
                }
                Put(b, Convert.ToBase64String(raw));
                break;
            case 5:
                var arrays = slots.Where(x => x.Value is JsonArray { Count: > 0 }).ToList();
                if (arrays.Count == 0) goto case 1;
                var a = arrays[rng.Next(arrays.Count)];
                var arr = a.Value!.AsArray();
                if (rng.Next(2) == 0) { what.Add($"{a.Path}: drop last"); arr.RemoveAt(arr.Count - 1); }
                else { what.Add($"{a.Path}: repeat first"); arr.Add(arr[0]?.DeepClone()); }
                break;
            default:
                var siblings = slots.Where(x => ReferenceEquals(x.Parent, s.Parent) && !ReferenceEquals(x, s)).ToList();
                if (siblings.Count == 0) goto case 0;
                var o = siblings[rng.Next(siblings.Count)];
                what.Add($"swap {s.Path} and {o.Path}");
                var (sv, ov) = (s.Value?.DeepClone(), o.Value?.DeepClone());
                Put(s, ov);
                Put(o, sv);
                break;
        }
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    static bool IsBase64(string s)
    {
        Span<byte> buffer = new byte[s.Length];
        return Convert.TryFromBase64String(s, buffer, out _);
    }

    static string DuplicateKey(JsonNode root, Slot slot) => ModelCorpus.DuplicateKey(root, slot.Parent, slot.Key!);

    static byte[] ByteLevel(byte[] bytes, Random rng, List<string> what)
    {
        if (bytes.Length == 0) { what.Add("bytes: empty"); return [(byte)'{']; }
        switch (rng.Next(4))
        {
            case 0:
                int flips = 1 + rng.Next(8);
                var copy = (byte[])bytes.Clone();
                for (int i = 0; i < flips; i++) copy[rng.Next(copy.Length)] = (byte)rng.Next(256);
                what.Add($"bytes: {flips} changed");
                return copy;
            case 1:
                int keep = rng.Next(bytes.Length);
                what.Add($"bytes: truncated to {keep}");
                return bytes[..keep];
            case 2:
                int start = rng.Next(bytes.Length), len = 1 + rng.Next(Math.Min(200, bytes.Length - start));
                what.Add($"bytes: cut {len} at {start}");
                return [.. bytes[..start], .. bytes[(start + len)..]];
            default:
                int from = rng.Next(bytes.Length), n = 1 + rng.Next(Math.Min(300, bytes.Length - from)), to = rng.Next(bytes.Length);
                what.Add($"bytes: copied {n} from {from} to {to}");
                return [.. bytes[..to], .. bytes.AsSpan(from, n).ToArray(), .. bytes[to..]];
        }
    }
}

using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace Uplift.Models.Forest;

/// <summary>
/// The compact tree section of a forest (model format 2): all trees as one byte stream, deflated. Per tree, its nodes
/// in breadth-first order, each the varint feature + 1 (0 = a leaf), a split followed by its float32 threshold
/// (little-endian); then per leaf, the varint number of its rows and the rows themselves, the first as a varint and
/// each next one as the varint gap to the one before (leaf rows are sorted, so gaps are small: about 1 / (sample
/// fraction x (1 - honesty fraction)), one byte). What format 1 stored and format 2 does not is implied by the
/// breadth-first numbering of <see cref="ForestTrainer"/>: the j-th split's children are nodes 2j + 1 and 2j + 2, a
/// leaf's index is its rank among the leaves, and a tree of s splits has 2s + 1 nodes.
/// </summary>
internal static class ForestCodec
{
    /// <summary>Deflate cannot expand more than about 1032 to 1; a larger declared size is a lie (checked before allocating).</summary>
    const long MaxInflation = 1100;

    /// <summary>The raw stream of <paramref name="trees"/> (before compression).</summary>
    public static byte[] Encode(Tree[] trees)
    {
        var w = new ArrayBufferWriter<byte>(1 << 16);
        for (int b = 0; b < trees.Length; b++)
        {
            var t = trees[b];
            int splits = 0, leaves = 0;
            for (int k = 0; k < t.Nodes; k++)
            {
                int f = t.Feature[k];
                if (f >= 0)
                {
                    if (t.Left[k] != 2 * splits + 1) throw new InvalidOperationException($"tree {b} is not numbered breadth-first (node {k})");
                    splits++;
                    WriteVarint(w, (uint)f + 1);
                    BinaryPrimitives.WriteSingleLittleEndian(w.GetSpan(4), t.Threshold[k]);
                    w.Advance(4);
                }
                else
                {
                    if (t.Left[k] != leaves) throw new InvalidOperationException($"tree {b}'s leaves are not numbered in node order (node {k})");
                    leaves++;
                    WriteVarint(w, 0);
                }
            }
            if (t.Nodes != 2 * splits + 1) throw new InvalidOperationException($"tree {b} has {t.Nodes} nodes for {splits} splits");
            for (int leaf = 0; leaf < leaves; leaf++)
            {
                var rows = t.LeafSamples(leaf);
                WriteVarint(w, (uint)rows.Length);
                int prev = 0;
                foreach (int r in rows)
                {
                    if (r < prev) throw new InvalidOperationException($"tree {b}, leaf {leaf}: rows are not sorted");
                    WriteVarint(w, (uint)(r - prev));
                    prev = r;
                }
            }
        }
        return w.WrittenSpan.ToArray();
    }

    public static byte[] Deflate(byte[] raw)
    {
        using var ms = new MemoryStream(raw.Length / 2 + 64);
        using (var z = new DeflateStream(ms, CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw);
        return ms.ToArray();
    }

    /// <summary>Inflates exactly <paramref name="rawBytes"/> bytes; <paramref name="error"/> makes the exception of a bad stream.</summary>
    public static byte[] Inflate(byte[] packed, long rawBytes, Func<string, Exception> error)
    {
        if (rawBytes < 0 || rawBytes > Math.Min(Array.MaxLength, MaxInflation * packed.Length + 64))
            throw error($"declares {rawBytes} raw bytes, impossible for {packed.Length} compressed bytes");
        var raw = new byte[rawBytes];
        try
        {
            using var z = new DeflateStream(new MemoryStream(packed), CompressionMode.Decompress);
            int n = 0;
            while (n < raw.Length)
            {
                int r = z.Read(raw, n, raw.Length - n);
                if (r == 0) throw error($"is truncated: it inflates to {n} bytes, expected {rawBytes}");
                n += r;
            }
            Span<byte> one = stackalloc byte[1];
            if (z.Read(one) != 0) throw error($"inflates to more than the {rawBytes} bytes it declares");
        }
        catch (InvalidDataException e) { throw error($"is not a valid deflate stream ({e.Message})"); }
        return raw;
    }

    /// <summary>
    /// Reads <paramref name="trees"/> trees from <paramref name="raw"/>. Every read is bounds-checked and every count is
    /// checked against the bytes left before it is allocated (each node and each leaf row takes at least one byte), so a
    /// corrupted or truncated stream gives <paramref name="error"/>'s exception, never an out-of-range index or a hang.
    /// Checked: features in [0, <paramref name="features"/>), finite thresholds, leaf rows in [0, <paramref name="rows"/>),
    /// exactly the declared number of trees and no byte left over.
    /// </summary>
    public static Tree[] Decode(byte[] raw, int trees, int features, int rows, Func<string, Exception> error)
    {
        var r = new Reader(raw, error);
        var result = new Tree[trees];
        var feat = new List<int>();
        var thr = new List<float>();
        for (int b = 0; b < trees; b++)
        {
            feat.Clear(); thr.Clear();
            int splits = 0;
            while (feat.Count < 2 * splits + 1)
            {
                uint f1 = r.Varint(b, "a node's feature");
                if (f1 > (uint)features) throw error($"tree {b}, node {feat.Count}: feature {f1 - 1} is outside the {features} features");
                if (f1 == 0) { feat.Add(-1); thr.Add(0); continue; }
                float t = r.Single(b);
                if (!float.IsFinite(t)) throw error($"tree {b}, node {feat.Count}: the threshold is not finite");
                feat.Add((int)f1 - 1); thr.Add(t);
                splits++;
            }
            int nodes = feat.Count, leaves = nodes - splits;
            var feature = feat.ToArray();
            var threshold = thr.ToArray();
            var left = new int[nodes];
            int js = 0, jl = 0;
            for (int k = 0; k < nodes; k++) left[k] = feature[k] >= 0 ? 2 * js++ + 1 : jl++;
            var offsets = new int[leaves + 1];
            var leafRows = new List<int>();
            for (int leaf = 0; leaf < leaves; leaf++)
            {
                uint size = r.Varint(b, "a leaf's size");
                if (size > (uint)r.Left) throw error($"tree {b}, leaf {leaf}: {size} rows, more than the {r.Left} bytes left (truncated?)");
                long row = 0;
                for (uint i = 0; i < size; i++)
                {
                    row += r.Varint(b, "a leaf row");
                    if (row >= rows) throw error($"tree {b}, leaf {leaf}: row {row} is outside the {rows} training rows");
                    leafRows.Add((int)row);
                }
                offsets[leaf + 1] = leafRows.Count;
            }
            result[b] = new Tree(feature, threshold, left, offsets, leafRows.ToArray());
        }
        if (r.Left != 0) throw error($"has {r.Left} bytes after the last of its {trees} trees");
        return result;
    }

    static void WriteVarint(ArrayBufferWriter<byte> w, uint v)
    {
        var span = w.GetSpan(5);
        int n = 0;
        while (v >= 0x80) { span[n++] = (byte)(v | 0x80); v >>= 7; }
        span[n++] = (byte)v;
        w.Advance(n);
    }

    ref struct Reader(byte[] data, Func<string, Exception> error)
    {
        readonly byte[] _data = data;
        int _pos;
        public readonly int Left => _data.Length - _pos;

        public uint Varint(int tree, string what)
        {
            uint v = 0;
            for (int shift = 0; shift < 35; shift += 7)
            {
                if (_pos >= _data.Length) throw error($"ends inside tree {tree} (reading {what}): truncated");
                byte x = _data[_pos++];
                if (shift == 28 && x > 0x07) throw error($"tree {tree}: {what} does not fit in 31 bits");
                v |= (uint)(x & 0x7F) << shift;
                if (x < 0x80) return v;
            }
            throw error($"tree {tree}: {what} is a varint longer than 5 bytes");
        }

        public float Single(int tree)
        {
            if (Left < 4) throw error($"ends inside tree {tree} (reading a threshold): truncated");
            float v = BinaryPrimitives.ReadSingleLittleEndian(_data.AsSpan(_pos, 4));
            _pos += 4;
            return v;
        }
    }
}

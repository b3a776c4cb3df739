namespace Uplift.Data;

/// <summary>
/// A structural check of a Parquet footer (Thrift compact protocol) before Parquet.Net decodes it: every field type is
/// known, every length and element count fits in the bytes left, nesting is at most <see cref="MaxDepth"/> deep, and the
/// top struct ends inside the footer. A damaged footer is then an error here, rather than an endless loop or a huge
/// allocation in the decoder (found by the reader fuzz).
/// </summary>
static class ThriftCheck
{
    const int MaxDepth = 64;

    /// <summary>Null when <paramref name="footer"/> is one well-formed struct; otherwise what is wrong.</summary>
    public static string? Footer(ReadOnlySpan<byte> footer)
    {
        int pos = 0;
        try
        {
            Struct(footer, ref pos, 0);
            return null;
        }
        catch (FormatException e) { return e.Message; }
    }

    static FormatException Bad(string what, int pos) => new($"{what} at footer byte {pos}");

    static void Struct(ReadOnlySpan<byte> b, ref int pos, int depth)
    {
        if (depth > MaxDepth) throw Bad("nesting too deep", pos);
        while (true)
        {
            byte h = Byte(b, ref pos);
            if (h == 0) return; // STOP
            int type = h & 0x0F;
            if (h >> 4 == 0) Varint(b, ref pos); // long form: the field id follows
            Value(b, ref pos, type, depth, inStruct: true);
        }
    }

    static void Value(ReadOnlySpan<byte> b, ref int pos, int type, int depth, bool inStruct)
    {
        switch (type)
        {
            case 1 or 2: if (!inStruct) Byte(b, ref pos); break; // bool: in the field header in a struct, a byte in a list
            case 3: Byte(b, ref pos); break;
            case 4 or 5 or 6: Varint(b, ref pos); break;
            case 7: Skip(b, ref pos, 8); break;
            case 8:
            {
                long len = Varint(b, ref pos);
                if (len < 0 || len > b.Length - pos) throw Bad($"a string of {len} bytes with {b.Length - pos} left", pos);
                pos += (int)len;
                break;
            }
            case 9 or 10:
            {
                byte h = Byte(b, ref pos);
                long size = h >> 4;
                int elem = h & 0x0F;
                if (size == 15) size = Varint(b, ref pos);
                if (size < 0 || size > b.Length - pos) throw Bad($"a list of {size} elements with {b.Length - pos} bytes left", pos);
                if (size > 0 && elem is < 1 or > 12) throw Bad($"unknown element type {elem}", pos);
                for (long i = 0; i < size; i++) Value(b, ref pos, elem, depth + 1, inStruct: false);
                break;
            }
            case 11:
            {
                long size = Varint(b, ref pos);
                if (size < 0 || size > b.Length - pos) throw Bad($"a map of {size} entries with {b.Length - pos} bytes left", pos);
                if (size == 0) break;
                byte kv = Byte(b, ref pos);
                int k = kv >> 4, v = kv & 0x0F;
                if (k is < 1 or > 12 || v is < 1 or > 12) throw Bad("unknown map types", pos);
                for (long i = 0; i < size; i++)
                {
                    Value(b, ref pos, k, depth + 1, inStruct: false);
                    Value(b, ref pos, v, depth + 1, inStruct: false);
                }
                break;
            }
            case 12: Struct(b, ref pos, depth + 1); break;
            default: throw Bad($"unknown field type {type}", pos);
        }
    }

    static byte Byte(ReadOnlySpan<byte> b, ref int pos)
    {
        if (pos >= b.Length) throw Bad("the footer ends inside a value", pos);
        return b[pos++];
    }

    static void Skip(ReadOnlySpan<byte> b, ref int pos, int n)
    {
        if (n > b.Length - pos) throw Bad("the footer ends inside a value", pos);
        pos += n;
    }

    /// <summary>An unsigned varint of at most 10 bytes (zigzag decoding does not matter for the check).</summary>
    static long Varint(ReadOnlySpan<byte> b, ref int pos)
    {
        ulong v = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            byte x = Byte(b, ref pos);
            v |= (ulong)(x & 0x7F) << shift;
            if ((x & 0x80) == 0) return v > long.MaxValue ? -1 : (long)v;
        }
        throw Bad("a varint longer than 10 bytes", pos);
    }
}

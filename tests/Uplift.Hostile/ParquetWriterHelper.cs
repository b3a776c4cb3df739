using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace Uplift.Hostile;

public enum ParquetKind { Int64, Int32, Float, Bool, NumericString, TextString, NullableDouble, AllNull }

/// <summary>Writes the base CSV as Parquet with one column in another physical type; returns the CSV lines holding
/// the numbers that column stands for (what a correct reader must see).</summary>
public static class ParquetWriterHelper
{
    public static string[] Write(string csv, string path, string column, ParquetKind kind)
    {
        var lines = File.ReadAllLines(csv);
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        int n = rows.Length, target = Array.IndexOf(header, column);
        var inv = CultureInfo.InvariantCulture;
        var fields = new List<DataField>();
        var columns = new List<Array>();
        for (int j = 0; j < header.Length; j++)
        {
            double[] x = j == 0 ? [] : rows.Select(r => double.Parse(r[j], inv)).ToArray();
            if (j == 0) { fields.Add(new DataField<string>(header[j])); columns.Add(rows.Select(r => r[0]).ToArray()); continue; }
            if (j != target) { fields.Add(new DataField<double>(header[j])); columns.Add(x); continue; }
            string?[] canon = new string?[n];
            switch (kind)
            {
                case ParquetKind.Int64:
                    fields.Add(new DataField<long>(header[j])); columns.Add(x.Select(v => (long)Math.Round(v)).ToArray());
                    for (int i = 0; i < n; i++) canon[i] = ((long)Math.Round(x[i])).ToString(inv);
                    break;
                case ParquetKind.Int32:
                    fields.Add(new DataField<int>(header[j])); columns.Add(x.Select(v => (int)Math.Round(v)).ToArray());
                    for (int i = 0; i < n; i++) canon[i] = ((int)Math.Round(x[i])).ToString(inv);
                    break;
                case ParquetKind.Float:
                    fields.Add(new DataField<float>(header[j])); columns.Add(x.Select(v => (float)v).ToArray());
                    for (int i = 0; i < n; i++) canon[i] = ((double)(float)x[i]).ToString("R", inv);
                    break;
                case ParquetKind.Bool:
                    fields.Add(new DataField<bool>(header[j])); columns.Add(x.Select(v => v != 0).ToArray());
                    for (int i = 0; i < n; i++) canon[i] = x[i] != 0 ? "1" : "0";
                    break;
                case ParquetKind.NumericString:
                    fields.Add(new DataField<string>(header[j])); columns.Add(x.Select(v => v.ToString("R", inv)).ToArray());
                    for (int i = 0; i < n; i++) canon[i] = x[i].ToString("R", inv);
                    break;
                case ParquetKind.TextString:
                    fields.Add(new DataField<string>(header[j])); columns.Add(Enumerable.Range(0, n).Select(i => "abc" + i).ToArray());
                    break;
                case ParquetKind.NullableDouble:
                    fields.Add(new DataField<double?>(header[j])); columns.Add(x.Select((v, i) => i % 7 == 3 ? (double?)null : v).ToArray());
                    for (int i = 0; i < n; i++) canon[i] = i % 7 == 3 ? "" : x[i].ToString("R", inv);
                    break;
                case ParquetKind.AllNull:
                    fields.Add(new DataField<double?>(header[j])); columns.Add(new double?[n]);
                    for (int i = 0; i < n; i++) canon[i] = "";
                    break;
            }
            for (int i = 0; i < n; i++) rows[i][j] = canon[i] ?? rows[i][j];
        }
        var schema = new ParquetSchema(fields.ToArray<Field>());
        using (var fs = File.Create(path))
        {
            var w = ParquetWriter.CreateAsync(schema, fs).GetAwaiter().GetResult();
            using (var rg = w.CreateRowGroup())
                for (int j = 0; j < fields.Count; j++)
                {
                    var f = fields[j];
                    var t = columns[j] switch
                    {
                        string[] a => rg.WriteAsync(f, a),
                        double[] a => rg.WriteAsync<double>(f, (ReadOnlyMemory<double>)a),
                        double?[] a => rg.WriteAsync<double>(f, (ReadOnlyMemory<double?>)a),
                        long[] a => rg.WriteAsync<long>(f, (ReadOnlyMemory<long>)a),
                        int[] a => rg.WriteAsync<int>(f, (ReadOnlyMemory<int>)a),
                        float[] a => rg.WriteAsync<float>(f, (ReadOnlyMemory<float>)a),
                        bool[] a => rg.WriteAsync<bool>(f, (ReadOnlyMemory<bool>)a),
                        _ => throw new InvalidOperationException(),
                    };
                    t.GetAwaiter().GetResult();
                }
            w.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return [lines[0], .. rows.Select(r => string.Join(',', r))];
    }
}

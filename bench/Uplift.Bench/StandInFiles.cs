using System.IO.Compression;
using System.Text;

namespace Uplift.Bench;

/// <summary>
/// Synthetic stand-ins with the shape of the full UCI files (covtype.data: 581,012 rows of 55 integers, no header;
/// USCensus1990.data.txt: 2,458,285 rows of caseid + 68 coded attributes, with header), to time
/// <c>uplift bench paper</c> at full size. Their values are random codes with a planted pseudo-effect and
/// filter shares near the real files' (about 43 % of covtype kept, 9 % of the census); their AUCCs mean nothing.
/// </summary>
static class StandInFiles
{
    /// <summary>
    /// The stand-in census header: the columns the construction reads (CensusConstruction.RoleColumns and
    /// FeatureNames) plus unused fillers up to the UCI file's 69 columns.
    /// </summary>
    static string[] CensusColumns()
    {
        var names = Uplift.Paper.CensusConstruction.RoleColumns.Concat(Uplift.Paper.CensusConstruction.FeatureNames).Distinct().ToList();
        for (int k = 1; names.Count < 69; k++) names.Add($"unused{k}");
        return [.. names];
    }

    public static (string Covertype, string Census) Write(string dir, int covertypeRows, int censusRows, long seed)
    {
        Directory.CreateDirectory(dir);
        string cov = Path.Combine(dir, "covtype.standin.data.gz"), cen = Path.Combine(dir, "USCensus1990.standin.data.txt.gz");
        var rng = Rng.Derive(seed, RngStream.BenchStandInFiles);
        using (var w = Writer(cov))
        {
            var r = new int[55];
            for (int i = 0; i < covertypeRows; i++)
            {
                Array.Clear(r);
                int hyd = rng.NextInt(1000), aspect = rng.NextInt(360), slope = rng.NextInt(40);
                bool near = hyd < 500;
                r[0] = 2500 + rng.NextInt(1000); r[1] = aspect; r[2] = slope; r[3] = hyd; r[4] = rng.NextInt(200) - 50;
                r[5] = rng.NextInt(5000); r[6] = rng.NextInt(255); r[7] = rng.NextInt(255); r[8] = rng.NextInt(255);
                r[9] = Math.Max(rng.NextInt(3000) - (near && aspect < 180 ? 1200 : 0), 0);   // fire points: the value
                r[10 + rng.NextInt(4)] = 1;
                r[14 + rng.NextInt(40)] = 1;
                double spruce = 0.4 + (near ? (slope > 20 ? 0.4 : 0.1) : 0);                  // Spruce-Fir: the cost
                r[54] = rng.NextDouble() < 0.15 ? 3 + rng.NextInt(5) : rng.NextDouble() < spruce ? 1 : 2;
                w.WriteLine(string.Join(',', r));
            }
        }
        var names = CensusColumns();
        int Col(string n) => Array.IndexOf(names, n);
        int fertil = Col("iFertil"), age = Col("dAge"), citizen = Col("iCitizen"), hour = Col("dHour89"), income = Col("dIncome1"), sex = Col("iSex");
        using (var w = Writer(cen))
        {
            w.WriteLine(string.Join(',', names));
            var r = new int[names.Length];
            for (int i = 0; i < censusRows; i++)
            {
                for (int j = 0; j < r.Length; j++) r[j] = rng.NextInt(5);
                r[Col("caseid")] = 10000 + i;
                r[hour] = rng.NextInt(6);
                // Working more hours goes with fewer children (a positive incremental cost, as on the real file).
                r[fertil] = rng.NextDouble() < 0.3 ? 2 + rng.NextInt(r[hour] > 3 ? 3 : 7) : rng.NextInt(2);
                r[age] = rng.NextDouble() < 0.35 ? rng.NextInt(5) : 5 + rng.NextInt(3);
                r[citizen] = rng.NextDouble() < 0.88 ? 0 : 1 + rng.NextInt(4);
                r[income] = Math.Min(5, rng.NextInt(4) + (r[hour] > 2 && r[sex] > 1 ? 1 : 0));
                w.WriteLine(string.Join(',', r));
            }
        }
        return (cov, cen);
    }

    static StreamWriter Writer(string path) =>
        new(new GZipStream(File.Create(path), CompressionLevel.Fastest), new UTF8Encoding(false), 1 << 20) { NewLine = "\n" };
}

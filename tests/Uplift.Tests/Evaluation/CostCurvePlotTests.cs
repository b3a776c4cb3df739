using System.Xml.Linq;
using Uplift.Evaluation;
using Xunit;

namespace Uplift.Tests.Evaluation;

public class CostCurvePlotTests
{
    static List<(string, CostCurveResult)> Curves()
    {
        var (truth, t, v, c) = EvalData.Campaign(2000, 1);
        return [("truth", CostCurve.Compute(truth, t, v, c)), ("random & <co>", CostCurve.Compute(EvalData.RandomScores(2000, 1), t, v, c))];
    }

    [Fact]
    public void SvgParsesAsXmlAndCarriesTheLegend()
    {
        var curves = Curves();
        var oracle = curves[0].Item2;
        string svg = CostCurvePlot.RenderSvg(curves, "Cost curves <test>", new CostCurvePlotOptions { Oracle = oracle, Subtitle = "2,000 users" });
        var doc = XDocument.Parse(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", doc.Root!.Name);
        var texts = doc.Descendants(ns + "text").Select(e => e.Value).ToList();
        Assert.Contains("Cost curves <test>", texts);
        Assert.Contains("share of incremental cost", texts);
        Assert.Contains("share of incremental value", texts);
        Assert.Contains("random & <co>", texts);
        Assert.Contains($"AUCC {curves[0].Item2.Aucc:0.000}", texts);
        Assert.Contains("oracle", texts);
        Assert.Equal(3, doc.Descendants(ns + "polyline").Count()); // two models + oracle
    }

    [Fact]
    public void FilesAreWrittenAtomically()
    {
        var dir = Path.Combine(Path.GetTempPath(), "uplift-plot-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var curves = Curves();
            var svgPath = Path.Combine(dir, "curve.svg");
            var pngPath = Path.Combine(dir, "curve.png");
            CostCurvePlot.WriteSvg(svgPath, curves, "Cost curves");
            CostCurvePlot.WritePng(pngPath, curves, "Cost curves", new CostCurvePlotOptions { PngScale = 1 });
            Assert.True(new FileInfo(svgPath).Length > 1000);
            XDocument.Load(svgPath);
            var png = File.ReadAllBytes(pngPath);
            Assert.True(png.Length > 1000);
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
            Assert.Equal(2, Directory.GetFiles(dir).Length); // no temp file left behind
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void PngHasTheRequestedSize()
    {
        var png = CostCurvePlot.RenderPng(Curves(), "t", new CostCurvePlotOptions { Width = 400, Height = 420, PngScale = 2 });
        // IHDR width and height, big-endian, at bytes 16..23
        int w = (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19];
        int h = (png[20] << 24) | (png[21] << 16) | (png[22] << 8) | png[23];
        Assert.Equal((800, 840), (w, h));
        Assert.Throws<UpliftOptionException>(() => CostCurvePlot.RenderSvg(Curves(), "t", new CostCurvePlotOptions { Width = 10 }));
    }
}

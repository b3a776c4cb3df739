using System.Globalization;
using System.Text;
using SkiaSharp;
using Uplift.IO;

namespace Uplift.Evaluation;

/// <summary>Options of <see cref="CostCurvePlot"/>.</summary>
public sealed record CostCurvePlotOptions
{
    /// <summary>Image width in pixels (SVG user units). Default 680, range 300 to 4000.</summary>
    public int Width { get; init; } = 680;
    /// <summary>Image height in pixels. Default 700, range 300 to 4000.</summary>
    public int Height { get; init; } = 700;
    /// <summary>Optional second title line (data set, split, number of users). Default none.</summary>
    public string? Subtitle { get; init; }
    /// <summary>Optional oracle curve, drawn black and dashed (synthetic data). Default none.</summary>
    public CostCurveResult? Oracle { get; init; }
    /// <summary>Draw a marker at every curve point (only when a curve has at most 60 points). Default true.</summary>
    public bool Markers { get; init; } = true;
    /// <summary>PNG resolution multiplier (2 = twice the pixels, same layout). Default 2, range 1 to 4.</summary>
    public int PngScale { get; init; } = 2;
    /// <summary>A TrueType file for the PNG text; default: the system's sans-serif (DejaVu Sans, Liberation Sans, ...).</summary>
    public string? FontFile { get; init; }
    /// <summary>Optional pointwise bands (<see cref="CostCurveBands"/>), one per curve in the curves' order (null entries and a
    /// shorter list: no band), drawn as a light area in the curve's colour under every line. Default none (the figure is then
    /// exactly as without this option).</summary>
    public IReadOnlyList<CostCurveBand?>? Bands { get; init; }

    public static CostCurvePlotOptions Default { get; } = new();

    internal void Validate()
    {
        UpliftOptionException.Check(Width is >= 300 and <= 4000, "width", $"must be between 300 and 4000, got {Width}.");
        UpliftOptionException.Check(Height is >= 300 and <= 4000, "height", $"must be between 300 and 4000, got {Height}.");
        UpliftOptionException.Check(PngScale is >= 1 and <= 4, "png-scale", $"must be between 1 and 4, got {PngScale}.");
    }
}

/// <summary>
/// Cost curve figures (METHOD.md section 6): one line per model with its AUCC in the legend, the random
/// diagonal and optionally the oracle. SVG is hand-written text (no dependency, embeddable in HTML);
/// PNG is drawn with SkiaSharp. Both come from one layout. Files are written atomically (temp file, then move).
/// </summary>
public static class CostCurvePlot
{
    /// <summary>Okabe-Ito colours (safe for the common colour-vision deficiencies), yellow left out (too light on white).</summary>
    public static IReadOnlyList<string> Palette { get; } = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#7F4F24"];

    /// <summary>The figure as SVG text.</summary>
    public static string RenderSvg(IReadOnlyList<(string Name, CostCurveResult Curve)> curves, string title, CostCurvePlotOptions? options = null)
    {
        options ??= CostCurvePlotOptions.Default;
        options.Validate();
        var svg = new SvgCanvas(options.Width, options.Height);
        Draw(svg, curves, title, options);
        return svg.Finish();
    }

    /// <summary>The figure as PNG bytes.</summary>
    public static byte[] RenderPng(IReadOnlyList<(string Name, CostCurveResult Curve)> curves, string title, CostCurvePlotOptions? options = null)
    {
        options ??= CostCurvePlotOptions.Default;
        options.Validate();
        int s = options.PngScale;
        using var surface = SKSurface.Create(new SKImageInfo(options.Width * s, options.Height * s, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new UpliftException("could not create a drawing surface for the PNG (SkiaSharp).");
        var canvas = surface.Canvas;
        canvas.Scale(s);
        using (var skia = new SkiaCanvas(canvas, options.FontFile))
            Draw(skia, curves, title, options);
        canvas.Flush();
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new UpliftException("PNG encoding failed (SkiaSharp).");
        return data.ToArray();
    }

    public static void WriteSvg(string path, IReadOnlyList<(string Name, CostCurveResult Curve)> curves, string title, CostCurvePlotOptions? options = null) =>
        WriteAtomic(path, Encoding.UTF8.GetBytes(RenderSvg(curves, title, options)));

    public static void WritePng(string path, IReadOnlyList<(string Name, CostCurveResult Curve)> curves, string title, CostCurvePlotOptions? options = null) =>
        WriteAtomic(path, RenderPng(curves, title, options));

    static void WriteAtomic(string path, byte[] bytes) => AtomicFile.WriteAllBytes(path, bytes);

    // ---------------------------------------------------------------- layout, shared by both outputs

    enum Anchor { Start, Middle, End }
    enum Shape { Circle, Square, Triangle, Diamond, TriangleDown }

    interface ICanvas
    {
        void Rect(double x, double y, double w, double h, string? fill, string? stroke, double strokeWidth, double rx = 0);
        void Line(double x1, double y1, double x2, double y2, string color, double width, double[]? dash = null);
        void Polyline(ReadOnlySpan<(double X, double Y)> points, string color, double width, double[]? dash = null);
        void Area(ReadOnlySpan<(double X, double Y)> points, string color, double opacity);
        void Marker(Shape shape, double x, double y, double size, string color);
        void Text(double x, double y, string text, double size, string color, Anchor anchor, bool bold = false, bool vertical = false);
        double TextWidth(string text, double size, bool bold = false);
    }

    const string Ink = "#222222", Muted = "#555555", GridMajor = "#DDDDDD", GridMinor = "#EFEFEF", Diagonal = "#8C8C8C";

    static void Draw(ICanvas g, IReadOnlyList<(string Name, CostCurveResult Curve)> curves, string title, CostCurvePlotOptions o)
    {
        ArgumentNullException.ThrowIfNull(curves);
        title ??= "";
        double w = o.Width, h = o.Height;
        double top = string.IsNullOrEmpty(o.Subtitle) ? 62 : 82, bottom = 66, left = 76, right = 28;
        double side = Math.Min(w - left - right, h - top - bottom);
        double px = left + (w - left - right - side) / 2, py = top;
        double X(double v) => px + v * side;
        double Y(double v) => py + (1 - v) * side;

        g.Rect(0, 0, w, h, "#FFFFFF", null, 0);
        g.Text(w / 2, 34, title, 19, Ink, Anchor.Middle, bold: true);
        if (!string.IsNullOrEmpty(o.Subtitle)) g.Text(w / 2, 58, o.Subtitle!, 13, Muted, Anchor.Middle);

        // grid, frame, ticks
        for (int i = 0; i <= 10; i++)
        {
            double v = i / 10.0;
            string color = i % 2 == 0 ? GridMajor : GridMinor;
            if (i is > 0 and < 10)
            {
                g.Line(X(v), Y(0), X(v), Y(1), color, 1);
                g.Line(X(0), Y(v), X(1), Y(v), color, 1);
            }
            if (i % 2 == 0)
            {
                string label = (i * 10).ToString(CultureInfo.InvariantCulture) + "%";
                g.Line(X(v), Y(0), X(v), Y(0) + 5, Muted, 1);
                g.Line(X(0) - 5, Y(v), X(0), Y(v), Muted, 1);
                g.Text(X(v), Y(0) + 21, label, 12, Muted, Anchor.Middle);
                g.Text(X(0) - 9, Y(v) + 4, label, 12, Muted, Anchor.End);
            }
        }
        g.Rect(X(0), Y(1), side, side, null, "#9A9A9A", 1);
        g.Text(X(0.5), Y(0) + 48, "share of incremental cost", 14, Ink, Anchor.Middle);
        g.Text(X(0) - 50, Y(0.5), "share of incremental value", 14, Ink, Anchor.Middle, vertical: true);

        // random diagonal, oracle, models
        var legend = new List<(string Name, string Value, string Color, double[]? Dash, Shape? Shape)>();
        double[] dashed = [7, 5];
        if (o.Bands is { } bands)
            for (int m = 0; m < Math.Min(bands.Count, curves.Count); m++)
                if (bands[m] is { } band) DrawBand(g, band, Palette[m % Palette.Count], X, Y);
        g.Line(X(0), Y(0), X(1), Y(1), Diagonal, 1.6, dashed);
        if (o.Oracle is not null)
        {
            DrawCurve(g, o.Oracle, "#000000", [3, 3], null, X, Y, o.Markers);
            legend.Add(("oracle", $"AUCC {Fmt(o.Oracle.Aucc)}", "#000000", [3, 3], null));
        }
        Shape[] shapes = [Shape.Circle, Shape.Square, Shape.Triangle, Shape.Diamond, Shape.TriangleDown];
        for (int m = 0; m < curves.Count; m++)
        {
            var (name, curve) = curves[m];
            ArgumentNullException.ThrowIfNull(curve);
            string color = Palette[m % Palette.Count];
            var shape = shapes[m % shapes.Length];
            DrawCurve(g, curve, color, null, shape, X, Y, o.Markers);
            legend.Add((name, $"AUCC {Fmt(curve.Aucc)}", color, null, o.Markers && curve.X.Length <= 61 ? shape : null));
        }
        legend.Add(("random", "AUCC 0.500", Diagonal, dashed, null));

        // legend box, bottom right inside the plot (below the diagonal the curves rarely go):
        // swatch, name, then the AUCC right-aligned in its own column
        const double fs = 13, rowH = 21, swatch = 30, pad = 10, gap = 18;
        double nameW = legend.Max(l => g.TextWidth(l.Name, fs)), valueW = legend.Max(l => g.TextWidth(l.Value, fs));
        double boxW = pad + swatch + 8 + nameW + gap + valueW + pad, boxH = pad + legend.Count * rowH - 4 + pad;
        double bx = X(1) - 12 - boxW, by = Y(0) - 12 - boxH;
        g.Rect(bx, by, boxW, boxH, "#FFFFFF", "#C8C8C8", 1, 4);
        for (int i = 0; i < legend.Count; i++)
        {
            var (name, value, color, dash, shape) = legend[i];
            double cy = by + pad + 8 + i * rowH;
            g.Line(bx + pad, cy, bx + pad + swatch, cy, color, dash is null ? 2.4 : 1.8, dash);
            if (shape is { } sh) g.Marker(sh, bx + pad + swatch / 2, cy, 7, color);
            g.Text(bx + pad + swatch + 8, cy + 4.5, name, fs, Ink, Anchor.Start);
            g.Text(bx + boxW - pad, cy + 4.5, value, fs, Muted, Anchor.End);
        }
    }

    static void DrawCurve(ICanvas g, CostCurveResult c, string color, double[]? dash, Shape? shape, Func<double, double> X, Func<double, double> Y, bool markers)
    {
        var pts = new (double, double)[c.X.Length];
        for (int i = 0; i < pts.Length; i++) pts[i] = (X(c.X[i]), Y(c.Y[i]));
        g.Polyline(pts, color, dash is null ? 2.4 : 1.8, dash);
        if (markers && shape is { } sh && pts.Length <= 61)
            for (int i = 1; i < pts.Length; i++) g.Marker(sh, pts[i].Item1, pts[i].Item2, 7, color);
    }

    /// <summary>The band as one closed area: the upper bound left to right, then the lower bound back (clamped to the frame).</summary>
    static void DrawBand(ICanvas g, CostCurveBand b, string color, Func<double, double> X, Func<double, double> Y)
    {
        int k = b.Share.Length;
        var pts = new (double, double)[2 * k];
        for (int i = 0; i < k; i++)
        {
            pts[i] = (X(b.Share[i]), Y(Math.Clamp(b.Upper[i], 0, 1)));
            pts[2 * k - 1 - i] = (X(b.Share[i]), Y(Math.Clamp(b.Lower[i], 0, 1)));
        }
        g.Area(pts, color, 0.16);
    }

    static string Fmt(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);

    // ---------------------------------------------------------------- SVG

    sealed class SvgCanvas : ICanvas
    {
        readonly StringBuilder _sb = new();
        static string F(double v) => Math.Round(v, 2).ToString(CultureInfo.InvariantCulture);
        static string Dash(double[]? d) => d is null ? "" : $" stroke-dasharray=\"{string.Join(' ', d.Select(F))}\"";

        public SvgCanvas(int w, int h)
        {
            _sb.Append(CultureInfo.InvariantCulture,
                $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" ")
              .Append("font-family=\"'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif\">\n");
        }

        public string Finish() => _sb.Append("</svg>\n").ToString();

        public void Rect(double x, double y, double w, double h, string? fill, string? stroke, double sw, double rx = 0) =>
            _sb.Append($"<rect x=\"{F(x)}\" y=\"{F(y)}\" width=\"{F(w)}\" height=\"{F(h)}\"")
               .Append(rx > 0 ? $" rx=\"{F(rx)}\"" : "")
               .Append($" fill=\"{fill ?? "none"}\"")
               .Append(stroke is null ? "" : $" stroke=\"{stroke}\" stroke-width=\"{F(sw)}\"")
               .Append("/>\n");

        public void Line(double x1, double y1, double x2, double y2, string color, double width, double[]? dash = null) =>
            _sb.Append($"<line x1=\"{F(x1)}\" y1=\"{F(y1)}\" x2=\"{F(x2)}\" y2=\"{F(y2)}\" stroke=\"{color}\" stroke-width=\"{F(width)}\"{Dash(dash)}/>\n");

        public void Polyline(ReadOnlySpan<(double X, double Y)> points, string color, double width, double[]? dash = null)
        {
            _sb.Append("<polyline points=\"");
            for (int i = 0; i < points.Length; i++) _sb.Append(i == 0 ? "" : " ").Append(F(points[i].X)).Append(',').Append(F(points[i].Y));
            _sb.Append($"\" fill=\"none\" stroke=\"{color}\" stroke-width=\"{F(width)}\" stroke-linejoin=\"round\" stroke-linecap=\"round\"{Dash(dash)}/>\n");
        }

        public void Area(ReadOnlySpan<(double X, double Y)> points, string color, double opacity)
        {
            _sb.Append("<polygon class=\"band\" points=\"");
            for (int i = 0; i < points.Length; i++) _sb.Append(i == 0 ? "" : " ").Append(F(points[i].X)).Append(',').Append(F(points[i].Y));
            _sb.Append($"\" fill=\"{color}\" fill-opacity=\"{F(opacity)}\" stroke=\"none\"/>\n");
        }

        public void Marker(Shape shape, double x, double y, double size, string color)
        {
            double r = size / 2;
            string style = $" fill=\"{color}\" stroke=\"#FFFFFF\" stroke-width=\"1\"";
            switch (shape)
            {
                case Shape.Circle: _sb.Append($"<circle cx=\"{F(x)}\" cy=\"{F(y)}\" r=\"{F(r)}\"{style}/>\n"); break;
                case Shape.Square: _sb.Append($"<rect x=\"{F(x - r)}\" y=\"{F(y - r)}\" width=\"{F(size)}\" height=\"{F(size)}\"{style}/>\n"); break;
                default:
                    var p = MarkerPolygon(shape, x, y, r);
                    _sb.Append("<polygon points=\"").AppendJoin(' ', p.Select(q => F(q.X) + "," + F(q.Y))).Append($"\"{style}/>\n");
                    break;
            }
        }

        public void Text(double x, double y, string text, double size, string color, Anchor anchor, bool bold = false, bool vertical = false)
        {
            string a = anchor switch { Anchor.Start => "start", Anchor.Middle => "middle", _ => "end" };
            _sb.Append($"<text x=\"{F(x)}\" y=\"{F(y)}\" font-size=\"{F(size)}\" fill=\"{color}\" text-anchor=\"{a}\"")
               .Append(bold ? " font-weight=\"bold\"" : "")
               .Append(vertical ? $" transform=\"rotate(-90 {F(x)} {F(y)})\"" : "")
               .Append('>').Append(System.Security.SecurityElement.Escape(text)).Append("</text>\n");
        }

        // No font metrics in SVG: an estimate for a sans-serif face (DejaVu Sans is about 0.6 em per character).
        public double TextWidth(string text, double size, bool bold = false) => text.Length * size * (bold ? 0.66 : 0.6);
    }

    static (double X, double Y)[] MarkerPolygon(Shape shape, double x, double y, double r) => shape switch
    {
        Shape.Triangle => [(x, y - r * 1.2), (x + r * 1.1, y + r * 0.8), (x - r * 1.1, y + r * 0.8)],
        Shape.TriangleDown => [(x, y + r * 1.2), (x + r * 1.1, y - r * 0.8), (x - r * 1.1, y - r * 0.8)],
        _ => [(x, y - r * 1.3), (x + r * 1.1, y), (x, y + r * 1.3), (x - r * 1.1, y)], // diamond
    };

    // ---------------------------------------------------------------- PNG (SkiaSharp)

    sealed class SkiaCanvas : ICanvas, IDisposable
    {
        readonly SKCanvas _c;
        readonly SKTypeface _regular, _bold;

        public SkiaCanvas(SKCanvas canvas, string? fontFile)
        {
            _c = canvas;
            _regular = LoadTypeface(fontFile, bold: false);
            _bold = LoadTypeface(fontFile, bold: true);
        }

        public void Dispose() { _regular.Dispose(); _bold.Dispose(); }

        static SKColor Col(string hex) => SKColor.Parse(hex);

        static SKPaint Stroke(string color, double width, double[]? dash)
        {
            var p = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke, Color = Col(color), StrokeWidth = (float)width,
                StrokeJoin = SKStrokeJoin.Round, StrokeCap = dash is null ? SKStrokeCap.Round : SKStrokeCap.Butt };
            if (dash is not null) p.PathEffect = SKPathEffect.CreateDash(dash.Select(d => (float)d).ToArray(), 0);
            return p;
        }

        public void Rect(double x, double y, double w, double h, string? fill, string? stroke, double sw, double rx = 0)
        {
            var r = new SKRect((float)x, (float)y, (float)(x + w), (float)(y + h));
            if (fill is not null)
            {
                using var p = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill, Color = Col(fill) };
                _c.DrawRoundRect(r, (float)rx, (float)rx, p);
            }
            if (stroke is not null)
            {
                using var p = Stroke(stroke, sw, null);
                _c.DrawRoundRect(r, (float)rx, (float)rx, p);
            }
        }

        public void Line(double x1, double y1, double x2, double y2, string color, double width, double[]? dash = null)
        {
            using var p = Stroke(color, width, dash);
            _c.DrawLine((float)x1, (float)y1, (float)x2, (float)y2, p);
        }

        public void Polyline(ReadOnlySpan<(double X, double Y)> points, string color, double width, double[]? dash = null)
        {
            if (points.Length < 2) return;
            using var path = new SKPath();
            path.MoveTo((float)points[0].X, (float)points[0].Y);
            for (int i = 1; i < points.Length; i++) path.LineTo((float)points[i].X, (float)points[i].Y);
            using var p = Stroke(color, width, dash);
            _c.DrawPath(path, p);
        }

        public void Area(ReadOnlySpan<(double X, double Y)> points, string color, double opacity)
        {
            if (points.Length < 3) return;
            using var path = new SKPath();
            path.MoveTo((float)points[0].X, (float)points[0].Y);
            for (int i = 1; i < points.Length; i++) path.LineTo((float)points[i].X, (float)points[i].Y);
            path.Close();
            using var p = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill, Color = Col(color).WithAlpha((byte)Math.Round(255 * opacity)) };
            _c.DrawPath(path, p);
        }

        public void Marker(Shape shape, double x, double y, double size, string color)
        {
            double r = size / 2;
            using var path = new SKPath();
            switch (shape)
            {
                case Shape.Circle: path.AddCircle((float)x, (float)y, (float)r); break;
                case Shape.Square: path.AddRect(new SKRect((float)(x - r), (float)(y - r), (float)(x + r), (float)(y + r))); break;
                default:
                    var q = MarkerPolygon(shape, x, y, r);
                    path.AddPoly(q.Select(t => new SKPoint((float)t.X, (float)t.Y)).ToArray(), close: true);
                    break;
            }
            using var fill = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill, Color = Col(color) };
            using var edge = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke, Color = SKColors.White, StrokeWidth = 1 };
            _c.DrawPath(path, fill);
            _c.DrawPath(path, edge);
        }

        public void Text(double x, double y, string text, double size, string color, Anchor anchor, bool bold = false, bool vertical = false)
        {
            using var font = new SKFont(bold ? _bold : _regular, (float)size) { Subpixel = true, Edging = SKFontEdging.SubpixelAntialias };
            using var paint = new SKPaint { IsAntialias = true, Color = Col(color) };
            var align = anchor switch { Anchor.Start => SKTextAlign.Left, Anchor.Middle => SKTextAlign.Center, _ => SKTextAlign.Right };
            if (vertical)
            {
                _c.Save();
                _c.RotateDegrees(-90, (float)x, (float)y);
                _c.DrawText(text, (float)x, (float)y, align, font, paint);
                _c.Restore();
            }
            else _c.DrawText(text, (float)x, (float)y, align, font, paint);
        }

        public double TextWidth(string text, double size, bool bold = false)
        {
            using var font = new SKFont(bold ? _bold : _regular, (float)size);
            return font.MeasureText(text);
        }
    }

    static readonly string[] FontDirs = ["/usr/share/fonts", "/usr/local/share/fonts", "/System/Library/Fonts", "/Library/Fonts", @"C:\Windows\Fonts"];
    static readonly string[] Preferred = ["DejaVuSans", "LiberationSans-Regular", "Arial", "Helvetica", "NotoSans-Regular", "FreeSans"];
    static readonly string[] PreferredBold = ["DejaVuSans-Bold", "LiberationSans-Bold", "Arial Bold", "arialbd", "NotoSans-Bold", "FreeSansBold"];

    /// <summary>
    /// A sans-serif face: the given file, else the font manager's sans-serif (has glyphs only where SkiaSharp
    /// was built with a font manager), else a known TrueType file from the usual font folders.
    /// </summary>
    static SKTypeface LoadTypeface(string? fontFile, bool bold)
    {
        if (fontFile is not null)
        {
            var f = SKTypeface.FromFile(fontFile) ?? throw new UpliftException($"cannot read the font file '{fontFile}'.");
            return f;
        }
        var style = bold ? SKFontStyle.Bold : SKFontStyle.Normal;
        foreach (var family in new[] { "DejaVu Sans", "Liberation Sans", "Arial", "Helvetica", "sans-serif" })
        {
            var tf = SKTypeface.FromFamilyName(family, style);
            if (tf is not null && tf.GlyphCount > 0) return tf;
            tf?.Dispose();
        }
        foreach (var name in bold ? PreferredBold : Preferred)
            foreach (var dir in FontDirs.Where(Directory.Exists))
            {
                string? file;
                try { file = Directory.EnumerateFiles(dir, name + ".tt?", SearchOption.AllDirectories).FirstOrDefault(); }
                catch (IOException) { continue; }
                catch (UnauthorizedAccessException) { continue; }
                if (file is not null && SKTypeface.FromFile(file) is { } tf) return tf;
            }
        return SKTypeface.Default;
    }
}

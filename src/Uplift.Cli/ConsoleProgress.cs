using System.Diagnostics;

namespace Uplift.Cli;

/// <summary>
/// Renders library progress on standard error: one updating line with a bar on a terminal, plain
/// lines (one when a stage starts, one when it ends) when standard error is redirected. Progress never
/// goes to standard output, so --json output stays clean.
/// </summary>
sealed class ConsoleProgress : IProgress<ProgressInfo>
{
    readonly bool _terminal = !Console.IsErrorRedirected;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly object _gate = new();
    string? _stage;
    long _lastTick = -1000;
    bool _stageDone;
    int _lineLength;
    double _stageStart;

    public void Report(ProgressInfo p)
    {
        lock (_gate)
        {
            bool newStage = p.Stage != _stage;
            if (newStage)
            {
                if (_terminal && _lineLength > 0) Console.Error.WriteLine();
                _stage = p.Stage;
                _stageDone = false;
                _lineLength = 0;
            }
            bool done = p.Total > 0 && p.Done >= p.Total;
            if (_terminal)
            {
                long now = _clock.ElapsedMilliseconds;
                if (!done && !newStage && now - _lastTick < 100) return;
                _lastTick = now;
                string line = p.Total > 0
                    ? $"{p.Stage} {Bar(p.Done, p.Total)} {p.Done}/{p.Total}{Suffix(p.Message)}"
                    : $"{p.Stage} {p.Done}{Suffix(p.Message)}";
                Console.Error.Write("\r" + line.PadRight(_lineLength));
                _lineLength = line.Length;
                if (done) { Console.Error.WriteLine(); _lineLength = 0; }
            }
            else
            {
                // Redirected: one line when a stage starts and one when it ends, so logs stay short.
                if (newStage)
                {
                    _stageStart = _clock.Elapsed.TotalSeconds;
                    Console.Error.WriteLine($"{p.Stage}: started{Suffix(p.Message)}");
                }
                if (done && !_stageDone)
                {
                    _stageDone = true;
                    Console.Error.WriteLine($"{p.Stage}: done in {_clock.Elapsed.TotalSeconds - _stageStart:0.0} s{Suffix(p.Message)}");
                }
            }
        }
    }

    /// <summary>Ends a pending terminal line, so the next output starts on a fresh line.</summary>
    public void Finish()
    {
        lock (_gate)
        {
            if (_terminal && _lineLength > 0) Console.Error.WriteLine();
            _lineLength = 0;
        }
    }

    static string Suffix(string? m) => string.IsNullOrEmpty(m) ? "" : "  " + m;

    static string Bar(long done, long total)
    {
        const int width = 24;
        int filled = (int)Math.Clamp(width * done / Math.Max(total, 1), 0, width);
        return "[" + new string('#', filled) + new string('.', width - filled) + "]";
    }
}

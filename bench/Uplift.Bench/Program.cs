if (args.Length > 0 && args[0] == "hw") { Console.WriteLine($"V512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated} V256 {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated} width {Uplift.Engine.Kernels.Width}"); return 0; }
if (args.Length > 0 && args[0] == "kern2") { Uplift.Bench.KernelProbe2.Run(); return 0; }
if (args.Length > 0 && args[0] == "kern") { Uplift.Bench.KernelProbe.Run(); return 0; }
if (args.Length > 0 && args[0] == "prof")
{
    foreach (var sc in args[1].Split(','))
    foreach (var th in args[2].Split(',').Select(int.Parse))
    {
        Array.Clear(Uplift.Engine.CohortEngine.Prof);
        var r = Uplift.Bench.StepBench.Run([100_000], 50, 40, [th], [sc]);
        var P = Uplift.Engine.CohortEngine.Prof; double f = 1000.0 / System.Diagnostics.Stopwatch.Frequency / P[3];
        Console.WriteLine($"{r[0]}\n   pass1 {P[0]*f:F2}  pass2 {P[1]*f:F2}  reduce {P[2]*f:F2} ms (mean)");
    }
    return 0;
}
var rc = args.Length > 0 ? args[0].Split(',').Select(int.Parse).ToArray() : null;
var sc2 = args.Length > 1 ? args[1].Split(',') : null;
var th2 = args.Length > 2 ? args[2].Split(',').Select(int.Parse).ToArray() : null;
Uplift.Bench.StepBench.Run(rc, 50, 30, th2, sc2, args.Length > 3 && args[3] == "crm", r => Console.WriteLine(r));
return 0;

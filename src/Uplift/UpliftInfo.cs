using System.Reflection;

namespace Uplift;

/// <summary>Facts about this build of the library.</summary>
public static class UpliftInfo
{
    /// <summary>The library version (from the assembly's informational version, without build metadata).</summary>
    public static string Version { get; } =
        (typeof(UpliftInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0")
        .Split('+')[0];
}

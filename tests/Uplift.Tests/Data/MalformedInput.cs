using Xunit;

namespace Uplift.Tests.Data;

/// <summary>Assertions shared by the malformed-input tests: a clear <see cref="UpliftException"/>, in time.</summary>
static class MalformedInput
{
    /// <summary>Runs <paramref name="read"/> on a worker and fails when it takes longer than <paramref name="seconds"/> (a hang).</summary>
    public static Exception? Within(double seconds, Action read)
    {
        var task = Task.Run(() =>
        {
            try { read(); return null; }
            catch (Exception e) { return e; }
        });
        Assert.True(task.Wait(TimeSpan.FromSeconds(seconds)), $"no answer within {seconds} s (a hang)");
        return task.Result;
    }

    /// <summary>Asserts that <paramref name="read"/> throws an <see cref="UpliftException"/> within the time, whose message
    /// holds every fragment, is short (no huge cell echoed) and has no stack frame.</summary>
    public static UpliftException Refused(Action read, params string[] fragments) => RefusedWithin(20, read, fragments);

    public static UpliftException RefusedWithin(double seconds, Action read, params string[] fragments)
    {
        var e = Within(seconds, read);
        Assert.NotNull(e);
        var u = Assert.IsAssignableFrom<UpliftException>(e);
        foreach (var f in fragments) Assert.Contains(f, u.Message);
        Assert.True(u.Message.Length < 800, $"message of {u.Message.Length} characters: {u.Message[..Math.Min(300, u.Message.Length)]}");
        Assert.DoesNotContain("   at ", u.Message);
        Assert.DoesNotContain("Exception", u.Message);
        return u;
    }
}

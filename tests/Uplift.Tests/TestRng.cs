namespace Uplift.Tests;

/// <summary>
/// The generators the tests draw their own data from, by a test-chosen tag. Test data are not a purpose of the
/// library, so they have no <see cref="RngStream"/>; this is the library's derivation from before named streams,
/// kept so the test data sets did not change with them.
/// </summary>
static class TestRng
{
    public static Rng Tagged(long seed, long tag)
    {
        ulong x = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)tag * 0xD1B54A32D192ED03UL);
        return new Rng(Rng.Hash(unchecked(x + 0x9E3779B97F4A7C15UL)) ^ (ulong)tag);
    }
}

using System.Runtime.InteropServices;

namespace Uplift.Engine;

/// <summary>A 64-byte aligned native float buffer (whole cache lines, aligned SIMD loads). Zeroed on allocation.</summary>
internal sealed unsafe class AlignedBuffer : IDisposable
{
    public float* Ptr { get; private set; }
    public long Length { get; }

    public AlignedBuffer(long length)
    {
        Length = Math.Max(length, 1);
        Ptr = (float*)NativeMemory.AlignedAlloc((nuint)(Length * sizeof(float)), 64);
        NativeMemory.Clear(Ptr, (nuint)(Length * sizeof(float)));
        GC.AddMemoryPressure(Length * sizeof(float));
    }

    public Span<float> Span(long offset, int length) => new(Ptr + offset, length);

    public void Dispose()
    {
        if (Ptr != null)
        {
            NativeMemory.AlignedFree(Ptr);
            Ptr = null;
            GC.RemoveMemoryPressure(Length * sizeof(float));
        }
        GC.SuppressFinalize(this);
    }

    ~AlignedBuffer() { if (Ptr != null) NativeMemory.AlignedFree(Ptr); }
}

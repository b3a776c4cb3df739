namespace Uplift.Models.Forest;

/// <summary>
/// Per-thread scratch memory of the tree trainer, reused from tree to tree so growing a tree allocates only
/// its final arrays. The growing rows of the current tree are renumbered 0..n-1 ("local ids"); for every
/// feature f, <c>Ord[f*Cap + p]</c> lists local ids sorted by x_f and <c>Val[f*Cap + p]</c> the matching values.
/// Every node owns the same range [start, end) in each feature's list (children are stable partitions of it).
/// </summary>
internal sealed class TreeWorkspace
{
    public readonly int Rows, Features, Cap, Stride;
    public readonly SortedEntry[] Ent;
    public readonly int[] GrowRows;      // local id -> training row
    public readonly double[] LY, LW, LS; // local outcome, treatment, sample weight
    public readonly double[] Rho;        // pseudo-outcomes of the current node (by local id)
    public readonly SplitStat[] Stat;    // per-row statistics the causal splitting rule sweeps (by local id)
    public readonly RegressionStat[] RegStat; // the same for the regression rule
    public readonly byte[] GoLeft;
    public readonly SortedEntry[] Tmp;
    public readonly int[] EstNode;       // node of each estimation row while routing (by rank in EstRows)
    public readonly int[] EstRows;       // the estimation rows in ascending order
    public readonly ulong[] EstBits;     // bitset of the estimation rows
    public readonly PackedNode[] Packed; // the grown nodes packed for routing
    public readonly int[] LocalOf;       // training row -> local id, -1 outside the growing set
    public readonly int[] Perm;          // subsample draw
    public readonly int[] FeaturePerm;

    // Nodes under construction (capacity 2 * Cap + 1 covers any binary tree on Cap rows).
    public readonly int[] NodeStart, NodeEnd, NodeFeature, NodeLeft, NodeRight, NodeLeaf;
    public readonly float[] NodeThreshold;
    public readonly int[] NodeCount, NodeOffset, NodeRows, NewIndex, Queue;

    public TreeWorkspace(int rows, int features, int cap)
    {
        Rows = rows; Features = features; Cap = Math.Max(cap, 1);
        Stride = Cap + 1; // one slack slot for branch-free compaction
        Ent = new SortedEntry[(long)features * Stride];
        GrowRows = new int[Cap];
        LY = new double[Cap]; LW = new double[Cap]; LS = new double[Cap]; Rho = new double[Cap];
        Stat = new SplitStat[Cap];
        RegStat = new RegressionStat[Cap];
        GoLeft = new byte[Cap];
        Tmp = new SortedEntry[Cap];
        EstNode = new int[rows];
        EstRows = new int[rows];
        EstBits = new ulong[(rows + 63) >> 6];
        LocalOf = new int[rows]; Array.Fill(LocalOf, -1);
        Perm = new int[rows];
        FeaturePerm = new int[features];
        int nodes = 2 * Cap + 1;
        NodeStart = new int[nodes]; NodeEnd = new int[nodes]; NodeFeature = new int[nodes];
        NodeLeft = new int[nodes]; NodeRight = new int[nodes]; NodeLeaf = new int[nodes];
        NodeThreshold = new float[nodes];
        NodeCount = new int[nodes]; NodeOffset = new int[nodes + 1];
        NodeRows = new int[rows]; NewIndex = new int[nodes]; Queue = new int[nodes];
        Packed = new PackedNode[nodes];
    }

    /// <summary>The entries of node [start, end) in the order of feature 0 (use <c>.Local</c> for the local ids).</summary>
    public ReadOnlySpan<SortedEntry> NodeSamples(int start, int end) => new(Ent, start, end - start);

    /// <summary>The entries of node [start, end) sorted by feature <paramref name="f"/>.</summary>
    public Span<SortedEntry> Sorted(int f, int start, int end) => new(Ent, f * Stride + start, end - start);
}

/// <summary>One row's weighted statistics for the split sweep, packed so a sweep step reads one cache line:
/// s, s rho, s z, s z^2 and whether z is below the node's mean (causal rule).</summary>
internal struct SplitStat
{
    public double S, SRho, SZ, SZZ;
    public int Small;
}

/// <summary>One row's s and s rho for the regression rule's sweep.</summary>
internal struct RegressionStat
{
    public double S, SRho;
}

/// <summary>A feature value with the local id of its row.</summary>
internal struct SortedEntry
{
    public float Value;
    public int Local;
}

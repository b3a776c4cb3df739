namespace Uplift.Models.Forest;

/// <summary>
/// One fitted tree, stored compactly. Node k is a split when <c>Feature[k] &gt;= 0</c>: rows with
/// x[Feature[k]] &lt;= Threshold[k] go to <c>Left[k]</c>, the others to <c>Left[k] + 1</c> (nodes are numbered
/// breadth-first, so the two children are neighbours; NaN goes right).
/// For a leaf, <c>Left[k]</c> is the leaf index; its training rows (the honest estimation rows) are
/// <c>LeafRows[LeafOffsets[leaf] .. LeafOffsets[leaf + 1])</c>. Node 0 is the root.
/// </summary>
internal sealed class Tree
{
    public int[] Feature { get; }
    public float[] Threshold { get; }
    public int[] Left { get; }
    public int[] LeafOffsets { get; }
    public int[] LeafRows { get; }

    public Tree(int[] feature, float[] threshold, int[] left, int[] leafOffsets, int[] leafRows)
    {
        Feature = feature; Threshold = threshold; Left = left; LeafOffsets = leafOffsets; LeafRows = leafRows;
        _nodes = new PackedNode[feature.Length];
        for (int k = 0; k < feature.Length; k++) _nodes[k] = new PackedNode(feature[k], threshold[k], left[k]);
    }

    /// <summary>The nodes interleaved (one cache line per visited node) for fast descent.</summary>
    readonly PackedNode[] _nodes;

    public int Nodes => Feature.Length;
    public int Leaves => LeafOffsets.Length - 1;

    /// <summary>The leaf index that row <paramref name="x"/> falls into.</summary>
    public int FindLeaf(ReadOnlySpan<float> x) => PackedNode.Descend(_nodes, x);

    /// <summary>The leaves of four rows, descended in lockstep so their memory accesses overlap.</summary>
    public void FindLeaves4(ReadOnlySpan<float> x0, ReadOnlySpan<float> x1, ReadOnlySpan<float> x2, ReadOnlySpan<float> x3,
        out int l0, out int l1, out int l2, out int l3) => PackedNode.Descend4(_nodes, x0, x1, x2, x3, out l0, out l1, out l2, out l3);

    public ReadOnlySpan<int> LeafSamples(int leaf) =>
        new(LeafRows, LeafOffsets[leaf], LeafOffsets[leaf + 1] - LeafOffsets[leaf]);
}

/// <summary>
/// A node for descent: a split sends x[Feature] &lt;= Threshold to node Left and the rest (and NaN) to Left + 1; a leaf
/// (Feature &lt; 0) returns Left. The trees and the trainer's routing of the honest rows descend through these.
/// </summary>
internal readonly record struct PackedNode(int Feature, float Threshold, int Left)
{
    public static int Descend(ReadOnlySpan<PackedNode> nodes, ReadOnlySpan<float> x)
    {
        var node = nodes[0];
        while (node.Feature >= 0)
            node = nodes[node.Left + (x[node.Feature] <= node.Threshold ? 0 : 1)];
        return node.Left;
    }

    public static void Descend4(ReadOnlySpan<PackedNode> nodes, ReadOnlySpan<float> x0, ReadOnlySpan<float> x1,
        ReadOnlySpan<float> x2, ReadOnlySpan<float> x3, out int l0, out int l1, out int l2, out int l3)
    {
        PackedNode n0 = nodes[0], n1 = n0, n2 = n0, n3 = n0;
        while ((n0.Feature & n1.Feature & n2.Feature & n3.Feature) >= 0) // some row is not at a leaf yet
        {
            if (n0.Feature >= 0) n0 = nodes[n0.Left + (x0[n0.Feature] <= n0.Threshold ? 0 : 1)];
            if (n1.Feature >= 0) n1 = nodes[n1.Left + (x1[n1.Feature] <= n1.Threshold ? 0 : 1)];
            if (n2.Feature >= 0) n2 = nodes[n2.Left + (x2[n2.Feature] <= n2.Threshold ? 0 : 1)];
            if (n3.Feature >= 0) n3 = nodes[n3.Left + (x3[n3.Feature] <= n3.Threshold ? 0 : 1)];
        }
        l0 = n0.Left; l1 = n1.Left; l2 = n2.Left; l3 = n3.Left;
    }
}

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
    }

    public int Nodes => Feature.Length;
    public int Leaves => LeafOffsets.Length - 1;

    /// <summary>The leaf index that row <paramref name="x"/> falls into.</summary>
    public int FindLeaf(ReadOnlySpan<float> x)
    {
        int k = 0;
        int[] feature = Feature;
        while (true)
        {
            int f = feature[k];
            if (f < 0) return Left[k];
            k = x[f] <= Threshold[k] ? Left[k] : Left[k] + 1;
        }
    }

    public ReadOnlySpan<int> LeafSamples(int leaf) =>
        new(LeafRows, LeafOffsets[leaf], LeafOffsets[leaf + 1] - LeafOffsets[leaf]);
}

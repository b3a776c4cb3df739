namespace Uplift.Models.Forest;

/// <summary>
/// The one generic honest forest trainer (grf's ForestTrainer + TreeTrainer), parameterised by a relabeling
/// strategy, a splitting rule and a prediction strategy. Each tree: draw a subsample without replacement
/// (SampleFraction); with honesty, its first HonestyFraction chooses the splits and the rest fills the leaves;
/// grow breadth-first, splitting a node when it has more than MinNodeSize rows, the relabeling allows it and the
/// rule finds an admissible split on a Poisson(mtry)-sized random subset of features; route the estimation rows
/// to the leaves; optionally prune splits with an empty side. Tree b uses Rng.Derive(seed, RngStream.ForestTree, b), so the forest
/// does not depend on the thread count.
/// </summary>
internal sealed class ForestTrainer(IRelabelingStrategy relabeling, ISplittingRule splitting, IPredictionStrategy prediction)
{
    public static ForestTrainer Regression { get; } =
        new(NoopRelabeling.Instance, RegressionSplittingRule.Instance, RegressionPrediction.Instance);
    public static ForestTrainer Causal { get; } =
        new(CausalRelabeling.Instance, CausalSplittingRule.Instance, CausalPrediction.Instance);

    public Forest Train(FeatureIndex fx, Observations obs, TreeOptions o, int numTrees, long seed,
        FitContext context, string stage)
    {
        int rows = fx.Rows;
        var (drawn, grow) = SampleSizes(rows, o);
        if (grow < 1 || (o.Honesty && drawn - grow < 1))
            throw new UpliftDataException(
                $"{stage}: {rows} rows are too few for sample fraction {o.SampleFraction}" +
                (o.Honesty ? $" and honesty fraction {o.HonestyFraction}" : ""));
        var trees = new Tree[numTrees];
        var inBag = new ulong[numTrees][];
        int done = 0;
        int reportEvery = Math.Max(1, numTrees / 100);
        context.Report(stage, 0, numTrees);
        Parallel.For(0, numTrees, context.ParallelOptions,
            () => new TreeWorkspace(rows, fx.Features, grow),
            (b, _, ws) =>
            {
                var rng = Rng.Derive(seed, RngStream.ForestTree, b);
                if (o.CiGroupSize > 1)
                {
                    var groupRng = Rng.Derive(seed, RngStream.ForestGroup, b / o.CiGroupSize);
                    DrawGroupSubsample(ref groupRng, ref rng, ws.Perm, drawn);
                }
                else DrawSubsample(ref rng, ws.Perm, drawn);
                (trees[b], inBag[b]) = GrowTree(fx, obs, o, ws, rng, drawn, grow);
                int d = Interlocked.Increment(ref done);
                if (d % reportEvery == 0 || d == numTrees) context.Report(stage, d, numTrees);
                return ws;
            },
            _ => { });
        return new Forest(trees, obs, prediction, fx.Features, inBag, context.ParallelOptions);
    }

    (Tree, ulong[]) GrowTree(FeatureIndex fx, Observations obs, in TreeOptions o, TreeWorkspace ws, Rng rng, int drawn, int grow)
    {
        int rows = fx.Rows, d = fx.Features;
        // The subsample (drawn by the caller into ws.Perm): the first `grow` rows choose the splits.
        int[] perm = ws.Perm;
        var bag = new ulong[(rows + 63) >> 6];
        for (int i = 0; i < drawn; i++) bag[perm[i] >> 6] |= 1UL << perm[i];

        for (int l = 0; l < grow; l++)
        {
            int r = perm[l];
            ws.LocalOf[r] = l; ws.GrowRows[l] = r;
            ws.LY[l] = obs.Y[r]; ws.LW[l] = obs.W is null ? 0 : obs.W[r]; ws.LS[l] = obs.S[r];
        }
        // Root: each feature's presorted rows restricted to the growing set (branch-free: write always, advance when kept).
        for (int f = 0; f < d; f++)
        {
            var gRows = new ReadOnlySpan<int>(fx.SortedRows, f * rows, rows);
            var gVals = new ReadOnlySpan<float>(fx.SortedValues, f * rows, rows);
            var ent = new Span<SortedEntry>(ws.Ent, f * ws.Stride, grow + 1);
            int[] localOf = ws.LocalOf;
            int p = 0;
            for (int k = 0; k < rows; k++)
            {
                int l = localOf[gRows[k]];
                ref var e = ref ent[p];
                e.Value = gVals[k]; e.Local = l;
                p += (int)((uint)~l >> 31);
            }
        }
        for (int l = 0; l < grow; l++) ws.LocalOf[ws.GrowRows[l]] = -1;

        int[] featurePerm = ws.FeaturePerm;
        for (int f = 0; f < d; f++) featurePerm[f] = f;

        // Grow breadth-first.
        int count = 1;
        ws.NodeStart[0] = 0; ws.NodeEnd[0] = grow;
        for (int k = 0; k < count; k++)
        {
            int start = ws.NodeStart[k], end = ws.NodeEnd[k];
            ws.NodeFeature[k] = -1;
            if (end - start <= o.MinNodeSize) continue;
            int mtry = Math.Clamp(Poisson(ref rng, o.Mtry), 1, d);
            for (int i = 0; i < mtry; i++)
            {
                int j = i + rng.NextInt(d - i);
                (featurePerm[i], featurePerm[j]) = (featurePerm[j], featurePerm[i]);
            }
            if (!relabeling.Relabel(ws, start, end)) continue;
            if (!splitting.FindBestSplit(ws, start, end, new ReadOnlySpan<int>(featurePerm, 0, mtry), o,
                    out int feature, out int nLeft)) continue;
            Partition(ws, start, end, feature, nLeft);
            ws.NodeFeature[k] = feature;
            ws.NodeThreshold[k] = ws.Sorted(feature, start, end)[nLeft - 1].Value;
            ws.NodeLeft[k] = count; ws.NodeStart[count] = start; ws.NodeEnd[count] = start + nLeft; count++;
            ws.NodeRight[k] = count; ws.NodeStart[count] = start + nLeft; ws.NodeEnd[count] = end; count++;
        }

        // Leaf rows: the estimation half routed down the tree (honesty) or the growing rows themselves.
        Array.Clear(ws.NodeCount, 0, count);
        if (o.Honesty)
        {
            int ne = RouteEstimationRows(ws, fx.X, perm, grow, drawn, count, d);
            for (int j = 0; j < ne; j++) ws.NodeCount[ws.EstNode[j]]++;
            Offsets(ws, count);
            for (int j = 0; j < ne; j++)
            {
                int node = ws.EstNode[j];
                ws.NodeRows[ws.NodeOffset[node] + ws.NodeCount[node]++] = ws.EstRows[j];
            }
        }
        else
        {
            for (int k = 0; k < count; k++)
                if (ws.NodeFeature[k] < 0) ws.NodeCount[k] = ws.NodeEnd[k] - ws.NodeStart[k];
            Offsets(ws, count);
            for (int k = 0; k < count; k++)
            {
                if (ws.NodeFeature[k] >= 0) continue;
                foreach (var e in ws.NodeSamples(ws.NodeStart[k], ws.NodeEnd[k]))
                    ws.NodeRows[ws.NodeOffset[k] + ws.NodeCount[k]++] = ws.GrowRows[e.Local];
            }
        }
        for (int k = 0; k < count; k++) ws.NodeLeaf[k] = k;
        if (o.Honesty && o.PruneLeaves) Prune(ws, count);
        return (Compact(ws), bag);
    }

    /// <summary>
    /// Tree b's subsample: with rng = Rng.Derive(seed, RngStream.ForestTree, b), the first <paramref name="drawn"/> entries of
    /// <paramref name="perm"/> (a partial Fisher-Yates shuffle of 0..rows-1). With honesty the first
    /// floor(drawn * HonestyFraction) of them choose the splits and the rest fill the leaves.
    /// </summary>
    internal static void DrawSubsample(ref Rng rng, int[] perm, int drawn)
    {
        int rows = perm.Length;
        for (int i = 0; i < rows; i++) perm[i] = i;
        for (int i = 0; i < drawn; i++)
        {
            int j = i + rng.NextInt(rows - i);
            (perm[i], perm[j]) = (perm[j], perm[i]);
        }
    }

    /// <summary>
    /// Little bags (grf's ci_group_size): the group's half-sample is the first rows / 2 entries of a partial Fisher-Yates
    /// shuffle drawn with <paramref name="groupRng"/> (Rng.Derive(seed, RngStream.ForestGroup, group), the same for every
    /// tree of the group); the tree then draws its <paramref name="drawn"/> rows from that half with its own
    /// <paramref name="rng"/>, into the first entries of <paramref name="perm"/>.
    /// </summary>
    internal static void DrawGroupSubsample(ref Rng groupRng, ref Rng rng, int[] perm, int drawn)
    {
        int half = perm.Length / 2;
        DrawSubsample(ref groupRng, perm, half);
        if (drawn > half) throw new InvalidOperationException($"a tree of a group draws {drawn} rows from a half-sample of {half}");
        for (int i = 0; i < drawn; i++)
        {
            int j = i + rng.NextInt(half - i);
            (perm[i], perm[j]) = (perm[j], perm[i]);
        }
    }

    /// <summary>Subsample sizes: rows drawn per tree, and rows of them that choose the splits.</summary>
    internal static (int Drawn, int Grow) SampleSizes(int rows, in TreeOptions o)
    {
        int drawn = (int)(rows * o.SampleFraction);
        return (drawn, o.Honesty ? (int)(drawn * o.HonestyFraction) : drawn);
    }

    /// <summary>
    /// Routes the estimation rows perm[grow..drawn) down the grown tree: ws.EstRows[j] gets them in ascending row order
    /// (X is then read forward, and each leaf's rows come out sorted) and ws.EstNode[j] the node each reaches, four rows
    /// descending at once through the packed nodes. Returns their number. The leaves' contents do not depend on the order.
    /// </summary>
    static int RouteEstimationRows(TreeWorkspace ws, float[] x, int[] perm, int grow, int drawn, int count, int d)
    {
        var bits = ws.EstBits;
        Array.Clear(bits);
        for (int i = grow; i < drawn; i++) bits[perm[i] >> 6] |= 1UL << perm[i];
        int[] est = ws.EstRows;
        int ne = 0;
        for (int w = 0; w < bits.Length; w++)
            for (ulong v = bits[w]; v != 0; v &= v - 1) est[ne++] = (w << 6) + System.Numerics.BitOperations.TrailingZeroCount(v);
        var nodes = ws.Packed.AsSpan(0, count);
        for (int k = 0; k < count; k++)
        {
            System.Diagnostics.Debug.Assert(ws.NodeFeature[k] < 0 || ws.NodeRight[k] == ws.NodeLeft[k] + 1);
            nodes[k] = ws.NodeFeature[k] >= 0 ? new PackedNode(ws.NodeFeature[k], ws.NodeThreshold[k], ws.NodeLeft[k]) : new PackedNode(-1, 0, k);
        }
        int[] node = ws.EstNode;
        int j = 0;
        for (; j + 4 <= ne; j += 4)
            PackedNode.Descend4(nodes, new ReadOnlySpan<float>(x, est[j] * d, d), new ReadOnlySpan<float>(x, est[j + 1] * d, d),
                new ReadOnlySpan<float>(x, est[j + 2] * d, d), new ReadOnlySpan<float>(x, est[j + 3] * d, d),
                out node[j], out node[j + 1], out node[j + 2], out node[j + 3]);
        for (; j < ne; j++) node[j] = PackedNode.Descend(nodes, new ReadOnlySpan<float>(x, est[j] * d, d));
        return ne;
    }

    // NodeOffset from NodeCount (prefix sums), NodeCount reset to 0 for filling.
    static void Offsets(TreeWorkspace ws, int count)
    {
        int acc = 0;
        for (int k = 0; k < count; k++) { ws.NodeOffset[k] = acc; acc += ws.NodeCount[k]; ws.NodeCount[k] = 0; }
        ws.NodeOffset[count] = acc;
    }

    /// <summary>Stable partition of the node's range of every feature list: left child first (branch-free).</summary>
    static void Partition(TreeWorkspace ws, int start, int end, int feature, int nLeft)
    {
        byte[] goLeft = ws.GoLeft;
        var split = ws.Sorted(feature, start, end);
        for (int p = 0; p < split.Length; p++) goLeft[split[p].Local] = p < nLeft ? (byte)1 : (byte)0;
        var tmp = ws.Tmp.AsSpan();
        for (int f = 0; f < ws.Features; f++)
        {
            if (f == feature) continue;
            var ent = ws.Sorted(f, start, end);
            int wl = 0, wr = 0;
            for (int p = 0; p < ent.Length; p++)
            {
                var e = ent[p];
                int g = goLeft[e.Local];
                ent[wl] = e; tmp[wr] = e;
                wl += g; wr += 1 - g;
            }
            tmp[..wr].CopyTo(ent[wl..]);
        }
    }

    /// <summary>
    /// grf's honesty_prune_leaves: bottom-up, a split whose one side is a leaf without estimation rows is
    /// replaced by its other side; a split with two empty sides becomes an empty leaf.
    /// </summary>
    static void Prune(TreeWorkspace ws, int count)
    {
        bool EmptyLeaf(int k) => ws.NodeFeature[k] < 0 && ws.NodeOffset[ws.NodeLeaf[k] + 1] == ws.NodeOffset[ws.NodeLeaf[k]];
        for (int k = count - 1; k >= 0; k--)
        {
            if (ws.NodeFeature[k] < 0) continue;
            int l = ws.NodeLeft[k], r = ws.NodeRight[k];
            bool el = EmptyLeaf(l), er = EmptyLeaf(r);
            if (!el && !er) continue;
            int keep = el ? r : l;
            ws.NodeFeature[k] = ws.NodeFeature[keep];
            ws.NodeThreshold[k] = ws.NodeThreshold[keep];
            ws.NodeLeft[k] = ws.NodeLeft[keep];
            ws.NodeRight[k] = ws.NodeRight[keep];
            ws.NodeLeaf[k] = ws.NodeLeaf[keep];
        }
    }

    /// <summary>Renumbers the reachable nodes breadth-first into the final compact arrays.</summary>
    static Tree Compact(TreeWorkspace ws)
    {
        int head = 0, tail = 0, nodes = 0, leaves = 0, leafRows = 0;
        ws.Queue[tail++] = 0;
        while (head < tail)
        {
            int k = ws.Queue[head++];
            ws.NewIndex[k] = nodes++;
            if (ws.NodeFeature[k] >= 0) { ws.Queue[tail++] = ws.NodeLeft[k]; ws.Queue[tail++] = ws.NodeRight[k]; }
            else { leaves++; leafRows += ws.NodeOffset[ws.NodeLeaf[k] + 1] - ws.NodeOffset[ws.NodeLeaf[k]]; }
        }
        var feature = new int[nodes];
        var threshold = new float[nodes];
        var left = new int[nodes];
        var offsets = new int[leaves + 1];
        var rowsOut = new int[leafRows];
        int leaf = 0, pos = 0;
        for (int q = 0; q < tail; q++)
        {
            int k = ws.Queue[q], n = ws.NewIndex[k];
            if (ws.NodeFeature[k] >= 0)
            {
                feature[n] = ws.NodeFeature[k]; threshold[n] = ws.NodeThreshold[k];
                left[n] = ws.NewIndex[ws.NodeLeft[k]];
                System.Diagnostics.Debug.Assert(ws.NewIndex[ws.NodeRight[k]] == left[n] + 1);
            }
            else
            {
                feature[n] = -1; left[n] = leaf;
                int src = ws.NodeLeaf[k];
                var span = new ReadOnlySpan<int>(ws.NodeRows, ws.NodeOffset[src], ws.NodeOffset[src + 1] - ws.NodeOffset[src]);
                offsets[leaf] = pos;
                span.CopyTo(rowsOut.AsSpan(pos));
                // Sorted rows make the leaf statistics' summation order independent of routing order.
                rowsOut.AsSpan(pos, span.Length).Sort();
                pos += span.Length;
                leaf++;
            }
        }
        offsets[leaves] = pos;
        return new Tree(feature, threshold, left, offsets, rowsOut);
    }

    /// <summary>Poisson(lambda) draw (grf draws each node's mtry this way); Knuth's method, a normal approximation for large lambda.</summary>
    internal static int Poisson(ref Rng rng, double lambda)
    {
        if (lambda > 500) return (int)Math.Max(0, Math.Round(lambda + Math.Sqrt(lambda) * rng.NextNormal()));
        double limit = Math.Exp(-lambda), p = 1;
        int k = 0;
        do { k++; p *= rng.NextDouble(); } while (p > limit);
        return k - 1;
    }
}

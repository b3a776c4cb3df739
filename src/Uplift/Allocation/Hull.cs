namespace Uplift.Allocation;

/// <summary>
/// One user's upper convex hull over the arms (METHOD.md section 10), in the geometry of the guarded ratio of
/// METHOD.md section 5: arm k is the point (relu(tau_c,k), tau_v,k) and control the point (−ε, 0), so the slope of the
/// first segment is relu(tau_v) / (relu(tau_c) + ε), exactly the guarded ratio, and with one arm the path ranks users as
/// section 5 does. Rules, in order:
/// <list type="number">
/// <item>arms with tau_v ≤ 0 are dropped (they never add value);</item>
/// <item>a cost below zero counts as zero for the ordering (as in the guarded ratio): such an arm's first segment has slope
/// tau_v / ε, ahead of every arm whose cost is not tiny; the budget still books its real (negative) cost;</item>
/// <item>candidates sorted by cost, then value descending, then arm index; an arm is dominated, and dropped, when an arm
/// sorted before it has at least its value (a cheaper or equally cheap arm with as much value; of two identical points
/// the lower arm index is kept);</item>
/// <item>the upper hull from the control point keeps a middle arm only when it lies strictly above the line through its
/// neighbours (slope in strictly greater than slope out, as computed); a collinear middle arm is dropped, the user then
/// jumps straight to the bigger arm, which the LP relaxation values the same.</item>
/// </list>
/// The segments (upgrades) therefore have strictly decreasing slopes, so sorting all users' upgrades by slope never puts
/// one of a user's upgrades before its predecessor.
/// </summary>
internal static class Hull
{
    /// <summary>
    /// The hull of one user: writes the arms (1-based) in path order to <paramref name="arms"/> and each segment's slope
    /// (from the previous hull point, or from control) to <paramref name="slopes"/>; returns the number of segments (0 when
    /// no arm has tau_v &gt; 0). <paramref name="v"/>, <paramref name="c"/> are the user's K effects; the scratch spans
    /// have length at least K.
    /// </summary>
    internal static int Build(ReadOnlySpan<double> v, ReadOnlySpan<double> c, double eps, Span<int> arms, Span<double> slopes,
        Span<double> hc, Span<double> hv)
    {
        int k = v.Length;
        // Candidates (tau_v > 0), insertion-sorted by (relu cost asc, value desc, arm asc) into arms/hc/hv.
        int m = 0;
        for (int a = 0; a < k; a++)
        {
            if (!(v[a] > 0)) continue;
            double ca = Math.Max(c[a], 0.0), va = v[a];
            int p = m++;
            while (p > 0 && (hc[p - 1] > ca || (hc[p - 1] == ca && hv[p - 1] < va)))
            {
                hc[p] = hc[p - 1]; hv[p] = hv[p - 1]; arms[p] = arms[p - 1]; p--;
            }
            hc[p] = ca; hv[p] = va; arms[p] = a + 1;
        }
        // Dominance and the upper hull in one monotone chain (the stack reuses the front of the same spans).
        int h = 0;
        double best = double.NegativeInfinity;
        for (int q = 0; q < m; q++)
        {
            double cq = hc[q], vq = hv[q];
            int aq = arms[q];
            if (!(vq > best)) continue; // dominated by an arm sorted before it
            best = vq;
            while (h > 0)
            {
                double ac = h >= 2 ? hc[h - 2] : -eps, av = h >= 2 ? hv[h - 2] : 0.0;
                double sIn = Slope(ac, av, hc[h - 1], hv[h - 1]), sOut = Slope(hc[h - 1], hv[h - 1], cq, vq);
                if (sIn <= sOut) h--; else break;
            }
            hc[h] = cq; hv[h] = vq; arms[h] = aq; h++;
        }
        for (int j = 0; j < h; j++)
            slopes[j] = j == 0 ? Slope(-eps, 0.0, hc[0], hv[0]) : Slope(hc[j - 1], hv[j - 1], hc[j], hv[j]);
        return h;
    }

    /// <summary>Slope (v1 − v0) / (c1 − c0) of a hull segment; from control (−ε, 0) it is v / (relu(c) + ε), the guarded ratio.</summary>
    static double Slope(double c0, double v0, double c1, double v1) => (v1 - v0) / (c1 - c0);

    /// <summary>
    /// The arm a user with no positive arm gets at the very end of an evaluation path that treats everyone (the cost
    /// curve's last point, METHOD.md section 6): the largest tau_v, then the lowest tau_c, then the lowest index.
    /// </summary>
    internal static int LeastBadArm(ReadOnlySpan<double> v, ReadOnlySpan<double> c)
    {
        int best = 0;
        for (int a = 1; a < v.Length; a++)
            if (v[a] > v[best] || (v[a] == v[best] && c[a] < c[best])) best = a;
        return best + 1;
    }
}

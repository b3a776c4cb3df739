namespace Uplift.Allocation;

/// <summary>Incremental value and cost of an assignment (totals over its users, against everyone in control).</summary>
public readonly record struct PolicyTotals(double Value, double Cost);

/// <summary>What an assignment of arms to users is worth when the effects are known (synthetic data, METHOD.md section 10).</summary>
public static class Policy
{
    /// <summary>
    /// The true incremental value and cost of <paramref name="assignment"/> (arm per user, 0 = control): the sums over users
    /// of their assigned arm's true tau_v,k and tau_c,k (row-major n x K as in <see cref="BudgetPath.Build"/>), in user order.
    /// The oracle policy is <see cref="BudgetPath.Build"/> on the true effects.
    /// </summary>
    public static PolicyTotals TruePolicyValue(ReadOnlySpan<int> assignment, ReadOnlySpan<double> trueTauV, ReadOnlySpan<double> trueTauC)
    {
        int n = assignment.Length;
        if (n == 0) return new PolicyTotals(0, 0);
        if (trueTauV.Length != trueTauC.Length || trueTauV.Length % n != 0 || trueTauV.Length == 0)
            throw new ArgumentException($"the true effects must hold n x K values for n = {n} users (got {trueTauV.Length} and {trueTauC.Length}).");
        int k = trueTauV.Length / n;
        double value = 0, cost = 0;
        for (int i = 0; i < n; i++)
        {
            int a = assignment[i];
            if (a == 0) continue;
            if ((uint)a > (uint)k) throw new ArgumentException($"user {i + 1} is assigned arm {a}, outside 0..{k}.", nameof(assignment));
            value += trueTauV[i * k + a - 1];
            cost += trueTauC[i * k + a - 1];
        }
        return new PolicyTotals(value, cost);
    }
}

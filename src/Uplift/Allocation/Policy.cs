namespace Uplift.Allocation;

/// <summary>Incremental value and cost of an assignment (totals over its users, against everyone in control).</summary>
public readonly record struct PolicyTotals(double Value, double Cost);

/// <summary>One arm's share of an assignment: its users and the sums of their effects on that arm.</summary>
public readonly record struct ArmTotals(int Arm, int Users, double Value, double Cost);

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
        int k = ArmsOf(n, trueTauV, trueTauC);
        double value = 0, cost = 0;
        for (int i = 0; i < n; i++)
        {
            int a = Check(assignment[i], i, k);
            if (a == 0) continue;
            value += trueTauV[i * k + a - 1];
            cost += trueTauC[i * k + a - 1];
        }
        return new PolicyTotals(value, cost);
    }

    /// <summary>
    /// The assignment split by arm (index 0 = control, with value and cost 0): users per arm and the sums of their effects
    /// on it, estimated or true (row-major n x K), e.g. the plan's expected value and cost per arm.
    /// </summary>
    public static ArmTotals[] PerArm(ReadOnlySpan<int> assignment, ReadOnlySpan<double> tauV, ReadOnlySpan<double> tauC)
    {
        int n = assignment.Length;
        if (n == 0) throw new ArgumentException("the assignment has no users.", nameof(assignment));
        int k = ArmsOf(n, tauV, tauC);
        var users = new int[k + 1]; var value = new double[k + 1]; var cost = new double[k + 1];
        for (int i = 0; i < n; i++)
        {
            int a = Check(assignment[i], i, k);
            users[a]++;
            if (a == 0) continue;
            value[a] += tauV[i * k + a - 1];
            cost[a] += tauC[i * k + a - 1];
        }
        return [.. Enumerable.Range(0, k + 1).Select(a => new ArmTotals(a, users[a], value[a], cost[a]))];
    }

    static int ArmsOf(int n, ReadOnlySpan<double> tauV, ReadOnlySpan<double> tauC)
    {
        if (tauV.Length != tauC.Length || tauV.Length % n != 0 || tauV.Length == 0)
            throw new ArgumentException($"the effects must hold n x K values for n = {n} users (got {tauV.Length} and {tauC.Length}).");
        return tauV.Length / n;
    }

    static int Check(int a, int i, int k) =>
        (uint)a <= (uint)k ? a : throw new ArgumentException($"user {i + 1} is assigned arm {a}, outside 0..{k}.", "assignment");
}

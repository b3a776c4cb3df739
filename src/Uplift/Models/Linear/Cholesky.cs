namespace Uplift.Models.Linear;

/// <summary>Cholesky factorisation of a symmetric positive-definite matrix (row-major, in place, lower triangle).</summary>
internal static class Cholesky
{
    public static bool Factor(double[] a, int n)
    {
        for (int j = 0; j < n; j++)
        {
            double s = a[j * n + j];
            for (int k = 0; k < j; k++) s -= a[j * n + k] * a[j * n + k];
            if (!(s > 0) || double.IsNaN(s)) return false;
            double l = Math.Sqrt(s);
            a[j * n + j] = l;
            for (int i = j + 1; i < n; i++)
            {
                double t = a[i * n + j];
                for (int k = 0; k < j; k++) t -= a[i * n + k] * a[j * n + k];
                a[i * n + j] = t / l;
            }
        }
        return true;
    }

    public static double[] Solve(double[] l, int n, double[] b)
    {
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= l[i * n + k] * y[k];
            y[i] = s / l[i * n + i];
        }
        var x = new double[n];
        for (int i = n - 1; i >= 0; i--)
        {
            double s = y[i];
            for (int k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
            x[i] = s / l[i * n + i];
        }
        return x;
    }
}

using System.Text.Json.Nodes;
using Uplift.Models;
using Uplift.Models.Linear;
using Xunit;

namespace Uplift.Tests.Models.Linear;

public class LinearTests
{
    static readonly ParallelOptions Po = new() { MaxDegreeOfParallelism = 2 };

    static (float[] X, double[] Y) LinearData(int n, int d, double[] beta, double intercept, double noise, int seed)
    {
        var rng = new Rng((ulong)seed);
        var x = new float[n * d]; var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = intercept;
            for (int j = 0; j < d; j++) { x[i * d + j] = (float)rng.NextNormal(); s += beta[j] * x[i * d + j]; }
            y[i] = s + noise * rng.NextNormal();
        }
        return (x, y);
    }

    [Fact]
    public void Ridge_without_penalty_recovers_exact_coefficients_on_noiseless_data()
    {
        double[] beta = [1.5, -2, 0.25, 0, 3];
        var (x, y) = LinearData(500, 5, beta, 0.7, 0, 1);
        var model = (LinearModel)new RidgeRegressor(new RidgeOptions { Lambda = 0 })
            .Fit(new RegressionSet(x, 5, RegressionSet.AllRows(500), y), null, 1, Po);
        Assert.Equal(0.7, model.Intercept, 1e-9);
        for (int j = 0; j < 5; j++) Assert.Equal(beta[j], model.Coefficients[j], 1e-9);
    }

    [Fact]
    public void Ridge_with_cross_validated_lambda_is_close_on_noiseless_data_and_penalty_shrinks()
    {
        double[] beta = [1, -1, 2];
        var (x, y) = LinearData(2000, 3, beta, -0.5, 0, 2);
        var set = new RegressionSet(x, 3, RegressionSet.AllRows(2000), y);
        var cv = (LinearModel)new RidgeRegressor().Fit(set, null, 3, Po);
        Assert.Equal(1e-4, cv.Lambda); // noiseless: the smallest penalty wins
        for (int j = 0; j < 3; j++) Assert.Equal(beta[j], cv.Coefficients[j], 1e-2);
        var strong = (LinearModel)new RidgeRegressor(new RidgeOptions { Lambda = 10 }).Fit(set, null, 3, Po);
        Assert.True(Math.Abs(strong.Coefficients[2]) < 0.5 * Math.Abs(cv.Coefficients[2]));
        Assert.Equal(-0.5, strong.Intercept, 0.1); // intercept is not penalised
    }

    [Fact]
    public void Integer_weights_equal_duplicated_rows()
    {
        var (x, y) = LinearData(200, 4, [1, 2, 3, 4], 1, 1.0, 3);
        var w = new double[200];
        for (int i = 0; i < 200; i++) w[i] = i % 3 == 0 ? 2 : 1;
        var rows = new List<int>();
        for (int i = 0; i < 200; i++) { rows.Add(i); if (w[i] == 2) rows.Add(i); }
        var dupRows = rows.ToArray();
        var dupY = dupRows.Select(r => y[r]).ToArray();
        var opt = new RidgeOptions { Lambda = 0.1 };
        var a = (LinearModel)new RidgeRegressor(opt).Fit(new RegressionSet(x, 4, RegressionSet.AllRows(200), y, w), null, 1, Po);
        var b = (LinearModel)new RidgeRegressor(opt).Fit(new RegressionSet(x, 4, dupRows, dupY), null, 1, Po);
        Assert.Equal(b.Intercept, a.Intercept, 1e-9);
        for (int j = 0; j < 4; j++) Assert.Equal(b.Coefficients[j], a.Coefficients[j], 1e-9);
    }

    [Fact]
    public void Logistic_recovers_coefficients_and_round_trips()
    {
        int n = 20000, d = 2;
        var rng = new Rng(5);
        var x = new float[n * d]; var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i * d] = (float)rng.NextNormal(); x[i * d + 1] = (float)rng.NextNormal();
            double p = 1 / (1 + Math.Exp(-(0.5 + x[i * d] - x[i * d + 1])));
            y[i] = rng.NextDouble() < p ? 1 : 0;
        }
        var model = (LinearModel)new LogisticRegressor().Fit(new RegressionSet(x, d, RegressionSet.AllRows(n), y), null, 1, Po);
        Assert.Equal(0.5, model.Intercept, 0.1);
        Assert.Equal(1.0, model.Coefficients[0], 0.1);
        Assert.Equal(-1.0, model.Coefficients[1], 0.1);
        var p1 = new double[n]; var p2 = new double[n];
        model.Predict(x, null, p1, Po);
        var back = LinearModel.Load((JsonObject)JsonNode.Parse(model.Save().ToJsonString())!);
        back.Predict(x, null, p2, Po);
        Assert.Equal(p1, p2);
        Assert.All(p1, p => Assert.InRange(p, 0, 1));
    }

    [Fact]
    public void Bad_options_throw()
    {
        var (x, y) = LinearData(50, 2, [1, 1], 0, 0, 1);
        var set = new RegressionSet(x, 2, RegressionSet.AllRows(50), y);
        Assert.Throws<UpliftOptionException>(() => new RidgeRegressor(new RidgeOptions { Lambda = -1 }).Fit(set, null, 1, Po));
        Assert.Throws<UpliftOptionException>(() => new RidgeRegressor(new RidgeOptions { CvFolds = 1 }).Fit(set, null, 1, Po));
        Assert.Throws<UpliftOptionException>(() => new RidgeRegressor(new RidgeOptions { LambdaGrid = [] }).Fit(set, null, 1, Po));
        Assert.Throws<UpliftOptionException>(() => new LogisticRegressor(new LogisticOptions { MaxIterations = 0 }).Fit(set, null, 1, Po));
    }
}

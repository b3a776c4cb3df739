namespace Uplift.Engine;

/// <summary>
/// Adam (Kingma and Ba) on one flat float vector, full batch (METHOD.md section 3):
/// m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²;  θ ← θ − lr · m̂ / (sqrt(v̂) + ε), with the bias-corrected
/// m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t). Parameters that always get a zero gradient (the network's
/// padding) never move.
/// </summary>
internal sealed class Adam
{
    readonly float[] _m, _v;
    int _t;

    public double LearningRate { get; }
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Epsilon { get; }
    /// <summary>Updates done so far.</summary>
    public int Steps => _t;

    public Adam(int parameters, double learningRate = 0.01, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        if (!(learningRate > 0)) throw new ArgumentOutOfRangeException(nameof(learningRate));
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1));
        _m = new float[parameters]; _v = new float[parameters];
        LearningRate = learningRate; Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon;
    }

    /// <summary>One update of <paramref name="theta"/> with gradient <paramref name="grad"/>.</summary>
    public void Step(Span<float> theta, ReadOnlySpan<float> grad)
    {
        if (theta.Length != _m.Length || grad.Length != _m.Length) throw new ArgumentException("length mismatch");
        _t++;
        float b1 = (float)Beta1, b2 = (float)Beta2;
        float c1 = (float)(1 - Math.Pow(Beta1, _t)), c2 = (float)(1 - Math.Pow(Beta2, _t));
        float lr = (float)LearningRate, eps = (float)Epsilon;
        for (int j = 0; j < theta.Length; j++)
        {
            float g = grad[j];
            float m = _m[j] = b1 * _m[j] + (1 - b1) * g;
            float v = _v[j] = b2 * _v[j] + (1 - b2) * g * g;
            theta[j] -= lr * (m / c1) / (MathF.Sqrt(v / c2) + eps);
        }
    }
}

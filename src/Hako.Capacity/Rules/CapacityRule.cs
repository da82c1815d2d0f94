namespace Hako.Capacity.Rules;

/// <summary>
/// A capacity rule: a pure function from a node's history of one resource to the demand the
/// node must be able to serve so that it is overloaded in at most a fraction ε of the time.
/// Rules differ only in what they assume about the tenants; each states its assumption.
/// </summary>
public abstract class CapacityRule
{
    /// <summary>Stable identifier used on the command line and in reports.</summary>
    public abstract string Name { get; }

    /// <summary>What the rule assumes about tenants, in one sentence.</summary>
    public abstract string Assumption { get; }

    /// <summary>Predicted (1 − ε) demand of the node: the capacity it needs at risk ε.</summary>
    public abstract double PredictDemand(ResourceHistory history, double epsilon);

    /// <summary>
    /// The rule's estimate of P(demand &gt; <paramref name="capacity"/>) in a bucket, or null
    /// where the rule has no probability model (static ratios, sums of quantiles).
    /// </summary>
    public virtual double? OverloadProbability(ResourceHistory history, double capacity) => null;

    /// <summary>Both numbers against the node's own capacity.</summary>
    public RulePrediction Evaluate(ResourceHistory history, double epsilon)
    {
        ArgumentNullException.ThrowIfNull(history);
        CheckEpsilon(epsilon);
        return new RulePrediction(Name, history.Resource, epsilon, PredictDemand(history, epsilon),
            history.Capacity, OverloadProbability(history, history.Capacity));
    }

    public override string ToString() => Name;

    internal static void CheckEpsilon(double epsilon)
    {
        if (!(epsilon > 0 && epsilon < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon,
                "ε is the accepted overload probability; it must be strictly between 0 and 1, e.g. 0.01");
        }
    }
}

/// <summary>A rule's verdict for one resource of one node.</summary>
/// <param name="Demand">Predicted (1 − ε) demand.</param>
/// <param name="OverloadProbability">Rule's P(demand &gt; capacity) now; null if it has no model.</param>
public sealed record RulePrediction(
    string Rule,
    CapacityResource Resource,
    double Epsilon,
    double Demand,
    double Capacity,
    double? OverloadProbability)
{
    /// <summary>True when the predicted demand fits the capacity.</summary>
    public bool Fits => Demand <= Capacity;

    /// <summary>Capacity left at risk ε (negative when already over).</summary>
    public double Headroom => Capacity - Demand;
}

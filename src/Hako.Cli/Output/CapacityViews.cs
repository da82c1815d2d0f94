using System.Globalization;
using System.Text;
using Hako.Contracts;

namespace Hako.Cli.Output;

/// <summary>`hako capacity` as text: one row per resource, then the plan's headroom and how the history was filled.</summary>
internal static class CapacityViews
{
    public static string Render(CapacityInfo info)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture,
            $"{info.Containers} containers, {info.HistoryHours:0.#} h of 5-minute usage history ({info.Buckets} buckets); rule {info.Rule}, ε = {Percent(info.Epsilon)}\n");
        sb.Append(CultureInfo.InvariantCulture, $"admission: {info.Admission} ({info.AdmissionDetail})\n\n");
        var plan = info.Plan;
        var headers = new List<string> { "RESOURCE", "CAPACITY", "GUARANTEED", "COMMITTED", "PEAK", $"PREDICTED@{Percent(info.Epsilon)}", "P(OVERLOAD)", "HEADROOM" };
        if (plan is not null)
        {
            headers.Add($"MORE {plan.Plan}");
        }

        var table = new TextTable([.. headers]);
        foreach (var r in info.Resources)
        {
            var cells = new List<string>
            {
                r.Resource + (r.Checked ? "" : " *"),
                Amount(r, r.Capacity),
                Amount(r, r.Guaranteed),
                Amount(r, r.Committed) + Share(r.Committed, r.Capacity),
                Amount(r, r.ObservedPeak) + Share(r.ObservedPeak, r.Capacity),
                Amount(r, r.Predicted) + Share(r.Predicted, r.Capacity),
                r.OverloadProbability is { } p ? Percent(p) : "-",
                (r.Headroom < 0 ? "-" : "") + Amount(r, Math.Abs(r.Headroom)),
            };
            if (plan is not null)
            {
                cells.Add(r.MoreOfPlan?.ToString(CultureInfo.InvariantCulture) ?? "-");
            }

            table.AddRow([.. cells]);
        }

        sb.Append(table.Render());
        if (info.Resources.Any(r => !r.Checked))
        {
            sb.Append("* reported, not held to ε by admission (its overcommit ratio is 'inf')\n");
        }

        if (plan is not null)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"\n{plan.More} more containers of plan {plan.Plan} fit at ε = {Percent(info.Epsilon)} (limited by {plan.LimitingResource}); {plan.SourceDetail}\n");
        }

        if (info.History.Count > 0)
        {
            sb.Append("\nfilled-in history: ");
            sb.Append(string.Join(", ", info.History.Take(10).Select(h => $"{h.Name} ({h.Source}{(h.CopiedFrom is null ? "" : " of " + h.CopiedFrom)})")));
            sb.Append(info.History.Count > 10 ? $" and {info.History.Count - 10} more\n" : "\n");
        }

        return sb.ToString();
    }

    private static string Amount(CapacityResourceInfo r, double value) => r.Unit == "B"
        ? Sizes.Format((long)Math.Round(value))
        : value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Share(double value, double of) =>
        of > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({value / of:0%})") : "";

    private static string Percent(double p) =>
        (p * 100).ToString(p is > 0 and < 0.001 ? "0.####" : "0.##", CultureInfo.InvariantCulture) + "%";
}

using System.Diagnostics;
using System.Globalization;
using Hako.Capacity.Rules;

namespace Hako.Capacity.Backtest;

/// <summary>
/// The backtest verb: <c>backtest --trace DIR --format bitbrains|csv --per-node N --train-days D
/// --epsilon E [--sets K] [--seed S] [--rules R1;R2]</c>. <c>--per-node</c> and
/// <c>--epsilon</c> accept comma lists; the trace is parsed once for all combinations.
/// `hako capacity backtest` calls <see cref="Run"/> with its arguments after "backtest".
/// </summary>
public static class BacktestRunner
{
    public const string Usage =
        "usage: backtest --trace DIR|FILE --format bitbrains|hako|csv --per-node N[,N...] --train-days D " +
        "--epsilon E[,E...] [--sets K] [--seed S] [--rules RULE;RULE...] [--png FILE]";

    /// <summary>Runs the verb; returns the process exit code (0 ok, 2 bad arguments, 1 failure).</summary>
    /// <param name="renderPng">
    /// Draws a chart (the planner has no graphics dependency; Hako.Capacity.Charts'
    /// ChartRenderer.RenderAggregate fits). With <c>--png FILE</c>, the first node of the first
    /// row is drawn per resource into FILE-cpu.png and FILE-memory.png.
    /// </param>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error, Action<AggregateView, string>? renderPng = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (!TryParse(args, out var parsed, out var problems))
        {
            foreach (var p in problems)
            {
                error.WriteLine($"backtest: {p}");
            }
            error.WriteLine(Usage);
            return 2;
        }
        if (parsed.Png is not null && renderPng is null)
        {
            error.WriteLine("backtest: --png is not available in this build (no chart renderer was linked).");
            return 2;
        }
        Trace trace;
        var clock = Stopwatch.StartNew();
        try
        {
            trace = ReadTrace(parsed.Trace, parsed.Format);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            error.WriteLine($"backtest: cannot read trace '{parsed.Trace}': {e.Message}");
            return 1;
        }
        var parseTime = clock.Elapsed;
        var days = trace.BucketCount / (double)trace.BucketsPerDay;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trace {parsed.Trace} ({parsed.Format}): {trace.Tenants.Count} tenants, {trace.BucketCount} buckets of {trace.BucketLength.TotalMinutes:0} min ({days:0.0} days), parsed in {parseTime.TotalMilliseconds:0} ms"));

        Backtester.Prepared prepared;
        try
        {
            prepared = Backtester.Prepare(trace, parsed.TrainDays);
        }
        catch (ArgumentOutOfRangeException e)
        {
            error.WriteLine($"backtest: --train-days {parsed.TrainDays}: {e.Message}");
            return 2;
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"train: first {parsed.TrainDays:0.##} days ({prepared.TrainBuckets} buckets); test: {trace.BucketCount - prepared.TrainBuckets} buckets; {parsed.Sets} nodes per row, seed {parsed.Seed}"));
        output.WriteLine("overload = share of test buckets with combined demand > predicted capacity; capacity = predicted / Σ provisioned");
        output.WriteLine();
        output.WriteLine(Row("resource", "N", "ε", "rule", "mean overload", "max overload", "nodes > ε", "capacity"));
        var drawn = false;
        foreach (var n in parsed.PerNode)
        {
            foreach (var eps in parsed.Epsilons)
            {
                if (n > trace.Tenants.Count)
                {
                    error.WriteLine($"backtest: --per-node {n} exceeds the trace's {trace.Tenants.Count} tenants; skipped.");
                    continue;
                }
                clock.Restart();
                var result = Backtester.Run(prepared, new BacktestOptions
                {
                    PerNode = n,
                    TrainDays = parsed.TrainDays,
                    Epsilon = eps,
                    Sets = parsed.Sets,
                    Seed = parsed.Seed,
                    Rules = parsed.Rules,
                });
                var elapsed = clock.Elapsed;
                foreach (var s in result.Summaries)
                {
                    output.WriteLine(Row(s.Resource == CapacityResource.Cpu ? "cpu" : "memory", n.ToString(CultureInfo.InvariantCulture),
                        Pct(eps), s.Rule, Pct(s.MeanOverloadRate), Pct(s.MaxOverloadRate), Pct(s.ShareAboveEpsilon),
                        s.MeanRelativeCapacity.ToString("0.000", CultureInfo.InvariantCulture)));
                }
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ({parsed.Sets} nodes of {n} in {elapsed.TotalMilliseconds:0} ms)"));
                if (parsed.Png is not null && renderPng is not null && !drawn)
                {
                    drawn = true;
                    foreach (var view in Views(trace, parsed, result))
                    {
                        var file = PngPath(parsed.Png, view.Resource);
                        renderPng(view, file);
                        output.WriteLine($"  chart: {file}");
                    }
                }
            }
        }
        return 0;
    }

    /// <summary>
    /// Reads a trace: <c>bitbrains</c> (a directory of GWA-T-12 files), <c>hako</c> (hakod's
    /// <c>/v1/usage/export</c>) or <c>csv</c> (the same columns from anywhere).
    /// </summary>
    public static Trace ReadTrace(string path, string format) => format switch
    {
        "bitbrains" => BitbrainsTraceReader.Read(path),
        "hako" or "csv" => CsvTraceReader.Read(path),
        _ => throw new ArgumentException($"Trace format '{format}' is not known; use bitbrains, hako or csv.", nameof(format)),
    };

    /// <summary>Node 0 of a result per resource: its whole combined series and the last rule's prediction.</summary>
    private static IEnumerable<AggregateView> Views(Trace trace, Arguments parsed, BacktestResult result)
    {
        var node = result.Nodes[0];
        var rule = parsed.Rules[^1];
        foreach (var r in result.Options.Resources)
        {
            var series = new double[trace.BucketCount];
            foreach (var t in node)
            {
                ResourceHistory.AddScaled(series, trace.Tenants[t].Usage(r), 1);
            }
            var outcome = result.Outcomes.First(o => o.Set == 0 && o.Resource == r && o.Rule == rule.Name);
            var (unit, scale) = (parsed.Format, r) switch
            {
                ("bitbrains", CapacityResource.Cpu) => ("GHz", 1000.0),
                ("bitbrains", _) => ("GiB", 1024.0 * 1024),
                (_, CapacityResource.Cpu) => ("cores", 1.0),
                _ => ("GiB", 1024.0 * 1024 * 1024),
            };
            var title = string.Create(CultureInfo.InvariantCulture,
                $"{(r == CapacityResource.Cpu ? "CPU" : "Memory")} of a node of {node.Count} tenants ({string.Join(",", node.Select(i => trace.Tenants[i].Id))}); {rule.Name} at ε = {result.Options.Epsilon:0.###%}, fitted on {parsed.TrainDays:0.#} days");
            yield return new AggregateView(r, title, trace.Start, trace.BucketLength, series, outcome.Predicted, outcome.Provisioned,
                result.TrainBuckets, unit, scale, rule.Name, result.Options.Epsilon, outcome.OverloadRate);
        }
    }

    private static string PngPath(string path, CapacityResource r)
    {
        var dir = Path.GetDirectoryName(path) ?? "";
        var stem = Path.GetFileNameWithoutExtension(path);
        return Path.Combine(dir, $"{stem}-{(r == CapacityResource.Cpu ? "cpu" : "memory")}.png");
    }

    private static string Row(string resource, string n, string eps, string rule, string mean, string max, string share, string capacity) =>
        $"{resource,-8} {n,3} {eps,6} {rule,-42} {mean,13} {max,12} {share,9} {capacity,8}";

    private static string Pct(double p) => (p * 100).ToString(p != 0 && p < 0.001 ? "0.000" : "0.00", CultureInfo.InvariantCulture) + "%";

    /// <summary>The parsed verb: every option checked.</summary>
    public sealed record Arguments(string Trace, string Format, IReadOnlyList<int> PerNode, double TrainDays,
        IReadOnlyList<double> Epsilons, int Sets, ulong Seed, IReadOnlyList<CapacityRule> Rules, string? Png);

    /// <summary>Parses every option and reports every problem at once.</summary>
    public static bool TryParse(IReadOnlyList<string> args, out Arguments parsed, out List<string> problems)
    {
        var found = new List<string>();
        problems = found;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var known = new HashSet<string>(StringComparer.Ordinal) { "--trace", "--format", "--per-node", "--train-days", "--epsilon", "--sets", "--seed", "--rules", "--png" };
        var start = args.Count > 0 && args[0] == "backtest" ? 1 : 0;
        for (var i = start; i < args.Count; i++)
        {
            var a = args[i];
            var eq = a.IndexOf('=', StringComparison.Ordinal);
            string key, value;
            if (eq > 0)
            {
                key = a[..eq];
                value = a[(eq + 1)..];
            }
            else if (i + 1 < args.Count)
            {
                key = a;
                value = args[++i];
            }
            else
            {
                problems.Add($"option '{a}' needs a value.");
                continue;
            }
            if (!known.Contains(key))
            {
                problems.Add($"unknown option '{key}'.");
                continue;
            }
            values[key] = value;
        }

        string Need(string key)
        {
            if (values.TryGetValue(key, out var v))
            {
                return v;
            }
            found.Add($"{key} is required.");
            return "";
        }

        var trace = Need("--trace");
        var format = values.GetValueOrDefault("--format", "bitbrains");
        if (format is not ("bitbrains" or "hako" or "csv"))
        {
            problems.Add($"--format '{format}' is not known; use bitbrains, hako or csv.");
        }
        var perNode = new List<int>();
        foreach (var s in Need("--per-node").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0)
            {
                perNode.Add(n);
            }
            else
            {
                problems.Add($"--per-node '{s}' is not a positive whole number of tenants, e.g. 16.");
            }
        }
        var trainText = Need("--train-days");
        if (!double.TryParse(trainText, NumberStyles.Float, CultureInfo.InvariantCulture, out var trainDays) || trainDays <= 0)
        {
            if (trainText.Length > 0)
            {
                problems.Add($"--train-days '{trainText}' is not a positive number of days, e.g. 14.");
            }
        }
        var epsilons = new List<double>();
        foreach (var s in Need("--epsilon").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (double.TryParse(s.TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out var e))
            {
                e = s.EndsWith('%') ? e / 100 : e;
                if (e is > 0 and < 1)
                {
                    epsilons.Add(e);
                    continue;
                }
            }
            problems.Add($"--epsilon '{s}' is not a probability strictly between 0 and 1, e.g. 0.01 or 1%.");
        }
        var sets = 100;
        if (values.TryGetValue("--sets", out var setsText) &&
            (!int.TryParse(setsText, NumberStyles.Integer, CultureInfo.InvariantCulture, out sets) || sets < 1))
        {
            problems.Add($"--sets '{setsText}' is not a positive whole number, e.g. 100.");
        }
        ulong seed = 1;
        if (values.TryGetValue("--seed", out var seedText) &&
            !ulong.TryParse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed))
        {
            problems.Add($"--seed '{seedText}' is not a non-negative whole number.");
        }
        var rules = new List<CapacityRule>();
        if (values.TryGetValue("--rules", out var rulesText))
        {
            foreach (var name in rulesText.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (CapacityRules.TryParse(name, out var rule))
                {
                    rules.Add(rule);
                }
                else
                {
                    problems.Add($"--rules: '{name}' is not a rule; known: {string.Join(", ", CapacityRules.All.Select(r => r.Name))}, static:RATIO, max(A,B), default.");
                }
            }
        }
        else
        {
            rules.AddRange(CapacityRules.All);
        }
        parsed = new Arguments(trace, format, perNode, trainDays, epsilons, sets, seed, rules, values.GetValueOrDefault("--png"));
        return problems.Count == 0;
    }
}

/// <summary>What a backtest chart shows: one node's combined demand, a rule's prediction, the provisioned total.</summary>
/// <param name="Capacity">Σ of the tenants' provisioned sizes (what static allocation would reserve).</param>
/// <param name="SplitAt">First bucket of the test period.</param>
/// <param name="Scale">Divide values by this to get <paramref name="Unit"/>.</param>
public sealed record AggregateView(
    CapacityResource Resource,
    string Title,
    DateTimeOffset Start,
    TimeSpan BucketLength,
    double[] Series,
    double Prediction,
    double Capacity,
    int SplitAt,
    string Unit,
    double Scale,
    string Rule,
    double Epsilon,
    double OverloadRate);

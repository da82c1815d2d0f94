using System.CommandLine;
using System.Globalization;
using Hako.Capacity;
using Hako.Capacity.Backtest;
using Hako.Cli.Output;
using Hako.Contracts;

namespace Hako.Cli.Commands;

/// <summary>
/// hako capacity [--epsilon E] [--plan P] [--png FILE]: how likely the node is to run out of each
/// resource and how many more containers of a plan fit, from recorded usage (hakod's planner).
/// Subcommands: backtest (in this process: the planner is a pure library) and export.
/// </summary>
internal sealed class CapacityCommand : HakoCommand
{
    private readonly Option<double?> _epsilon = new("--epsilon")
    {
        Description = "Accepted overload probability: the share of 5-minute buckets whose demand may exceed capacity (default: hakod's --capacity-epsilon, 0.01)",
        HelpName = "E",
    };
    private readonly Option<string?> _plan = new("--plan") { Description = "Also tell how many more containers of this plan fit", HelpName = "PLAN" };
    private readonly Option<string?> _png = new("--png")
    {
        Description = "Save a chart of the node's aggregate usage over time against the prediction and capacity (drawn by hakod)",
        HelpName = "FILE",
    };
    private readonly Option<string> _resource = new("--resource")
    {
        Description = "Resource the --png chart shows: memory or cpu",
        DefaultValueFactory = _ => "memory",
    };

    public CapacityCommand(CliEnvironment environment, GlobalOptions globals)
        : base("capacity", "Show the node's overload risk per resource and how many more containers of a plan fit", environment, globals)
    {
        Options.Add(_epsilon);
        Options.Add(_plan);
        Options.Add(_png);
        Options.Add(_resource);
        _resource.AcceptOnlyFromAmong("memory", "cpu");
        Subcommands.Add(new CapacityBacktestCommand(environment, globals));
        Subcommands.Add(new CapacityExportCommand(environment, globals));
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var epsilon = parseResult.GetValue(_epsilon);
        if (epsilon is { } e && e is not (> 0 and < 1))
        {
            throw CliException.Usage($"--epsilon {e.ToString(CultureInfo.InvariantCulture)} must be a probability strictly between 0 and 1, e.g. 0.01");
        }

        var info = await cli.Client.GetCapacityAsync(epsilon, parseResult.GetValue(_plan), cancellationToken).ConfigureAwait(false);
        if (parseResult.GetValue(_png) is { } png)
        {
            var bytes = await cli.Client.GetCapacityChartAsync(parseResult.GetValue(_resource)!, epsilon, cancellationToken).ConfigureAwait(false);
            await File.WriteAllBytesAsync(png, bytes, cancellationToken).ConfigureAwait(false);
            if (!cli.Json)
            {
                cli.Error.WriteLine($"chart: {png}");
            }
        }

        if (cli.Json)
        {
            cli.WriteJson(info, HakoJsonContext.Default.CapacityInfo);
        }
        else if (!cli.Quiet)
        {
            cli.Out.Write(CapacityViews.Render(info));
        }

        return ExitCodes.Ok;
    }
}

/// <summary>
/// hako capacity backtest: replays a trace (Bitbrains, or hakod's own export) through every rule,
/// in this process (Hako.Capacity is pure and AOT-safe), and prints per rule the observed overload,
/// the share of nodes above ε and the capacity asked relative to what was provisioned.
/// </summary>
internal sealed class CapacityBacktestCommand : HakoCommand
{
    private readonly Option<string> _trace = new("--trace") { Description = "Trace: a Bitbrains directory, or a CSV file (hako capacity export)", HelpName = "DIR|FILE", Required = true };
    private readonly Option<string> _format = new("--format") { Description = "bitbrains, hako (hakod's export) or csv", DefaultValueFactory = _ => "bitbrains" };
    private readonly Option<string> _perNode = new("--per-node") { Description = "Tenants per simulated node; a comma list runs each", HelpName = "N[,N...]", Required = true };
    private readonly Option<double> _trainDays = new("--train-days") { Description = "Days at the start of the trace the rules are fitted on; the rest is the test", HelpName = "D", Required = true };
    private readonly Option<string> _epsilon = new("--epsilon") { Description = "Target overload probability (0.01 or 1%); a comma list runs each", HelpName = "E[,E...]", Required = true };
    private readonly Option<int> _sets = new("--sets") { Description = "Random nodes per row", HelpName = "K", DefaultValueFactory = _ => 100 };
    private readonly Option<ulong> _seed = new("--seed") { Description = "Seed of the node draw (same seed, same nodes)", HelpName = "S", DefaultValueFactory = _ => 1UL };
    private readonly Option<string?> _rules = new("--rules") { Description = "Rules to compare, ';'-separated (default: all, e.g. 'peak;max(combined-gaussian,peak)')", HelpName = "R;R" };

    public CapacityBacktestCommand(CliEnvironment environment, GlobalOptions globals)
        : base("backtest", "Replay a usage trace: overload, nodes above ε and capacity needed per rule", environment, globals)
    {
        Options.Add(_trace);
        Options.Add(_format);
        Options.Add(_perNode);
        Options.Add(_trainDays);
        Options.Add(_epsilon);
        Options.Add(_sets);
        Options.Add(_seed);
        Options.Add(_rules);
        _format.AcceptOnlyFromAmong("bitbrains", "hako", "csv");
    }

    protected override Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var args = new List<string>
        {
            "--trace", parseResult.GetValue(_trace)!,
            "--format", parseResult.GetValue(_format)!,
            "--per-node", parseResult.GetValue(_perNode)!,
            "--train-days", parseResult.GetValue(_trainDays).ToString("R", CultureInfo.InvariantCulture),
            "--epsilon", parseResult.GetValue(_epsilon)!,
            "--sets", parseResult.GetValue(_sets).ToString(CultureInfo.InvariantCulture),
            "--seed", parseResult.GetValue(_seed).ToString(CultureInfo.InvariantCulture),
        };
        if (parseResult.GetValue(_rules) is { } rules)
        {
            args.AddRange(["--rules", rules]);
        }

        if (!cli.Json)
        {
            // The runner checks every argument at once and prints the table as it goes.
            var code = BacktestRunner.Run(args, cli.Quiet ? TextWriter.Null : cli.Out, cli.Error);
            return Task.FromResult(code);
        }

        if (!BacktestRunner.TryParse(args, out var parsed, out var problems))
        {
            throw CliException.Usage(string.Join(" ", problems));
        }

        Trace trace;
        try
        {
            trace = BacktestRunner.ReadTrace(parsed.Trace, parsed.Format);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read trace '{parsed.Trace}': {e.Message}");
        }

        var prepared = Backtester.Prepare(trace, parsed.TrainDays);
        var rows = new List<CapacityBacktestRow>();
        foreach (var n in parsed.PerNode.Where(n => n <= trace.Tenants.Count))
        {
            foreach (var eps in parsed.Epsilons)
            {
                var result = Backtester.Run(prepared, new BacktestOptions
                {
                    PerNode = n, TrainDays = parsed.TrainDays, Epsilon = eps, Sets = parsed.Sets, Seed = parsed.Seed, Rules = parsed.Rules,
                });
                rows.AddRange(result.Summaries.Select(s => new CapacityBacktestRow(s.Resource == CapacityResource.Cpu ? "cpu" : "memory",
                    n, eps, s.Rule, s.MeanOverloadRate, s.MaxOverloadRate, s.ShareAboveEpsilon, s.MeanRelativeCapacity)));
            }
        }

        cli.WriteJson(new CapacityBacktestInfo
        {
            Trace = parsed.Trace,
            Format = parsed.Format,
            Tenants = trace.Tenants.Count,
            Buckets = trace.BucketCount,
            TrainBuckets = prepared.TrainBuckets,
            TestBuckets = trace.BucketCount - prepared.TrainBuckets,
            Sets = parsed.Sets,
            Seed = parsed.Seed,
            Rows = rows,
        }, HakoJsonContext.Default.CapacityBacktestInfo);
        return Task.FromResult(ExitCodes.Ok);
    }
}

/// <summary>hako capacity export [--since 30d] [-o FILE]: hakod's usage history as the CSV `backtest --format hako` replays.</summary>
internal sealed class CapacityExportCommand : HakoCommand
{
    private readonly Option<string> _since = new("--since") { Description = "How far back: a duration (30d, 12h) or a time (2026-11-26T10:00:00Z)", DefaultValueFactory = _ => "30d" };
    private readonly Option<string?> _output = new("--output", "-o") { Description = "Write to FILE instead of stdout", HelpName = "FILE" };

    public CapacityExportCommand(CliEnvironment environment, GlobalOptions globals)
        : base("export", "Export the containers' 5-minute CPU and memory usage as CSV (for hako capacity backtest --format hako)", environment, globals)
    {
        Options.Add(_since);
        Options.Add(_output);
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        if (parseResult.GetValue(_output) is { } file)
        {
            await using var stream = File.Create(file);
            await cli.Client.ExportUsageAsync(parseResult.GetValue(_since), stream, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        using var buffer = new MemoryStream();
        await cli.Client.ExportUsageAsync(parseResult.GetValue(_since), buffer, cancellationToken).ConfigureAwait(false);
        await cli.Out.WriteAsync(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length)).ConfigureAwait(false);
        await cli.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}

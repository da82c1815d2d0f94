using System.CommandLine;
using System.Globalization;
using Hako.Cli.Output;
using Hako.Contracts;

namespace Hako.Cli.Commands;

/// <summary>hako stats NAME|--node: the recorded usage history as terminal charts, JSON or CSV.</summary>
internal sealed class StatsCommand : HakoCommand
{
    /// <summary>Without --resource the chart shows these; --json and --csv give every metric.</summary>
    private static readonly IReadOnlyList<string> DefaultMetrics = ["cpu", "memory"];

    private readonly Argument<string?> _name = new("name") { Description = "Container name (or --node)", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<bool> _node = new("--node") { Description = "The node's own usage instead of a container's" };
    private readonly Option<string> _since = new("--since")
    {
        Description = "Start: how long ago (30m, 1h, 7d) or a time (2026-11-26T10:00:00Z)",
        HelpName = "TIME",
        DefaultValueFactory = _ => "1h",
    };

    private readonly Option<string?> _until = new("--until") { Description = "End, like --since (default: now)", HelpName = "TIME" };
    private readonly Option<string?> _resource = new("--resource", "-r") { Description = "Only this group of metrics (default chart: cpu and memory)", HelpName = "GROUP" };
    private readonly Option<bool> _csv = new("--csv") { Description = "Print time,metric,unit,mean,max,p95 rows (RFC 4180) instead of charts" };
    private readonly Option<int?> _points = new("--points") { Description = "Most points per metric (hakod merges to fit; default: two per chart column, 500 for --json/--csv)", HelpName = "N" };

    public StatsCommand(CliEnvironment environment, GlobalOptions globals)
        : base("stats", "Show a container's (or the node's) recorded usage history as charts", environment, globals)
    {
        _resource.AcceptOnlyFromAmong("cpu", "memory", "disk", "io", "net", "processes", "events", "load");
        _points.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1 or > 10_000)
            {
                result.AddError("--points must be between 1 and 10000");
            }
        });
        Arguments.Add(_name);
        Options.Add(_node);
        Options.Add(_since);
        Options.Add(_until);
        Options.Add(_resource);
        Options.Add(_csv);
        Options.Add(_points);
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var name = parseResult.GetValue(_name);
        var node = parseResult.GetValue(_node);
        if ((name is null) == !node)
        {
            throw CliException.Usage(node
                ? "Give a container name or --node, not both"
                : "hako stats needs a container name or --node, e.g. hako stats web1 --since 1h");
        }

        var csv = parseResult.GetValue(_csv);
        if (csv && cli.Json)
        {
            throw CliException.Usage("--csv and --json are two different outputs; pick one");
        }

        var resource = parseResult.GetValue(_resource);
        var layout = new ChartLayout(Width(cli.Environment), StatsView.ChartHeight, TimeZoneInfo.Local,
            cli.Environment.OutputIsTerminal && cli.Environment.GetVariable("NO_COLOR") is null);
        var chart = !csv && !cli.Json;
        var points = parseResult.GetValue(_points) ?? (chart ? layout.Width * 2 : null);
        var history = await cli.Client.GetStatsAsync(name, parseResult.GetValue(_since), parseResult.GetValue(_until), resource, points,
            cancellationToken).ConfigureAwait(false);
        if (cli.Json)
        {
            cli.WriteJson(history, HakoJsonContext.Default.UsageHistory);
        }
        else if (csv)
        {
            cli.Out.Write(StatsView.Csv(history));
        }
        else if (!cli.Quiet)
        {
            cli.Out.Write(StatsView.Render(history, resource is null ? DefaultMetrics : null, layout));
        }

        return ExitCodes.Ok;
    }

    /// <summary>$COLUMNS if set, else the terminal's width, else 100 (a pipe or file).</summary>
    private static int Width(CliEnvironment environment)
    {
        if (int.TryParse(environment.GetVariable("COLUMNS"), NumberStyles.None, CultureInfo.InvariantCulture, out var columns) && columns > 0)
        {
            return Math.Max(40, columns);
        }

        return environment.OutputIsTerminal && Console.WindowWidth > 0 ? Math.Max(40, Console.WindowWidth) : 100;
    }
}

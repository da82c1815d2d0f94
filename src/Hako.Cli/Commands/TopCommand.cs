using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Hako.Cli.Output;
using Hako.Contracts;

namespace Hako.Cli.Commands;

/// <summary>hako top: the node's running containers, live, like top (GET /v1/usage every --delay).</summary>
internal sealed class TopCommand : HakoCommand
{
    private static readonly TimeSpan MinDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan DefaultDelay = TimeSpan.FromSeconds(2);

    private readonly Option<string> _sort = new("--sort")
    {
        Description = "Sort by cpu, memory, io or net (keys c, m, i, n change it)",
        HelpName = "cpu|memory|io|net",
        DefaultValueFactory = _ => "cpu",
    };

    private readonly Option<TimeSpan?> _delay = new("--delay", "-d")
    {
        Description = "Time between refreshes: 2s (the default), 500ms, 1m",
        HelpName = "TIME",
        CustomParser = result => ParseDelay(result.Tokens[0].Value) ?? ReportBadDelay(result),
    };

    private readonly Option<bool> _once = new("--once") { Description = "Print one frame and exit (no full screen); the default when stdout is not a terminal" };

    public TopCommand(CliEnvironment environment, GlobalOptions globals)
        : base("top", "Show the running containers' live usage, full screen, sortable", environment, globals)
    {
        _sort.AcceptOnlyFromAmong([.. TopView.SortNames]);
        Options.Add(_sort);
        Options.Add(_delay);
        Options.Add(_once);
    }

    /// <summary>"2s", "500ms", "1m", or plain seconds ("1.5"); null when it is none of those or under 200 ms.</summary>
    internal static TimeSpan? ParseDelay(string text)
    {
        var (number, scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1.0),
            _ when text.EndsWith('m') => (text[..^1], 60.0),
            _ => (text, 1.0),
        };
        return double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            && TimeSpan.FromSeconds(value * scale) is var delay && delay >= MinDelay
            ? delay
            : null;
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var sort = TopView.ParseSort(parseResult.GetValue(_sort)!);
        if (cli.Json)
        {
            cli.WriteJson(await cli.Client.GetUsageAsync(cancellationToken).ConfigureAwait(false), HakoJsonContext.Default.LiveUsage);
            return ExitCodes.Ok;
        }

        var memory = (await cli.Client.GetNodeAsync(cancellationToken).ConfigureAwait(false)).Capacity.MemoryBytes;
        if (parseResult.GetValue(_once) || !cli.Environment.OutputIsTerminal || cli.Environment.InputIsRedirected)
        {
            var usage = await cli.Client.GetUsageAsync(cancellationToken).ConfigureAwait(false);
            foreach (var line in TopView.Render(usage, memory, sort))
            {
                cli.Out.WriteLine(line);
            }

            return ExitCodes.Ok;
        }

        await RunFullScreenAsync(cli, memory, sort, parseResult.GetValue(_delay) ?? DefaultDelay, cancellationToken).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <summary>Redraws every <paramref name="delay"/>, at once on a key or a resize; q, Escape, Ctrl-C, SIGINT or SIGTERM end it (exit 0).</summary>
    private static async Task RunFullScreenAsync(CliContext cli, long memory, TopSort sort, TimeSpan delay, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);
        using var screen = new FullScreen(cli.Out);
        var usage = await cli.Client.GetUsageAsync(stop.Token).ConfigureAwait(false);
        var next = DateTimeOffset.UtcNow + delay;
        while (!stop.IsCancellationRequested)
        {
            var (width, height) = (FullScreen.Width, FullScreen.Height);
            screen.Draw(TopView.Render(usage, memory, sort, width, height, legend: true));
            var key = await FullScreen.ReadKeyAsync(next, () => (FullScreen.Width, FullScreen.Height) != (width, height), stop.Token)
                .ConfigureAwait(false);
            if (key is { } k)
            {
                if (TopView.IsQuit(k))
                {
                    return;
                }

                sort = TopView.SortForKey(k, sort) ?? sort;
            }

            if (DateTimeOffset.UtcNow >= next && !stop.IsCancellationRequested)
            {
                try
                {
                    usage = await cli.Client.GetUsageAsync(stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }

                next = DateTimeOffset.UtcNow + delay;
            }
        }
    }

    private static TimeSpan? ReportBadDelay(System.CommandLine.Parsing.ArgumentResult result)
    {
        result.AddError($"--delay '{result.Tokens[0].Value}' is not a time of at least 200ms; use e.g. 2s, 500ms or 1m");
        return null;
    }
}

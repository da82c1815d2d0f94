using System.CommandLine;
using System.Runtime.InteropServices;
using Hako.Cli.Output;
using Hako.Contracts;

namespace Hako.Cli.Commands;

/// <summary>
/// hako events [--container NAME] [--type T] [--since 1h|TIME] [--follow]: lifecycle and resource events,
/// one line each (NDJSON with --json); --follow then prints live ones until Ctrl-C (like docker events).
/// </summary>
internal sealed class EventsCommand : HakoCommand
{
    private readonly Option<string?> _container = new("--container") { Description = "Only this container's events", HelpName = "NAME" };
    private readonly Option<string?> _type = new("--type")
    {
        Description = $"Only events of this type: {string.Join(", ", EventTypes.All)}",
        HelpName = "TYPE",
    };
    private readonly Option<string?> _since = new("--since")
    {
        Description = "Events from this long ago (30m, 1h, 7d) or since this time (2026-11-26T12:00:00Z)",
        HelpName = "WHEN",
    };
    private readonly Option<int?> _limit = new("--limit") { Description = "At most the newest N stored events (default 1000)", HelpName = "N" };
    private readonly Option<bool> _follow = new("--follow", "-f") { Description = "Then keep printing new events as they happen, until Ctrl-C" };

    public EventsCommand(CliEnvironment environment, GlobalOptions globals)
        : base("events", "Show lifecycle and resource events (OOM kills, limit hits, disk full); --follow for live ones", environment, globals)
    {
        Options.Add(_container);
        Options.Add(_type);
        Options.Add(_since);
        Options.Add(_limit);
        Options.Add(_follow);
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var container = parseResult.GetValue(_container);
        var type = parseResult.GetValue(_type);
        var since = parseResult.GetValue(_since);
        var writer = new EventWriter(cli);
        if (!parseResult.GetValue(_follow))
        {
            foreach (var e in await cli.Client.ListEventsAsync(container, type, since, parseResult.GetValue(_limit), cancellationToken).ConfigureAwait(false))
            {
                writer.Write(e);
            }

            return ExitCodes.Ok;
        }

        // Ctrl-C (or SIGTERM) ends the stream; that is how --follow is meant to stop, so it exits 0.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        try
        {
            await foreach (var e in cli.Client.FollowEventsAsync(container, type, since, cancellationToken: stop.Token).ConfigureAwait(false))
            {
                writer.Write(e);
                cli.Out.Flush();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        return ExitCodes.Ok;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }
}

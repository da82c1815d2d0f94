using System.CommandLine;
using Hako.Cli.Output;
using Hako.Contracts;

namespace Hako.Cli.Commands;

/// <summary>hako migrate NAME TARGET [--offline] [--criu] [--ip IP]: vzmigrate / incus move between nodes.</summary>
internal sealed class MigrateCommand : HakoCommand
{
    private readonly Argument<string> _name = ContainerName();
    private readonly Argument<string> _target = new("target") { Description = "A node registered with hako node add" };
    private readonly Option<bool> _offline = new("--offline") { Description = "Stop the container for the copy instead of copying while it runs" };
    private readonly Option<bool> _criu = new("--criu") { Description = "Require CRIU (keep the processes); refuse instead of restarting the container on the target" };
    private readonly Option<string?> _ip = new("--ip") { Description = "New address on the target's subnet (nodes on different segments)", HelpName = "IP" };

    public MigrateCommand(CliEnvironment environment, GlobalOptions globals)
        : base("migrate", "Move a container to another node (copy while running, short freeze, start there)", environment, globals)
    {
        Arguments.Add(_name);
        Arguments.Add(_target);
        Options.Add(_offline);
        Options.Add(_criu);
        Options.Add(_ip);
    }

    internal MigrateRequest ToRequest(ParseResult r) => new()
    {
        Target = r.GetValue(_target)!, Offline = r.GetValue(_offline), RequireCriu = r.GetValue(_criu), Ip = r.GetValue(_ip),
    };

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var name = parseResult.GetValue(_name)!;
        var request = ToRequest(parseResult);
        var operation = await cli.Client.MigrateContainerAsync(name, request, cancellationToken).ConfigureAwait(false);
        var finished = await OperationProgress.FollowAsync(cli, operation, $"migrate {name} to {request.Target}", cancellationToken).ConfigureAwait(false);
        if (cli.Json)
        {
            if (finished.Migration is { } report)
            {
                cli.WriteJson(report, HakoJsonContext.Default.MigrationInfo);
            }
        }
        else if (!cli.Quiet && finished.Migration is { } report)
        {
            cli.Out.Write(MigrationViews.RenderReport(report));
        }

        return ExitCodes.Ok;
    }
}

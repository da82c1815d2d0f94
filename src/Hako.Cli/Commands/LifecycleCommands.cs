using System.CommandLine;
using Hako.Contracts;

namespace Hako.Cli.Commands;

/// <summary>hako start NAME.</summary>
internal sealed class StartCommand : HakoCommand
{
    private readonly Argument<string> _name = ContainerName();

    public StartCommand(CliEnvironment environment, GlobalOptions globals)
        : base("start", "Start a container", environment, globals)
    {
        Arguments.Add(_name);
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var name = parseResult.GetValue(_name)!;
        var operation = await cli.Client.StartContainerAsync(name, cancellationToken).ConfigureAwait(false);
        return await LifecycleOutput.FinishAsync(cli, operation, $"Container {name} started", cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>hako stop NAME [--force] [--timeout S] and hako restart NAME (same options).</summary>
internal sealed class StopCommand : HakoCommand
{
    private readonly Argument<string> _name = ContainerName();
    private readonly Option<bool> _force = new("--force", "-f") { Description = "Kill at once instead of a clean shutdown" };
    private readonly Option<int> _timeout = new("--timeout") { Description = "Seconds to wait for a clean shutdown before killing", DefaultValueFactory = _ => 30, HelpName = "S" };
    private readonly bool _restart;

    public StopCommand(CliEnvironment environment, GlobalOptions globals, bool restart)
        : base(restart ? "restart" : "stop", restart ? "Stop, then start a container" : "Stop a container", environment, globals)
    {
        _restart = restart;
        Arguments.Add(_name);
        Options.Add(_force);
        Options.Add(_timeout);
    }

    internal StopRequest ToRequest(ParseResult r) => new() { Force = r.GetValue(_force), TimeoutSeconds = r.GetValue(_timeout) };

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var name = parseResult.GetValue(_name)!;
        var request = ToRequest(parseResult);
        if (request.TimeoutSeconds < 0)
        {
            throw CliException.Usage($"--timeout {request.TimeoutSeconds} is negative; give seconds, e.g. --timeout 30");
        }

        var operation = _restart
            ? await cli.Client.RestartContainerAsync(name, request, cancellationToken).ConfigureAwait(false)
            : await cli.Client.StopContainerAsync(name, request, cancellationToken).ConfigureAwait(false);
        return await LifecycleOutput.FinishAsync(cli, operation,
            $"Container {name} {(_restart ? "restarted" : "stopped")}", cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>hako destroy NAME [--force]: like vzctl destroy / incus delete.</summary>
internal sealed class DestroyCommand : HakoCommand
{
    private readonly Argument<string> _name = ContainerName();
    private readonly Option<bool> _force = new("--force", "-f") { Description = "Stop the container first if it is running" };

    public DestroyCommand(CliEnvironment environment, GlobalOptions globals)
        : base("destroy", "Delete a container and its private area", environment, globals)
    {
        Aliases.Add("delete");
        Arguments.Add(_name);
        Options.Add(_force);
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var name = parseResult.GetValue(_name)!;
        var operation = await cli.Client.DeleteContainerAsync(name, parseResult.GetValue(_force), cancellationToken).ConfigureAwait(false);
        return await LifecycleOutput.FinishAsync(cli, operation, $"Container {name} destroyed", cancellationToken).ConfigureAwait(false);
    }
}

internal static class LifecycleOutput
{
    /// <summary>Waits for a lifecycle operation; prints its final state (--json) or one line.</summary>
    public static async Task<int> FinishAsync(CliContext cli, OperationInfo operation, string doneLine, CancellationToken cancellationToken)
    {
        cli.WarnAll(operation.Warnings);
        var finished = await cli.Client.WaitAsync(operation.Id, timeout: null, cancellationToken).ConfigureAwait(false);
        cli.WarnAll(finished.Warnings);
        if (cli.Json)
        {
            cli.WriteJson(finished, HakoJsonContext.Default.OperationInfo);
        }
        else
        {
            cli.Say(doneLine);
        }

        return ExitCodes.Ok;
    }
}

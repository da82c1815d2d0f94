using System.CommandLine;
using System.Reflection;
using Hako.Cli.Output;
using Hako.Client;
using Hako.Contracts;

namespace Hako.Cli.Commands;

/// <summary>
/// hako node: capacity, committed (sold) and used resources of this node; its subcommands manage the other
/// nodes it migrates to (add/list/remove) and its service state (evacuate/restore).
/// </summary>
internal sealed class NodeCommand : HakoCommand
{
    public NodeCommand(CliEnvironment environment, GlobalOptions globals)
        : base("node", "Show the node's capacity, committed and used resources; manage peer nodes", environment, globals)
    {
        Subcommands.Add(new NodeAddCommand(environment, globals));
        Subcommands.Add(new NodeListCommand(environment, globals));
        Subcommands.Add(new NodeRemoveCommand(environment, globals));
        Subcommands.Add(new NodeEvacuateCommand(environment, globals));
        Subcommands.Add(new NodeRestoreCommand(environment, globals));
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var node = await cli.Client.GetNodeAsync(cancellationToken).ConfigureAwait(false);
        if (cli.Json)
        {
            cli.WriteJson(node, HakoJsonContext.Default.NodeInfo);
        }
        else if (!cli.Quiet)
        {
            cli.Out.Write(NodeViews.RenderNode(node));
        }

        return ExitCodes.Ok;
    }
}

/// <summary>hako version: this CLI's version and, when it answers, hakod's.</summary>
internal sealed class VersionCommand : HakoCommand
{
    public VersionCommand(CliEnvironment environment, GlobalOptions globals)
        : base("version", "Show the versions of hako and hakod", environment, globals)
    {
    }

    public static string ClientVersion
    {
        get
        {
            var version = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
            var plus = version.IndexOf('+', StringComparison.Ordinal);
            return plus < 0 ? version : version[..plus];
        }
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        string? daemonVersion = null;
        string? nodeName = null;
        string? unreachable = null;
        try
        {
            var node = await cli.Client.GetNodeAsync(cancellationToken).ConfigureAwait(false);
            daemonVersion = node.Version;
            nodeName = node.NodeName;
        }
        catch (HakoApiException ex)
        {
            unreachable = ex.Message;
        }

        if (cli.Json)
        {
            JsonOutput.Write(cli.Out, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("client", ClientVersion);
                writer.WriteString("daemon", daemonVersion);
                writer.WriteString("node", nodeName);
                writer.WriteEndObject();
            });
            return ExitCodes.Ok;
        }

        cli.Out.WriteLine($"hako  {ClientVersion}");
        cli.Out.WriteLine(daemonVersion is null ? "hakod unreachable" : $"hakod {daemonVersion} on {nodeName}");
        if (unreachable is not null && !cli.Quiet)
        {
            cli.Error.WriteLine(unreachable);
        }

        return ExitCodes.Ok;
    }
}

/// <summary>hako operation list|show ID|wait ID: background work (incus operation).</summary>
internal static class OperationCommands
{
    public static Command Create(CliEnvironment environment, GlobalOptions globals)
    {
        var operation = new Command("operation", "Background operations (create, template build, ...)");
        operation.Aliases.Add("op");
        operation.Subcommands.Add(new OperationListCommand(environment, globals));
        operation.Subcommands.Add(new OperationShowCommand(environment, globals, wait: false));
        operation.Subcommands.Add(new OperationShowCommand(environment, globals, wait: true));
        return operation;
    }
}

internal sealed class OperationListCommand : HakoCommand
{
    public OperationListCommand(CliEnvironment environment, GlobalOptions globals)
        : base("list", "List recent operations", environment, globals)
    {
        Aliases.Add("ls");
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var operations = await cli.Client.ListOperationsAsync(cancellationToken).ConfigureAwait(false);
        if (cli.Json)
        {
            cli.WriteJson(operations, HakoJsonContext.Default.ListOperationInfo);
        }
        else if (!cli.Quiet)
        {
            cli.Out.Write(NodeViews.RenderOperations(operations));
        }

        return ExitCodes.Ok;
    }
}

internal sealed class OperationShowCommand : HakoCommand
{
    private readonly Argument<string> _id = new("id") { Description = "Operation id" };
    private readonly Option<int?> _timeout = new("--timeout") { Description = "Give up waiting after S seconds", HelpName = "S" };
    private readonly bool _wait;

    public OperationShowCommand(CliEnvironment environment, GlobalOptions globals, bool wait)
        : base(wait ? "wait" : "show", wait ? "Wait for an operation to end" : "Show an operation", environment, globals)
    {
        _wait = wait;
        Arguments.Add(_id);
        if (wait)
        {
            Options.Add(_timeout);
        }
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var id = parseResult.GetValue(_id)!;
        var timeout = parseResult.GetValue(_timeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        var operation = _wait
            ? await cli.Client.WaitAsync(id, timeout, cancellationToken).ConfigureAwait(false)
            : await cli.Client.GetOperationAsync(id, cancellationToken).ConfigureAwait(false);
        if (cli.Json)
        {
            cli.WriteJson(operation, HakoJsonContext.Default.OperationInfo);
        }
        else if (!cli.Quiet)
        {
            cli.Out.Write(NodeViews.RenderOperations([operation]));
        }

        return ExitCodes.Ok;
    }
}

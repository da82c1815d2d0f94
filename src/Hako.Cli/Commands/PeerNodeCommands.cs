using System.CommandLine;
using Hako.Cli.Output;
using Hako.Contracts;

namespace Hako.Cli.Commands;

/// <summary>hako node add NAME URL --token T: register a node to migrate to (its hakod must run with --listen).</summary>
internal sealed class NodeAddCommand : HakoCommand
{
    private readonly Argument<string> _name = new("name") { Description = "The peer's node name (its hakod --node-name)" };
    private readonly Argument<string> _url = new("url") { Description = "The peer's TCP API, e.g. https://192.0.2.10:8443" };
    private readonly Option<string> _token = new("--token") { Description = "The peer's API token (its DATA-DIR/api.token)", Required = true, HelpName = "T" };
    private readonly Option<string?> _fingerprint = new("--fingerprint")
    {
        Description = "The TLS fingerprint the peer's `hako node` prints; checked instead of trusting the first contact",
        HelpName = "sha256:HEX",
    };

    public NodeAddCommand(CliEnvironment environment, GlobalOptions globals)
        : base("add", "Register another node this one can migrate containers to", environment, globals)
    {
        Arguments.Add(_name);
        Arguments.Add(_url);
        Options.Add(_token);
        Options.Add(_fingerprint);
    }

    internal AddNodeRequest ToRequest(ParseResult r) => new()
    {
        Name = r.GetValue(_name)!,
        Url = r.GetValue(_url)!,
        Token = r.GetValue(_token)!,
        Fingerprint = r.GetValue(_fingerprint),
    };

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var node = await cli.Client.AddNodeAsync(ToRequest(parseResult), cancellationToken).ConfigureAwait(false);
        if (cli.Json)
        {
            cli.WriteJson(node, HakoJsonContext.Default.PeerNodeInfo);
        }
        else
        {
            cli.Say($"Node {node.Name} added ({node.Url}, {node.State})"
                + (node.Fingerprint is { } f ? $"; its TLS certificate {f} is pinned" : ""));
        }

        return ExitCodes.Ok;
    }
}

/// <summary>hako node list: registered peers and whether they answer now.</summary>
internal sealed class NodeListCommand : HakoCommand
{
    public NodeListCommand(CliEnvironment environment, GlobalOptions globals)
        : base("list", "List the nodes this one can migrate to", environment, globals)
    {
        Aliases.Add("ls");
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var nodes = await cli.Client.ListNodesAsync(cancellationToken).ConfigureAwait(false);
        if (cli.Json)
        {
            cli.WriteJson(nodes, HakoJsonContext.Default.ListPeerNodeInfo);
        }
        else if (!cli.Quiet)
        {
            cli.Out.Write(MigrationViews.RenderNodes(nodes));
        }

        return ExitCodes.Ok;
    }
}

/// <summary>hako node remove NAME.</summary>
internal sealed class NodeRemoveCommand : HakoCommand
{
    private readonly Argument<string> _name = new("name") { Description = "A registered node" };

    public NodeRemoveCommand(CliEnvironment environment, GlobalOptions globals)
        : base("remove", "Forget a registered node", environment, globals)
    {
        Aliases.Add("rm");
        Arguments.Add(_name);
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var name = parseResult.GetValue(_name)!;
        await cli.Client.RemoveNodeAsync(name, cancellationToken).ConfigureAwait(false);
        cli.Say($"Node {name} removed");
        return ExitCodes.Ok;
    }
}

/// <summary>hako node evacuate NODE [--to NODE...] [--offline]: move every container off this node.</summary>
internal sealed class NodeEvacuateCommand : HakoCommand
{
    private readonly Argument<string> _node = new("node") { Description = "The node to empty: the one hako talks to" };
    private readonly Option<string[]> _to = new("--to") { Description = "Target nodes (default: every registered node)", HelpName = "NODE", AllowMultipleArgumentsPerToken = true };
    private readonly Option<bool> _offline = new("--offline") { Description = "Stop each container for its copy" };

    public NodeEvacuateCommand(CliEnvironment environment, GlobalOptions globals)
        : base("evacuate", "Move every container to other nodes; the node then takes nothing new until hako node restore", environment, globals)
    {
        Arguments.Add(_node);
        Options.Add(_to);
        Options.Add(_offline);
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var node = parseResult.GetValue(_node)!;
        var self = await cli.Client.GetNodeAsync(cancellationToken).ConfigureAwait(false);
        if (!string.Equals(node, self.NodeName, StringComparison.OrdinalIgnoreCase))
        {
            throw CliException.Usage($"hako talks to node {self.NodeName}, not {node}; run the evacuation against {node}'s hakod (HAKO_URL=http://{node}:PORT HAKO_TOKEN=... hako node evacuate {node})");
        }

        var request = new EvacuateRequest { Targets = parseResult.GetValue(_to) ?? [], Offline = parseResult.GetValue(_offline) };
        var operation = await cli.Client.EvacuateNodeAsync(request, cancellationToken).ConfigureAwait(false);
        var finished = await OperationProgress.FollowAsync(cli, operation, $"evacuate {node}", cancellationToken).ConfigureAwait(false);
        var summary = finished.Evacuation ?? new EvacuationInfo { Node = node };
        if (cli.Json)
        {
            cli.WriteJson(summary, HakoJsonContext.Default.EvacuationInfo);
        }
        else if (!cli.Quiet)
        {
            cli.Out.Write(MigrationViews.RenderEvacuation(summary));
        }

        return summary.Failed > 0 ? ExitCodes.Error : ExitCodes.Ok;
    }
}

/// <summary>hako node restore: the node takes new containers again after an evacuation.</summary>
internal sealed class NodeRestoreCommand : HakoCommand
{
    public NodeRestoreCommand(CliEnvironment environment, GlobalOptions globals)
        : base("restore", "Put an evacuated node back in service", environment, globals)
    {
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var node = await cli.Client.RestoreNodeAsync(cancellationToken).ConfigureAwait(false);
        if (cli.Json)
        {
            cli.WriteJson(node, HakoJsonContext.Default.NodeInfo);
        }
        else
        {
            cli.Say($"Node {node.NodeName} takes new containers again");
        }

        return ExitCodes.Ok;
    }
}

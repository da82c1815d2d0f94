using System.CommandLine;
using Hako.Cli.Output;
using Hako.Contracts;

namespace Hako.Cli.Commands;

/// <summary>hako list (ls): like vzlist / incus list.</summary>
internal sealed class ListCommand : HakoCommand
{
    public ListCommand(CliEnvironment environment, GlobalOptions globals)
        : base("list", "List containers with state, address and usage", environment, globals)
    {
        Aliases.Add("ls");
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var containers = await cli.Client.ListContainersAsync(cancellationToken).ConfigureAwait(false);
        if (cli.Json)
        {
            cli.WriteJson(containers, HakoJsonContext.Default.ListContainerInfo);
        }
        else if (!cli.Quiet)
        {
            cli.Out.Write(ContainerViews.RenderList(containers));
        }

        return ExitCodes.Ok;
    }
}

/// <summary>hako show NAME: every setting, usage and the limit events (which limit was hit, how often).</summary>
internal sealed class ShowCommand : HakoCommand
{
    private readonly Argument<string> _name = ContainerName();

    public ShowCommand(CliEnvironment environment, GlobalOptions globals)
        : base("show", "Show a container's settings, usage and limit events", environment, globals)
    {
        Aliases.Add("info");
        Arguments.Add(_name);
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var container = await cli.Client.GetContainerAsync(parseResult.GetValue(_name)!, cancellationToken).ConfigureAwait(false);
        if (cli.Json)
        {
            cli.WriteJson(container, HakoJsonContext.Default.ContainerInfo);
        }
        else if (!cli.Quiet)
        {
            cli.Out.Write(ContainerViews.RenderShow(container));
        }

        return ExitCodes.Ok;
    }
}

/// <summary>hako set NAME --memory 512M ... | --plan P: like vzctl set --save / incus config set; prints what changed.</summary>
internal sealed class SetCommand : HakoCommand
{
    private readonly Argument<string> _name = ContainerName();
    private readonly Option<string?> _hostname = new("--hostname") { Description = "Hostname inside the container" };
    private readonly Option<string[]> _nameservers = new("--nameserver") { Description = "DNS server (repeatable; replaces the list)", HelpName = "IP" };
    private readonly ResourceOptions _resources = new(withPlan: true);
    private readonly Option<bool?> _onBoot = new("--onboot") { Description = "Start with hakod: true or false", HelpName = "true|false", Arity = ArgumentArity.ExactlyOne };

    public SetCommand(CliEnvironment environment, GlobalOptions globals)
        : base("set", "Change a container's settings and limits", environment, globals)
    {
        Arguments.Add(_name);
        Options.Add(_hostname);
        Options.Add(_nameservers);
        _resources.AddTo(this);
        Options.Add(_onBoot);
    }

    internal UpdateContainerRequest ToRequest(ParseResult r)
    {
        var nameservers = r.GetValue(_nameservers);
        var request = new UpdateContainerRequest
        {
            Hostname = r.GetValue(_hostname),
            Nameservers = nameservers is { Length: > 0 } ? nameservers : null,
            Memory = r.GetValue(_resources.Memory),
            Swap = r.GetValue(_resources.Swap),
            Cpus = r.GetValue(_resources.Cpus),
            CpuLimit = r.GetValue(_resources.CpuLimit),
            CpuUnits = r.GetValue(_resources.CpuUnits),
            Processes = r.GetValue(_resources.Processes),
            Disk = r.GetValue(_resources.Disk),
            OnBoot = r.GetValue(_onBoot),
            Plan = _resources.GetPlan(r),
            Resources = _resources.GetSettings(r),
        };
        if (request == new UpdateContainerRequest())
        {
            throw CliException.Usage($"hako set needs at least one setting to change, e.g. hako set {r.GetValue(_name)} --memory 512M (see hako set --help)");
        }

        return request;
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var name = parseResult.GetValue(_name)!;
        var request = ToRequest(parseResult);
        var before = await cli.Client.GetContainerAsync(name, cancellationToken).ConfigureAwait(false);
        var after = await cli.Client.UpdateContainerAsync(name, request, cancellationToken).ConfigureAwait(false);
        cli.WarnAll(after.Warnings);
        if (cli.Json)
        {
            cli.WriteJson(after, HakoJsonContext.Default.ContainerInfo);
            return ExitCodes.Ok;
        }

        var changes = ContainerViews.Diff(before, after);
        if (changes.Count == 0)
        {
            cli.Say($"Container {name}: nothing changed (already set)");
            return ExitCodes.Ok;
        }

        cli.Say($"Container {name} updated:");
        foreach (var change in changes)
        {
            cli.Say("  " + change);
        }

        return ExitCodes.Ok;
    }
}

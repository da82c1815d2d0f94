using System.CommandLine;
using Hako.Contracts;

namespace Hako.Cli.Commands;

/// <summary>hako create NAME --template T [--plan P] [limits...]: like vzctl create --config P + set --save, or incus launch.</summary>
internal sealed class CreateCommand : HakoCommand
{
    private readonly Argument<string> _name = ContainerName();
    private readonly Option<string> _template = new("--template", "-t") { Description = "Template to create from (see hako template list)", Required = true };
    private readonly ResourceOptions _resources = new(withPlan: true);
    private readonly Option<string?> _hostname = new("--hostname") { Description = "Hostname inside the container (default: the name)" };
    private readonly Option<string?> _ip = new("--ip") { Description = "IPv4 address on the node's bridge (default: next free)", HelpName = "A.B.C.D" };
    private readonly Option<string[]> _nameservers = new("--nameserver") { Description = "DNS server for /etc/resolv.conf (repeatable)", HelpName = "IP" };
    private readonly Option<bool> _onBoot = new("--onboot") { Description = "Start the container when hakod starts" };
    private readonly Option<bool> _privileged = new("--privileged") { Description = "Run without a user namespace: container root is host root (avoid)" };
    private readonly Option<string?> _network = new("--network") { Description = "bridge (default: a static IPv4 on the node's bridge) or none (loopback only)", HelpName = "bridge|none" };
    private readonly Option<bool> _start = new("--start") { Description = "Start the container once it is created" };

    public CreateCommand(CliEnvironment environment, GlobalOptions globals)
        : base("create", "Create a container from a template", environment, globals)
    {
        Arguments.Add(_name);
        Options.Add(_template);
        _resources.AddTo(this);
        Options.Add(_hostname);
        Options.Add(_ip);
        Options.Add(_nameservers);
        Options.Add(_onBoot);
        Options.Add(_privileged);
        Options.Add(_network);
        Options.Add(_start);
    }

    internal CreateContainerRequest ToRequest(ParseResult r)
    {
        var nameservers = r.GetValue(_nameservers);
        return new CreateContainerRequest
        {
            Name = r.GetValue(_name)!,
            Template = r.GetValue(_template)!,
            Memory = r.GetValue(_resources.Memory),
            Swap = r.GetValue(_resources.Swap),
            Cpus = r.GetValue(_resources.Cpus),
            CpuLimit = r.GetValue(_resources.CpuLimit),
            CpuUnits = r.GetValue(_resources.CpuUnits),
            Processes = r.GetValue(_resources.Processes),
            Disk = r.GetValue(_resources.Disk),
            Hostname = r.GetValue(_hostname),
            Ip = r.GetValue(_ip),
            Nameservers = nameservers is { Length: > 0 } ? nameservers : null,
            OnBoot = r.GetValue(_onBoot),
            Privileged = r.GetValue(_privileged),
            Network = r.GetValue(_network),
            Start = r.GetValue(_start),
            Plan = _resources.GetPlan(r),
            Resources = _resources.GetSettings(r),
        };
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var request = ToRequest(parseResult);
        if (request.Privileged)
        {
            cli.Warn($"{request.Name} is privileged: root in the container is root on the host (uid 0), " +
                "so a container escape owns the node. Use it only for workloads you trust.");
        }

        var operation = await cli.Client.CreateContainerAsync(request, cancellationToken).ConfigureAwait(false);
        cli.WarnAll(operation.Warnings);
        var finished = await cli.Client.WaitAsync(operation.Id, timeout: null, cancellationToken).ConfigureAwait(false);
        var container = await cli.Client.GetContainerAsync(request.Name, cancellationToken).ConfigureAwait(false);
        cli.WarnAll(finished.Warnings, container.Warnings);
        if (cli.Json)
        {
            cli.WriteJson(container, HakoJsonContext.Default.ContainerInfo);
            return ExitCodes.Ok;
        }

        var what = request.Start ? "created and started" : "created";
        cli.Say(container.Ip is { } ip ? $"Container {container.Name} {what} ({ip})" : $"Container {container.Name} {what}");
        return ExitCodes.Ok;
    }
}

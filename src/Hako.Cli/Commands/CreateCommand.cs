using System.CommandLine;
using Hako.Contracts;

namespace Hako.Cli.Commands;

/// <summary>hako create NAME --template T [limits...]: like vzctl create + set --save, or incus launch.</summary>
internal sealed class CreateCommand : HakoCommand
{
    private readonly Argument<string> _name = ContainerName();
    private readonly Option<string> _template = new("--template", "-t") { Description = "Template to create from (see hako template list)", Required = true };
    private readonly ResourceOptions _resources = new();
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
        await cli.Client.WaitAsync(operation.Id, timeout: null, cancellationToken).ConfigureAwait(false);
        var container = await cli.Client.GetContainerAsync(request.Name, cancellationToken).ConfigureAwait(false);
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

/// <summary>The resource options shared by create and set; values go to the API as typed (hakod validates them).</summary>
internal sealed class ResourceOptions
{
    public Option<string?> Memory { get; } = new("--memory", "-m") { Description = "RAM limit, e.g. 256M, 2G, unlimited", HelpName = "SIZE" };
    public Option<string?> Swap { get; } = new("--swap") { Description = "Swap on top of RAM, e.g. 0 (none), 512M, unlimited", HelpName = "SIZE" };
    public Option<int?> Cpus { get; } = new("--cpus") { Description = "Number of CPUs the container may use", HelpName = "N" };
    public Option<string?> CpuLimit { get; } = new("--cpulimit") { Description = "CPU time cap in percent of one CPU, e.g. 50% or 200", HelpName = "PCT" };
    public Option<int?> CpuUnits { get; } = new("--cpuunits") { Description = "CPU weight relative to other containers (default 1000)", HelpName = "N" };
    public Option<int?> Processes { get; } = new("--processes") { Description = "Most processes+threads (numproc)", HelpName = "N" };
    public Option<string?> Disk { get; } = new("--disk") { Description = "Disk quota, e.g. 2G, or unlimited (plain directory)", HelpName = "SIZE" };

    public void AddTo(Command command)
    {
        command.Options.Add(Memory);
        command.Options.Add(Swap);
        command.Options.Add(Cpus);
        command.Options.Add(CpuLimit);
        command.Options.Add(CpuUnits);
        command.Options.Add(Processes);
        command.Options.Add(Disk);
    }
}

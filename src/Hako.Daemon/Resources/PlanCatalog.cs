using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Core.Resources;
using Hako.Core.Units;
using Hako.Daemon.Options;
using Hako.Linux.Interop;
using Hako.Linux.Procfs;
using Hako.Runtime;
using Hako.State;

namespace Hako.Daemon.Resources;

/// <summary>
/// Plans: the built-in ones (code), the operator's (database: a base plan plus flags), and "default",
/// hakod's settings when no plan is named. Also the node as admission sees it.
/// </summary>
public sealed class PlanCatalog(IStateStore store, HakodOptions options, NodePaths paths, TimeProvider time)
{
    public const string DefaultName = "default";

    /// <summary>What a container gets when nothing is asked: 512M memory, no swap, 10G disk, best effort.</summary>
    public static Plan Default { get; } = new()
    {
        Name = DefaultName,
        Description = "hakod's defaults: 512M memory, no swap, 10G disk, best effort",
        Kind = PlanKind.BestEffort,
        Mode = MemoryMode.Slm,
        Limits = new PlanLimits { MemoryBytes = 512L << 20, SwapBytes = 0, DiskBytes = 10L << 30 },
    };

    public Plan Resolve(string? name) => TryResolve(name ?? DefaultName)
        ?? throw HakoException.Invalid($"Plan '{name}' does not exist; see hako plan list (built-in: {string.Join(", ", BuiltInPlans.All.Select(p => p.Name))})");

    public Plan? TryResolve(string name, int depth = 0)
    {
        if (name == DefaultName)
        {
            return Default;
        }

        if (BuiltInPlans.Find(name) is { } builtIn)
        {
            return builtIn;
        }

        var stored = store.ListPlans().FirstOrDefault(p => p.Name == name);
        if (stored is null || depth > 8)
        {
            return null;
        }

        var basePlan = stored.Base is null ? Default : TryResolve(stored.Base, depth + 1) ?? Default;
        return PlanCodec.Apply(basePlan with { Name = stored.Name }, stored.Flags);
    }

    /// <summary>A container's effective plan: its plan (or the defaults) with its explicit settings applied.</summary>
    public Plan Effective(Core.Containers.ContainerRecord r) => Effective(r, Resolver());

    /// <summary>A container's effective plan, its plan found by <paramref name="resolve"/> (see <see cref="Resolver"/>).</summary>
    public static Plan Effective(Core.Containers.ContainerRecord r, Func<string?, Plan> resolve) =>
        PlanCodec.Apply(resolve(r.PlanName), r.Overrides);

    /// <summary>
    /// Plans by name (null = default; a name that no longer exists = default) for one pass over many
    /// containers: each name is resolved once, so the stored plans are read once per plan instead of
    /// once per container.
    /// </summary>
    public Func<string?, Plan> Resolver()
    {
        var resolved = new Dictionary<string, Plan>(StringComparer.Ordinal);
        return name =>
        {
            name ??= DefaultName;
            if (!resolved.TryGetValue(name, out var plan))
            {
                resolved[name] = plan = TryResolve(name) ?? Default;
            }

            return plan;
        };
    }

    public IReadOnlyList<(Plan Plan, bool BuiltIn)> List() =>
        [(Default, true), .. BuiltInPlans.All.Select(p => (p, true)), .. store.ListPlans().Select(p => (TryResolve(p.Name)!, false))];

    public Plan Create(string name, string? basePlan, PlanFlags flags)
    {
        if (Plan.CheckName(name) is { } nameError)
        {
            throw HakoException.Invalid(nameError);
        }

        if (TryResolve(name) is not null)
        {
            throw new HakoException(ErrorCode.AlreadyExists, $"Plan {name} already exists; pick another name or remove it first");
        }

        var plan = PlanCodec.Apply(Resolve(basePlan) with { Name = name }, flags);
        plan.ThrowIfInvalid();
        Containers.ContainerService.CheckSwitches(options, false, plan.Limits.DiskBytes is null, $"Plan {name}");
        if (!store.TryInsertPlan(new StoredPlan(name, basePlan, flags, time.GetUtcNow())))
        {
            throw new HakoException(ErrorCode.AlreadyExists, $"Plan {name} was created meanwhile");
        }

        return plan;
    }

    public void Remove(string name)
    {
        if (name == DefaultName || BuiltInPlans.Find(name) is not null)
        {
            throw HakoException.Conflict($"Plan {name} is built in and cannot be removed");
        }

        if (!store.ListPlans().Any(p => p.Name == name))
        {
            throw HakoException.NotFound($"Plan {name} does not exist; see hako plan list");
        }

        var users = store.ListContainers().Where(c => c.PlanName == name).Select(c => c.Name).ToList();
        if (users.Count > 0)
        {
            throw HakoException.Conflict($"Plan {name} is used by {string.Join(", ", users.Take(10))}; move them to another plan first (hako set NAME --plan P)");
        }

        store.DeletePlan(name);
    }

    /// <summary>vzsplit: a plan that gives <paramref name="count"/> equal containers this node's resources.</summary>
    public Plan Split(int count, string? name, bool save)
    {
        var node = Node();
        var mem = ProcMeminfo.Read();
        var plan = PlanSplit.Split(mem.MemTotalBytes, mem.SwapTotalBytes, Environment.ProcessorCount, node.Capacity.DiskBytes,
            node.HostReserve, count, name ?? $"split-{count}");
        if (save)
        {
            if (TryResolve(plan.Name) is not null)
            {
                throw new HakoException(ErrorCode.AlreadyExists, $"Plan {plan.Name} already exists; pass another --name");
            }

            store.TryInsertPlan(new StoredPlan(plan.Name, null, PlanCodec.ToFlags(plan), time.GetUtcNow()));
        }

        return plan;
    }

    /// <summary>The node as admission sees it: capacity, what the host keeps, and the operator's overcommit ratios.</summary>
    public NodeCapacity Node()
    {
        var mem = ProcMeminfo.Read();
        var disk = Statvfs.Get(paths.Private);
        return new NodeCapacity(
            new ResourceAmounts(mem.MemTotalBytes, Environment.ProcessorCount, disk.TotalBytes),
            new ResourceAmounts(Size.Parse(options.ReserveMemory, "--reserve-memory") ?? 0, options.ReserveCpus,
                Size.Parse(options.ReserveDisk, "--reserve-disk") ?? 0),
            new OvercommitRatios(options.OvercommitMemory, options.OvercommitCpu, options.OvercommitDisk));
    }

    public PlanInfo ToInfo(Plan p, bool builtIn) => new()
    {
        Name = p.Name,
        Description = p.Description,
        Kind = p.Kind == PlanKind.Guaranteed ? "guaranteed" : "best-effort",
        Mode = p.Mode == MemoryMode.Ubc ? "ubc" : "slm",
        Guarantees = new ResourceGuarantees { MemoryBytes = p.Guarantees.MemoryBytes, Cpus = p.Guarantees.Cpus, DiskBytes = p.Guarantees.DiskBytes },
        Limits = PlanCodec.Limits(p, null),
        Beancounters = p.Mode == MemoryMode.Ubc ? p.EffectiveBeancounters().ToVzctl() : null,
        BuiltIn = builtIn,
        Containers = [.. store.ListContainers().Where(c => (c.PlanName ?? DefaultName) == p.Name).Select(c => c.Name)],
    };
}

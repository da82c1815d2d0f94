using System.CommandLine;
using Hako.Cli.Output;
using Hako.Contracts;

namespace Hako.Cli.Commands;

/// <summary>hako plan list|show|create|remove|split: named resource sets, like OpenVZ's ve-*.conf-sample and vzsplit.</summary>
internal static class PlanCommands
{
    public static Command Create(CliEnvironment environment, GlobalOptions globals)
    {
        var plan = new Command("plan", "Manage plans: named resource sets containers start from (like ve-*.conf-sample)");
        plan.Aliases.Add("plans");
        plan.Subcommands.Add(new PlanListCommand(environment, globals));
        plan.Subcommands.Add(new PlanShowCommand(environment, globals));
        plan.Subcommands.Add(new PlanCreateCommand(environment, globals));
        plan.Subcommands.Add(new PlanRemoveCommand(environment, globals));
        plan.Subcommands.Add(new PlanSplitCommand(environment, globals));
        return plan;
    }

    internal static Argument<string> PlanName() => new("name") { Description = "Plan name" };

    /// <summary>A plan as show prints it, or its JSON.</summary>
    internal static void Write(CliContext cli, PlanInfo plan)
    {
        if (cli.Json)
        {
            cli.WriteJson(plan, HakoJsonContext.Default.PlanInfo);
        }
        else if (!cli.Quiet)
        {
            cli.Out.Write(ResourceViews.RenderPlan(plan));
        }
    }
}

internal sealed class PlanListCommand : HakoCommand
{
    public PlanListCommand(CliEnvironment environment, GlobalOptions globals)
        : base("list", "List plans (built-in first)", environment, globals)
    {
        Aliases.Add("ls");
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var plans = await cli.Client.ListPlansAsync(cancellationToken).ConfigureAwait(false);
        if (cli.Json)
        {
            cli.WriteJson(plans, HakoJsonContext.Default.ListPlanInfo);
        }
        else if (!cli.Quiet)
        {
            cli.Out.Write(ResourceViews.RenderPlans(plans));
        }

        return ExitCodes.Ok;
    }
}

internal sealed class PlanShowCommand : HakoCommand
{
    private readonly Argument<string> _name = PlanCommands.PlanName();

    public PlanShowCommand(CliEnvironment environment, GlobalOptions globals)
        : base("show", "Show a plan's guarantees, limits and beancounters", environment, globals)
    {
        Arguments.Add(_name);
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var plan = await cli.Client.GetPlanAsync(parseResult.GetValue(_name)!, cancellationToken).ConfigureAwait(false);
        PlanCommands.Write(cli, plan);
        return ExitCodes.Ok;
    }
}

/// <summary>hako plan create NAME [--base PLAN] [resource options as for create].</summary>
internal sealed class PlanCreateCommand : HakoCommand
{
    private readonly Argument<string> _name = PlanCommands.PlanName();
    private readonly Option<string?> _base = new("--base") { Description = "Plan to start from (default: hakod's defaults)", HelpName = "PLAN" };
    private readonly Option<string?> _description = new("--description") { Description = "One line saying what the plan is for", HelpName = "TEXT" };
    private readonly ResourceOptions _resources = new(withPlan: false);

    public PlanCreateCommand(CliEnvironment environment, GlobalOptions globals)
        : base("create", "Create a plan from a base plan plus settings", environment, globals)
    {
        Arguments.Add(_name);
        Options.Add(_base);
        Options.Add(_description);
        _resources.AddTo(this);
    }

    internal CreatePlanRequest ToRequest(ParseResult r) => new()
    {
        Name = r.GetValue(_name)!,
        Base = r.GetValue(_base),
        Description = r.GetValue(_description),
        Memory = r.GetValue(_resources.Memory),
        Swap = r.GetValue(_resources.Swap),
        Cpus = r.GetValue(_resources.Cpus),
        CpuLimit = r.GetValue(_resources.CpuLimit),
        CpuUnits = r.GetValue(_resources.CpuUnits),
        Processes = r.GetValue(_resources.Processes),
        Disk = r.GetValue(_resources.Disk),
        Resources = _resources.GetSettings(r),
    };

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var plan = await cli.Client.CreatePlanAsync(ToRequest(parseResult), cancellationToken).ConfigureAwait(false);
        if (cli.Json)
        {
            cli.WriteJson(plan, HakoJsonContext.Default.PlanInfo);
        }
        else
        {
            cli.Say($"Plan {plan.Name} created ({plan.Kind}, {plan.Mode}); use it with: hako create NAME -t TEMPLATE --plan {plan.Name}");
        }

        return ExitCodes.Ok;
    }
}

internal sealed class PlanRemoveCommand : HakoCommand
{
    private readonly Argument<string> _name = PlanCommands.PlanName();

    public PlanRemoveCommand(CliEnvironment environment, GlobalOptions globals)
        : base("remove", "Remove a plan (built-in plans stay)", environment, globals)
    {
        Aliases.Add("rm");
        Arguments.Add(_name);
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var name = parseResult.GetValue(_name)!;
        await cli.Client.DeletePlanAsync(name, cancellationToken).ConfigureAwait(false);
        cli.Say($"Plan {name} removed");
        return ExitCodes.Ok;
    }
}

/// <summary>hako plan split N [--name NAME] [--no-save]: like vzsplit -n N.</summary>
internal sealed class PlanSplitCommand : HakoCommand
{
    private readonly Argument<int> _count = new("count") { Description = "How many equal containers the node should hold", HelpName = "N" };
    private readonly Option<string?> _name = new("--name") { Description = "Name of the derived plan (default: hakod chooses, e.g. split-N)", HelpName = "NAME" };
    private readonly Option<bool> _noSave = new("--no-save") { Description = "Only print the derived plan; do not save it" };

    public PlanSplitCommand(CliEnvironment environment, GlobalOptions globals)
        : base("split", "Derive a plan that gives N equal containers this node's resources (vzsplit)", environment, globals)
    {
        _count.Validators.Add(result =>
        {
            // Not a number is reported by the parser itself; only judge what parsed.
            if (result.Tokens.Count == 1 && int.TryParse(result.Tokens[0].Value, System.Globalization.CultureInfo.InvariantCulture, out var count) && count < 1)
            {
                result.AddError("N must be at least 1, e.g. hako plan split 10");
            }
        });
        Arguments.Add(_count);
        Options.Add(_name);
        Options.Add(_noSave);
    }

    internal SplitPlanRequest ToRequest(ParseResult r) => new()
    {
        Count = r.GetValue(_count),
        Name = r.GetValue(_name),
        Save = !r.GetValue(_noSave),
    };

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var request = ToRequest(parseResult);
        var plan = await cli.Client.SplitPlanAsync(request, cancellationToken).ConfigureAwait(false);
        PlanCommands.Write(cli, plan);
        if (request.Save)
        {
            cli.Say($"\nSaved as plan {plan.Name}; use it with: hako create NAME -t TEMPLATE --plan {plan.Name}");
        }

        return ExitCodes.Ok;
    }
}

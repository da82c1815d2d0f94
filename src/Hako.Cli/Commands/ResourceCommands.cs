using System.CommandLine;
using Hako.Cli.Output;
using Hako.Contracts;

namespace Hako.Cli.Commands;

/// <summary>hako ubc [NAME] [-v]: /proc/user_beancounters from live data, for one or every running container.</summary>
internal sealed class UbcCommand : HakoCommand
{
    private readonly Argument<string?> _name = new("name") { Description = "Container name (default: every running container)", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<bool> _enforcement = new("--enforcement", "-v")
    {
        Description = "Add a column saying per counter whether Hako enforces it, only accounts it, or cannot see it on this kernel",
    };

    public UbcCommand(CliEnvironment environment, GlobalOptions globals)
        : base("ubc", "Show user beancounters in /proc/user_beancounters layout", environment, globals)
    {
        Aliases.Add("beancounters");
        Arguments.Add(_name);
        Options.Add(_enforcement);
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var name = parseResult.GetValue(_name);
        var enforcement = parseResult.GetValue(_enforcement);
        if (name is not null)
        {
            var report = await cli.Client.GetBeancountersAsync(name, cancellationToken).ConfigureAwait(false);
            if (cli.Json)
            {
                cli.WriteJson(report, HakoJsonContext.Default.BeancounterReport);
            }
            else if (!cli.Quiet)
            {
                // One container: hakod's text as it is (already the /proc/user_beancounters layout).
                cli.Out.Write(enforcement ? ResourceViews.RenderUbc([report], enforcement: true)
                    : report.Text.EndsWith('\n') ? report.Text : report.Text + "\n");
            }

            return ExitCodes.Ok;
        }

        var reports = await cli.Client.ListBeancountersAsync(cancellationToken).ConfigureAwait(false);
        if (cli.Json)
        {
            cli.WriteJson(reports, HakoJsonContext.Default.ListBeancounterReport);
        }
        else if (!cli.Quiet)
        {
            cli.Out.Write(ResourceViews.RenderUbc(reports, enforcement));
        }

        return ExitCodes.Ok;
    }
}

/// <summary>hako validate NAME: vzcfgvalidate on the stored settings; exit 1 when a rule is broken.</summary>
internal sealed class ValidateCommand : HakoCommand
{
    private readonly Argument<string> _name = ContainerName();

    public ValidateCommand(CliEnvironment environment, GlobalOptions globals)
        : base("validate", "Check a container's resource settings against the vzcfgvalidate rules", environment, globals)
    {
        Arguments.Add(_name);
    }

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var name = parseResult.GetValue(_name)!;
        var report = await cli.Client.ValidateContainerAsync(name, cancellationToken).ConfigureAwait(false);
        var errors = report.Findings.Count(f => f.Severity == "error");
        if (cli.Json)
        {
            cli.WriteJson(report, HakoJsonContext.Default.ValidationReport);
        }
        else if (!cli.Quiet || errors > 0)
        {
            cli.Out.Write(ResourceViews.RenderFindings(report));
            if (report.Findings.Count == 0 && !cli.Quiet)
            {
                cli.Out.WriteLine($"Container {name}: settings pass every validation rule");
            }
        }

        return errors > 0 ? ExitCodes.Error : ExitCodes.Ok;
    }
}

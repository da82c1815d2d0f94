using System.CommandLine;
using Hako.Cli.Commands;
using Hako.Client;

namespace Hako.Cli;

/// <summary>The `hako` command: builds the command tree, runs it, and turns failures into stderr text and exit codes.</summary>
internal static class HakoCli
{
    public static RootCommand BuildRoot(CliEnvironment environment)
    {
        var globals = new GlobalOptions();
        var root = new RootCommand("hako: manage Hako system containers on this node (talks to hakod)");
        globals.AddTo(root);
        root.Subcommands.Add(new CreateCommand(environment, globals));
        root.Subcommands.Add(new StartCommand(environment, globals));
        root.Subcommands.Add(new StopCommand(environment, globals, restart: false));
        root.Subcommands.Add(new StopCommand(environment, globals, restart: true));
        root.Subcommands.Add(new DestroyCommand(environment, globals));
        root.Subcommands.Add(new ListCommand(environment, globals));
        root.Subcommands.Add(new ShowCommand(environment, globals));
        root.Subcommands.Add(new SetCommand(environment, globals));
        root.Subcommands.Add(new ExecCommand(environment, globals, enter: false));
        root.Subcommands.Add(new ExecCommand(environment, globals, enter: true));
        root.Subcommands.Add(TemplateCommands.Create(environment, globals));
        root.Subcommands.Add(PlanCommands.Create(environment, globals));
        root.Subcommands.Add(new UbcCommand(environment, globals));
        root.Subcommands.Add(new ValidateCommand(environment, globals));
        root.Subcommands.Add(new NodeCommand(environment, globals));
        root.Subcommands.Add(new CapacityCommand(environment, globals));
        root.Subcommands.Add(new TopCommand(environment, globals));
        root.Subcommands.Add(new StatsCommand(environment, globals));
        root.Subcommands.Add(new MigrateCommand(environment, globals));
        root.Subcommands.Add(OperationCommands.Create(environment, globals));
        root.Subcommands.Add(new EventsCommand(environment, globals));
        root.Subcommands.Add(RemoteCommands.Create(environment, globals));
        root.Subcommands.Add(new VersionCommand(environment, globals));
        return root;
    }

    /// <summary>0 ok, 1 error, 2 usage error; exec/enter pass on the command's own exit code.</summary>
    public static async Task<int> RunAsync(string[] args, CliEnvironment environment, CancellationToken cancellationToken = default)
    {
        var root = BuildRoot(environment);
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
            {
                environment.Error.WriteLine("error: " + error.Message);
            }

            environment.Error.WriteLine($"See '{CommandPath(parseResult)} --help'.");
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration
        {
            Output = environment.Out,
            Error = environment.Error,
            EnableDefaultExceptionHandler = false,
            // exec/enter handle SIGINT themselves; elsewhere Ctrl-C just ends hako (operations go on in hakod).
            ProcessTerminationTimeout = null,
        };
        try
        {
            return await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (CliException ex)
        {
            environment.Error.WriteLine("error: " + ex.Message);
            return ex.ExitCode;
        }
        catch (HakoApiException ex)
        {
            WriteError(environment.Error, ex);
            return ExitCodes.Error;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            environment.Error.WriteLine("error: interrupted");
            return ExitCodes.Interrupted;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            // e.g. stdout closed by `| head`, or lxc-attach not executable: say what, without a stack trace.
            environment.Error.WriteLine("error: " + ex.Message);
            return ExitCodes.Error;
        }
    }

    /// <summary>error: MESSAGE, then each reported problem on its own line (validation reports all of them).</summary>
    internal static void WriteError(TextWriter error, HakoApiException ex)
    {
        error.WriteLine("error: " + ex.Message);
        foreach (var problem in ex.Errors)
        {
            error.WriteLine("  - " + problem);
        }
    }

    private static string CommandPath(ParseResult parseResult)
    {
        var names = new List<string>();
        for (var result = parseResult.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Add(result.Command is RootCommand ? "hako" : result.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}

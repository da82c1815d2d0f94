using System.CommandLine;

namespace Hako.Cli.Commands;

/// <summary>A leaf command: parses, then runs <see cref="RunAsync"/> with a <see cref="CliContext"/>; returns the exit code.</summary>
internal abstract class HakoCommand : Command
{
    protected HakoCommand(string name, string description, CliEnvironment environment, GlobalOptions globals)
        : base(name, description)
    {
        SetAction(async (parseResult, cancellationToken) =>
        {
            using var cli = new CliContext(environment, globals, parseResult);
            return await RunAsync(cli, parseResult, cancellationToken).ConfigureAwait(false);
        });
    }

    protected abstract Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken);

    protected static Argument<string> ContainerName() => new("name") { Description = "Container name" };
}
